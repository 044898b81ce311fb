using System.Collections.Immutable;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>Merged equals pooled: the coordinator's merge of agents' snapshots is one histogram holding every sample.</summary>
public sealed class MergeTests
{
    private static IntervalSnapshot AgentSnapshot(string agent, long seq, IEnumerable<long> samples, long dropped = 0)
    {
        var ok = HistogramCodec.NewRecorder();
        var late = HistogramCodec.NewRecorder();
        var n = 0L;
        foreach (var s in samples)
        {
            ok.RecordValue(HistogramCodec.Clamp(s));
            late.RecordValue(HistogramCodec.Clamp(s / 100));
            n++;
        }

        return new IntervalSnapshot(seq, seq, seq + 1, "1 inject", 100, 0, 3,
            [new PathCounters(InvocationPath.Sync, n + dropped, n, dropped, late.GetIntervalHistogram())],
            [new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Ok, null), ok.GetIntervalHistogram())],
            agent);
    }

    [Fact]
    public void Merged_percentiles_equal_the_pooled_histograms_for_random_samples()
    {
        var rng = new Random(11);
        for (var trial = 0; trial < 25; trial++)
        {
            var agents = rng.Next(1, 6);
            var pooled = HistogramCodec.NewHistogram();
            var parts = new List<IntervalSnapshot>();
            for (var a = 0; a < agents; a++)
            {
                // Each agent sees a different distribution (a slow agent, a fast one): averaging percentiles would be wrong.
                var scale = rng.Next(1, 1000);
                var samples = Enumerable.Range(0, rng.Next(0, 3000)).Select(_ => (long)(rng.NextDouble() * rng.NextDouble() * scale * 1000) + 1).ToList();
                samples.ForEach(s => pooled.RecordValue(HistogramCodec.Clamp(s)));

                // Through the wire, as the coordinator receives it.
                var report = SnapshotWire.ToReport("r", $"agent-{a}", AgentSnapshot($"agent-{a}", 4, samples, a), new AgentHealth(10, 1, a, samples.Count + a));
                parts.Add(SnapshotWire.ToSnapshot(report));
            }

            var merged = SnapshotWire.Merge(4, 4, 5, parts);
            var latency = merged.MergedLatency();
            Assert.Equal(pooled.TotalCount, latency.TotalCount);
            foreach (var p in new[] { 50.0, 90, 99, 99.9, 100 })
            {
                Assert.Equal(HistogramCodec.PercentileMs(pooled, p), HistogramCodec.PercentileMs(latency, p));
            }

            Assert.Equal(parts.Sum(p => p.Dropped), merged.Dropped);
            Assert.Equal(parts.Sum(p => p.Started), merged.Started);
            Assert.Equal(parts.Sum(p => p.InFlight), merged.InFlight);
        }
    }

    [Fact]
    public void Merger_waits_for_every_expected_agent_then_marks_the_missing_one()
    {
        var merger = new SnapshotMerger(TimeSpan.FromSeconds(3));
        string[] expected = ["a", "b", "c"];
        Assert.False(merger.Add(AgentSnapshot("a", 0, [1000, 2000]), expected, 10));
        Assert.False(merger.Add(AgentSnapshot("b", 0, [3000]), expected, 10.1));
        Assert.Empty(merger.Release(11)); // c may still come

        var released = merger.Release(13.5); // past the grace: merged without c, and c named
        var only = Assert.Single(released);
        Assert.Equal(["c"], only.Missing);
        Assert.Equal(3, only.Merged.Completed);

        // c's snapshot comes after all: reported as late, never dropped.
        Assert.True(merger.Add(AgentSnapshot("c", 0, [5000]), expected, 14));
        Assert.Equal(4, merger.CompletedByAgent.Values.Sum());
    }

    [Fact]
    public void Thresholds_are_evaluated_on_the_merged_data()
    {
        // Agent a is fast (1 ms), agent b slow (900 ms) for 2% of the calls: p99 over the pooled data is slow, while
        // neither agent's own p99 (nor their average) says so.
        var a = AgentSnapshot("a", 0, Enumerable.Repeat(1000L, 980));
        var b = AgentSnapshot("b", 0, Enumerable.Repeat(900_000L, 20));
        var aggregate = new RunAggregate();
        aggregate.Add(SnapshotWire.Merge(0, 0, 1, [a, b]));
        var threshold = ScenarioLoader.Load("name: t\nload:\n  - inject: { rate: 1, during: 1s }\nthresholds:\n  - p99 < 500ms\n").GetOrThrow().Thresholds.Single();
        var verdict = ThresholdEvaluator.Evaluate(threshold, aggregate, 1);
        Assert.False(verdict.Passed);
        Assert.InRange(verdict.Actual!.Value, 899, 901);
        Assert.True(HistogramCodec.PercentileMs(a.MergedLatency(), 99) < 500);
    }
}
