using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Results;

/// <summary>
/// Everything a run measured, merged exactly from its interval snapshots: histograms are added, never averaged.
/// The same code folds a live run and a journal read back by <c>lambdastorm report</c>. Part of internal API.
/// </summary>
internal sealed class RunAggregate
{
    private readonly Dictionary<SeriesKey, HistogramBase> _series = [];
    private readonly Dictionary<InvocationPath, PathTotals> _paths = [];

    /// <summary>Intervals folded in.</summary>
    public long Intervals { get; private set; }

    /// <summary>End of the last interval, in seconds since the start.</summary>
    public double LastEnd { get; private set; }

    /// <summary>Highest in-flight count seen at an interval end.</summary>
    public long PeakInFlight { get; private set; }

    /// <summary>Merged latency histograms per series.</summary>
    public IReadOnlyDictionary<SeriesKey, HistogramBase> Series => _series;

    /// <summary>Counters per path.</summary>
    public IReadOnlyDictionary<InvocationPath, PathTotals> Paths => _paths;

    /// <summary>Folds one interval in.</summary>
    public void Add(IntervalSnapshot snapshot)
    {
        Intervals++;
        LastEnd = Math.Max(LastEnd, snapshot.End);
        PeakInFlight = Math.Max(PeakInFlight, snapshot.InFlight);
        foreach (var s in snapshot.Series)
        {
            if (!_series.TryGetValue(s.Key, out var h))
            {
                _series[s.Key] = h = HistogramCodec.NewHistogram();
            }

            h.Add(s.Histogram);
        }

        foreach (var p in snapshot.Paths)
        {
            if (!_paths.TryGetValue(p.Path, out var t))
            {
                _paths[p.Path] = t = new PathTotals();
            }

            t.Offered += p.Offered;
            t.Started += p.Started;
            t.Dropped += p.Dropped;
            t.Sampled += p.Sampled;
            t.ColdStarts += p.ColdStarts;
            t.Lateness.Add(p.Lateness);
        }
    }

    /// <summary>Completed invocations matching a filter.</summary>
    public long Completed(InvocationPath? path = null, Outcome? outcome = null)
        => _series.Where(kv => Matches(kv.Key, path, outcome)).Sum(kv => kv.Value.TotalCount);

    /// <summary>Latency over the series matching a filter.</summary>
    public HistogramBase Latency(InvocationPath? path = null, Outcome? outcome = null)
    {
        var h = HistogramCodec.NewHistogram();
        foreach (var (key, value) in _series)
        {
            if (Matches(key, path, outcome))
            {
                h.Add(value);
            }
        }

        return h;
    }

    /// <summary>Lateness over the paths matching a filter.</summary>
    public HistogramBase Lateness(InvocationPath? path = null)
    {
        var h = HistogramCodec.NewHistogram();
        foreach (var (p, t) in _paths)
        {
            if (path is null || p == path)
            {
                h.Add(t.Lateness);
            }
        }

        return h;
    }

    /// <summary>Sum of a path counter over the paths matching a filter.</summary>
    public long Sum(Func<PathTotals, long> counter, InvocationPath? path = null)
        => _paths.Where(kv => path is null || kv.Key == path).Sum(kv => counter(kv.Value));

    private static bool Matches(SeriesKey key, InvocationPath? path, Outcome? outcome)
        => (path is null || key.Path == path) && (outcome is null || key.Outcome == outcome);

    /// <summary>Running totals of one path.</summary>
    internal sealed class PathTotals
    {
        public long Offered { get; set; }

        public long Started { get; set; }

        public long Dropped { get; set; }

        public long Sampled { get; set; }

        public long ColdStarts { get; set; }

        public HistogramBase Lateness { get; } = HistogramCodec.NewHistogram();
    }
}
