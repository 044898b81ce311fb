using System.Collections.Immutable;
using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Measurement;

/// <summary>Identifies one latency series: a path, an outcome and, for throttles, the reason.</summary>
/// <param name="Path">Invocation path.</param>
/// <param name="Outcome">Outcome class.</param>
/// <param name="Reason">Throttle (or other) reason label, or null.</param>
public readonly record struct SeriesKey(InvocationPath Path, Outcome Outcome, string? Reason);

/// <summary>The latency histogram of one series over one interval. Its total count is the number of completions.</summary>
/// <param name="Key">Which series.</param>
/// <param name="Histogram">Latency in microseconds, from intended start to completion.</param>
public sealed record SeriesSnapshot(SeriesKey Key, HistogramBase Histogram)
{
    /// <summary>Completions in the interval.</summary>
    public long Count => Histogram.TotalCount;
}

/// <summary>Per-path counters of one interval.</summary>
/// <param name="Path">Invocation path.</param>
/// <param name="Offered">Arrivals that were due (started plus dropped).</param>
/// <param name="Started">Invocations started.</param>
/// <param name="Dropped">Arrivals dropped because the in-flight cap was reached.</param>
/// <param name="Lateness">Actual minus intended start, in microseconds (open model only).</param>
/// <param name="Sampled">Completed invocations whose cold-start status is known (log tail requested, or the model).</param>
/// <param name="ColdStarts">Of those, the ones that ran an init phase.</param>
public sealed record PathCounters(InvocationPath Path, long Offered, long Started, long Dropped, HistogramBase Lateness, long Sampled = 0, long ColdStarts = 0);

/// <summary>
/// What one generator measured in one interval (one second by default). These are written to the journal line by
/// line, merged across agents, and summed into the summary; histograms make every merge exact.
/// </summary>
/// <param name="Sequence">0-based interval number.</param>
/// <param name="Start">Interval start, seconds since the run start.</param>
/// <param name="End">Interval end, seconds since the run start.</param>
/// <param name="Phase">Label of the schedule segment active at the interval end.</param>
/// <param name="TargetRate">Target arrival rate at the interval end (per second).</param>
/// <param name="TargetCopies">Target copies in flight at the interval end (closed model).</param>
/// <param name="InFlight">Invocations in flight at the interval end.</param>
/// <param name="Paths">Counters per path (only paths with activity).</param>
/// <param name="Series">Latency histograms per series (only series with completions).</param>
/// <param name="Source">The agent that measured it, or null for a single-process run.</param>
public sealed record IntervalSnapshot(
    long Sequence,
    double Start,
    double End,
    string Phase,
    double TargetRate,
    int TargetCopies,
    long InFlight,
    ImmutableArray<PathCounters> Paths,
    ImmutableArray<SeriesSnapshot> Series,
    string? Source = null)
{
    /// <summary>Invocations completed in the interval.</summary>
    public long Completed => Series.Sum(s => s.Count);

    /// <summary>Invocations started in the interval.</summary>
    public long Started => Paths.Sum(p => p.Started);

    /// <summary>Arrivals dropped in the interval.</summary>
    public long Dropped => Paths.Sum(p => p.Dropped);

    /// <summary>Merges all series into one latency histogram.</summary>
    public HistogramBase MergedLatency(Func<SeriesKey, bool>? filter = null)
    {
        var h = HistogramCodec.NewHistogram();
        foreach (var s in Series)
        {
            if (filter is null || filter(s.Key))
            {
                h.Add(s.Histogram);
            }
        }

        return h;
    }
}
