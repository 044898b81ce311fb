using System.Collections.Immutable;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Engine;

/// <summary>What drives load during a segment.</summary>
public enum SegmentModel
{
    /// <summary>Arrival rate (open model).</summary>
    Open,
    /// <summary>Copies in flight (closed model).</summary>
    Closed,
    /// <summary>No load.</summary>
    Pause,
}

/// <summary>
/// One piece of a compiled schedule with a linear rate (open) or a linear copy count (closed).
/// Times are seconds from the start of the run.
/// </summary>
/// <param name="PhaseIndex">0-based index of the scenario phase this segment comes from.</param>
/// <param name="Label">A label for people, e.g. <c>2 ramping-inject</c> or <c>3 spike (recover)</c>.</param>
/// <param name="Model">Open, closed or pause.</param>
/// <param name="Start">Start, in seconds.</param>
/// <param name="End">End, in seconds.</param>
/// <param name="From">Rate or copies at the start.</param>
/// <param name="To">Rate or copies at the end.</param>
/// <param name="ArrivalsBefore">Open model: the exact cumulative arrival count N(Start).</param>
public sealed record ScheduleSegment(int PhaseIndex, string Label, SegmentModel Model, double Start, double End, double From, double To, double ArrivalsBefore)
{
    /// <summary>Length in seconds.</summary>
    public double Length => End - Start;

    /// <summary>Rate or copies at <paramref name="t"/> seconds (clamped to the segment).</summary>
    public double ValueAt(double t)
    {
        var tau = Math.Clamp(t - Start, 0, Length);
        return Length <= 0 ? To : From + ((To - From) * tau / Length);
    }

    /// <summary>Open model: arrivals in [Start, t), exact (not rounded).</summary>
    public double ArrivalsUntil(double t)
    {
        if (Model != SegmentModel.Open)
        {
            return 0;
        }

        var tau = Math.Clamp(t - Start, 0, Length);
        return (From * tau) + ((To - From) * tau * tau / (2 * Length));
    }

    /// <summary>Open model: total arrivals of this segment, exact.</summary>
    public double Arrivals => ArrivalsUntil(End);
}

/// <summary>
/// The load schedule: a pure function of (phases, elapsed time). Open-model phases define a piecewise-linear rate
/// r(t) whose integral N(t) counts arrivals; arrival <c>i</c> (0-based) is due at the time where N(t) = i, so the
/// number of arrivals in [0, T) is ⌈N(T)⌉, never more than one away from the integral. Ramps are exact: the rate
/// changes continuously, not in steps. Arrival indices are global across phases, which lets a cluster split one
/// schedule into interleaved shares (agent k of n fires k, k+n, …).
/// </summary>
public sealed class LoadSchedule
{
    private readonly ScheduleSegment[] _open;

    private LoadSchedule(ImmutableArray<ScheduleSegment> segments)
    {
        Segments = segments;
        _open = [.. segments.Where(s => s.Model == SegmentModel.Open && s.Arrivals > 0)];
        Duration = segments.IsEmpty ? 0 : segments[^1].End;
        ExactArrivals = _open.Length == 0 ? 0 : _open[^1].ArrivalsBefore + _open[^1].Arrivals;
        TotalArrivals = CountBefore(Duration);
    }

    /// <summary>All segments, in time order, back to back from 0 to <see cref="Duration"/>.</summary>
    public ImmutableArray<ScheduleSegment> Segments { get; }

    /// <summary>Length of the whole schedule, in seconds.</summary>
    public double Duration { get; }

    /// <summary>The integral of the rate over the whole schedule.</summary>
    public double ExactArrivals { get; }

    /// <summary>Number of open-model arrivals in the whole schedule.</summary>
    public long TotalArrivals { get; }

