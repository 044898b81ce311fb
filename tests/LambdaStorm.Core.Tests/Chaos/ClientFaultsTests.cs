using LambdaStorm.Chaos;
using LambdaStorm.Engine;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests.Chaos;

/// <summary>
/// <c>client-faults</c>: Polly.Core's chaos strategies in front of the run's target, on the run's clock. Applied at
/// 'at', effective at the first injection, reverted after 'for' and rolled back on stop and abort; added latency is
/// waited on the fake clock and shows in the measured latency; failed sends are outcomes, never exceptions.
/// </summary>
public sealed class ClientFaultsTests : IDisposable
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private readonly string _root = Directory.CreateTempSubdirectory("client-faults-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ChaosAction.ClientFaults Faults(TimeSpan at, TimeSpan? holdFor, TimeSpan latency, double latencyRate = 1, double failRate = 0, double throttleRate = 0, params InvocationPath[] paths)
        => new(1, at, holdFor, latency, latencyRate, failRate, throttleRate, paths.Length == 0 ? [InvocationPath.Sync] : [.. paths]);

    private static InvocationRequest Request(int i, InvocationPath path = InvocationPath.Sync) => new($"id-{i}", i, path, DateTimeOffset.UnixEpoch, false, "{}");

    private static bool AtOnce(ValueTask<InvocationResult> call) => call.AsTask() is { IsCompletedSuccessfully: true } t && t.Result == InvocationResult.Ok;

    private static async Task StepAsync(FakeTimeProvider time, ChaosController controller, TimeSpan by)
    {
        time.Advance(by);
        await controller.SettleAsync();
    }

    [Fact]
    public async Task Latency_is_added_on_the_run_clock_from_at_and_reverted_after_for_without_any_control_plane_call()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var events = new List<ChaosEvent>();
        var inner = new CountingTarget();
        await using var controller = new ChaosController(new ChaosPlan([Faults(S, 2 * S, TimeSpan.FromMilliseconds(200))], null, []), new ChaosSession.NoControlPlane("client-faults test"), time, null, events.Add, "hello");
        var target = controller.Wrap(inner);
        controller.Start();

        // Before 'at': nothing added, the call completes at once.
        Assert.True(AtOnce(target.InvokeAsync(Request(0), TestContext.Current.CancellationToken)));

        await StepAsync(time, controller, S);
        Assert.Equal(["requested", "applied"], events.Select(e => e.Kind));
        var started = time.GetTimestamp();
        var slow = target.InvokeAsync(Request(1), TestContext.Current.CancellationToken).AsTask();
        Assert.False(slow.IsCompleted);
        Assert.Equal(1, inner.Calls); // the delay comes before the send
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(slow.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(InvocationResult.Ok, await slow);
        Assert.Equal(TimeSpan.FromMilliseconds(200), time.GetElapsedTime(started));
        Assert.Equal(2, inner.Calls);
        var effective = Assert.Single(events, e => e.Kind == "effective");
        Assert.Equal(("1-client-faults-client", "first call showing it: 200 ms added at the caller"), (effective.Action, effective.Detail));
        Assert.Equal(1.2, effective.At); // the first call that showed it, when it completed

        // Another path is not in 'paths': untouched.
        Assert.True(AtOnce(target.InvokeAsync(Request(2, InvocationPath.Async), TestContext.Current.CancellationToken)));

        await StepAsync(time, controller, 2 * S - TimeSpan.FromMilliseconds(200));
        var reverted = Assert.Single(events, e => e.Kind == "reverted");
        Assert.Equal((3, "client faults stopped"), (reverted.At, reverted.Detail));
        Assert.True(AtOnce(target.InvokeAsync(Request(3), TestContext.Current.CancellationToken)));

        var report = await controller.FinishAsync(TestContext.Current.CancellationToken);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(("invocation", 1.2, 3.0), (finding.EffectiveBy, finding.EffectiveAt!.Value, finding.RevertedAt!.Value));
        Assert.True(report.RolledBack);
        Assert.Null(events.First(e => e.Kind == "applied").Target); // no function or queue label for the caller
    }

    [Fact]
    public async Task Failed_sends_and_caller_throttles_are_outcomes_the_inner_target_never_sees()
    {
        var time = new FakeTimeProvider();
        var inner = new CountingTarget();
        var random = new Random(7);
        var plan = new ChaosPlan([Faults(TimeSpan.Zero, null, TimeSpan.Zero, 0, failRate: 0.3, throttleRate: 0.2, InvocationPath.Sync, InvocationPath.Queue)], null, []);
        await using var controller = new ChaosController(plan, new ChaosSession.NoControlPlane("client-faults test"), time, null, null, "hello", random.NextDouble);
        var target = controller.Wrap(inner);
        controller.Start();
        await StepAsync(time, controller, TimeSpan.Zero);

        var results = new List<InvocationResult>();
        for (var i = 0; i < 2000; i++)
        {
            results.Add(await target.InvokeAsync(Request(i, i % 2 == 0 ? InvocationPath.Sync : InvocationPath.Queue), TestContext.Current.CancellationToken));
        }

        var failed = results.Count(r => r == new InvocationResult(Outcome.ClientError, ClientFaultInjector.Reason));
        var throttled = results.Count(r => r == new InvocationResult(Outcome.Throttled, ClientFaultInjector.Reason));
        var ok = results.Count(r => r == InvocationResult.Ok);
        Assert.Equal(2000, failed + throttled + ok);
        Assert.Equal(ok, inner.Calls); // a failed or throttled send never reached the target
        Assert.InRange(failed, 2000 * 0.3 * 0.85, 2000 * 0.3 * 1.15);

        // The throttle strategy comes after the fault: 20% of the 70% that were not failed.
        Assert.InRange(throttled, 2000 * 0.7 * 0.2 * 0.85, 2000 * 0.7 * 0.2 * 1.15);

        // Rolled back when the run stops (Ctrl-C): the calls that follow go through untouched.
        await controller.RollbackAllAsync("the run was stopped", TestContext.Current.CancellationToken);
        Assert.Equal(InvocationResult.Ok, await target.InvokeAsync(Request(9999), TestContext.Current.CancellationToken));
        Assert.Contains(controller.Events, e => e.Kind == "rolled-back");
    }

    private const string Scenario = """
        name: cf
        function: hello
        seed: 5
        paths: { sync: 1, async: 1 }
        target:
          type: emulator
          functions:
            hello: { duration: 20ms, initDuration: 0ms }
        load:
          - inject: { rate: 20, during: 30s }

        """;

    private Task<RunOutcome> SimulateAsync(string yaml)
        => ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "cf.yaml").GetOrThrow(), new RunOptions(_root), null, CancellationToken.None);

    [Fact]
    public async Task A_simulated_run_measures_the_added_latency_counts_failed_sends_and_the_ledger_rejects_them()
    {
        var outcome = await SimulateAsync(Scenario + """
            chaos:
              - { at: 10s, for: 10s, client-faults: { latency: 300ms, failRate: 25%, paths: [sync, async] } }
            """);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var summary = outcome.Summary;

        // Calls inside the window that were sent waited 300 ms more than the 20 ms function: the measured latency shows it.
        var slowSync = summary.Outcomes.Single(o => o is { Path: "sync", Outcome: "ok" });
        Assert.InRange(slowSync.LatencyMs.Max, 300, 400);
        Assert.InRange(slowSync.LatencyMs.P50, 15, 40); // two thirds of the run had no fault

        // Failed sends: client_error/client_fault on both paths (the latency came first, so they waited too).
        var failed = summary.Outcomes.Where(o => o is { Outcome: "client_error", Reason: ClientFaultInjector.Reason }).ToList();
        Assert.Equal(["async", "sync"], failed.Select(f => f.Path).Order());
        var total = failed.Sum(f => f.Count);
        Assert.InRange(total, 200 * 0.25 * 0.6, 200 * 0.25 * 1.4); // 10 s at 20/s
        Assert.All(failed, f => Assert.InRange(f.LatencyMs.Min, 299, 400));

        // The delivery ledger counts each async send that failed as rejected, not lost.
        var asyncFailed = failed.Single(f => f.Path == "async").Count;
        Assert.Equal(asyncFailed, summary.Ledger!.Classes.GetValueOrDefault("rejected"));
        Assert.Equal(0, summary.Ledger.Classes.GetValueOrDefault("lost"));

        var finding = Assert.Single(summary.Chaos!.Findings);
        Assert.Equal(("client-faults", "client", 10.0, 20.0), (finding.Kind, finding.Target, finding.RequestedAt!.Value, finding.RevertedAt!.Value));
        Assert.Equal("invocation", finding.EffectiveBy);
        Assert.True(finding.Errors >= total - asyncFailed);
    }

    [Fact]
    public async Task Throttles_at_the_caller_rehearse_an_abort_condition_that_then_rolls_them_back()
    {
        var outcome = await SimulateAsync(Scenario + """
            abort:
              - throttle_rate > 40% for 3s
            chaos:
              - { at: 10s, client-faults: { throttleRate: 100% } }
            """);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var chaos = outcome.Summary.Chaos!;
        Assert.StartsWith("abort condition 'throttle_rate > 40% for 3s' fired", chaos.Aborted);
        Assert.True(chaos.RolledBack);
        Assert.InRange(chaos.Findings[0].RevertedAt!.Value, 12, 14.5);
        Assert.Contains(outcome.Summary.Outcomes, o => o is { Outcome: "throttled", Reason: ClientFaultInjector.Reason });
    }

    /// <summary>Counts the calls that reach it; answers at once.</summary>
    private sealed class CountingTarget : IInvocationTarget
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Describe => "counting";

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(InvocationResult.Ok);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The <c>client-faults</c> YAML: defaults, and refusals that name file, line and column.</summary>
public sealed class ClientFaultsLoaderTests
{
    private const string Head = """
        name: cf
        function: hello
        paths: { sync: 3, async: 1 }
        load:
          - inject: { rate: 10, during: 2m }

        """;

