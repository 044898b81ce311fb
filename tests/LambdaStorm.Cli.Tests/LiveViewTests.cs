using LambdaStorm.Chaos;
using LambdaStorm.Cli.Views;
using Spectre.Console;

namespace LambdaStorm.Cli.Tests;

/// <summary>The chaos timeline in the live view: plain lines as it happens, the terminal panel, and a real 'simulate' process.</summary>
public sealed class LiveViewTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-live-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ChaosEvent E(double at, string kind, string? action, string detail)
        => new(at, kind, action, detail) { ActionKind = action is null ? null : "reserved-concurrency", Target = action is null ? null : "hello" };

    private static readonly ChaosEvent[] Timeline =
    [
        E(10, "steady-state", null, "held over the warm-up (error_rate < 5%: 0%); faults start"),
        E(15, "requested", "1-reserved-concurrency-hello", "reserved concurrency of hello set to 0"),
        E(15.01, "applied", "1-reserved-concurrency-hello", "reserved concurrency of hello set to 0 (through the model)"),
        E(15.05, "effective", "1-reserved-concurrency-hello", "first invocation showing it: throttled, 0 ms"),
        E(18, "abort", null, "abort condition 'throttle_rate > 50% for 3s' fired (throttle_rate = 100%)"),
        E(18.01, "reverted", "1-reserved-concurrency-hello", "reserved concurrency restored"),
    ];

    [Fact]
    public void Plain_mode_prints_each_chaos_event_as_it_happens_and_the_active_faults_after_each_change()
    {
        using var output = new StringWriter();
        var view = new LiveView(interactive: false, TimeSpan.FromSeconds(5), output);

        foreach (var e in Timeline[..4])
        {
            view.OnChaos(e);
        }

        Assert.Equal("reserved-concurrency hello since 0:15 (effective 0:15)", view.ActiveText());
        foreach (var e in Timeline[4..])
        {
            view.OnChaos(e);
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
        [
            "[0:10] STEADY STATE held over the warm-up (error_rate < 5%: 0%); faults start",
            "[0:15] CHAOS requested 1-reserved-concurrency-hello: reserved concurrency of hello set to 0",
            "[0:15] CHAOS applied 1-reserved-concurrency-hello: reserved concurrency of hello set to 0 (through the model)",
            "[0:15] active faults: reserved-concurrency hello since 0:15 (not effective yet)",
            "[0:15] CHAOS effective 1-reserved-concurrency-hello: first invocation showing it: throttled, 0 ms",
            "[0:18] ABORT: abort condition 'throttle_rate > 50% for 3s' fired (throttle_rate = 100%)",
            "[0:18] CHAOS reverted 1-reserved-concurrency-hello: reserved concurrency restored",
            "[0:18] active faults: none",
        ], lines);
    }

    [Fact]
    public void The_terminal_panel_shows_the_active_faults_the_recent_timeline_and_the_abort()
    {
        var view = new LiveView(interactive: true, TimeSpan.FromSeconds(5));
        foreach (var e in Timeline[..4])
        {
            view.OnChaos(e);
        }

        var during = Draw(view);
        Assert.Contains("active faults", during, StringComparison.Ordinal);
        Assert.Contains("reserved-concurrency hello since 0:15 (effective 0:15)", during, StringComparison.Ordinal);
        Assert.Contains("[0:15] CHAOS effective 1-reserved-concurrency-hello", during, StringComparison.Ordinal);
        Assert.DoesNotContain("ABORTED", during, StringComparison.Ordinal);

        foreach (var e in Timeline[4..])
        {
            view.OnChaos(e);
        }

        var after = Draw(view);
        Assert.Contains("ABORTED abort condition 'throttle_rate > 50% for 3s' fired", after, StringComparison.Ordinal);
        Assert.Matches("active faults\\s*│?\\s*none", after);
        Assert.DoesNotContain("[0:10] STEADY STATE", after, StringComparison.Ordinal); // only the five most recent events
    }

    [Fact]
    public async Task Simulate_in_plain_mode_prints_the_game_day_timeline()
    {
        var file = Path.Combine(_dir, "gd.yaml");
        await File.WriteAllTextAsync(file, """
            name: gd
            function: hello
            seed: 3
            target:
              type: emulator
              functions:
                hello: { duration: 50ms, initDuration: 0ms }
            load:
              - inject: { rate: 20, during: 40s }
            steadyState:
              warmUp: 10s
              rules: [ error_rate < 5% ]
            chaos:
              - { at: 15s, for: 10s, reserved-concurrency: { function: hello, value: 0 } }
            """);

        var (code, stdout, stderr) = await CliProcess.RunAsync(_dir, "simulate", file, "--results", Path.Combine(_dir, "results"));

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("[0:10] STEADY STATE held over the warm-up", stdout, StringComparison.Ordinal);
        Assert.Contains("[0:15] CHAOS applied 1-reserved-concurrency-hello: reserved concurrency of hello set to 0", stdout, StringComparison.Ordinal);
        Assert.Contains("[0:15] active faults: reserved-concurrency hello since 0:15 (not effective yet)", stdout, StringComparison.Ordinal);
        Assert.Contains("[0:15] CHAOS effective 1-reserved-concurrency-hello: first invocation showing it: throttled", stdout, StringComparison.Ordinal);
        Assert.Contains("[0:25] CHAOS reverted 1-reserved-concurrency-hello", stdout, StringComparison.Ordinal);
        Assert.Contains("[0:25] active faults: none", stdout, StringComparison.Ordinal);
        Assert.True(stdout.IndexOf("CHAOS applied", StringComparison.Ordinal) < stdout.IndexOf("CHAOS reverted", StringComparison.Ordinal));

        // The printed summary ends with the game-day findings.
        Assert.Contains("game day: findings", stdout, StringComparison.Ordinal);
        Assert.Contains("game day: every applied fault was rolled back", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_aborts_on_dlq_depth_and_its_findings_count_the_dead_lettered_ids_of_the_fault()
    {
        var file = Path.Combine(_dir, "dlq.yaml");
        await File.WriteAllTextAsync(file, """
            name: dlq-abort
            function: worker
            path: async
            seed: 5
            gracefulStop: 2s
            target:
              type: emulator
              functions:
                worker: { duration: 10ms, async: { maximumRetryAttempts: 0, onFailure: failures } }
              queues:
                failures: {}
            load:
              - inject: { rate: 20, during: 30s }
            settle: 20s
            abort:
              - dlq_depth > 30
            chaos:
              - { at: 2s, for: 25s, function-errors: { function: worker, rate: 100% } }
            """);
        var results = Path.Combine(_dir, "results");

        var (code, stdout, stderr) = await CliProcess.RunAsync(_dir, "run", file, "--results", results, "--metrics-port", "0", "--plain");

        Assert.True(code == 3, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("ABORT: abort condition 'dlq_depth > 30' fired (dlq_depth = ", stdout, StringComparison.Ordinal);
        var folder = Assert.Single(Directory.GetDirectories(results));
        var chaos = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement.GetProperty("chaos");
        Assert.StartsWith("abort condition 'dlq_depth > 30' fired", chaos.GetProperty("aborted").GetString(), StringComparison.Ordinal);
        Assert.True(chaos.GetProperty("rolledBack").GetBoolean());
        var ledger = chaos.GetProperty("findings")[0].GetProperty("ledger");
        Assert.True(ledger.GetProperty("deadLettered").GetInt64() > 30, ledger.ToString());
        Assert.Equal(0, ledger.GetProperty("lost").GetInt64());
    }

    private static string Draw(LiveView view)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        console.Write(view.Render());
        return writer.ToString();
    }
}
