using LambdaStorm.Measurement;
using LambdaStorm.Results;

namespace LambdaStorm.Cluster;

/// <summary>What the merger decided for one interval.</summary>
/// <param name="Merged">The merged snapshot (of the agents that reported).</param>
/// <param name="Missing">Agents that were expected and did not report in time (marked in the journal).</param>
internal sealed record MergedInterval(IntervalSnapshot Merged, IReadOnlyList<string> Missing);

/// <summary>
/// Collects every agent's snapshot of an interval and releases the interval, merged exactly, once every expected agent
/// has reported or its deadline has passed. An agent that misses the deadline is named in <see cref="MergedInterval.Missing"/>
/// (the coordinator journals a <c>snapshot-missing</c> mark); a snapshot that arrives after its interval was released is
/// returned by <see cref="Add"/> as late (journalled as <c>snapshot-late</c> and folded into the run totals, never dropped).
/// Intervals are released in order. Not thread-safe (lives in the coordinator actor). Part of internal API.
/// </summary>
internal sealed class SnapshotMerger(TimeSpan grace)
{
    private readonly SortedDictionary<long, Pending> _pending = [];
    private readonly Dictionary<string, long> _sent = new(StringComparer.Ordinal);
    private long _released = -1;

    /// <summary>Completions each agent sent (for the check "coordinator totals = sum of what agents sent").</summary>
    public IReadOnlyDictionary<string, long> CompletedByAgent => _sent;

    /// <summary>Highest sequence released so far (-1 before the first).</summary>
    public long Released => _released;

    /// <summary>
    /// Adds one agent's snapshot; <paramref name="expected"/> are the agents that should report this interval (fixed the
    /// first time the interval is seen). Returns true when it came too late (its interval was already released).
    /// </summary>
    public bool Add(IntervalSnapshot snapshot, IReadOnlyCollection<string> expected, double nowSeconds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var agent = snapshot.Source ?? "";
        _sent[agent] = (_sent.TryGetValue(agent, out var n) ? n : 0) + snapshot.Completed;
        if (snapshot.Sequence <= _released)
        {
            return true;
        }

        if (!_pending.TryGetValue(snapshot.Sequence, out var p))
        {
            _pending[snapshot.Sequence] = p = new Pending(snapshot.Start, snapshot.End, [.. expected], nowSeconds);
        }

        p.Parts[agent] = snapshot;
        return false;
    }

    /// <summary>Stops expecting an agent (lost or done) in intervals after <paramref name="lastSequence"/>.</summary>
    public void Forget(string agent, long lastSequence)
    {
        foreach (var (seq, p) in _pending)
        {
            if (seq > lastSequence)
            {
                p.Expected.Remove(agent);
            }
        }
    }

    /// <summary>Releases, in order, every interval that is complete or past its deadline.</summary>
    public IReadOnlyList<MergedInterval> Release(double nowSeconds, bool flushAll = false)
    {
        var released = new List<MergedInterval>();
        while (_pending.Count > 0)
        {
            var (seq, p) = _pending.First();
            var complete = p.Expected.All(p.Parts.ContainsKey);
            if (!complete && !flushAll && nowSeconds < p.FirstSeen + grace.TotalSeconds)
            {
                break;
            }

            _pending.Remove(seq);
            _released = seq;
            var parts = p.Parts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();
            released.Add(new MergedInterval(
                Protocol.SnapshotWire.Merge(seq, p.Start, p.End, parts),
                [.. p.Expected.Where(a => !p.Parts.ContainsKey(a)).Order(StringComparer.Ordinal)]));
        }

        return released;
    }

    /// <summary>Marks for the intervals an agent never reported.</summary>
    public static JournalMark MissingMark(IntervalSnapshot merged, string agent) =>
        new(merged.End, "snapshot-missing", agent, $"no snapshot from {agent} for interval {merged.Sequence} ({merged.Start:0.###}-{merged.End:0.###}s); the merged interval covers the other agents only", merged.Sequence);

    private sealed class Pending(double start, double end, HashSet<string> expected, double firstSeen)
    {
        public double Start { get; } = start;

        public double End { get; } = end;

        public HashSet<string> Expected { get; } = expected;

        public double FirstSeen { get; } = firstSeen;

        public Dictionary<string, IntervalSnapshot> Parts { get; } = new(StringComparer.Ordinal);
    }
}
