using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Results;

/// <summary>Latency statistics in milliseconds, exact to the histogram's 0.1% resolution.</summary>
public sealed record LatencyStats(
    long Count,
    double Min,
    double Mean,
    double P50,
    double P75,
    double P90,
    double P95,
    double P99,
    [property: JsonPropertyName("p99_9")] double P999,
    [property: JsonPropertyName("p99_99")] double P9999,
    double Max)
{
    /// <summary>Statistics of a microsecond histogram.</summary>
    public static LatencyStats Of(HistogramBase h) => new(
        h.TotalCount,
        Round(HistogramCodec.MinMs(h)),
        Round(HistogramCodec.MeanMs(h)),
        Round(HistogramCodec.PercentileMs(h, 50)),
        Round(HistogramCodec.PercentileMs(h, 75)),
        Round(HistogramCodec.PercentileMs(h, 90)),
        Round(HistogramCodec.PercentileMs(h, 95)),
        Round(HistogramCodec.PercentileMs(h, 99)),
        Round(HistogramCodec.PercentileMs(h, 99.9)),
        Round(HistogramCodec.PercentileMs(h, 99.99)),
        Round(HistogramCodec.MaxMs(h)));

    private static double Round(double v) => Math.Round(v, 3);
}

/// <summary>Run totals.</summary>
public sealed record RunTotals(long ScheduledArrivals, long Offered, long Started, long Dropped, long Completed, long Interrupted, long PeakInFlight);

/// <summary>
/// Run-wide rates; ratios are in [0,1]. <c>TargetAverage</c> and <c>Achieved</c> cover open-model arrivals over the
/// schedule (closed-model iterations have no target rate); <c>Throughput</c> is every completion over the whole run.
/// </summary>
public sealed record RunRates(double TargetAverage, double Achieved, double Throughput, double ErrorRate, double ThrottleRate, double DropRate);

/// <summary>One (path, outcome, reason) series.</summary>
public sealed record OutcomeSummary(string Path, string Outcome, string? Reason, long Count, LatencyStats LatencyMs);

/// <summary>One path. <c>ColdStartsSampled</c> invocations had a known cold-start status; <c>ColdStarts</c> of them started cold.</summary>
public sealed record PathSummary(string Path, long Offered, long Started, long Dropped, long Completed, ImmutableDictionary<string, long> Outcomes, LatencyStats LatencyMs, LatencyStats LatenessMs, long ColdStartsSampled, long ColdStarts);

/// <summary>
/// What a cluster run adds to the summary: how many agents took part, which were lost, what the journal marked, and
/// whether the generators kept up. Absent for single-process runs with nothing to mark.
/// </summary>
/// <param name="Agents">Agents that sent snapshots.</param>
/// <param name="AgentsLost">Agents lost during the run.</param>
/// <param name="MissingSnapshots">Snapshots marked missing (never merged).</param>
/// <param name="LateSnapshots">Snapshots that came after their interval was merged.</param>
/// <param name="Resplits">Times the schedule was re-split.</param>
/// <param name="GapArrivals">Scheduled arrivals nobody fired because an agent was lost (upper bound).</param>
/// <param name="GeneratorLimited">True when a generator stayed overloaded: the target did not get the load that was asked for.</param>
public sealed record ClusterSummary(int Agents, int AgentsLost, long MissingSnapshots, long LateSnapshots, int Resplits, long GapArrivals, bool GeneratorLimited)
{
    /// <summary>Reads the summary from journal marks, or null when there are none and no agents.</summary>
    public static ClusterSummary? From(IReadOnlyCollection<JournalMark> marks, IEnumerable<IntervalSnapshot> intervals)
    {
        ArgumentNullException.ThrowIfNull(marks);
        var agents = marks.Where(m => m.Kind == "agent-joined").Select(m => m.Agent).Distinct().Count();
        if (agents == 0 && marks.Count == 0)
        {
            return null;
        }

        return new ClusterSummary(
            agents,
            marks.Count(m => m.Kind == "agent-lost"),
            marks.Count(m => m.Kind == "snapshot-missing"),
            marks.Count(m => m.Kind == "snapshot-late"),
            marks.Count(m => m.Kind == "resplit"),
            marks.Where(m => m.Kind == "gap").Sum(m => m.Arrivals ?? 0),
            marks.Any(m => m.Kind == "generator-limited"));
    }
}

