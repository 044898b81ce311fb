using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Results;

/// <summary>The verdict of one threshold.</summary>
/// <param name="Expression">The rule as written.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Actual">The measured value in the metric's base unit, or null when there was no data.</param>
/// <param name="ActualText">The measured value for people.</param>
/// <param name="Note">Why it failed without data, or null.</param>
public sealed record ThresholdVerdict(string Expression, bool Passed, double? Actual, string ActualText, string? Note);

/// <summary>Evaluates thresholds on merged run data. Part of internal API.</summary>
internal static class ThresholdEvaluator
{
    /// <summary>Evaluates one threshold; a metric without data fails with a note.</summary>
    public static ThresholdVerdict Evaluate(Threshold threshold, RunAggregate data, double loadSeconds, LedgerReport? ledger = null)
    {
        var actual = Measure(threshold, data, loadSeconds, ledger);
        if (actual is not { } value || double.IsNaN(value))
        {
            return new ThresholdVerdict(threshold.Expression, false, null, "n/a", "no data: nothing was measured for this metric");
        }

        return new ThresholdVerdict(threshold.Expression, threshold.Holds(value), value, threshold.Format(value), null);
    }

    /// <summary>The value of a threshold's metric, or null when there is no data.</summary>
    public static double? Measure(Threshold t, RunAggregate data, double loadSeconds, LedgerReport? ledger = null)
    {
        var name = t.Metric.Name;
        if (ThresholdMetrics.IsLedgerMetric(name))
        {
            return ledger is null ? null : MeasureLedger(name, ledger);
        }

        if (ThresholdMetrics.Percentiles.TryGetValue(name, out var pct))
        {
            var h = data.Latency(t.Path, t.Outcome);
            return h.TotalCount == 0 ? null : HistogramCodec.PercentileMs(h, pct);
        }

        double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;
        var completed = data.Completed(t.Path);
        return name switch
        {
            "min" => LatencyOrNull(data, t, HistogramCodec.MinMs),
            "max" => LatencyOrNull(data, t, HistogramCodec.MaxMs),
            "mean" => LatencyOrNull(data, t, HistogramCodec.MeanMs),
            "lateness_p99" => data.Lateness(t.Path) is { TotalCount: > 0 } l ? HistogramCodec.PercentileMs(l, 99) : null,
            "lateness_max" => data.Lateness(t.Path) is { TotalCount: > 0 } l2 ? HistogramCodec.MaxMs(l2) : null,
            "error_rate" => Ratio(completed - data.Completed(t.Path, Outcome.Ok), completed),
            "throttle_rate" => Ratio(data.Completed(t.Path, Outcome.Throttled), completed),
            "timeout_rate" => Ratio(data.Completed(t.Path, Outcome.Timeout), completed),
            "function_error_rate" => Ratio(data.Completed(t.Path, Outcome.FunctionError), completed),
            "drop_rate" => Ratio(data.Sum(p => p.Dropped, t.Path), data.Sum(p => p.Offered, t.Path)),
            "dropped" => data.Sum(p => p.Dropped, t.Path),
            "requests" => data.Sum(p => p.Started, t.Path),
            "completed" => completed,
            "errors" => completed - data.Completed(t.Path, Outcome.Ok),
            "throttles" => data.Completed(t.Path, Outcome.Throttled),
            "timeouts" => data.Completed(t.Path, Outcome.Timeout),
            "cold_starts" => data.Sum(p => p.ColdStarts, t.Path),
            "cold_start_rate" => Ratio(data.Sum(p => p.ColdStarts, t.Path), data.Sum(p => p.Sampled, t.Path)),
            "rate" => loadSeconds <= 0 ? null : data.Sum(p => p.Started, t.Path) / loadSeconds,
            _ => null,
        };
    }

    /// <summary>A delivery-ledger metric (classes, duplicates, end-to-end latency), or null when it has no data.</summary>
    private static double? MeasureLedger(string name, LedgerReport l) => name switch
    {
        "lost" => l.LostSoFar(),
        "in_flight" => l.Count(DeliveryClass.InFlight),
        "dlq" => l.Count(DeliveryClass.DeadLettered),
        "dlq_good" => l.GoodDeadLettered,
        "expired" => l.Count(DeliveryClass.Expired),
        "unknown" => l.Count(DeliveryClass.Unknown),
        "rejected" => l.Count(DeliveryClass.Rejected),
        "first_attempt" => l.Count(DeliveryClass.FirstAttempt),
        "after_retry" => l.Count(DeliveryClass.AfterRetry),
        "processed" => l.Processed,
        "duplicates" => l.Duplicates,
        "poison_pills" => l.Poisoned,
        "redeliveries" => l.Redeliveries,
        "failed_attempts" => l.FailedAttempts,
        "delayed_good" => l.DelayedGood,
        "delivery_p50" => l.EndToEndMs.Count == 0 ? null : l.EndToEndMs.P50,
        "delivery_p95" => l.EndToEndMs.Count == 0 ? null : l.EndToEndMs.P95,
        "delivery_p99" => l.EndToEndMs.Count == 0 ? null : l.EndToEndMs.P99,
        "delivery_max" => l.EndToEndMs.Count == 0 ? null : l.EndToEndMs.Max,
        "drain_time" => l.DrainSeconds * 1000,
        "dlq_depth" => l.DeadLetterArrivals,
        _ => null,
    };

    private static double? LatencyOrNull(RunAggregate data, Threshold t, Func<HdrHistogram.HistogramBase, double> stat)
    {
        var h = data.Latency(t.Path, t.Outcome);
        return h.TotalCount == 0 ? null : stat(h);
    }
}
