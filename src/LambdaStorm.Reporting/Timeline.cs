using System.Collections.Immutable;
using LambdaStorm.Chaos;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;

namespace LambdaStorm.Reporting;

/// <summary>
/// A shaded span on every time chart: a load phase, or a chaos action (kind <c>chaos</c>) from the moment it was
/// applied to the moment it was reverted (or the end of the run when it never was).
/// </summary>
/// <param name="Kind"><c>phase</c> or <c>chaos</c>.</param>
/// <param name="Label">What to print on the band (a chaos band: its kind and target).</param>
/// <param name="Start">Seconds since the run start.</param>
/// <param name="End">Seconds since the run start.</param>
public sealed record TimelineBand(string Kind, string Label, double Start, double End)
{
    /// <summary>A chaos band's action label (<c>2-function-errors-hello</c>), or null for a phase.</summary>
    public string? Action { get; init; }

    /// <summary>When the action was requested (a chaos band; it starts when the change was applied).</summary>
    public double? RequestedAt { get; init; }

    /// <summary>When the first invocation showed the action (or the control plane accepted it), or null when never.</summary>
    public double? EffectiveAt { get; init; }

    /// <summary>How the effective moment was seen: <c>invocation</c> or <c>control-plane</c>.</summary>
    public string? EffectiveBy { get; init; }

    /// <summary>When it was reverted, or null when the run ended with it still applied (the band runs to the end).</summary>
    public double? RevertedAt { get; init; }

    /// <summary>For people: the band's whole story (what, requested/applied/effective/reverted).</summary>
    public string? Detail { get; init; }
}

/// <summary>A moment drawn as a vertical line on every time chart: a steady-state verdict, a recovery, the abort.</summary>
/// <param name="Kind"><c>steady-state</c>, <c>recovered</c> or <c>abort</c>.</param>
/// <param name="Label">Short text on the chart.</param>
/// <param name="At">Seconds since the run start.</param>
/// <param name="Good">True for a verdict that held (drawn green), false otherwise.</param>
/// <param name="Detail">For people (the tooltip).</param>
public sealed record TimelineMarker(string Kind, string Label, double At, bool Good, string Detail)
{
    /// <summary>The label of the marker's chip above the charts, when it needs more words than the chart has room for.</summary>
    public string? LongLabel { get; init; }
}

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
    private Timeline(ImmutableArray<TimelinePoint> points, ImmutableArray<TimelineBand> bands, ImmutableArray<TimelineMarker> markers)
    {
        Points = points;
        Bands = bands;
        Markers = markers;
    }

    public ImmutableArray<TimelinePoint> Points { get; }

    /// <summary>Phase bands, then chaos bands.</summary>
    public ImmutableArray<TimelineBand> Bands { get; }

    /// <summary>Steady-state verdicts, recoveries and the abort, in time order.</summary>
    public ImmutableArray<TimelineMarker> Markers { get; }

    /// <summary>Outcome names seen anywhere in the run, in the engine's order.</summary>
    public IEnumerable<string> OutcomeNames => Outcomes.All.Select(o => o.Name()).Where(n => Points.Any(p => p.OutcomeRates.ContainsKey(n)));

    /// <param name="journal">The journal.</param>
    /// <param name="chaos">The run's chaos findings (names each action's kind and target, recoveries), or null.</param>
    public static Timeline From(JournalContents journal, ChaosReport? chaos = null)
    {
        // Several agents' snapshots for the same second are merged into one point (exactly: histograms are added).
        var points = journal.Intervals
            .GroupBy(i => i.Sequence)
            .OrderBy(g => g.Key)
            .Select(Point)
            .ToImmutableArray();
        var end = points.IsEmpty ? 0 : points[^1].End;
        var (bands, markers) = ChaosTimeline.From(journal.Chaos.IsDefault ? [] : journal.Chaos, chaos, end);
        return new Timeline(points, [.. PhaseBands(points), .. bands], markers);
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
