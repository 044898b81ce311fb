using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Measurement;
using LambdaStorm.Telemetry;
using Prometheus;

namespace LambdaStorm.Cluster;

/// <summary>
/// The coordinator's own series (DESIGN.md §3 metrics contract), next to the merged run series that
/// <see cref="RunMetrics"/> exports from the merged intervals: agents taking part, each agent's share, snapshots that
/// never came, overloaded intervals, and the <b>exact</b> merged percentiles (from the pooled HdrHistograms of the run
/// so far, per path) as gauges. Labels: scenario, path, agent. Part of internal API.
/// </summary>
internal sealed class ClusterMetrics
{
    /// <summary>Agents taking part in the run.</summary>
    public const string Agents = MetricNames.Prefix + "cluster_agents";

    /// <summary>Share of the arrivals assigned to each agent (1/N for the live ones, 0 once lost).</summary>
    public const string AgentShare = MetricNames.Prefix + "agent_share";

    /// <summary>Intervals an agent did not report in time.</summary>
    public const string SnapshotGaps = MetricNames.Prefix + "snapshot_gaps_total";

    /// <summary>Intervals in which an agent was overloaded.</summary>
    public const string GeneratorLimited = MetricNames.Prefix + "generator_limited_total";

    /// <summary>The exact merged percentiles exported as gauges, and their metric names.</summary>
    public static readonly (double Percentile, string Name)[] Percentiles =
    [
        (50, MetricNames.Prefix + "merged_latency_p50_seconds"),
        (90, MetricNames.Prefix + "merged_latency_p90_seconds"),
        (99, MetricNames.Prefix + "merged_latency_p99_seconds"),
        (99.9, MetricNames.Prefix + "merged_latency_p99_9_seconds"),
    ];

    private readonly Gauge _agents;
    private readonly Gauge _share;
    private readonly Counter _gaps;
    private readonly Counter _limited;
    private readonly Gauge[] _percentiles;

    public ClusterMetrics(IMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _agents = factory.CreateGauge(Agents, "Agents taking part in the run (live ones), by scenario.", ["scenario"]);
        _share = factory.CreateGauge(AgentShare, "Share of the run's arrivals assigned to each agent (1/N; 0 once the agent is lost), by scenario and agent.", ["scenario", "agent"]);
        _gaps = factory.CreateCounter(SnapshotGaps, "Interval snapshots an agent did not deliver before the interval was merged (marked in the journal), by scenario and agent.", ["scenario", "agent"]);
        _limited = factory.CreateCounter(GeneratorLimited, "Intervals in which an agent was overloaded (lateness p99 or drops above the bounds), by scenario and agent.", ["scenario", "agent"]);
        _percentiles = [.. Percentiles.Select(p => factory.CreateGauge(p.Name,
            $"Exact p{p.Percentile} of latency from the intended start over the run so far, from the coordinator's merged HdrHistograms (not bucketed), by scenario and path.",
            ["scenario", "path"]))];
    }

    /// <summary>The agents taking part and their shares.</summary>
    public void Shares(string scenario, IReadOnlyCollection<string> live, IEnumerable<string> lost)
    {
        _agents.WithLabels(scenario).Set(live.Count);
        foreach (var agent in live)
        {
            _share.WithLabels(scenario, agent).Set(1.0 / live.Count);

            // Published at 0 from the start, so that "no gaps" and "never overloaded" are data, not missing series.
            _gaps.WithLabels(scenario, agent);
            _limited.WithLabels(scenario, agent);
        }

        foreach (var agent in lost)
        {
            _share.WithLabels(scenario, agent).Set(0);
        }
    }

    /// <summary>An agent's snapshot was missing from a merged interval.</summary>
    public void Gap(string scenario, string agent) => _gaps.WithLabels(scenario, agent).Inc();

    /// <summary>An agent reported an overloaded interval.</summary>
    public void Overloaded(string scenario, string agent) => _limited.WithLabels(scenario, agent).Inc();

    /// <summary>Sets the exact percentiles from the run so far.</summary>
    public void Merged(Scenario scenario, RunAggregate aggregate)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(aggregate);
        foreach (var path in aggregate.Paths.Keys)
        {
            var h = aggregate.Latency(path);
            if (h.TotalCount == 0)
            {
                continue;
            }

            for (var i = 0; i < Percentiles.Length; i++)
            {
                _percentiles[i].WithLabels(scenario.Name, path.Name()).Set(HistogramCodec.PercentileMs(h, Percentiles[i].Percentile) / 1000);
            }
        }
    }
}
