using System.Collections.Immutable;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;

namespace LambdaStorm.Reporting;

/// <summary>A shaded span on every time chart: a load phase now, a chaos action later (kind <c>chaos</c>).</summary>
/// <param name="Kind"><c>phase</c> or <c>chaos</c>.</param>
/// <param name="Label">What to print on the band.</param>
/// <param name="Start">Seconds since the run start.</param>
/// <param name="End">Seconds since the run start.</param>
public sealed record TimelineBand(string Kind, string Label, double Start, double End);

/// <summary>One interval of the journal, reduced to what the charts draw. Rates are per second of the interval.</summary>
internal sealed record TimelinePoint(
    double Start,
    double End,
    string Phase,
    double TargetRate,
    double StartedRate,
    double CompletedRate,
    double DroppedRate,
    double ColdStartRate,
    long InFlight,
    double P50,
    double P95,
    double P99,
    ImmutableDictionary<string, double> OutcomeRates,
    ImmutableDictionary<string, long> ThrottleReasons)
{
    public double Seconds => Math.Max(1e-9, End - Start);
}

/// <summary>The journal's intervals as time series, with percentiles computed exactly from each interval's histograms.</summary>
internal sealed class Timeline
{
    private Timeline(ImmutableArray<TimelinePoint> points, ImmutableArray<TimelineBand> bands)
    {
        Points = points;
        Bands = bands;
    }

    public ImmutableArray<TimelinePoint> Points { get; }

    public ImmutableArray<TimelineBand> Bands { get; }

    /// <summary>Outcome names seen anywhere in the run, in the engine's order.</summary>
    public IEnumerable<string> OutcomeNames => Outcomes.All.Select(o => o.Name()).Where(n => Points.Any(p => p.OutcomeRates.ContainsKey(n)));

    public static Timeline From(JournalContents journal)
    {
        // Several agents' snapshots for the same second are merged into one point (exactly: histograms are added).
        var points = journal.Intervals
            .GroupBy(i => i.Sequence)
            .OrderBy(g => g.Key)
            .Select(Point)
            .ToImmutableArray();
        return new Timeline(points, PhaseBands(points));
    }

    private static TimelinePoint Point(IEnumerable<IntervalSnapshot> group)
    {
        var snaps = group.ToList();
        var first = snaps[0];
        var seconds = Math.Max(1e-9, first.End - first.Start);
        var ok = HistogramCodec.NewHistogram();
        var outcomes = new Dictionary<string, long>();
        var reasons = new Dictionary<string, long>();
        foreach (var s in snaps.SelectMany(x => x.Series))
        {
            var name = s.Key.Outcome.Name();
            outcomes[name] = outcomes.GetValueOrDefault(name) + s.Count;
            if (s.Key.Outcome == Outcome.Ok)
            {
                ok.Add(s.Histogram);
            }

            if (s.Key.Outcome == Outcome.Throttled)
            {
                var reason = s.Key.Reason ?? "throttled";
                reasons[reason] = reasons.GetValueOrDefault(reason) + s.Count;
            }
        }

        double Pct(double p) => ok.TotalCount == 0 ? double.NaN : HistogramCodec.PercentileMs(ok, p);
        return new TimelinePoint(
            first.Start,
            first.End,
            first.Phase,
            snaps.Max(x => x.TargetRate),
            snaps.Sum(x => x.Started) / seconds,
            snaps.Sum(x => x.Completed) / seconds,
            snaps.Sum(x => x.Dropped) / seconds,
            snaps.SelectMany(x => x.Paths).Sum(p => p.ColdStarts) / seconds,
            snaps.Sum(x => x.InFlight),
            Pct(50),
            Pct(95),
            Pct(99),
            outcomes.ToImmutableDictionary(kv => kv.Key, kv => kv.Value / seconds),
            reasons.ToImmutableDictionary());
    }

    private static ImmutableArray<TimelineBand> PhaseBands(ImmutableArray<TimelinePoint> points)
    {
        var bands = ImmutableArray.CreateBuilder<TimelineBand>();
        var i = 0;
        while (i < points.Length)
        {
            var j = i;
            while (j + 1 < points.Length && points[j + 1].Phase == points[i].Phase)
            {
                j++;
            }

            if (!string.IsNullOrEmpty(points[i].Phase))
            {
                bands.Add(new TimelineBand("phase", points[i].Phase, points[i].Start, points[j].End));
            }

            i = j + 1;
        }

        return bands.ToImmutable();
    }
}
