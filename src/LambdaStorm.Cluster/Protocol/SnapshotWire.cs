using System.Collections.Immutable;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Protocol;

/// <summary>Converts interval snapshots to and from <see cref="SnapshotReport"/>. Part of internal API.</summary>
internal static class SnapshotWire
{
    /// <summary>An agent's snapshot as a report.</summary>
    public static SnapshotReport ToReport(string runId, string agent, IntervalSnapshot s, AgentHealth health) => new(
        runId,
        agent,
        s.Sequence,
        s.Start,
        s.End,
        s.Phase,
        s.TargetRate,
        s.TargetCopies,
        s.InFlight,
        [.. s.Paths.Select(p => new WirePath((int)p.Path, p.Offered, p.Started, p.Dropped, HistogramCodec.EncodeBytes(p.Lateness), p.Sampled, p.ColdStarts))],
        [.. s.Series.Select(x => new WireSeries((int)x.Key.Path, (int)x.Key.Outcome, x.Key.Reason, HistogramCodec.EncodeBytes(x.Histogram)))],
        health);

    /// <summary>A report back as a snapshot (source: the agent).</summary>
    public static IntervalSnapshot ToSnapshot(SnapshotReport r) => new(
        r.Sequence,
        r.Start,
        r.End,
        r.Phase,
        r.TargetRate,
        r.TargetCopies,
        r.InFlight,
        [.. r.Paths.Select(p => new PathCounters((InvocationPath)p.Path, p.Offered, p.Started, p.Dropped, HistogramCodec.DecodeBytes(p.Lateness), p.Sampled, p.ColdStarts))],
        [.. r.Series.Select(x => new SeriesSnapshot(new SeriesKey((InvocationPath)x.Path, (Outcome)x.Outcome, x.Reason), HistogramCodec.DecodeBytes(x.Histogram)))],
        r.Agent);

    /// <summary>
    /// Merges the snapshots of one interval from several agents exactly: counters are summed and histograms added
    /// (never percentiles averaged), so every percentile of the result is that of one histogram holding every sample.
    /// The target rate and copies are the whole run's (every agent reports the same), in-flight is summed.
    /// </summary>
    public static IntervalSnapshot Merge(long sequence, double start, double end, IReadOnlyList<IntervalSnapshot> parts)
    {
        var paths = new SortedDictionary<InvocationPath, (long Offered, long Started, long Dropped, HdrHistogram.HistogramBase Lateness, long Sampled, long Cold)>();
        var series = new Dictionary<SeriesKey, HdrHistogram.HistogramBase>();
        foreach (var s in parts)
        {
            foreach (var p in s.Paths)
            {
                var acc = paths.TryGetValue(p.Path, out var a) ? a : (0, 0, 0, HistogramCodec.NewHistogram(), 0, 0);
                acc.Lateness.Add(p.Lateness);
                paths[p.Path] = (acc.Offered + p.Offered, acc.Started + p.Started, acc.Dropped + p.Dropped, acc.Lateness, acc.Sampled + p.Sampled, acc.Cold + p.ColdStarts);
            }

            foreach (var x in s.Series)
            {
                if (!series.TryGetValue(x.Key, out var h))
                {
                    series[x.Key] = h = HistogramCodec.NewHistogram();
                }

                h.Add(x.Histogram);
            }
        }

        var first = parts.Count > 0 ? parts[0] : null;
        return new IntervalSnapshot(
            sequence,
            start,
            end,
            first?.Phase ?? "",
            first?.TargetRate ?? 0,
            first?.TargetCopies ?? 0,
            parts.Sum(p => p.InFlight),
            [.. paths.Select(kv => new PathCounters(kv.Key, kv.Value.Offered, kv.Value.Started, kv.Value.Dropped, kv.Value.Lateness, kv.Value.Sampled, kv.Value.Cold))],
            [.. series.OrderBy(kv => kv.Key.Path).ThenBy(kv => kv.Key.Outcome).ThenBy(kv => kv.Key.Reason, StringComparer.Ordinal)
                .Select(kv => new SeriesSnapshot(kv.Key, kv.Value))]);
    }
}