/// <summary>
/// <c>summary.json</c>: totals, percentiles from p50 to p99.99 plus max, rates, threshold verdicts and the scenario
/// echo. Built the same way from a live run and from a journal read back after a crash.
/// </summary>
public sealed record RunSummary(
    string Scenario,
    string? Description,
    string RunId,
    string Status,
    bool Complete,
    bool Simulated,
    string Target,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double DurationSeconds,
    double ScheduleSeconds,
    long Intervals,
    RunTotals Totals,
    RunRates Rates,
    LatencyStats LatencyMs,
    LatencyStats LatenessMs,
    ImmutableArray<PathSummary> Paths,
    ImmutableArray<OutcomeSummary> Outcomes,
    ImmutableArray<ThresholdVerdict> Thresholds,
    bool Passed,
    ImmutableArray<string> Warnings,
    LambdaSummary? Lambda,
    ScenarioSource ScenarioEcho,
    LambdaStorm.Ledger.LedgerReport? Ledger = null,
    ClusterSummary? Cluster = null)
{
    /// <summary>The game day's findings (docs/chaos.md), or null for a run without chaos sections.</summary>
    public Chaos.ChaosReport? Chaos { get; init; }

    /// <summary>JSON options used for <c>summary.json</c>.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Builds a summary from merged data.</summary>
    internal static RunSummary Build(JournalHeader header, RunAggregate data, JournalEnd? end, Scenario? scenario, IEnumerable<string> warnings, LambdaSummary? lambda = null, LambdaStorm.Ledger.LedgerReport? ledger = null, ClusterSummary? cluster = null)
    {
        var duration = end?.ElapsedSeconds ?? data.LastEnd;
        var loadSeconds = Math.Max(1e-9, Math.Min(duration, header.ScheduleSeconds));
        var thresholds = scenario?.Thresholds.Select(t => ThresholdEvaluator.Evaluate(t, data, loadSeconds, ledger)).ToImmutableArray() ?? [];
        var completed = data.Completed();
        var offered = data.Sum(p => p.Offered);
        var dropped = data.Sum(p => p.Dropped);
        var ok = data.Completed(outcome: Outcome.Ok);
        var allWarnings = warnings.ToList();
        if (ledger is not null)
        {
            allWarnings.AddRange(LambdaStorm.Ledger.LedgerWarnings.From(ledger));
        }

        if (end is null)
        {
            allWarnings.Add($"the journal has no end record: the run was cut short after {data.LastEnd:0.#}s; the summary covers what was journaled");
        }

        if (cluster is { GeneratorLimited: true })
        {
            allWarnings.Add("generator-limited: an agent stayed overloaded (lateness or drops above the scenario's bounds), so the target did not get the load that was asked for");
        }

        if (cluster is { GapArrivals: > 0 })
        {
            allWarnings.Add($"{cluster.AgentsLost} agent(s) lost: up to {cluster.GapArrivals} scheduled arrivals were not fired before the schedule was re-split (see the journal's gap marks)");
        }

        if (cluster is { MissingSnapshots: > 0 })
        {
            allWarnings.Add($"{cluster.MissingSnapshots} agent snapshot(s) never reached the coordinator; their intervals are marked in the journal");
        }

        return new RunSummary(
            header.Scenario,
            scenario?.Description,
            header.RunId,
            end?.Status ?? "incomplete",
            end is not null,
            header.Simulated,
            header.Target,
            header.StartedAt,
            end?.EndedAt,
            Math.Round(duration, 3),
            header.ScheduleSeconds,
            data.Intervals,
            new RunTotals(header.ScheduledArrivals, offered, data.Sum(p => p.Started), dropped, completed, end?.Interrupted ?? 0, data.PeakInFlight),
            new RunRates(
                Math.Round(header.ScheduledArrivals / Math.Max(1e-9, header.ScheduleSeconds), 3),
                Math.Round(data.Lateness().TotalCount / loadSeconds, 3),
                Math.Round(completed / Math.Max(1e-9, duration), 3),
                completed == 0 ? 0 : (double)(completed - ok) / completed,
                completed == 0 ? 0 : (double)data.Completed(outcome: Outcome.Throttled) / completed,
                offered == 0 ? 0 : (double)dropped / offered),
            LatencyStats.Of(data.Latency()),
            LatencyStats.Of(data.Lateness()),
            [.. data.Paths.OrderBy(p => p.Key).Select(p => new PathSummary(
                p.Key.Name(),
                p.Value.Offered,
                p.Value.Started,
                p.Value.Dropped,
                data.Completed(p.Key),
                Engine.Outcomes.All.Where(o => data.Completed(p.Key, o) > 0).ToImmutableDictionary(o => o.Name(), o => data.Completed(p.Key, o)),
                LatencyStats.Of(data.Latency(p.Key)),
                LatencyStats.Of(p.Value.Lateness),
                p.Value.Sampled,
                p.Value.ColdStarts))],
            [.. data.Series.OrderBy(s => s.Key.Path).ThenBy(s => s.Key.Outcome).ThenBy(s => s.Key.Reason, StringComparer.Ordinal)
                .Select(s => new OutcomeSummary(s.Key.Path.Name(), s.Key.Outcome.Name(), s.Key.Reason, s.Value.TotalCount, LatencyStats.Of(s.Value)))],
            thresholds,
            thresholds.All(t => t.Passed),
            [.. allWarnings],
            lambda,
            header.Source,
            ledger,
            cluster);
    }
}
