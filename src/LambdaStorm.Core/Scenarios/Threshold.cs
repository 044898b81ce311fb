using System.Collections.Immutable;
using System.Globalization;
using LambdaStorm.Engine;

namespace LambdaStorm.Scenarios;

/// <summary>How a threshold metric's value is expressed.</summary>
public enum MetricUnit
{
    /// <summary>A latency; stored in milliseconds.</summary>
    Duration,
    /// <summary>A share in [0,1]; written as <c>1%</c> or <c>0.01</c>.</summary>
    Ratio,
    /// <summary>A plain count.</summary>
    Count,
    /// <summary>Events per second.</summary>
    PerSecond,
}

/// <summary>A metric a threshold can name.</summary>
/// <param name="Name">Its name in the threshold language.</param>
/// <param name="Unit">How its values are written.</param>
/// <param name="Description">One line for docs and errors.</param>
public sealed record MetricDefinition(string Name, MetricUnit Unit, string Description);

/// <summary>The fixed catalog of threshold metrics. Unknown names are a load error with a did-you-mean.</summary>
public static class ThresholdMetrics
{
    /// <summary>Latency percentiles and the statistic each selects.</summary>
    public static readonly ImmutableDictionary<string, double> Percentiles = new Dictionary<string, double>
    {
        ["p50"] = 50, ["p75"] = 75, ["p90"] = 90, ["p95"] = 95, ["p99"] = 99, ["p99.9"] = 99.9, ["p99.99"] = 99.99,
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Delivery-ledger metrics (async and queue paths): ids per class, duplicates and end-to-end latency. Without a
    /// ledger (a run on the sync or http path only) they have no data, so a threshold on them fails with a note.
    /// </summary>
    public static readonly ImmutableArray<MetricDefinition> LedgerMetrics =
    [
        new("lost", MetricUnit.Count, "sent ids with no outcome although the source reported nothing left, or that the source discarded leaving no record (delivery ledger); also an abort condition on the emulator"),
        new("in_flight", MetricUnit.Count, "sent ids with no outcome yet when the run ended, while the source still had work (delivery ledger)"),
        new("dlq", MetricUnit.Count, "sent ids that ended in a dead-letter queue or on-failure destination (delivery ledger)"),
        new("dlq_good", MetricUnit.Count, "ids without the poison marker that ended in a dead-letter queue (delivery ledger)"),
        new("expired", MetricUnit.Count, "sent ids dropped for their age, EventAgeExceeded (delivery ledger)"),
        new("unknown", MetricUnit.Count, "ids whose generator died with them in flight (delivery ledger)"),
        new("rejected", MetricUnit.Count, "ids whose send call failed and that left no trace (delivery ledger)"),
        new("first_attempt", MetricUnit.Count, "ids processed on their first attempt (delivery ledger)"),
        new("after_retry", MetricUnit.Count, "ids processed only after a retry or re-delivery (delivery ledger)"),
        new("processed", MetricUnit.Count, "ids processed successfully (delivery ledger)"),
        new("duplicates", MetricUnit.Count, "successful processings beyond the first of an id (delivery ledger)"),
        new("poison_pills", MetricUnit.Count, "sent ids that carried the poison marker (delivery ledger)"),
        new("redeliveries", MetricUnit.Count, "processing attempts after the first: async retries, SQS re-deliveries (delivery ledger)"),
        new("failed_attempts", MetricUnit.Count, "processing attempts that did not succeed (delivery ledger)"),
        new("delayed_good", MetricUnit.Count, "ids without the poison marker processed only after a re-delivery (delivery ledger)"),
        new("delivery_p50", MetricUnit.Duration, "p50 end-to-end latency, intended send to processed (delivery ledger)"),
        new("delivery_p95", MetricUnit.Duration, "p95 end-to-end latency, intended send to processed (delivery ledger)"),
        new("delivery_p99", MetricUnit.Duration, "p99 end-to-end latency, intended send to processed (delivery ledger)"),
        new("delivery_max", MetricUnit.Duration, "highest end-to-end latency, intended send to processed (delivery ledger)"),
        new("drain_time", MetricUnit.Duration, "time from the end of the load until the source queue was empty (delivery ledger)"),
        new("dlq_depth", MetricUnit.Count, "messages that arrived in the dead-letter queues and on-failure destinations so far (delivery ledger; the harness reads and removes them, so this is the depth they would have reached); also an abort condition"),
    ];

    /// <summary>
    /// Delivery-ledger metrics known during the run, so that abort conditions may read them (the ledger's snapshot after
    /// every interval): <c>dlq_depth</c>, and <c>lost</c> (the ids the source reported it discarded leaving no record;
    /// on the emulator only, AWS gives no such evidence). The others are final only after the ledger settles.
    /// </summary>
    public static readonly ImmutableHashSet<string> LiveLedgerMetrics = ImmutableHashSet.Create(StringComparer.Ordinal, "dlq_depth", "lost");

    /// <summary>True for a metric the delivery ledger measures.</summary>
    public static bool IsLedgerMetric(string name) => LedgerMetrics.Any(m => m.Name == name);

    /// <summary>Every metric, by name.</summary>
    public static readonly ImmutableDictionary<string, MetricDefinition> All = BuildCatalog();

    private static ImmutableDictionary<string, MetricDefinition> BuildCatalog()
    {
        var list = new List<MetricDefinition>();
        foreach (var p in Percentiles.Keys)
        {
            list.Add(new(p, MetricUnit.Duration, $"{p} latency, measured from each invocation's intended start"));
        }

        list.AddRange(
        [
            new("min", MetricUnit.Duration, "lowest latency"),
            new("max", MetricUnit.Duration, "highest latency"),
            new("mean", MetricUnit.Duration, "mean latency"),
            new("lateness_p99", MetricUnit.Duration, "p99 of actual minus intended start (generator health)"),
            new("lateness_max", MetricUnit.Duration, "highest lateness"),
            new("error_rate", MetricUnit.Ratio, "share of completed invocations whose outcome is not ok (throttles included)"),
            new("throttle_rate", MetricUnit.Ratio, "share of completed invocations that were throttled"),
            new("timeout_rate", MetricUnit.Ratio, "share of completed invocations that timed out"),
            new("function_error_rate", MetricUnit.Ratio, "share of completed invocations that ended in a function error"),
            new("drop_rate", MetricUnit.Ratio, "share of arrivals dropped because maxInFlight was reached"),
            new("dropped", MetricUnit.Count, "arrivals dropped because maxInFlight was reached"),
            new("requests", MetricUnit.Count, "invocations started"),
            new("completed", MetricUnit.Count, "invocations that ended with an outcome"),
            new("errors", MetricUnit.Count, "completed invocations whose outcome is not ok"),
            new("throttles", MetricUnit.Count, "throttled invocations"),
            new("timeouts", MetricUnit.Count, "timed-out invocations"),
            new("rate", MetricUnit.PerSecond, "achieved start rate over the whole run"),
            new("cold_starts", MetricUnit.Count, "cold starts seen (in log tails of sampled invocations, or by the model)"),
            new("cold_start_rate", MetricUnit.Ratio, "share of sampled invocations that were cold starts"),
        ]);
        list.AddRange(LedgerMetrics);
        return list.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal);
    }
}

