using LambdaStorm.Chaos;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests.Chaos;

/// <summary>A game day on the in-process model in virtual time: the same controller, through the model's control plane.</summary>
public sealed class GameDaySimulateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gameday-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<RunOutcome> SimulateAsync(string yaml)
        => ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "gd.yaml").GetOrThrow(), new RunOptions(_root), null, CancellationToken.None);

    private const string GameDay = """
        name: gd
        function: hello
        seed: 3
        target:
          type: emulator
          functions:
            hello: { duration: 50ms, initDuration: 0ms }
        load:
          - inject: { rate: 20, during: 70s }
        steadyState:
          warmUp: 10s
          window: 5s
          rules: [ error_rate < 5%, p99 < 400ms ]
        chaos:
          - { at: 20s, for: 10s, reserved-concurrency: { function: hello, value: 0 } }
          - { at: 40s, for: 10s, function-errors: { function: hello, rate: 30% } }
          - { at: 55s, for: 5s, function-latency: { function: hello, latency: 600ms, percentage: 50% } }
        """;

    [Fact]
    public async Task Findings_name_each_fault_with_its_effect_the_steady_state_during_it_and_a_recovery_time()
    {
        var outcome = await SimulateAsync(GameDay);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var chaos = outcome.Summary.Chaos!;
        Assert.True(chaos.Before!.Held);
        Assert.True(chaos.RolledBack);
        Assert.Null(chaos.Aborted);
        var (cut, errors, slow) = (chaos.Findings[0], chaos.Findings[1], chaos.Findings[2]);

        Assert.Equal((20.0, 30.0), (cut.RequestedAt!.Value, cut.RevertedAt!.Value));
        Assert.Equal("invocation", cut.EffectiveBy);
        Assert.InRange(cut.EffectiveAt!.Value, 20, 20.1);
        Assert.InRange(cut.Throttles, 190, 201); // 10 s at 20/s, every one throttled
        Assert.False(cut.During!.Held);
        Assert.Equal(5, cut.RecoverySeconds);

        Assert.Equal("invocation", errors.EffectiveBy);
        Assert.InRange((double)errors.Errors / errors.Completed, 0.2, 0.4);
        Assert.False(errors.During!.Held);
        Assert.Equal(5, errors.RecoverySeconds);

        Assert.Equal("invocation", slow.EffectiveBy);
        Assert.Equal(0, slow.Errors);
        Assert.Contains(slow.During!.Rules, r => r.Expression == "p99 < 400ms" && !r.Passed);
        Assert.True(chaos.After!.Held);

        // The journal carries the timeline, and 'report' rebuilds the same findings from it.
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal(["steady-state", "requested", "applied", "effective", "reverted"], journal.Chaos.Take(5).Select(e => e.Kind));
        var rebuilt = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None);
        Assert.Equal(chaos.Findings, rebuilt.Summary.Chaos!.Findings, (a, b) => a with { During = null } == b with { During = null });
    }

    [Fact]
    public async Task A_steady_state_that_fails_over_the_warm_up_starts_no_fault_and_exits_2()
    {
        var outcome = await SimulateAsync(GameDay.Replace("hello: { duration: 50ms, initDuration: 0ms }", "hello: { duration: 50ms, initDuration: 0ms, errorRate: 20% }", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.ThresholdFailed, outcome.ExitCode);
        Assert.False(outcome.Summary.Chaos!.Before!.Held);
        Assert.All(outcome.Summary.Chaos.Findings, f => Assert.Null(f.RequestedAt));
        Assert.InRange(outcome.Summary.DurationSeconds, 10, 12 + 30); // stopped after the warm-up, not after 70 s of load
        Assert.Contains(outcome.Summary.Warnings, w => w.Contains("no fault was started", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.ThresholdFailed, (await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None)).ExitCode);
    }

    [Fact]
    public async Task An_abort_condition_in_virtual_time_stops_the_load_and_rolls_back()
    {
        var outcome = await SimulateAsync(GameDay + "\nabort:\n  - throttle_rate > 50% for 3s\n");

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        Assert.StartsWith("abort condition 'throttle_rate > 50% for 3s' fired (throttle_rate = 100%) at 2", outcome.Summary.Chaos!.Aborted);
        Assert.True(outcome.Summary.Chaos.RolledBack);
        Assert.Equal(23, outcome.Summary.Chaos.Findings[0].RevertedAt!.Value, 0);
        Assert.Null(outcome.Summary.Chaos.Findings[1].RequestedAt);
        Assert.Equal(ExitCodes.Aborted, (await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None)).ExitCode);
    }
}

/// <summary>The chaos series as Prometheus scrapes them.</summary>
public sealed class ChaosMetricsTests
{
    [Fact]
    public async Task Chaos_active_follows_applied_and_reverted_and_every_event_is_counted()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new LambdaStorm.Telemetry.RunMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        var scenario = ScenarioLoader.Load("name: gd\ntarget: { type: noop }\nload: [ { inject: { rate: 1, during: 5s } } ]\n", "gd.yaml").GetOrThrow();
        metrics.OnStarted(new RunStarted(scenario, LambdaStorm.Engine.LoadSchedule.Create(scenario.Load), "noop", "r", "run"));
        ChaosEvent E(string kind, string? action = "1-reserved-concurrency-hello") => new(1, kind, action, "x") { ActionKind = action is null ? null : "reserved-concurrency", Target = action is null ? null : "hello" };
        async Task<string> Scrape()
        {
            using var stream = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }

        metrics.OnChaos(E("requested"));
        metrics.OnChaos(E("applied"));
        var during = await Scrape();
        metrics.OnChaos(E("reverted"));
        metrics.OnChaos(E("rolled-back", null));
        var after = await Scrape();

        Assert.Contains("lambdastorm_chaos_active{scenario=\"gd\",reason=\"reserved-concurrency\",function=\"hello\",queue=\"\"} 1", during, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_chaos_active{scenario=\"gd\",reason=\"reserved-concurrency\",function=\"hello\",queue=\"\"} 0", after, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_chaos_events_total{scenario=\"gd\",reason=\"reserved-concurrency\",function=\"hello\",queue=\"\",event=\"applied\"} 1", after, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_chaos_events_total{scenario=\"gd\",reason=\"run\",function=\"\",queue=\"\",event=\"rolled-back\"} 1", after, StringComparison.Ordinal);
    }
}
