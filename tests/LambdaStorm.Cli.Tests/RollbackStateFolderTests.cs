using System.Globalization;
using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// Rollback that always happens, with real processes and a separate 'lambdastorm emulator': a run killed with SIGKILL
/// while reserved concurrency is 0, whose results are outside <c>./results</c>, is rolled back by the next
/// <c>lambdastorm</c> start through the per-user state folder (<c>LAMBDASTORM_STATE_DIR</c> here); and a second Ctrl-C
/// while the rollback runs does not abandon it.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class RollbackStateFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-state-tests-").FullName;
    private readonly List<CliProcess> _processes = [];

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Dictionary<string, string> State => new() { ["LAMBDASTORM_STATE_DIR"] = Path.Combine(_dir, "state") };

    private CliProcess Start(string workingDirectory, params string[] args)
    {
        var p = CliProcess.Start(workingDirectory, State, args);
        _processes.Add(p);
        return p;
    }

    /// <summary>A separate emulator whose 'hello' has reserved concurrency 50, and a scenario that cuts it to 0 at 1 s.</summary>
    private async Task<(HttpClient Http, string Scenario)> CutAsync(string duration = "20ms", string gracefulStop = "1s")
    {
        var port = ChaosProcessTests.FreePort();
        var config = Path.Combine(_dir, "emulator.yaml");
        await File.WriteAllTextAsync(config, $"functions:\n  hello: {{ duration: {duration}, reservedConcurrency: 50 }}\n");
        var emulator = Start(_dir, "emulator", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", config);
        await emulator.WaitForOutputAsync("emulator listening", TimeSpan.FromSeconds(60));
        var scenario = Path.Combine(_dir, "cut.yaml");
        await File.WriteAllTextAsync(scenario, $"""
            name: cut
            function: hello
            target: {"{"} type: emulator, endpoint: "http://127.0.0.1:{port}" {"}"}
            gracefulStop: {gracefulStop}
            load:
              - inject: {"{"} rate: 5, during: 2m {"}"}
            chaos:
              - {"{"} at: 1s, reserved-concurrency: {"{"} function: hello, value: 0 {"}"} {"}"}
            """);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal(50, await ReservedAsync(http));
        return (http, scenario);
    }

    private static async Task WaitForCutAsync(HttpClient http, CliProcess run)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (await ReservedAsync(http) != 0)
        {
            Assert.True(DateTime.UtcNow < until, $"the cut was never applied\n{run.StdOut}\n{run.StdErr}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_run_killed_with_SIGKILL_and_results_outside_dot_results_is_rolled_back_by_the_next_start()
    {
        var (http, scenario) = await CutAsync();
        using var _ = http;
        var elsewhere = Path.Combine(_dir, "elsewhere", "game-days");
        var runDir = Directory.CreateDirectory(Path.Combine(_dir, "run-here")).FullName;
        var run = Start(runDir, "run", scenario, "--results", elsewhere, "--metrics-port", "0", "--plain");
        await WaitForCutAsync(http, run);

        // The journal is registered in the state folder before the first change.
        var entry = Assert.Single(Directory.GetFiles(Path.Combine(_dir, "state", "rollback")));
        var journal = (await File.ReadAllTextAsync(entry)).Trim();
        Assert.StartsWith(elsewhere, journal, StringComparison.Ordinal);

        run.Signal("KILL");
        await run.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await ReservedAsync(http));

        // Any later start, from another folder with no ./results at all, replays it before doing its own work.
        var otherDir = Directory.CreateDirectory(Path.Combine(_dir, "somewhere-else")).FullName;
        Assert.False(Directory.Exists(Path.Combine(otherDir, "results")));
        var next = Start(otherDir, "validate", scenario);
        var code = await next.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"exit {code}\n{next.StdOut}\n{next.StdErr}");
        Assert.Contains("rolling back chaos left behind by an interrupted run in " + Path.GetDirectoryName(journal), next.StdErr, StringComparison.Ordinal);
        Assert.Contains("reserved concurrency of hello back to 50", next.StdErr, StringComparison.Ordinal);
        Assert.Equal(50, await ReservedAsync(http));
        Assert.Contains(File.ReadAllLines(journal), l => l.Contains("\"type\":\"complete\"", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "state", "rollback")));
    }

    [Fact]
    public async Task A_second_Ctrl_C_while_the_run_stops_says_the_rollback_is_in_progress_and_does_not_abandon_it()
    {
        // 2 s invocations: the ones in flight when the cut lands keep the stop busy for a while after the first SIGINT.
        var (http, scenario) = await CutAsync(duration: "2s", gracefulStop: "10s");
        using var _ = http;
        var results = Path.Combine(_dir, "results");
        var run = Start(_dir, "run", scenario, "--results", results, "--metrics-port", "0", "--plain");
        await WaitForCutAsync(http, run);

        run.Signal("INT");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(run.HasExited, $"the run ended before the second Ctrl-C\n{run.StdOut}\n{run.StdErr}");
        run.Signal("INT");
        var code = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(code == 0, $"exit {code}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("rollback in progress", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("lambdastorm rollback", run.StdErr, StringComparison.Ordinal);
        Assert.Equal(50, await ReservedAsync(http));
        var folder = Assert.Single(Directory.GetDirectories(results));
        Assert.Contains(File.ReadAllLines(Path.Combine(folder, "rollback.jsonl")), l => l.Contains("\"type\":\"complete\"", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "state", "rollback")));
    }

    private static Task<int?> ReservedAsync(HttpClient http) => ChaosProcessTests.ReservedAsync(http);
}
