using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

/// <summary>The repository's scenarios, run live the way the README runs them: a real process, the embedded emulator, HTTP.</summary>
[Collection(LiveRuns.Name)]
public sealed class LiveScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-live-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("quickstart", 0)] // the README's first command
    [InlineData("spike", 2)]      // the spike throttles past its reserved concurrency: its throttle threshold fails, as it should
    [InlineData("ramp", 0)]
    public async Task Scenario_runs_live_against_the_embedded_emulator(string name, int expectedExit)
    {
        var results = Path.Combine(_dir, "results");
        using var p = CliProcess.Start(CliTests.RepoRoot(), "run", $"scenarios/{name}.yaml", "--results", results, "--metrics-port", "0");
        var code = await p.WaitAsync(TimeSpan.FromMinutes(6));

        Assert.True(code == expectedExit, $"exit {code}\n{p.StdOut}\n{p.StdErr}");
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.StartsWith("lambda ", summary.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:", summary.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Equal(summary.GetProperty("totals").GetProperty("started").GetInt64(), summary.GetProperty("totals").GetProperty("completed").GetInt64());
        Assert.True(summary.GetProperty("lambda").GetProperty("coldStarts").GetInt64() > 0);
        Assert.Contains("Lambda model", p.StdOut, StringComparison.Ordinal);
    }
}

/// <summary>Live runs measure real time; they run one at a time so they do not compete for the two cores.</summary>
[CollectionDefinition(Name)]
public sealed class LiveRuns
{
    public const string Name = "live runs";
}

/// <summary>
/// The queue path live: the real <c>lambdastorm run</c> process, the embedded emulator, SQS through AWSSDK.SQS, the
/// event source mapping and the receipts queue, with poison pills. The ledger must account for every message, and
/// <c>lambdastorm report</c> must rebuild the same ledger from the journal.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class LivePoisonPillTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-live-pill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // scenarios/poison-pill.yaml with shorter timings: 200 messages, every 20th a pill (10), 1 s visibility, 3 receives.
    private const string Scenario = """
        name: live-poison-pill
        path: queue
        queue: orders
        seed: 5
        maxInFlight: 200
        target:
          type: emulator
          functions:
            worker: { duration: 20ms, poisonMarker: POISON }
          queues:
            orders: { visibilityTimeout: 1s, deadLetter: orders-dlq, maxReceiveCount: 3 }
            orders-dlq: {}
          eventSourceMappings:
            - { queue: orders, function: worker, batchSize: 10, window: 1s, reportBatchItemFailures: true }
        load:
          - inject: { rate: 40, during: 5s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 20, marker: POISON }
        settle: 1m
        thresholds:
          - lost == 0
          - in_flight == 0
          - dlq == 10
          - dlq_good == 0
        """;

    [Fact]
    public async Task Poison_pills_run_live_end_in_the_DLQ_nothing_is_lost_and_report_rebuilds_the_same_ledger()
    {
        var file = Path.Combine(_dir, "pill.yaml");
        await File.WriteAllTextAsync(file, Scenario, TestContext.Current.CancellationToken);
        var results = Path.Combine(_dir, "results");
        using var p = CliProcess.Start(_dir, "run", file, "--results", results, "--metrics-port", "0", "--plain");
        var code = await p.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(code == 0, $"exit {code}\n{p.StdOut}\n{p.StdErr}");
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summaryFile = Path.Combine(folder, "summary.json");
        var live = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement.Clone();
        Assert.Equal("completed", live.GetProperty("status").GetString());
        Assert.Contains("http://127.0.0.1:", live.GetProperty("target").GetString(), StringComparison.Ordinal); // the embedded emulator
        var ledger = live.GetProperty("ledger");
        var classes = ledger.GetProperty("classes");
        Assert.Equal(200, ledger.GetProperty("sent").GetInt64());
        Assert.Equal(["queue"], ledger.GetProperty("classesByPath").EnumerateObject().Select(x => x.Name));
        Assert.Equal(10, ledger.GetProperty("poisoned").GetInt64());
        Assert.Equal(10, classes.GetProperty("dlq").GetInt64());                 // every pill in the DLQ…
        Assert.Equal(10, ledger.GetProperty("poisonedDeadLettered").GetInt64()); // …and only the pills
        Assert.Equal(190, classes.GetProperty("first_attempt").GetInt64() + classes.GetProperty("after_retry").GetInt64());
        Assert.Equal(0, classes.GetProperty("lost").GetInt64());
        Assert.Equal(0, classes.GetProperty("in_flight").GetInt64());
        Assert.Equal("quiescent", ledger.GetProperty("source").GetString());
        Assert.Equal(30, ledger.GetProperty("failedAttempts").GetInt64());       // three failed receives per pill
        Assert.All(live.GetProperty("thresholds").EnumerateArray(), t => Assert.True(t.GetProperty("passed").GetBoolean(), t.GetRawText()));

        var (reportCode, stdout, stderr) = await CliProcess.RunAsync(_dir, "report", folder);

        Assert.True(reportCode == 0, stdout + stderr);
        var rebuilt = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement.GetProperty("ledger");
        foreach (var name in new[] { "classes", "sent", "poisoned", "poisonedDeadLettered", "failedAttempts", "attempts", "redeliveries", "duplicates", "endToEndMs", "source" })
        {
            Assert.Equal(ledger.GetProperty(name).GetRawText(), rebuilt.GetProperty(name).GetRawText());
        }
    }
}
