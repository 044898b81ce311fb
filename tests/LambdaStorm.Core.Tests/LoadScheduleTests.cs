using FsCheck;
using FsCheck.Xunit;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests;

public sealed class LoadScheduleTests
{
    /// <summary>Builds a random phase list from FsCheck's integers: kind, rate or copies, and duration per phase.</summary>
    internal static List<LoadPhase> Phases(int[] raw)
    {
        var phases = new List<LoadPhase>();
        for (var i = 0; i + 2 < raw.Length && phases.Count < 8; i += 3)
        {
            var kind = Math.Abs(raw[i] % 6);
            var rate = Math.Abs(raw[i + 1] % 2000) + (Math.Abs(raw[i + 1]) % 7 / 7.0);
            var during = TimeSpan.FromMilliseconds(100 + Math.Abs(raw[i + 2] % 20_000));
            phases.Add(kind switch
            {
                0 => new LoadPhase.Inject(rate, during),
                1 => new LoadPhase.RampingInject(rate, during),
                2 => new LoadPhase.Spike(rate, during, TimeSpan.FromMilliseconds(Math.Abs(raw[i + 2] % 3000))),
                3 => new LoadPhase.KeepConstant((int)rate % 50, during),
                4 => new LoadPhase.RampingConstant((int)rate % 50, during),
                _ => new LoadPhase.Pause(during),
            });
        }

        if (phases.Count == 0)
        {
            phases.Add(new LoadPhase.Inject(10, TimeSpan.FromSeconds(1)));
        }

        return phases;
    }

    private static long CountArrivalsBefore(LoadSchedule s, double t)
    {
        long n = 0;
        while (s.ArrivalTime(n) is { } at && at < t)
        {
            n++;
        }

        return n;
    }

    [Property(MaxTest = 300)]
    public bool Arrivals_before_T_equal_the_integral_of_the_rate_within_one(int[] raw, NonNegativeInt fraction)
    {
        var schedule = LoadSchedule.Create(Phases(raw));
        var t = schedule.Duration * (fraction.Get % 1001) / 1000.0;

        var counted = CountArrivalsBefore(schedule, t);
        var integral = schedule.CumulativeArrivals(t);

        return Math.Abs(counted - integral) <= 1 && schedule.ArrivalsBefore(t) == counted;
    }

    [Property(MaxTest = 200)]
    public bool Arrival_times_are_ordered_and_inside_open_segments(int[] raw)
    {
        var schedule = LoadSchedule.Create(Phases(raw));
        var previous = double.NegativeInfinity;
        for (long i = 0; i < schedule.TotalArrivals; i++)
        {
            var t = schedule.ArrivalTime(i)!.Value;
            if (t < previous || schedule.SegmentAt(Math.Min(t, schedule.Duration - 1e-12)) is not { Model: SegmentModel.Open })
            {
                return false;
            }

            previous = t;
        }

        return schedule.ArrivalTime(schedule.TotalArrivals) is null;
    }

    [Property(MaxTest = 200)]
    public bool Interleaved_shares_union_to_the_whole_schedule(int[] raw, PositiveInt agents)
    {
        // Agent k of n fires k, k+n, …: every arrival is fired by exactly one agent.
        var schedule = LoadSchedule.Create(Phases(raw));
        var n = (agents.Get % 7) + 1;
        var seen = new bool[schedule.TotalArrivals];
        for (var k = 0; k < n; k++)
        {
            for (long i = k; schedule.ArrivalTime(i) is not null; i += n)
            {
                if (seen[i])
                {
                    return false;
                }

                seen[i] = true;
            }
        }

        return seen.All(x => x);
    }

    [Fact]
    public void A_ramp_is_exact_not_stepped_once_a_second()
    {
        // 0 → 100/s over 10 s: N(t) = 5·t², so arrival i is at sqrt(i/5).
        var s = LoadSchedule.Create([new LoadPhase.RampingInject(100, TimeSpan.FromSeconds(10))]);

        Assert.Equal(500, s.TotalArrivals);
        Assert.Equal(Math.Sqrt(20 / 5.0), s.ArrivalTime(20)!.Value, 9);
        Assert.Equal(Math.Sqrt(499 / 5.0), s.ArrivalTime(499)!.Value, 9);
        Assert.Equal(25, s.RateAt(2.5), 9);
        // Within the first second a stepped ramp would send 0 or 10; the exact ramp sends ⌈5·1²⌉ = 5.
        Assert.Equal(5, s.ArrivalsBefore(1));
    }

    [Fact]
    public void A_spike_jumps_holds_and_returns_to_the_previous_rate()
    {
        var s = LoadSchedule.Create(
        [
            new LoadPhase.Inject(100, TimeSpan.FromSeconds(10)),
            new LoadPhase.Spike(1000, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)),
            new LoadPhase.RampingInject(0, TimeSpan.FromSeconds(4)),
        ]);

        Assert.Equal(100, s.RateAt(9.99), 9);
        Assert.Equal(1000, s.RateAt(10.5), 9);
        Assert.Equal(100, s.RateAt(13), 9);
        Assert.Equal(50, s.RateAt(17), 9); // the ramp starts from the pre-spike rate, not the spike
        Assert.Equal(1000 + 2000 + 300 + 200, s.TotalArrivals);
        Assert.Equal(["1 inject", "2 spike", "2 spike (recover)", "3 ramping-inject"], s.Segments.Select(x => x.Label));
    }

    [Fact]
    public void Closed_phases_have_no_arrivals_and_ramp_their_copies()
    {
        var s = LoadSchedule.Create(
        [
            new LoadPhase.KeepConstant(10, TimeSpan.FromSeconds(5)),
            new LoadPhase.RampingConstant(30, TimeSpan.FromSeconds(10)),
            new LoadPhase.Pause(TimeSpan.FromSeconds(1)),
            new LoadPhase.RampingInject(10, TimeSpan.FromSeconds(2)),
        ]);

        Assert.Equal(10, s.CopiesAt(1));
        Assert.Equal(20, s.CopiesAt(10));
        Assert.Equal(0, s.CopiesAt(15.5));
        Assert.Equal(0, s.RateAt(3));
        Assert.Equal(10, s.TotalArrivals); // the ramp after the pause starts from zero: 10/s · 2 s / 2
        Assert.True(s.ArrivalTime(0) >= 16);
    }

    [Fact]
    public void Fractional_rates_accumulate_across_phases()
    {
        // 0.5/s for 3 s then 0.5/s for 3 s: 3 arrivals, not 2 + 2 rounded per phase.
        var s = LoadSchedule.Create([new LoadPhase.Inject(0.5, TimeSpan.FromSeconds(3)), new LoadPhase.Inject(0.5, TimeSpan.FromSeconds(3))]);

        Assert.Equal(3, s.TotalArrivals);
        Assert.Equal([0.0, 2.0, 4.0], Enumerable.Range(0, 3).Select(i => s.ArrivalTime(i)!.Value));
    }
}
