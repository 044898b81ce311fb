using System.Text.Json;
using LambdaStorm.Ledger;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Reporting.Tests;

/// <summary>
/// Scenario <c>variants:</c>: the loader's deep-merge and its errors, the poison-pill scenario simulated with both
/// variants into one combined folder, and <c>lambdastorm report</c> of that folder.
/// </summary>
public sealed class VariantsTests
{
    private const string Base = """
        name: base
        description: a small queue run
        path: queue
        queue: orders
        seed: 3
        target:
          type: emulator
          functions:
            worker: { duration: 40ms, memory: 256, poisonMarker: POISON }
          queues:
            orders: { visibilityTimeout: 2s, deadLetter: orders-dlq, maxReceiveCount: 2 }
            orders-dlq: {}
          eventSourceMappings:
            - { queue: orders, function: worker, batchSize: 5, reportBatchItemFailures: true }
        load:
          - inject: { rate: 20, during: 3s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 10, marker: POISON }
        settle: 1m
        thresholds:
          - lost == 0
        """;

    [Fact]
    public void Overrides_deep_merge_mappings_replace_lists_and_values_and_null_removes_a_key()
    {
        var s = ScenarioLoader.Load(Base + """

            variants:
              - name: bigger
                description: more memory, no poison pills, no thresholds
                override:
                  target:
                    functions:
                      worker: { memory: 1024 }
                  payload:
                    poisonPills: null
                  thresholds: [ "dlq == 0" ]
              - name: same
            """, "v.yaml").GetOrThrow();

        Assert.Equal(2, s.Variants.Length);
        var bigger = s.Variants[0].Scenario;
        Assert.Equal("base.bigger", bigger.Name);
        Assert.Contains("memory: 1024", bigger.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("memory: 256", bigger.Source.Text, StringComparison.Ordinal);
        Assert.Contains("duration: 40ms", bigger.Source.Text, StringComparison.Ordinal); // a sibling key of the merged mapping stays
        Assert.Contains("poisonMarker: POISON", bigger.Source.Text, StringComparison.Ordinal);
        Assert.Null(bigger.Payload.PoisonPills);
        Assert.Equal("dlq == 0", Assert.Single(bigger.Thresholds).Expression);
        Assert.Contains("Variant 'bigger': more memory", bigger.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("variants:", bigger.Source.Text, StringComparison.Ordinal);
        Assert.Equal(s.Thresholds.Single().Expression, s.Variants[1].Scenario.Thresholds.Single().Expression);

        // The echo stands alone: it loads into the same variant (what 'lambdastorm report' does with a variant's journal).
        var echo = ScenarioLoader.Load(bigger.Source.Text, "echo.yaml").GetOrThrow();
        Assert.Equal("base.bigger", echo.Name);
        Assert.Null(echo.Payload.PoisonPills);
        Assert.True(echo.Variants.IsEmpty);
    }

    [Fact]
    public void Variant_errors_name_the_file_line_column_and_variant()
    {
        var yaml = Base + """

            variants:
              - name: slow
                override:
                  target:
                    functions:
                      worker: { duration: soon }
              - name: slow
              - name: renamed
                override: { name: other }
              - name: "bad name"
              - name: x
                overide: {}
            """;
        var result = ScenarioLoader.Load(yaml, "scenarios/v.yaml");
        Assert.False(result.Success);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        var line = yaml.Split('\n').ToList().FindIndex(l => l.Contains("duration: soon", StringComparison.Ordinal)) + 1;
        Assert.Contains(errors, e => e.StartsWith($"scenarios/v.yaml:{line}:", StringComparison.Ordinal) && e.Contains("variant 'slow':", StringComparison.Ordinal) && e.Contains("duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("variant 'slow' is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("cannot override 'name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'bad name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'overide'", StringComparison.Ordinal) && e.Contains("override", StringComparison.Ordinal));

        var empty = ScenarioLoader.Load(Base + "\nvariants: []\n", "e.yaml");
        Assert.Contains(empty.Errors, e => e.Message.Contains("'variants' is empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Poison_pill_simulates_both_variants_into_one_folder_and_report_redraws_it()
    {
        var scenario = ScenarioLoader.LoadFile(RepoFile("scenarios/poison-pill.yaml")).GetOrThrow();
        Assert.Equal(["without-rbif", "with-rbif"], scenario.Variants.Select(v => v.Name));
        var root = Directory.CreateTempSubdirectory("lambdastorm-variants-").FullName;
        try
        {
            var options = new RunOptions(root) { Artifacts = ResultsArtifacts.Instance };
            var outcome = await VariantRuns.RunAsync(scenario, options, (s, o) => ScenarioRunner.SimulateAsync(s, o, null, CancellationToken.None), null, CancellationToken.None);

            var dir = outcome.ResultsPath;
            Assert.Equal(ExitCodes.Ok, outcome.Summary.ExitCode);
            foreach (var f in new[] { "summary.json", "junit.xml", "report.html", "without-rbif/journal.jsonl", "without-rbif/report.html", "with-rbif/summary.json", "with-rbif/junit.xml" })
            {
                Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} is missing");
            }

            var without = outcome.Summary.Variants[0].Summary;
            var with = outcome.Summary.Variants[1].Summary;
            Assert.Equal("poison-pill.without-rbif", without.Scenario);
            foreach (var s in new[] { without, with })
            {
                Assert.True(s.Passed); // thresholds per variant: lost == 0, in_flight == 0, dlq == 15, dlq_good == 0
                Assert.Equal(15, s.Ledger!.Count(DeliveryClass.DeadLettered));
                Assert.Equal(s.Ledger.Poisoned, s.Ledger.Count(DeliveryClass.DeadLettered)); // DLQ arrivals == poison pills
                Assert.Equal(0, s.Ledger.Count(DeliveryClass.Lost));
            }

            Assert.True(without.Ledger!.DelayedGood > 0 && with.Ledger!.DelayedGood == 0);
            Assert.True(without.Ledger.FailedAttempts > 3 * with.Ledger.FailedAttempts);
            Assert.True(without.Lambda!.Invocations > with.Lambda!.Invocations);

            var html = await File.ReadAllTextAsync(Path.Combine(dir, "report.html"));
            Assert.Contains("good messages delayed by re-delivery", html, StringComparison.Ordinal);
            Assert.Contains("DLQ arrivals", html, StringComparison.Ordinal);
            Assert.Contains("href=\"without-rbif/report.html\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
            var junit = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "junit.xml"));
            Assert.Equal(2, junit.Root!.Elements("testsuite").Count());
            Assert.Equal(junit.Root.Elements("testsuite").Sum(s => (int)s.Attribute("tests")!), (int)junit.Root.Attribute("tests")!);

            // 'lambdastorm report DIR' on the combined folder: every variant redrawn from its journal, same ledger.
            File.Delete(Path.Combine(dir, "report.html"));
            File.Delete(Path.Combine(dir, "with-rbif", "summary.json"));
            Assert.True(VariantRuns.IsCombined(dir));
            var redrawn = await VariantRuns.ReportAsync(dir, ResultsArtifacts.Instance, CancellationToken.None);
            Assert.Equal(["without-rbif", "with-rbif"], redrawn.Summary.Variants.Select(v => v.Name)); // the combined summary's order
            Assert.Equal(without.Ledger.Classes, redrawn.Summary.Variants[0].Summary.Ledger!.Classes);
            Assert.Equal(with.Ledger.FailedAttempts, redrawn.Summary.Variants[1].Summary.Ledger!.FailedAttempts);
            Assert.Equal("poison-pill", redrawn.Summary.Scenario);
            Assert.True(File.Exists(Path.Combine(dir, "report.html")) && File.Exists(Path.Combine(dir, "with-rbif", "summary.json")));
            using var combined = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "summary.json")));
            Assert.Equal(2, combined.RootElement.GetProperty("variants").GetArrayLength());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_exit_code_is_the_worst_variant_and_thresholds_are_evaluated_per_variant()
    {
        var scenario = ScenarioLoader.Load(Base + """

            variants:
              - name: fine
              - name: strict
                override:
                  thresholds: [ "dlq == 0" ]
            """, "v.yaml").GetOrThrow();
        var root = Directory.CreateTempSubdirectory("lambdastorm-variants-").FullName;
        try
        {
            var outcome = await VariantRuns.RunAsync(scenario, new RunOptions(root), (s, o) => ScenarioRunner.SimulateAsync(s, o, null, CancellationToken.None), null, CancellationToken.None);
            Assert.True(outcome.Summary.Variants[0].Summary.Passed);
            Assert.False(outcome.Summary.Variants[1].Summary.Passed); // the pills reach the DLQ
            Assert.Equal(ExitCodes.ThresholdFailed, outcome.Summary.ExitCode);
            Assert.False(outcome.Summary.Passed);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string RepoFile(string relative)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LambdaStorm.sln")))
        {
            d = d.Parent;
        }

        return Path.Combine(d!.FullName, relative);
    }
}
