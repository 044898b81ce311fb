using System.Collections.Concurrent;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests;

public sealed class LoadEngineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A target that records when each call arrives and completes it only when told.</summary>
    private sealed class ControlledTarget(TimeProvider time, bool completeAtOnce = true) : IInvocationTarget
    {
        public ConcurrentQueue<(InvocationRequest Request, DateTimeOffset At)> Calls { get; } = new();

        public ConcurrentQueue<TaskCompletionSource<InvocationResult>> Pending { get; } = new();

        public string Describe => "controlled";

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            Calls.Enqueue((request, time.GetUtcNow()));
            if (completeAtOnce)
            {
                return ValueTask.FromResult(InvocationResult.Ok);
            }

            var tcs = new TaskCompletionSource<InvocationResult>();
            cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
            Pending.Enqueue(tcs);
            return new ValueTask<InvocationResult>(tcs.Task);
        }

        public void CompleteOne(InvocationResult result)
        {
            Assert.True(Pending.TryDequeue(out var tcs));
            tcs.SetResult(result);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private (LoadEngine Engine, LoadSchedule Schedule, List<IntervalSnapshot> Snapshots) Create(string loadYaml, IInvocationTarget target, int maxInFlight = 1000, string extra = "")
    {
        var scenario = ScenarioLoader.Load($"name: t\nmaxInFlight: {maxInFlight}\ngracefulStop: 2s\n{extra}load:\n{loadYaml}").GetOrThrow();
        var schedule = LoadSchedule.Create(scenario.Load);
        var engine = new LoadEngine(schedule, new InvocationFactory(scenario, "run1"), _ => target, EngineSettings.For(scenario, _time), _time);
        var snapshots = new List<IntervalSnapshot>();
        engine.Snapshot += snapshots.Add;
        return (engine, schedule, snapshots);
    }

    private async Task<EngineResult> Drive(Task<EngineResult> run, TimeSpan total, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < total && !run.IsCompleted; t += step)
        {
            _time.Advance(step);
            await Task.Yield();
        }

        Assert.True(run.IsCompleted, $"the engine should have finished within the driven time; status {run.Status}, {run.Exception}");
        return await run;
    }

    [Fact]
    public async Task Fires_each_arrival_at_its_intended_time_from_one_start()
    {
        var target = new ControlledTarget(_time);
        var (engine, schedule, _) = Create("  - ramping-inject: { rate: 50, during: 2s }\n", target);
        var start = _time.GetUtcNow();

        await Drive(engine.RunAsync(CancellationToken.None), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));

        Assert.Equal(schedule.TotalArrivals, target.Calls.Count);
        foreach (var (request, at) in target.Calls)
        {
            var intended = schedule.ArrivalTime(request.Index)!.Value;
            var actual = (at - start).TotalSeconds;
            Assert.InRange(actual - intended, 0, 0.001); // never early, and late by at most one 1 ms clock step
            Assert.Equal(start + TimeSpan.FromSeconds(intended), request.IntendedTime);
        }
    }

    [Fact]
    public async Task Drops_and_counts_arrivals_when_the_in_flight_cap_is_reached()
    {
        var target = new ControlledTarget(_time, completeAtOnce: false);
        var (engine, _, snapshots) = Create("  - inject: { rate: 10, during: 1s }\n", target, maxInFlight: 4);
        var run = engine.RunAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(850)); // arrivals 0..8: four start, five find the cap reached
        Assert.Equal(4, engine.InFlight);
        Assert.Equal(4, target.Calls.Count);

        target.CompleteOne(InvocationResult.Ok);
        _time.Advance(TimeSpan.FromMilliseconds(100)); // arrival 9 (at 0.9 s) finds a free slot
        Assert.Equal(5, target.Calls.Count);
        while (!target.Pending.IsEmpty)
        {
            target.CompleteOne(InvocationResult.Ok);
        }

        var result = await Drive(run, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        var totals = new RunAggregate();
        snapshots.ForEach(totals.Add);
        Assert.Equal(10, totals.Sum(p => p.Offered));
        Assert.Equal(5, totals.Sum(p => p.Started));
        Assert.Equal(5, totals.Sum(p => p.Dropped));
        Assert.Equal(5, totals.Completed());
        Assert.Equal(0, result.Interrupted);
    }

    [Fact]
    public async Task Closed_model_keeps_exactly_n_in_flight()
    {
        var target = new ControlledTarget(_time, completeAtOnce: false);
        var (engine, _, _) = Create("  - keep-constant: { copies: 4, during: 3s }\n", target);
        var run = engine.RunAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(4, engine.InFlight);
        for (var i = 0; i < 10; i++)
        {
            target.CompleteOne(InvocationResult.Ok);
            await Task.Yield();
            Assert.Equal(4, engine.InFlight); // each finished copy immediately starts its next invocation
        }

        Assert.Equal(14, target.Calls.Count);
        _time.Advance(TimeSpan.FromSeconds(3)); // the phase ends; copies finish their current call and stop
        while (target.Pending.TryDequeue(out var tcs))
        {
            tcs.SetResult(InvocationResult.Ok);
        }

        await Drive(run, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, engine.InFlight);
        Assert.Equal(14, target.Calls.Count);
    }

    /// <summary>Answers every call at once and stops the run when a copy loops without end (the guard of the test below).</summary>
    private sealed class InstantTarget(CancellationTokenSource stop, int guard) : IInvocationTarget
    {
        public int Calls;

        public string Describe => "instant";

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref Calls) >= guard)
            {
                stop.Cancel();
            }

            return ValueTask.FromResult(new InvocationResult(Outcome.Throttled, "ReservedFunctionConcurrentInvocationLimitExceeded"));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Closed_model_copies_answered_at_once_still_let_virtual_time_move()
    {
        // In simulate a throttle (or a 202, or a queue send) comes back from the model synchronously, at the same
        // virtual instant. Each copy must still pause before its next call, else it loops at one instant forever and
        // the virtual clock never gets to run its next timer (the simulate hang). The target's guard ends the run.
        var clock = new VirtualClock(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var stop = new CancellationTokenSource();
        var target = new InstantTarget(stop, guard: 100_000);
        var scenario = ScenarioLoader.Load("name: t\nload:\n  - keep-constant: { copies: 2, during: 1s }\n").GetOrThrow();
        using var engine = new LoadEngine(LoadSchedule.Create(scenario.Load), new InvocationFactory(scenario, "run1"), _ => target, EngineSettings.For(scenario, clock), clock);
        var run = engine.RunAsync(stop.Token);
        for (var steps = 0; !run.IsCompleted && steps < 100_000 && clock.RunNext(); steps++)
        {
        }

        Assert.True(run.IsCompleted, $"the run should have finished; {target.Calls} calls, virtual time {clock.Elapsed}");
        var result = await run;
        Assert.False(stop.IsCancellationRequested, $"the copies looped without time moving ({target.Calls} calls)");
        Assert.False(result.Stopped);
        var perCopy = (int)(TimeSpan.FromSeconds(1) / LoadEngine.ClosedCallFloor);
        Assert.InRange(target.Calls, 2 * (perCopy - 1), 2 * (perCopy + 1));
        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task Ramping_constant_adds_copies_as_the_ramp_rises()
    {
        var target = new ControlledTarget(_time, completeAtOnce: false);
        var (engine, _, _) = Create("  - ramping-constant: { copies: 10, during: 10s }\n", target);
        var run = engine.RunAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(2_550));
        Assert.Equal(3, engine.InFlight);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(8, engine.InFlight);

        _time.Advance(TimeSpan.FromSeconds(3));
        while (target.Pending.TryDequeue(out var tcs))
        {
            tcs.SetResult(InvocationResult.Ok);
        }

        await Drive(run, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Latency_is_measured_from_the_intended_time_so_a_stalled_generator_shows_up()
    {
        // The clock jumps 500 ms at once, as if the generator had stalled: arrivals due at 0, 100, … 400 ms fire late,
        // and their latency includes the wait (no coordinated omission).
        var target = new ControlledTarget(_time);
        var (engine, _, snapshots) = Create("  - inject: { rate: 10, during: 1s }\n", target);
        var run = engine.RunAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(450));
        await Drive(run, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));

        var totals = new RunAggregate();
        snapshots.ForEach(totals.Add);
        var latency = totals.Latency();
        Assert.Equal(10, latency.TotalCount);
        Assert.InRange(HistogramCodec.MaxMs(latency), 349, 351); // arrival 1 (due at 100 ms) waited until 450 ms
        Assert.InRange(HistogramCodec.MaxMs(totals.Lateness()), 349, 351);
        Assert.InRange(HistogramCodec.PercentileMs(latency, 50), 0, 1); // the on-time half
    }

    [Fact]
    public async Task Graceful_stop_waits_then_interrupts_what_is_left()
    {
        var target = new ControlledTarget(_time, completeAtOnce: false);
        var (engine, _, _) = Create("  - inject: { rate: 5, during: 1s }\n", target);

        var result = await Drive(engine.RunAsync(CancellationToken.None), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        Assert.Equal(5, result.Interrupted);
        Assert.False(result.Stopped);
        Assert.InRange(result.Elapsed.TotalSeconds, 2.79, 2.81); // last arrival at 0.8 s + 2 s graceful stop
    }

    [Fact]
    public async Task Stopping_ends_the_load_early_and_still_emits_a_final_snapshot()
    {
        var target = new ControlledTarget(_time);
        var (engine, _, snapshots) = Create("  - inject: { rate: 10, during: 60s }\n", target);
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        _time.Advance(TimeSpan.FromMilliseconds(2_450));
        stop.Cancel();
        var result = await Drive(run, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));

        Assert.True(result.Stopped);
        Assert.Equal(25, target.Calls.Count);
        Assert.Equal(3, snapshots.Count); // two full seconds plus the final partial interval
        Assert.Equal(25, snapshots.Sum(s => s.Completed));
        Assert.Equal(2.45, snapshots[^1].End, 3);
    }

    [Fact]
    public async Task Snapshots_arrive_once_per_interval_with_phase_and_target_rate()
    {
        var target = new ControlledTarget(_time);
        var (engine, _, snapshots) = Create("  - inject: { rate: 20, during: 2s }\n  - inject: { rate: 40, during: 1s }\n", target);

        await Drive(engine.RunAsync(CancellationToken.None), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

        Assert.Equal([0L, 1, 2], snapshots.Take(3).Select(s => s.Sequence));
        Assert.Equal([20L, 20, 40], snapshots.Take(3).Select(s => s.Started));
        Assert.Equal(["1 inject", "1 inject", "2 inject"], snapshots.Take(3).Select(s => s.Phase));
        Assert.Equal(40, snapshots[2].TargetRate);
    }

    [Fact]
    public async Task Path_mix_and_poison_pills_follow_the_seed()
    {
        var target = new ControlledTarget(_time);
        var (engine, _, _) = Create(
            "  - inject: { rate: 1000, during: 2s }\n",
            target,
            extra: "paths: { sync: 3, async: 1 }\nseed: 5\npayload:\n  template: '{{id}} {{marker}}'\n  poisonPills: { every: 100, marker: BAD }\n");

        await Drive(engine.RunAsync(CancellationToken.None), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

        var calls = target.Calls.Select(c => c.Request).ToList();
        Assert.Equal(2000, calls.Count);
        Assert.InRange(calls.Count(c => c.Path == InvocationPath.Async), 400, 600);
        Assert.Equal(20, calls.Count(c => c.Poisoned));
        Assert.All(calls.Where(c => c.Poisoned), c => Assert.EndsWith(" BAD", c.Payload, StringComparison.Ordinal));
        Assert.Equal(2000, calls.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public async Task Shares_split_one_schedule_between_generators()
    {
        var t0 = new ControlledTarget(_time);
        var t1 = new ControlledTarget(_time);
        var scenario = ScenarioLoader.Load("name: t\nload:\n  - ramping-inject: { rate: 100, during: 3s }\n").GetOrThrow();
        var schedule = LoadSchedule.Create(scenario.Load);
        var settings = EngineSettings.For(scenario, _time);
        using var e0 = new LoadEngine(schedule, new InvocationFactory(scenario, "r"), _ => t0, settings with { ShareOffset = 0, ShareStride = 2 }, _time);
        using var e1 = new LoadEngine(schedule, new InvocationFactory(scenario, "r"), _ => t1, settings with { ShareOffset = 1, ShareStride = 2 }, _time);

        var both = Task.WhenAll(e0.RunAsync(CancellationToken.None), e1.RunAsync(CancellationToken.None));
        for (var i = 0; i < 4000 && !both.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await both;
        var indices = t0.Calls.Select(c => c.Request.Index).Concat(t1.Calls.Select(c => c.Request.Index)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, (int)schedule.TotalArrivals).Select(i => (long)i), indices);
        Assert.All(t0.Calls, c => Assert.Equal(0, c.Request.Index % 2));
    }

    [Fact]
    public async Task A_resplit_hands_a_lost_generators_share_to_the_survivor_on_time()
    {
        // Two generators share a 4 s schedule; generator 1 is lost at 1.5 s, and from the arrival due at 2 s on the
        // survivor fires every arrival. Before the re-split it keeps its own share; after it, it fires them all, each
        // at its intended time.
        var t0 = new ControlledTarget(_time);
        var scenario = ScenarioLoader.Load("name: t\nload:\n  - inject: { rate: 40, during: 4s }\n").GetOrThrow();
        var schedule = LoadSchedule.Create(scenario.Load);
        var settings = EngineSettings.For(scenario, _time) with { ShareOffset = 0, ShareStride = 2 };
        using var e0 = new LoadEngine(schedule, new InvocationFactory(scenario, "r"), _ => t0, settings, _time);
        var start = _time.GetUtcNow();
        var run = e0.RunAsync(CancellationToken.None);
        for (var i = 0; i < 1500; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var from = schedule.ArrivalsBefore(2.0);
        e0.Reshare(new ShareEpoch(from, 0, 1));
        await Drive(run, TimeSpan.FromSeconds(8), TimeSpan.FromMilliseconds(1));

        var indices = t0.Calls.Select(c => c.Request.Index).Order().ToList();
        var expected = Enumerable.Range(0, (int)from).Where(i => i % 2 == 0).Concat(Enumerable.Range((int)from, (int)(schedule.TotalArrivals - from))).Select(i => (long)i);
        Assert.Equal(expected, indices);
        Assert.All(t0.Calls, c => Assert.InRange((c.At - start).TotalSeconds - schedule.ArrivalTime(c.Request.Index)!.Value, 0, 0.001));
        Assert.Equal(new ShareEpoch(from, 0, 1), e0.Epoch);
    }
}
