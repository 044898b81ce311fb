using System.Diagnostics;
using System.Text.Json;
using LambdaStorm.Cluster;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Bench;

/// <summary>
/// <c>merge</c>: the coordinator's cost per agent snapshot (issue 7). Builds realistic one-second snapshots (per agent:
/// sync ok, sync throttled and sync function_error latency histograms plus lateness, with the given number of samples
/// spread over 1 ms to 2 s), encodes them as the wire does, and times what the coordinator does with each: deserialize
/// the report (protocol serializer), decode the histograms, and merge the interval of N agents into one (adding
/// histograms, summing counters). Reports microseconds and bytes allocated per snapshot. The last case adds the
/// delivery ledger's part of a snapshot (one async send in ten, as spike.yaml: their indices, a few in flight) to
/// show what the ledger adds on the wire and to the decode.
/// </summary>
internal static class MergeBenchmark
{
    // The serializer never touches its actor system for these messages.
    private static readonly ProtocolSerializer Serializer = new(null!);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string? json)
    {
        var results = new List<object>();
        foreach (var (agents, samples, sends) in new[] { (3, 1_000, false), (3, 10_000, false), (10, 10_000, false), (3, 10_000, true) })
        {
            var rng = new Random(5);
            var reports = Enumerable.Range(0, agents).Select(a => Report($"agent-{a}", samples, rng, sends)).ToList();
            var bytes = reports.Select(Serializer.ToBinary).ToList();
            const int rounds = 400;

            // Warm-up, then timed rounds: each round is one interval of every agent.
            Once(bytes, agents);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < rounds; i++)
            {
                Once(bytes, agents);
            }

            sw.Stop();
            var perSnapshotUs = sw.Elapsed.TotalMicroseconds / (rounds * agents);
            var allocatedPerSnapshot = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)(rounds * agents);
            var wireBytes = bytes.Average(b => b.Length);
            Console.WriteLine($"{agents} agents, {samples:N0} samples per agent-interval{(sends ? " + ledger sends" : "")}: {perSnapshotUs:0.0} µs per snapshot (decode + merge), "
                + $"{allocatedPerSnapshot / 1024:N0} KiB allocated per snapshot, {wireBytes:N0} bytes on the wire");
            results.Add(new { agents, samples, ledgerSends = sends, perSnapshotUs = Math.Round(perSnapshotUs, 1), allocatedBytesPerSnapshot = Math.Round(allocatedPerSnapshot), wireBytes = Math.Round(wireBytes) });
        }

        if (json is not null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(results, Indented));
        }

        return 0;
    }

    private static void Once(List<byte[]> bytes, int agents)
    {
        var parts = new List<IntervalSnapshot>(agents);
        foreach (var b in bytes)
        {
            var report = (SnapshotReport)Serializer.FromBinary(b, "snapshot");
            parts.Add(SnapshotWire.ToSnapshot(report));
        }

        _ = SnapshotWire.Merge(7, 7, 8, parts);
    }

    private static SnapshotReport Report(string agent, int samples, Random rng, bool sends)
    {
        var ok = HistogramCodec.NewRecorder();
        var throttled = HistogramCodec.NewRecorder();
        var error = HistogramCodec.NewRecorder();
        var late = HistogramCodec.NewRecorder();
        for (var i = 0; i < samples; i++)
        {
            var v = (long)(1000 * Math.Exp(rng.NextDouble() * Math.Log(2000)));
            (i % 20 == 0 ? throttled : i % 50 == 0 ? error : ok).RecordValue(v);
            late.RecordValue(1 + rng.Next(2000));
        }

        var snapshot = new IntervalSnapshot(7, 7, 8, "1 inject", samples, 0, 50,
            [new PathCounters(InvocationPath.Sync, samples, samples, 0, late.GetIntervalHistogram())],
            [
                new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Ok, null), ok.GetIntervalHistogram()),
                new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Throttled, "ReservedFunctionConcurrentInvocationLimitExceeded"), throttled.GetIntervalHistogram()),
                new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.FunctionError, null), error.GetIntervalHistogram()),
            ],
            agent);
        var report = SnapshotWire.ToReport("run", agent, snapshot, new AgentHealth(50, 1, 0, samples));
        if (!sends)
        {
            return report;
        }

        // One send in ten on the async path (spike.yaml's share), this agent's every third arrival, a few in flight.
        var sent = Enumerable.Range(0, samples / 10).Select(i => 1_000_000L + (30L * i)).ToArray();
        return report with { Sends = new Ledger.SendBatch(sent, [], [], sent[^5..], sent[^1] + 1) };
    }
}
