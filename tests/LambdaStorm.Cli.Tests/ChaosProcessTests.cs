using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// Game days with real processes: the repository's game-day scenario end to end, and rollback of a reserved-concurrency
/// cut on a separate 'lambdastorm emulator' process when the run gets SIGINT (Ctrl-C) or SIGKILL (then
/// 'lambdastorm rollback'), checked through the emulator's own control plane.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class ChaosProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-chaos-").FullName;
    private readonly List<CliProcess> _processes = [];

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Game_day_scenario_runs_end_to_end_and_its_findings_name_each_fault_with_a_recovery_time()
    {
        var results = Path.Combine(_dir, "results");
        var metricsPort = PrometheusServer.FreePort();
        using var prometheus = PrometheusServer.Start(_dir, ("lambdastorm-run", [metricsPort]));
        using var p = CliProcess.Start(CliTests.RepoRoot(), "run", "scenarios/game-day.yaml", "--results", results, "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "--plain");

        // The chaos-only panels and annotations of every dashboard, against the real Prometheus scraping the run while
        // the reserved-concurrency cut (20 s to 40 s) is on: every query parses and returns data (issue 6).
        await p.WaitForOutputAsync("CHAOS applied 1-reserved-concurrency-hello", TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(4));
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var chaosQueries = DashboardQueries.All().Where(q => q.Requires == "chaos").ToList();
        Assert.True(chaosQueries.Count >= 4, $"only {chaosQueries.Count} chaos panel queries");
        var failures = new List<string>();
        foreach (var q in chaosQueries)
        {
            var (ok, error, series) = await prometheus.QueryAsync(q.Substituted("game-day"), at);
            if (!ok || series == 0)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': {(ok ? "no series" : error)}\n    {q.Expr}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} chaos panel queries failed:\n{string.Join('\n', failures)}\nprometheus:\n{prometheus.Logged()}\nrun:\n{p.StdOut}");
        var code = await p.WaitAsync(TimeSpan.FromMinutes(5));

        Assert.True(code == 0, $"exit {code}\n{p.StdOut}\n{p.StdErr}");
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        var chaos = summary.GetProperty("chaos");
        Assert.True(chaos.GetProperty("before").GetProperty("held").GetBoolean());
        Assert.True(chaos.GetProperty("rolledBack").GetBoolean());
        var findings = chaos.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(["1-reserved-concurrency-hello", "2-function-errors-hello", "3-function-errors-worker", "4-kill-agent-slot-1"], findings.Select(f => f.GetProperty("action").GetString()));

        // One process has no agent to kill: the action is named as not applied, in the findings and the warnings.
        Assert.StartsWith("not applicable: kill-agent acts on cluster agents only", findings[3].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(summary.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("chaos action 4-kill-agent-slot-1 was not applied", StringComparison.Ordinal));
        findings.RemoveAt(3);
        foreach (var f in findings)
        {
            Assert.True(f.TryGetProperty("recoverySeconds", out var r) && r.GetDouble() is >= 5 and < 60, f.ToString());
            Assert.True(f.GetProperty("revertedAt").GetDouble() > f.GetProperty("requestedAt").GetDouble());
        }

        Assert.Equal("invocation", findings[0].GetProperty("effectiveBy").GetString());
        Assert.True(findings[0].GetProperty("throttles").GetInt64() > 0);
        Assert.True(findings[1].GetProperty("errors").GetInt64() > 0);
        Assert.False(findings[1].GetProperty("during").GetProperty("held").GetBoolean());
        Assert.True(RollbackComplete(folder));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("KILL")]
    public async Task A_reserved_concurrency_cut_is_restored_after_SIGINT_and_after_SIGKILL_by_lambdastorm_rollback(string signal)
    {
        var port = FreePort();
        var config = Path.Combine(_dir, "emulator.yaml");
        await File.WriteAllTextAsync(config, "functions:\n  hello: { duration: 20ms, reservedConcurrency: 50 }\n");
        var emulator = Start(_dir, "emulator", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", config);
        await emulator.WaitForOutputAsync("emulator listening", TimeSpan.FromSeconds(60));
        var scenario = Path.Combine(_dir, "cut.yaml");
        await File.WriteAllTextAsync(scenario, $"""
            name: cut
            function: hello
            target: {"{"} type: emulator, endpoint: "http://127.0.0.1:{port}" {"}"}
            gracefulStop: 1s
            load:
              - inject: {"{"} rate: 5, during: 2m {"}"}
            chaos:
              - {"{"} at: 1s, reserved-concurrency: {"{"} function: hello, value: 0 {"}"} {"}"}
            """);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal(50, await ReservedAsync(http));

        var results = Path.Combine(_dir, "results");
        var run = Start(_dir, "run", scenario, "--results", results, "--metrics-port", "0", "--plain");
        var until = DateTime.UtcNow.AddSeconds(90);
        while (await ReservedAsync(http) != 0)
        {
            Assert.True(DateTime.UtcNow < until, $"the cut was never applied\n{run.StdOut}\n{run.StdErr}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var folder = Assert.Single(Directory.GetDirectories(results));
        run.Signal(signal);
        var code = await run.WaitAsync(TimeSpan.FromMinutes(1));
        if (signal == "INT")
        {
            Assert.True(code == 0, $"exit {code}\n{run.StdOut}\n{run.StdErr}");
            Assert.Equal(50, await ReservedAsync(http));
            Assert.True(RollbackComplete(folder));
            var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
            Assert.Equal("stopped", summary.GetProperty("status").GetString());
            Assert.True(summary.GetProperty("chaos").GetProperty("rolledBack").GetBoolean());
            return;
        }

        // SIGKILL: nothing ran after the signal, so the cut outlives the run, and the rollback journal says so.
        Assert.Equal(0, await ReservedAsync(http));
        Assert.False(RollbackComplete(folder));
        var (rollbackCode, stdout, stderr) = await CliProcess.RunAsync(_dir, "rollback", folder);
        Assert.True(rollbackCode == 0, $"exit {rollbackCode}\n{stdout}\n{stderr}");
        Assert.Contains("reserved concurrency of hello back to 50", stdout, StringComparison.Ordinal);
        Assert.Equal(50, await ReservedAsync(http));
        Assert.True(RollbackComplete(folder));
    }

    private CliProcess Start(string dir, params string[] args)
    {
        var p = CliProcess.Start(dir, args);
        _processes.Add(p);
        return p;
    }

    /// <summary>The emulator's reserved concurrency of 'hello' (GetFunctionConcurrency; the emulator runs without --require-auth).</summary>
    internal static async Task<int?> ReservedAsync(HttpClient http)
    {
        var body = JsonDocument.Parse(await http.GetStringAsync("2019-09-30/functions/hello/concurrency", TestContext.Current.CancellationToken)).RootElement;
        return body.TryGetProperty("ReservedConcurrentExecutions", out var r) ? r.GetInt32() : null;
    }

    private static bool RollbackComplete(string folder)
        => File.ReadAllLines(Path.Combine(folder, "rollback.jsonl")).Any(l => l.Contains("\"type\":\"complete\"", StringComparison.Ordinal));

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
