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
    };

    [Fact]
    public async Task Exposition_follows_the_metrics_contract_names_units_labels_and_help()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        Feed(metrics);

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
