using System.Globalization;
using System.Text.RegularExpressions;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Telemetry;
using Prometheus;

namespace LambdaStorm.Tests;

/// <summary>Checks the run exporter against DESIGN.md §3 "Metrics" on the exposition text a scrape returns.</summary>
public sealed partial class RunMetricsTests
{
    private const string Yaml = """
        name: metered
        target: { type: noop, latency: 20ms }
        load:
          - inject: { rate: 10, during: 2s }
        """;

    /// <summary>The families the contract promises, with their types.</summary>
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        [MetricNames.Invocations] = "counter",
        [MetricNames.InvocationDuration] = "histogram",
        [MetricNames.Offered] = "counter",
        [MetricNames.Started] = "counter",
        [MetricNames.Dropped] = "counter",
        [MetricNames.LateArrivals] = "counter",
        [MetricNames.ArrivalLateness] = "histogram",
        [MetricNames.ColdStartSamples] = "counter",
        [MetricNames.ColdStarts] = "counter",
        [MetricNames.TargetRate] = "gauge",
        [MetricNames.AchievedRate] = "gauge",
        [MetricNames.TargetCopies] = "gauge",
        [MetricNames.InFlight] = "gauge",
        [MetricNames.Elapsed] = "gauge",
        [MetricNames.Snapshots] = "counter",
        [MetricNames.PhaseInfo] = "gauge",
        [MetricNames.RunInfo] = "gauge",
        [MetricNames.LedgerIds] = "gauge",
        [MetricNames.LedgerSent] = "counter",
        [MetricNames.LedgerPoisonPills] = "counter",
        [MetricNames.LedgerDuplicates] = "counter",
        [MetricNames.LedgerDeadLetterArrivals] = "counter",
        [MetricNames.LedgerProcessed] = "counter",
        [MetricNames.LedgerAttempts] = "counter",
        [MetricNames.LedgerRedeliveries] = "counter",
        [MetricNames.LedgerDelayedGood] = "counter",
        [MetricNames.LedgerEndToEnd] = "histogram",
        [MetricNames.QueueDepth] = "gauge",
        [MetricNames.QueueDrain] = "gauge",
        [MetricNames.ChaosActive] = "gauge",
        [MetricNames.ChaosEvents] = "counter",
    };

    [Fact]
    public async Task Exposition_follows_the_metrics_contract_names_units_labels_and_help()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        Feed(metrics);
        FeedLedger(metrics);
        FeedLedger(metrics, final: true);

        var exposition = Exposition.Parse(await Serialize(registry));

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), exposition.Families.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, family) in exposition.Families)
        {
            Assert.StartsWith("lambdastorm_", name, StringComparison.Ordinal);
            Assert.Matches("^[a-z_]+$", name);
            Assert.Equal(Expected[name], family.Type);
            Assert.True(family.Help.Length >= 20, $"{name} needs a help string that says what it counts, not '{family.Help}'");
            switch (family.Type)
            {
                case "counter":
                    Assert.EndsWith("_total", name, StringComparison.Ordinal);
                    break;
                case "histogram":
                    Assert.EndsWith("_seconds", name, StringComparison.Ordinal);
                    break;
                default:
                    Assert.False(name.EndsWith("_total", StringComparison.Ordinal), $"{name}: only counters end in _total");
                    break;
            }

            Assert.DoesNotMatch("_(ms|millis|milliseconds|micros|us)(_|$)", name);
            Assert.NotEmpty(family.Samples);
            var allowed = MetricNames.Labels.Union(family.Type == "histogram" ? ["le"] : []).Union(name.EndsWith("_info", StringComparison.Ordinal) ? MetricNames.InfoLabels : []);
            foreach (var sample in family.Samples)
            {
                var extra = sample.Labels.Keys.Where(l => !allowed.Contains(l)).ToList();
                Assert.True(extra.Count == 0, $"{sample.Name} carries labels outside the fixed set: {string.Join(", ", extra)}");
                Assert.Equal("metered", sample.Labels["scenario"]);
            }
        }
    }

    [Fact]
    public async Task Duration_histogram_holds_every_recorded_value_in_the_right_bucket_and_counters_add_up()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        Feed(metrics);
        Feed(metrics, sequence: 1);

        var e = Exposition.Parse(await Serialize(registry));

        // Per interval: 3 ok sync at 0.5 ms, 2 ms, 120 ms and 1 at 70 s; 2 throttled (reason ReservedFunctionConcurrentInvocationLimitExceeded).
        var ok = new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = "sync", ["outcome"] = "ok" };
        Assert.Equal(8, e.Value(MetricNames.Invocations, ok));
        Assert.Equal(4, e.Value(MetricNames.Invocations, new(StringComparer.Ordinal) { ["outcome"] = "throttled", ["reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded" }));
        Assert.Equal(2, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "0.001" }));
        Assert.Equal(4, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "0.0025" }));
        Assert.Equal(4, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "0.1" }));
        Assert.Equal(6, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "0.15" }));
        Assert.Equal(6, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "60" }));
        Assert.Equal(8, e.Value(MetricNames.InvocationDuration + "_bucket", new(ok, StringComparer.Ordinal) { ["le"] = "+Inf" }));
        Assert.Equal(8, e.Value(MetricNames.InvocationDuration + "_count", ok));
        Assert.Equal(2 * (0.0005 + 0.002 + 0.12 + 70), e.Value(MetricNames.InvocationDuration + "_sum", ok), 0.2);

        var sync = new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = "sync" };
        Assert.Equal(2 * 7, e.Value(MetricNames.Offered, sync));
        Assert.Equal(2 * 6, e.Value(MetricNames.Started, sync));
        Assert.Equal(2 * 1, e.Value(MetricNames.Dropped, sync));
        Assert.Equal(2 * 2, e.Value(MetricNames.LateArrivals, sync)); // lateness 0.2 ms, 0.9 ms, 5 ms, 2 s: two are late
        Assert.Equal(2 * 3, e.Value(MetricNames.ColdStarts, sync));
        Assert.Equal(2 * 6, e.Value(MetricNames.ColdStartSamples, sync));
        Assert.Equal(50, e.Value(MetricNames.TargetRate, []));
        Assert.Equal(6, e.Value(MetricNames.AchievedRate, []));
        Assert.Equal(17, e.Value(MetricNames.InFlight, []));
        Assert.Equal(2, e.Value(MetricNames.Snapshots, []));
    }

    [Fact]
    public async Task Phase_info_marks_the_active_phase_with_1_and_earlier_phases_with_0()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        Feed(metrics, phase: "1 ramp");
        Feed(metrics, sequence: 1, phase: "2 spike");

        var e = Exposition.Parse(await Serialize(registry));

        Assert.Equal(0, e.Value(MetricNames.PhaseInfo, new(StringComparer.Ordinal) { ["phase"] = "1 ramp" }));
        Assert.Equal(1, e.Value(MetricNames.PhaseInfo, new(StringComparer.Ordinal) { ["phase"] = "2 spike" }));
        var info = Assert.Single(e.Families[MetricNames.RunInfo].Samples);
        Assert.Equal("run-1", info.Labels["run_id"]);
        Assert.Equal(1, info.Value);
    }

    [Fact]
    public async Task A_simulated_run_fills_the_exporter_through_the_observer()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        var scenario = ScenarioLoader.Load(Yaml, "metered.yaml").GetOrThrow();
        var root = Directory.CreateTempSubdirectory("lambdastorm-metrics-").FullName;
        try
        {
            var outcome = await ScenarioRunner.SimulateAsync(scenario, new RunOptions(root), new CompositeRunObserver(metrics), CancellationToken.None);
            var e = Exposition.Parse(await Serialize(registry));

            Assert.Equal(20, e.Value(MetricNames.Invocations, []));
            Assert.Equal(outcome.Summary.Totals.Completed, (long)e.Value(MetricNames.InvocationDuration + "_count", []));
            Assert.Equal(20, e.Value(MetricNames.Started, []));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Ledger_series_follow_the_ledger_classes_counters_depth_drain_and_end_to_end_latency()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        Feed(metrics);
        FeedLedger(metrics);

        var e = Exposition.Parse(await Serialize(registry));

        Dictionary<string, string> Class(string c) => new(StringComparer.Ordinal) { ["path"] = "queue", ["class"] = c };
        Assert.Equal(1, e.Value(MetricNames.LedgerIds, Class("first_attempt"))); // a (processed twice: one duplicate)
        Assert.Equal(1, e.Value(MetricNames.LedgerIds, Class("after_retry"))); // b
        Assert.Equal(1, e.Value(MetricNames.LedgerIds, Class("dlq"))); // the pill
        Assert.Equal(1, e.Value(MetricNames.LedgerIds, Class("in_flight"))); // d, no outcome while the source is busy
        Assert.Equal(0, e.Value(MetricNames.LedgerIds, Class("lost")));
        Assert.Equal(8, e.Families[MetricNames.LedgerIds].Samples.Count); // every class, zeros included
        Assert.Equal(4, e.Value(MetricNames.LedgerSent, []));
        Assert.Equal(1, e.Value(MetricNames.LedgerPoisonPills, []));
        Assert.Equal(1, e.Value(MetricNames.LedgerDuplicates, []));
        Assert.Equal(1, e.Value(MetricNames.LedgerDeadLetterArrivals, []));
        Assert.Equal(1, e.Value(MetricNames.LedgerProcessed, new(StringComparer.Ordinal) { ["attempt"] = "1" }));
        Assert.Equal(1, e.Value(MetricNames.LedgerProcessed, new(StringComparer.Ordinal) { ["attempt"] = "2" }));
        Assert.Equal(3, e.Value(MetricNames.LedgerAttempts, new(StringComparer.Ordinal) { ["outcome"] = "ok" }));
        Assert.Equal(4, e.Value(MetricNames.LedgerAttempts, new(StringComparer.Ordinal) { ["outcome"] = "failed" }));
        Assert.Equal(4, e.Value(MetricNames.LedgerRedeliveries, [])); // a's 2nd (the duplicate), b's 2nd, the pill's 2nd and 3rd
        Assert.Equal(1, e.Value(MetricNames.LedgerDelayedGood, []));
        Assert.Equal(7, e.Value(MetricNames.QueueDepth, new(StringComparer.Ordinal) { ["queue"] = "orders", ["role"] = "source", ["state"] = "visible" }));
        Assert.Equal(1, e.Value(MetricNames.QueueDepth, new(StringComparer.Ordinal) { ["queue"] = "orders-dlq", ["role"] = "dlq", ["state"] = "visible" }));
        Assert.Equal(0, e.Value(MetricNames.QueueDrain, [])); // not drained yet: no sample
        Assert.Empty(e.Families[MetricNames.QueueDrain].Samples);

        // a at 0.2 s, b at 6 s: each observed once, in its bucket.
        var queue = new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = "queue" };
        Assert.Equal(2, e.Value(MetricNames.LedgerEndToEnd + "_count", queue));
        Assert.Equal(1, e.Value(MetricNames.LedgerEndToEnd + "_bucket", new(queue, StringComparer.Ordinal) { ["le"] = "0.25" }));
        Assert.Equal(2, e.Value(MetricNames.LedgerEndToEnd + "_bucket", new(queue, StringComparer.Ordinal) { ["le"] = "10" }));
        Assert.Equal(6.2, e.Value(MetricNames.LedgerEndToEnd + "_sum", queue), 3);

        // The final snapshot: the source drained 2 s after the load ended and went quiescent, so d is lost.
        FeedLedger(metrics, final: true);
        e = Exposition.Parse(await Serialize(registry));
        Assert.Equal(0, e.Value(MetricNames.LedgerIds, Class("in_flight")));
        Assert.Equal(1, e.Value(MetricNames.LedgerIds, Class("lost")));
        Assert.Equal(2, e.Value(MetricNames.QueueDrain, []));
        Assert.Equal(0, e.Value(MetricNames.QueueDepth, new(StringComparer.Ordinal) { ["queue"] = "orders", ["state"] = "visible" }));
        Assert.Equal(2, e.Value(MetricNames.LedgerEndToEnd + "_count", queue)); // nothing observed twice
        Assert.Equal(4, e.Value(MetricNames.LedgerSent, []));
    }

    [Fact]
    public async Task A_simulated_queue_run_exports_the_ledger_its_summary_reports()
    {
        var yaml = """
            name: queued
            path: queue
            queue: orders
            seed: 3
            target:
              type: emulator
              functions:
                worker: { duration: 40ms, poisonMarker: POISON }
              queues:
                orders: { visibilityTimeout: 2s, deadLetter: orders-dlq, maxReceiveCount: 2 }
                orders-dlq: {}
              eventSourceMappings:
                - { queue: orders, function: worker, batchSize: 5, reportBatchItemFailures: true }
            load:
              - inject: { rate: 20, during: 5s }
            payload:
              template: '{"id":"{{id}}","marker":"{{marker}}"}'
              poisonPills: { every: 10, marker: POISON }
            settle: 1m
            """;
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        var scenario = ScenarioLoader.Load(yaml, "queued.yaml").GetOrThrow();
        var root = Directory.CreateTempSubdirectory("lambdastorm-metrics-").FullName;
        try
        {
            var outcome = await ScenarioRunner.SimulateAsync(scenario, new RunOptions(root), new CompositeRunObserver(metrics), CancellationToken.None);
            var l = outcome.Summary.Ledger!;
            var e = Exposition.Parse(await Serialize(registry));

            Assert.Equal(100, l.Sent);
            Assert.Equal(l.Sent, e.Value(MetricNames.LedgerSent, []));
            foreach (var (name, n) in l.Classes)
            {
                Assert.Equal(n, e.Value(MetricNames.LedgerIds, new(StringComparer.Ordinal) { ["class"] = name }));
            }

            Assert.Equal(10, e.Value(MetricNames.LedgerPoisonPills, []));
            Assert.Equal(l.DeadLetterArrivals, e.Value(MetricNames.LedgerDeadLetterArrivals, []));
            Assert.Equal(10, l.DeadLetterArrivals);
            Assert.Equal(l.Processed, e.Value(MetricNames.LedgerProcessed, []));
            Assert.Equal(l.Processed, e.Value(MetricNames.LedgerEndToEnd + "_count", []));
            Assert.Equal(l.FailedAttempts, e.Value(MetricNames.LedgerAttempts, new(StringComparer.Ordinal) { ["outcome"] = "failed" }));
            Assert.Equal(l.DrainSeconds!.Value, e.Value(MetricNames.QueueDrain, []), 3);
            Assert.Contains(e.Families[MetricNames.QueueDepth].Samples, x => x.Labels["role"] == "source" && x.Labels["queue"] == "orders");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A ledger with an id in most classes: a processed on attempt 1 (and again: a duplicate), b after a failed attempt,
    /// the poison pill c dead-lettered after three failures, d without an outcome; the source still holds 7 messages.
    /// The final feed adds an empty source 2 s after the load ended and reconciles it as quiescent.
    /// </summary>
    private static void FeedLedger(RunMetrics metrics, bool final = false)
    {
        var ledger = new Ledger.DeliveryLedger();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Ledger.Receipt Receipt(string id, int attempt, bool ok, double at)
            => new(id, attempt, null, InvocationPath.Queue, ok ? Ledger.ReceiptOutcome.Ok : Ledger.ReceiptOutcome.Error, false, null, t0.AddSeconds(at - 0.05), t0.AddSeconds(at));
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            ledger.RecordSent(id, InvocationPath.Queue, t0, poisoned: id == "c");
        }

        ledger.RecordReceipt(Receipt("a", 1, true, 0.2));
        ledger.RecordReceipt(Receipt("a", 2, true, 5.5));
        ledger.RecordReceipt(Receipt("b", 1, false, 0.3));
        ledger.RecordReceipt(Receipt("b", 2, true, 6));
        ledger.RecordReceipt(Receipt("c", 1, false, 0.3));
        ledger.RecordReceipt(Receipt("c", 2, false, 6));
        ledger.RecordReceipt(Receipt("c", 3, false, 12));
        ledger.RecordDeadLetter("orders-dlq", new Ledger.DeadLetterEvidence("c", null, 3), t0.AddSeconds(12));
        ledger.RecordLoadEnded(t0.AddSeconds(1));
        ledger.RecordQueueDepth(new Ledger.QueueDepthSample(t0.AddSeconds(1), "orders", Ledger.QueueRole.Source, 7, 2, 0));
        ledger.RecordQueueDepth(new Ledger.QueueDepthSample(t0.AddSeconds(1), "orders-dlq", Ledger.QueueRole.DeadLetter, 1, 0, 0));
        var depth = ledger.DepthSamples();
        if (final)
        {
            ledger.RecordQueueDepth(new Ledger.QueueDepthSample(t0.AddSeconds(3), "orders", Ledger.QueueRole.Source, 0, 0, 0));
            depth = [ledger.DepthSamples()[^1]];
        }

        var processed = final ? [] : ledger.TakeNewlyProcessed();
        metrics.OnLedger(new LedgerSnapshot(ledger.Reconcile(final ? Ledger.SourceState.Quiescent : Ledger.SourceState.Busy), depth, [.. processed], final));
    }

    private static async Task<string> Serialize(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, ExpositionFormat.PrometheusText);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Feed(RunMetrics metrics, long sequence = 0, string phase = "1 inject")
    {
        if (sequence == 0)
        {
            var scenario = ScenarioLoader.Load(Yaml, "metered.yaml").GetOrThrow();
            metrics.OnStarted(new RunStarted(scenario, LoadSchedule.Create(scenario.Load), "noop", "results/metered", "run-1"));
            metrics.OnChaos(new LambdaStorm.Chaos.ChaosEvent(0.5, "applied", "1-reserved-concurrency-hello", "reserved concurrency of hello set to 0") { ActionKind = "reserved-concurrency", Target = "hello" });
        }

        var ok = Histogram(500, 2_000, 120_000, 70_000_000);
        var throttled = Histogram(300, 400);
        var lateness = Histogram(200, 900, 5_000, 2_000_000);
        metrics.OnInterval(new IntervalSnapshot(
            sequence, sequence, sequence + 1, phase, TargetRate: 50, TargetCopies: 0, InFlight: 17,
            [new PathCounters(InvocationPath.Sync, Offered: 7, Started: 6, Dropped: 1, lateness, Sampled: 6, ColdStarts: 3)],
            [
                new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Ok, null), ok),
                new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Throttled, "ReservedFunctionConcurrentInvocationLimitExceeded"), throttled),
            ]));
    }

    private static HdrHistogram.HistogramBase Histogram(params long[] micros)
    {
        var h = HistogramCodec.NewHistogram();
        foreach (var v in micros)
        {
            h.RecordValue(v);
        }

        return h;
    }

    /// <summary>A small parser of the Prometheus text format (0.0.4), enough for the contract checks.</summary>
    private sealed partial class Exposition
    {
        public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);

        public static Exposition Parse(string text)
        {
            var e = new Exposition();
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    var parts = line[7..].Split(' ', 2);
                    e.Family(parts[0]).Help = parts.Length > 1 ? parts[1] : "";
                }
                else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line[7..].Split(' ', 2);
                    e.Family(parts[0]).Type = parts[1];
                }
                else if (!line.StartsWith('#'))
                {
                    var m = SampleLine().Match(line);
                    Assert.True(m.Success, $"not a sample line: {line}");
                    var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value, StringComparer.Ordinal);
                    var name = m.Groups["name"].Value;
                    var family = e.Families.Keys.Where(f => name == f || (name.StartsWith(f, StringComparison.Ordinal) && name[f.Length..] is "_bucket" or "_sum" or "_count"))
                        .OrderByDescending(f => f.Length).FirstOrDefault();
                    Assert.True(family is not null, $"sample {name} has no # TYPE line before it");
                    e.Families[family].Samples.Add(new Sample(name, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
                }
            }

            return e;
        }

        /// <summary>Sum of the samples called <paramref name="name"/> whose labels include <paramref name="match"/>.</summary>
        public double Value(string name, Dictionary<string, string> match) => Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && match.All(kv => s.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            .Sum(s => s.Value);

        private Family Family(string name) => Families.TryGetValue(name, out var f) ? f : Families[name] = new Family();

        [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
        private static partial Regex SampleLine();

        [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
        private static partial Regex LabelPair();
    }

    private sealed class Family
    {
        public string Help { get; set; } = "";

        public string Type { get; set; } = "";

        public List<Sample> Samples { get; } = [];
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);
}
