using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests;

public sealed class VirtualClockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-vc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Timers_fire_in_due_order_and_time_jumps_to_each()
    {
        var clock = new VirtualClock(DateTimeOffset.UnixEpoch);
        var fired = new List<(string, TimeSpan)>();
        using var a = clock.CreateTimer(_ => fired.Add(("a", clock.Elapsed)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var b = clock.CreateTimer(_ => fired.Add(("b", clock.Elapsed)), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var c = clock.CreateTimer(_ => fired.Add(("c", clock.Elapsed)), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        c.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        clock.AdvanceTo(TimeSpan.FromSeconds(5));
        b.Dispose();

        Assert.Equal(
            [("b", TimeSpan.FromSeconds(1)), ("b", TimeSpan.FromSeconds(2)), ("a", TimeSpan.FromSeconds(3)), ("b", TimeSpan.FromSeconds(3)), ("b", TimeSpan.FromSeconds(4)), ("c", TimeSpan.FromSeconds(5)), ("b", TimeSpan.FromSeconds(5))],
            fired);
        Assert.False(clock.RunNext()); // c was scheduled (at 0 s) before b's last repeat (at 4 s), so it fires first at 5 s
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(5), clock.GetUtcNow());
    }

    [Fact]
    public async Task The_real_engine_runs_in_virtual_time_deterministically()
    {
        async Task<RunSummary> Once()
        {
            var scenario = ScenarioLoader.Load("""
                name: virtual
                target: { type: noop, latency: 40ms, jitter: 30ms, errorRate: 2% }
                seed: 9
                load:
                  - ramping-inject: { rate: 500, during: 20s }
                  - keep-constant: { copies: 30, during: 10s }
                """).GetOrThrow();
            var clock = new VirtualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var run = ScenarioRunner.RunAsync(scenario, new RunOptions(_root), clock, null, CancellationToken.None);
            while (!run.IsCompleted && clock.RunNext())
            {
            }

            return (await run).Summary;
        }

        var first = await Once();
        var second = await Once();

        Assert.Equal(5000, first.Totals.ScheduledArrivals);
        Assert.InRange(first.Totals.Started, 5000 + 4500, 5000 + 6500); // plus the closed model: 30 copies of ~55 ms calls for 10 s
        Assert.Equal(first.Totals, second.Totals);
        Assert.Equal(first.LatencyMs, second.LatencyMs);
        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.True(first.LatenessMs.Max <= 0.001); // never late in virtual time (the histogram floor is 1 µs)
    }
}