    [Fact]
    public void Loads_the_action_with_every_path_and_full_latency_rate_by_default()
    {
        var s = ScenarioLoader.Load(Head + """
            chaos:
              - { at: 30s, for: 20s, client-faults: { latency: 200ms, failRate: 10% } }
              - { at: 1m, client-faults: { throttleRate: 5%, latency: 1s, latencyRate: 50%, paths: [async] } }
            """, "cf.yaml").GetOrThrow();

        var (a, b) = (Assert.IsType<ChaosAction.ClientFaults>(s.Chaos.Actions[0]), Assert.IsType<ChaosAction.ClientFaults>(s.Chaos.Actions[1]));
        Assert.Equal((TimeSpan.FromMilliseconds(200), 1.0, 0.1, 0.0), (a.Latency, a.LatencyRate, a.FailRate, a.ThrottleRate));
        Assert.Equal([InvocationPath.Sync, InvocationPath.Async], a.Paths);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), "client"), (a.At, a.For!.Value, a.Target));
        Assert.Equal((TimeSpan.FromSeconds(1), 0.5, 0.05), (b.Latency, b.LatencyRate, b.ThrottleRate));
        Assert.Equal([InvocationPath.Async], b.Paths);
        Assert.Equal("client faults on sync/async: 200 ms added to 100% of calls, 10% of sends fail", a.Describe);
    }

    [Theory]
    [InlineData("{ at: 5s, client-faults: { latencyRate: 50% } }", 32, "has 'latencyRate' but no 'latency'")]
    [InlineData("{ at: 5s, client-faults: {} }", 15, "injects nothing")]
    [InlineData("{ at: 5s, client-faults: { failRate: 10%, paths: [queue] } }", 55, "names 'queue', which the scenario never sends on (its paths: sync, async)")]
    [InlineData("{ at: 5s, client-faults: { failRate: 10%, paths: [snyc] } }", 55, "unknown path 'snyc'")]
    [InlineData("{ at: 5s, client-faults: { failRate: 10%, paths: [sync, sync] } }", 61, "names 'sync' twice")]
    [InlineData("{ at: 5s, client-faults: { failRate: 110% } }", 42, "'failRate' of chaos action 1 (client-faults) must be a share")]
    [InlineData("{ at: 5s, client-faults: { latency: 0ms } }", 41, "'latency' of chaos action 1 (client-faults) must be longer than zero")]
    [InlineData("{ at: 5s, client-faults: { latency: 1s, latencyrate: 10% } }", 45, "unknown key 'latencyrate'")]
    public void Refuses_mistakes_naming_line_and_column(string action, int column, string message)
    {
        var r = ScenarioLoader.Load(Head + "chaos:\n  - " + action + "\n", "cf.yaml");
        var error = Assert.Single(r.Errors);
        Assert.Equal((7, column), (error.Line, error.Column));
        Assert.Contains(message, error.Message);
        Assert.Equal("cf.yaml", error.File);
    }

    [Fact]
    public void Overlapping_client_faults_are_refused_and_every_target_kind_takes_them()
    {
        var r = ScenarioLoader.Load(Head + """
            chaos:
              - { at: 10s, for: 20s, client-faults: { failRate: 10% } }
              - { at: 20s, client-faults: { latency: 1s } }
            """, "cf.yaml");
        Assert.Contains("overlaps chaos action 1", Assert.Single(r.Errors).Message);

        // They act on the caller only: a noop or http target (no control plane) takes them as well.
        Assert.True(ScenarioLoader.Load("name: n\ntarget: noop\nload: [ { inject: { rate: 1, during: 1m } } ]\nchaos: [ { at: 5s, client-faults: { failRate: 1% } } ]\n", "n.yaml").Success);
        Assert.True(ScenarioLoader.Load("name: h\ntarget: http://127.0.0.1:9/x\nload: [ { inject: { rate: 1, during: 1m } } ]\nchaos: [ { at: 5s, client-faults: { latency: 5ms } } ]\n", "h.yaml").Success);
    }
}
