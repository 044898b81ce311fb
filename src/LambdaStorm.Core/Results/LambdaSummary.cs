using System.Collections.Immutable;
using LambdaStorm.Lambda;

namespace LambdaStorm.Results;

/// <summary>Percentiles of a set of durations, in milliseconds.</summary>
public sealed record DurationPercentiles(long Count, double Mean, double P50, double P90, double P99, double Max);

/// <summary>
/// Burst ceiling and scaling slope observed on the invoked function's concurrency series: the concurrency reached when
/// throttling first became sustained, and how fast concurrency rose while throttles continued.
/// </summary>
public sealed record BurstSummary(
    bool SustainedThrottling,
    double? OnsetSeconds,
    int? ConcurrencyAtOnset,
    double? BurstCeiling,
    double? SlopePerMinute,
    double? SlopePer10Seconds,
    double? SlopeRSquared,
    int PeakConcurrency,
    double? PeakSeconds,
    int? TargetConcurrency,
    double? TimeToTargetSeconds);

/// <summary>One function's counters in the model.</summary>
public sealed record LambdaFunctionSummary(
    string Name,
    long Invocations,
    long ColdStarts,
    long FunctionErrors,
    long Throttles,
    int PeakConcurrency,
    int? ReservedConcurrency,
    int ProvisionedAllocated);

/// <summary>Async outcomes by attempt.</summary>
public sealed record AsyncOutcomes(
    long Queued,
    long FirstTrySuccess,
    ImmutableDictionary<string, long> SuccessAfterRetry,
    long RetriesExhausted,
    long EventAgeExceeded,
    long RetriesAfterFunctionError,
    long RetriesAfterThrottle,
    long DestinationDeliveries,
    long DestinationFailures,
    long Duplicates,
    long Pending);

/// <summary>Estimated cost of what the model executed (requests, and GB-s with billed init).</summary>
public sealed record CostSummary(long Requests, double BilledGbSeconds, double RequestUsd, double TotalX86Usd, double TotalArm64Usd, double AsConfiguredUsd);

/// <summary>
/// What the Lambda model saw during a run against the emulator target: throttles by reason, cold starts and init
/// durations, peak concurrency against the limits, burst ceiling and scaling slope, async outcomes, estimated cost.
/// </summary>
public sealed record LambdaSummary(
    string ScalingModel,
    long Invocations,
    long Completed,
    long FunctionErrors,
    long Timeouts,
    long ColdStarts,
    DurationPercentiles InitDurationMs,
    long SyncThrottles,
    long AsyncThrottles,
    ImmutableDictionary<string, long> ThrottlesByReason,
    int PeakAccountConcurrency,
    int AccountLimit,
    int UnreservedPool,
    BurstSummary Burst,
    ImmutableArray<LambdaFunctionSummary> Functions,
    AsyncOutcomes Async,
    CostSummary Cost)
{
    /// <summary>Builds the summary from the model's statistics at the end of a run.</summary>
    /// <param name="model">The model.</param>
    /// <param name="statistics">Its statistics.</param>
    /// <param name="function">The function the load invoked: the burst analysis runs on its series (per-function scaling).</param>
    internal static LambdaSummary From(LambdaModel model, ModelStatistics statistics, string function)
    {
        var report = statistics.GetReport();
        var reserved = report.Functions.FirstOrDefault(f => f.Name == function)?.ReservedConcurrency;
        var target = reserved is { } r ? Math.Min(r, report.AccountLimit) : report.AccountLimit;
        var burst = BurstAnalysis.Analyze(statistics.GetFunctionSeries(function), new BurstAnalysisOptions { TargetConcurrency = target });
        var a = report.Async;
        var c = report.Cost;
        return new LambdaSummary(
            model.Account.ScalingModel == Lambda.ScalingModel.LegacyBurst ? "legacy-burst" : "per-function",
            report.Invocations,
            report.Completed,
            report.FunctionErrors,
            report.Timeouts,
            report.ColdStarts,
            new DurationPercentiles(report.InitDuration.Count, Round(report.InitDuration.Mean), Round(report.InitDuration.P50), Round(report.InitDuration.P90), Round(report.InitDuration.P99), Round(report.InitDuration.Max)),
            report.SyncThrottles,
            report.AsyncThrottles,
            report.ThrottlesByReason.ToImmutableDictionary(kv => kv.Key.ToString(), kv => kv.Value),
            report.PeakAccountConcurrency,
            report.AccountLimit,
            report.UnreservedPool,
            new BurstSummary(
                burst.SustainedThrottling,
                burst.Onset?.TotalSeconds,
                burst.ConcurrencyAtOnset,
                Round(burst.BurstCeiling),
                Round(burst.SlopePerMinute),
                Round(burst.SlopePer10Seconds),
                Round(burst.SlopeRSquared),
                burst.PeakConcurrency,
                burst.PeakOffset?.TotalSeconds,
                burst.TargetConcurrency,
                burst.TimeToTarget?.TotalSeconds),
            [.. report.Functions.Select(f => new LambdaFunctionSummary(f.Name, f.Invocations, f.ColdStarts, f.FunctionErrors, f.Throttles, f.PeakConcurrency, f.ReservedConcurrency, f.ProvisionedAllocated))],
            new AsyncOutcomes(
                a.Queued,
                a.FirstTrySuccess,
                a.SuccessAfterRetry.ToImmutableDictionary(kv => $"retry{kv.Key}", kv => kv.Value),
                a.RetriesExhausted,
                a.EventAgeExceeded,
                a.RetriesAfterFunctionError,
                a.RetriesAfterThrottle,
                a.DestinationDeliveries,
                a.DestinationFailures,
                a.Duplicates,
                a.Pending),
            new CostSummary(c.Requests, Math.Round(c.BilledGbSeconds, 3), Math.Round(c.RequestCostUsd, 6), Math.Round(c.TotalX86Usd, 6), Math.Round(c.TotalArm64Usd, 6), Math.Round(c.AsConfiguredUsd, 6)));
    }

    private static double Round(double v) => Math.Round(v, 3);

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;
}