/// <summary>Comparison operators of the threshold language.</summary>
public enum ThresholdOperator
{
    /// <summary><c>&lt;</c></summary>
    LessThan,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>&gt;</c></summary>
    GreaterThan,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>==</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
}

/// <summary>
/// A pass/fail rule such as <c>p99 &lt; 800ms</c>, <c>error_rate &lt; 1%</c> or <c>p95{path=sync,outcome=ok} &lt;= 1s</c>.
/// </summary>
/// <param name="Expression">The rule as written.</param>
/// <param name="Metric">The metric it reads.</param>
/// <param name="Path">Restricts the metric to one path, or null for all.</param>
/// <param name="Outcome">Restricts a latency metric to one outcome, or null for all.</param>
/// <param name="Operator">Comparison.</param>
/// <param name="Value">Right-hand side in the metric's base unit (ms, ratio, count, per second).</param>
public sealed record Threshold(string Expression, MetricDefinition Metric, InvocationPath? Path, Outcome? Outcome, ThresholdOperator Operator, double Value)
{
    /// <summary>Applies the operator.</summary>
    public bool Holds(double actual) => Operator switch
    {
        ThresholdOperator.LessThan => actual < Value,
        ThresholdOperator.LessOrEqual => actual <= Value,
        ThresholdOperator.GreaterThan => actual > Value,
        ThresholdOperator.GreaterOrEqual => actual >= Value,
        ThresholdOperator.Equal => Math.Abs(actual - Value) < 1e-9,
        ThresholdOperator.NotEqual => Math.Abs(actual - Value) >= 1e-9,
        _ => false,
    };

    /// <summary>Formats a value of this threshold's metric for people.</summary>
    public string Format(double value) => FormatValue(Metric.Unit, value);

    /// <summary>Formats a value in a unit for people.</summary>
    public static string FormatValue(MetricUnit unit, double value) => unit switch
    {
        MetricUnit.Duration => value >= 1000 ? $"{(value / 1000).ToString("0.###", CultureInfo.InvariantCulture)}s" : $"{value.ToString("0.###", CultureInfo.InvariantCulture)}ms",
        MetricUnit.Ratio => $"{(value * 100).ToString("0.####", CultureInfo.InvariantCulture)}%",
        MetricUnit.PerSecond => $"{value.ToString("0.##", CultureInfo.InvariantCulture)}/s",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