    /// <summary>Compiles scenario phases into a schedule.</summary>
    public static LoadSchedule Create(IEnumerable<LoadPhase> phases)
    {
        var segments = ImmutableArray.CreateBuilder<ScheduleSegment>();
        double t = 0, rate = 0, copies = 0, cumulative = 0;
        var index = 0;

        void Add(string label, SegmentModel model, double length, double from, double to)
        {
            var seg = new ScheduleSegment(index, label, model, t, t + length, from, to, cumulative);
            cumulative += seg.Arrivals;
            segments.Add(seg);
            t += length;
        }

        foreach (var phase in phases)
        {
            var label = $"{index + 1} {phase.Kind}";
            var length = phase.During.TotalSeconds;
            switch (phase)
            {
                case LoadPhase.Inject inject:
                    Add(label, SegmentModel.Open, length, inject.Rate, inject.Rate);
                    rate = inject.Rate;
                    copies = 0;
                    break;
                case LoadPhase.RampingInject ramp:
                    Add(label, SegmentModel.Open, length, rate, ramp.Rate);
                    rate = ramp.Rate;
                    copies = 0;
                    break;
                case LoadPhase.Spike spike:
                    Add(label, SegmentModel.Open, length, spike.Rate, spike.Rate);
                    if (spike.Recover > TimeSpan.Zero)
                    {
                        Add($"{label} (recover)", rate > 0 ? SegmentModel.Open : SegmentModel.Pause, spike.Recover.TotalSeconds, rate, rate);
                    }

                    copies = 0;
                    break;
                case LoadPhase.KeepConstant keep:
                    Add(label, SegmentModel.Closed, length, keep.Copies, keep.Copies);
                    copies = keep.Copies;
                    rate = 0;
                    break;
                case LoadPhase.RampingConstant rc:
                    Add(label, SegmentModel.Closed, length, copies, rc.Copies);
                    copies = rc.Copies;
                    rate = 0;
                    break;
                case LoadPhase.Pause:
                    Add(label, SegmentModel.Pause, length, 0, 0);
                    rate = 0;
                    copies = 0;
                    break;
            }

            index++;
        }

        return new LoadSchedule(segments.ToImmutable());
    }

    /// <summary>The segment active at <paramref name="t"/> seconds, or null past the end.</summary>
    public ScheduleSegment? SegmentAt(double t)
    {
        if (t < 0 || t >= Duration)
        {
            return null;
        }

        var lo = 0;
        var hi = Segments.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Segments[mid].Start <= t)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return Segments[lo];
    }

    /// <summary>The target arrival rate (per second) at <paramref name="t"/>; zero in closed and pause segments.</summary>
    public double RateAt(double t) => SegmentAt(t) is { Model: SegmentModel.Open } s ? s.ValueAt(t) : 0;

    /// <summary>The target copies in flight at <paramref name="t"/>; zero outside closed segments.</summary>
    public int CopiesAt(double t) => SegmentAt(t) is { Model: SegmentModel.Closed } s ? (int)Math.Floor(s.ValueAt(t) + 0.5) : 0;

    /// <summary>The exact integral of the rate over [0, t).</summary>
    public double CumulativeArrivals(double t)
    {
        if (_open.Length == 0 || t <= 0)
        {
            return 0;
        }

        double n = 0;
        foreach (var s in _open)
        {
            if (s.Start >= t)
            {
                break;
            }

            n = s.ArrivalsBefore + s.ArrivalsUntil(t);
        }

        return n;
    }

    /// <summary>
    /// When open-model arrival <paramref name="index"/> is due, in seconds from the start; null when the schedule has
    /// fewer arrivals.
    /// </summary>
    public double? ArrivalTime(long index)
    {
        if (index < 0 || index >= TotalArrivals)
        {
            return null;
        }

        // The segment in which N(t) passes index: the last whose cumulative start is ≤ index.
        var lo = 0;
        var hi = _open.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_open[mid].ArrivalsBefore <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var s = _open[lo];
        var x = index - s.ArrivalsBefore;
        double tau;
        var a = (s.To - s.From) / (2 * s.Length);
        if (Math.Abs(a) < 1e-15)
        {
            tau = x / s.From;
        }
        else
        {
            // Solve From·τ + a·τ² = x; this form has no cancellation when a is small, and works for falling ramps.
            var disc = Math.Max(0, (s.From * s.From) + (4 * a * x));
            var denom = s.From + Math.Sqrt(disc);
            tau = denom <= 0 ? Math.Sqrt(x / a) : 2 * x / denom;
        }

        return s.Start + Math.Clamp(tau, 0, s.Length);
    }

    /// <summary>Number of open-model arrivals due in [0, t): ⌈N(t)⌉, checked against <see cref="ArrivalTime"/>.</summary>
    public long ArrivalsBefore(double t) => Math.Min(CountBefore(t), TotalArrivals);

    private long CountBefore(double t)
    {
        if (t <= 0)
        {
            return 0;
        }

        // ⌈N(t)⌉ with a guard against floating-point error: an arrival is counted only if it is due strictly before t.
        var n = (long)Math.Ceiling(CumulativeArrivals(Math.Min(t, Duration)) - 1e-9);
        return Math.Max(0, n);
    }
}
