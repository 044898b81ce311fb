using System.Collections.Immutable;

namespace LambdaStorm.Telemetry;

/// <summary>
/// Every metric name and label a run exports (DESIGN.md §3 "Metrics"): names start with <c>lambdastorm_</c> and use base
/// units (<c>_seconds</c>, <c>_total</c>); labels come from <see cref="Labels"/> only, so that series stay few and
/// Grafana can sum them across agents. The emulator's own series (<c>lambdastorm_emulator_*</c>) live in
/// LambdaStorm.Emulator's EmulatorMetrics. Part of internal API.
/// </summary>
internal static class MetricNames
{
    /// <summary>Prefix of every metric name.</summary>
    public const string Prefix = "lambdastorm_";

    /// <summary>Completed invocations by scenario, path, outcome and reason.</summary>
    public const string Invocations = Prefix + "invocations_total";

    /// <summary>Latency from intended start to completion, by scenario, path and outcome.</summary>
    public const string InvocationDuration = Prefix + "invocation_duration_seconds";

    /// <summary>Arrivals that were due, by scenario and path.</summary>
    public const string Offered = Prefix + "offered_total";

    /// <summary>Invocations started, by scenario and path.</summary>
    public const string Started = Prefix + "started_total";

    /// <summary>Arrivals dropped because the in-flight cap was reached, by scenario and path.</summary>
    public const string Dropped = Prefix + "dropped_total";

    /// <summary>Arrivals started more than <see cref="LateThresholdSeconds"/> after their intended time.</summary>
    public const string LateArrivals = Prefix + "late_arrivals_total";

    /// <summary>Actual minus intended start time of arrivals (open model).</summary>
    public const string ArrivalLateness = Prefix + "arrival_lateness_seconds";

    /// <summary>Completed invocations whose cold-start status is known.</summary>
    public const string ColdStartSamples = Prefix + "cold_start_samples_total";

    /// <summary>Of those, the ones that ran an init phase.</summary>
    public const string ColdStarts = Prefix + "cold_starts_total";

    /// <summary>Target arrival rate (per second).</summary>
    public const string TargetRate = Prefix + "target_rate";

    /// <summary>Achieved start rate over the last interval (per second).</summary>
    public const string AchievedRate = Prefix + "achieved_rate";

    /// <summary>Target copies in flight (closed model).</summary>
    public const string TargetCopies = Prefix + "target_copies";

    /// <summary>Invocations in flight, the client-observed concurrency.</summary>
    public const string InFlight = Prefix + "in_flight";

    /// <summary>Seconds since the run started, at the end of the last interval.</summary>
    public const string Elapsed = Prefix + "run_elapsed_seconds";

    /// <summary>Interval snapshots measured.</summary>
    public const string Snapshots = Prefix + "snapshots_total";

    /// <summary>1 for the active schedule phase, 0 for phases that are over.</summary>
    public const string PhaseInfo = Prefix + "phase_info";

    /// <summary>1 while the run is going: which scenario, run id, target and function.</summary>
    public const string RunInfo = Prefix + "run_info";

    /// <summary>Sent ids (async and queue paths) by delivery class now, by scenario, path and class (gauge).</summary>
    public const string LedgerIds = Prefix + "ledger_ids";

    /// <summary>Ids the ledger recorded as sent, by scenario and path.</summary>
    public const string LedgerSent = Prefix + "ledger_sent_total";

    /// <summary>Sent ids that carried a poison pill, by scenario.</summary>
    public const string LedgerPoisonPills = Prefix + "ledger_poison_pills_total";

    /// <summary>Extra successful processings of ids already processed, by scenario.</summary>
    public const string LedgerDuplicates = Prefix + "ledger_duplicates_total";

    /// <summary>Dead-letter and on-failure destination messages for sent ids, by scenario.</summary>
    public const string LedgerDeadLetterArrivals = Prefix + "ledger_dlq_arrivals_total";

    /// <summary>Processed ids by the attempt that first succeeded, by scenario and attempt.</summary>
    public const string LedgerProcessed = Prefix + "ledger_processed_total";

    /// <summary>Processing attempts the function reported (receipts), by scenario and outcome (ok, failed).</summary>
    public const string LedgerAttempts = Prefix + "ledger_attempts_total";

    /// <summary>Attempts after the first (re-deliveries, async retries), by scenario.</summary>
    public const string LedgerRedeliveries = Prefix + "ledger_redeliveries_total";

    /// <summary>Good (not poisoned) ids processed only after a failed attempt, by scenario.</summary>
    public const string LedgerDelayedGood = Prefix + "ledger_delayed_good_total";

    /// <summary>End-to-end latency, intended send to the end of the first successful attempt, by scenario and path.</summary>
    public const string LedgerEndToEnd = Prefix + "ledger_end_to_end_seconds";

    /// <summary>Messages in a queue at the last GetQueueAttributes sample, by scenario, queue, role and state.</summary>
    public const string QueueDepth = Prefix + "queue_depth";

    /// <summary>Seconds from the end of the load until the source queues first held nothing, by scenario.</summary>
    public const string QueueDrain = Prefix + "queue_drain_seconds";

    /// <summary>1 while a chaos action is applied, 0 once reverted, by scenario, reason (the action kind) and function or queue (docs/chaos.md).</summary>
    public const string ChaosActive = Prefix + "chaos_active";

    /// <summary>Chaos timeline events (requested, applied, effective, reverted, steady-state, abort, …) by scenario, reason (the action kind, or <c>run</c>), function or queue, and event.</summary>
    public const string ChaosEvents = Prefix + "chaos_events_total";

    /// <summary>Lateness above this counts as a late arrival.</summary>
    public const double LateThresholdSeconds = 0.001;

    /// <summary>
    /// Latency buckets: 1 ms to 60 s, dense around the usual SLO marks (50, 100, 200, 250, 300, 500 ms, 1 s, 2 s, 3 s).
    /// </summary>
    public static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 5, 7.5, 10, 15, 30, 60];

    /// <summary>
    /// End-to-end buckets: 5 ms to 6 h, since a message can wait out visibility timeouts and async retries can take hours.
    /// </summary>
    public static readonly double[] EndToEndBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600, 7200, 21600];

    /// <summary>Lateness buckets: 100 µs to 10 s, with the late mark (1 ms) as a bound.</summary>
    public static readonly double[] LatenessBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The fixed set of labels (DESIGN.md §3).</summary>
    public static readonly ImmutableHashSet<string> Labels = ["scenario", "path", "function", "outcome", "reason", "agent", "phase", "queue", "state", "class", "role", "attempt", "event"];

    /// <summary>Identification labels that only <c>_info</c> metrics may carry in addition (one series per run).</summary>
    public static readonly ImmutableHashSet<string> InfoLabels = ["run_id", "target"];
}
