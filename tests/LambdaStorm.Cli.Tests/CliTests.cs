using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Variants_validate_run_into_one_folder_exit_with_the_worst_code_and_report_redraws_it()
    {
        var file = Path.Combine(_dir, "variants.yaml");
        await File.WriteAllTextAsync(file, """
            name: twice
            target: { type: noop, latency: 5ms }
            load:
              - inject: { rate: 20, during: 2s }
            thresholds:
              - error_rate == 0
            variants:
              - name: plain
              - name: failing
                description: a threshold that cannot pass
                override:
                  thresholds: [ "error_rate > 0.5" ]
            """);
        var (code, stdout, _) = await CliProcess.RunAsync(_dir, "validate", file);
        Assert.Equal(0, code);
        Assert.Contains("variant 'failing'", stdout, StringComparison.Ordinal);

        var results = Path.Combine(_dir, "results");
        (code, stdout, _) = await CliProcess.RunAsync(_dir, "run", file, "--results", results, "--metrics-port", "0", "--plain");
        Assert.Equal(2, code); // the worst variant: a failed threshold
        var combined = Assert.Single(Directory.GetDirectories(results));
        Assert.StartsWith("twice-", Path.GetFileName(combined), StringComparison.Ordinal);
        foreach (var f in new[] { "summary.json", "junit.xml", "report.html", "plain/journal.jsonl", "failing/report.html" })
        {
            Assert.True(File.Exists(Path.Combine(combined, f)), $"{f} missing; stdout:\n{stdout}");
        }

        Assert.Contains("variant 2 of 2: failing", stdout, StringComparison.Ordinal);
        (code, stdout, _) = await CliProcess.RunAsync(_dir, "report", combined);
        Assert.Equal(2, code);
        Assert.Contains("not every variant passed", stdout, StringComparison.Ordinal);

        // 'run' ran each variant as a one-node cluster whose coordinator applied the override (the journal header says so).
        var failing = Results.JournalReader.Read(Path.Combine(combined, "failing", "journal.jsonl"));
        Assert.Equal("twice.failing", failing.Header.Scenario);
        Assert.Contains("error_rate > 0.5", failing.Header.Source.Text, StringComparison.Ordinal);
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LambdaStorm.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static JsonElement Summary(string resultsRoot)
    {
        var folder = Assert.Single(Directory.GetDirectories(resultsRoot));
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json"))).RootElement;
    }

    private async Task WaitForIntervals(string resultsRoot, int count, CliProcess p)
    {
        // Waits for the run to reach a state (journal lines), not for an amount of time.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var folder = Directory.Exists(resultsRoot) ? Directory.GetDirectories(resultsRoot).FirstOrDefault() : null;
            var journal = folder is null ? null : Path.Combine(folder, "journal.jsonl");
            if (journal is not null && File.Exists(journal))
            {
                using var fs = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(fs);
                if ((await reader.ReadToEndAsync(cts.Token)).Count(c => c == '\n') > count)
                {
                    return;
                }
            }

            Assert.False(cts.IsCancellationRequested, $"no journal progress; stdout:\n{p.StdOut}\nstderr:\n{p.StdErr}");
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public async Task Validate_accepts_the_quickstart()
    {
        var (code, stdout, _) = await CliProcess.RunAsync(RepoRoot(), "validate", "scenarios/quickstart.yaml");

        Assert.Equal(0, code);
        Assert.Contains("ok scenarios/quickstart.yaml", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_reports_every_error_with_file_line_and_column_and_exits_1()
    {
        var file = Write("bad.yaml", "name: bad\nload:\n  - inject: { rate: -1, during: 10s }\n  - pause: forever\nthreshold: []\n");

        var (code, _, stderr) = await CliProcess.RunAsync(_dir, "validate", file);

        Assert.Equal(1, code);
        Assert.Contains($"{file}:3:21: error: 'rate' of load phase 1 (inject) must be at least 0", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:4:12: error: the duration of load phase 2 (pause) must be a duration", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:5:1: error: unknown key 'threshold' in the scenario (did you mean 'thresholds'?)", stderr, StringComparison.Ordinal);
        Assert.Contains("3 errors in", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_writes_the_results_folder_and_exits_0_when_thresholds_pass()
    {
        var file = Write("ok.yaml", "name: cli-ok\nload:\n  - inject: { rate: 50, during: 2s }\nthresholds:\n  - dropped == 0\n  - error_rate < 1%\n");
        var results = Path.Combine(_dir, "results");

        var (code, stdout, stderr) = await CliProcess.RunAsync(_dir, "run", file, "--results", results, "--progress-interval", "1s", "--metrics-port", "0");

        Assert.True(code == 0, stdout + stderr);
        var folder = Assert.Single(Directory.GetDirectories(results));
        Assert.StartsWith("cli-ok-", Path.GetFileName(folder), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "journal.jsonl")));
        var summary = Summary(results);
        Assert.Equal(100, summary.GetProperty("totals").GetProperty("started").GetInt64());
        Assert.True(summary.GetProperty("passed").GetBoolean());
        Assert.Contains("achieved", stdout, StringComparison.Ordinal); // plain progress lines when not on a terminal
        Assert.Contains("all thresholds passed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_exits_2_when_a_threshold_fails()
    {
        var file = Write("fail.yaml", "name: cli-fail\ntarget: { type: noop, errorRate: 50% }\nload:\n  - inject: { rate: 50, during: 1s }\nthresholds:\n  - error_rate < 1%\n");

        var (code, stdout, _) = await CliProcess.RunAsync(_dir, "run", file, "--results", Path.Combine(_dir, "r"), "--metrics-port", "0");

        Assert.Equal(2, code);
        Assert.Contains("FAIL", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_exits_1_on_a_bad_scenario_and_writes_nothing()
    {
        var file = Write("bad.yaml", "name: x\nload: 5\n");
        var results = Path.Combine(_dir, "results");

        var (code, _, stderr) = await CliProcess.RunAsync(_dir, "run", file, "--results", results, "--metrics-port", "0");

        Assert.Equal(1, code);
        Assert.Contains("'load' must be a list", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(results));
    }

    [Fact]
    public async Task Ctrl_c_stops_the_load_gracefully_and_still_writes_the_summary()
    {
        var file = Write("long.yaml", "name: cli-long\ntarget: { type: noop, latency: 10ms }\nload:\n  - inject: { rate: 100, during: 10m }\n");
        var results = Path.Combine(_dir, "results");
        using var p = CliProcess.Start(_dir, "run", file, "--results", results, "--metrics-port", "0");

        await WaitForIntervals(results, 3, p);
        p.Signal("INT");
        var code = await p.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, p.StdOut + p.StdErr);
        var summary = Summary(results);
        Assert.Equal("stopped", summary.GetProperty("status").GetString());
        Assert.True(summary.GetProperty("totals").GetProperty("completed").GetInt64() >= 200);
        Assert.Equal(0, summary.GetProperty("totals").GetProperty("interrupted").GetInt64());
        Assert.Contains("stopped early", p.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_rebuilds_the_summary_of_a_run_that_was_killed()
    {
        var file = Write("crash.yaml", "name: cli-crash\nload:\n  - inject: { rate: 100, during: 10m }\nthresholds:\n  - dropped == 0\n");
        var results = Path.Combine(_dir, "results");
        using (var p = CliProcess.Start(_dir, "run", file, "--results", results, "--metrics-port", "0"))
        {
            await WaitForIntervals(results, 3, p);
            p.Signal("KILL");
            Assert.NotEqual(0, await p.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        var folder = Assert.Single(Directory.GetDirectories(results));
        Assert.False(File.Exists(Path.Combine(folder, "summary.json")));

        var (code, stdout, stderr) = await CliProcess.RunAsync(_dir, "report", folder);

        Assert.True(code == 0, stdout + stderr);
        var summary = Summary(results);
        Assert.Equal("incomplete", summary.GetProperty("status").GetString());
        Assert.True(summary.GetProperty("totals").GetProperty("started").GetInt64() >= 300);
        Assert.True(summary.GetProperty("thresholds")[0].GetProperty("passed").GetBoolean());
        Assert.Contains("no end record", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_of_a_folder_without_a_journal_exits_1()
    {
        var (code, _, stderr) = await CliProcess.RunAsync(_dir, "report", _dir);

        Assert.Equal(1, code);
        Assert.Contains("no journal.jsonl", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_unknown_commands_exit_1()
    {
        var (code, stdout, _) = await CliProcess.RunAsync(_dir, "--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "run", "validate", "report" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }

        var (bad, _, _) = await CliProcess.RunAsync(_dir, "frobnicate");
        Assert.Equal(1, bad);
    }
}
