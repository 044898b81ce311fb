namespace LambdaStorm.Lambda;

/// <summary>
/// Per-interval time series of one function or the whole account, as collected by <see cref="ModelStatistics"/> (or
/// built by a host from its own measurements). Index i covers [Origin + i·Interval, Origin + (i+1)·Interval).
/// All arrays have the same length; arrays a host cannot fill may be all zeros.
/// </summary>
internal sealed record ConcurrencySeries
{
    /// <summary>Start of interval 0.</summary>
    public required DateTimeOffset Origin { get; init; }

    /// <summary>Interval length (1 s from <see cref="ModelStatistics"/>).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Highest number of running executions during the interval (CloudWatch ConcurrentExecutions, Maximum).</summary>
    public required int[] Concurrency { get; init; }

    /// <summary>Invocations admitted in the interval.</summary>
    public required int[] Invocations { get; init; }

    /// <summary>New on-demand environments (cold starts) in the interval: what the scaling bucket was charged.</summary>
    public required int[] ColdStarts { get; init; }

    /// <summary>Throttles of every reason in the interval.</summary>
    public required int[] Throttles { get; init; }

    /// <summary>Throttles with reason FunctionInvocationRateLimitExceeded (scaling rate or request rate).</summary>
    public required int[] RateThrottles { get; init; }

    /// <summary>Throttles with reason ConcurrentInvocationLimitExceeded (account pool).</summary>
    public required int[] AccountLimitThrottles { get; init; }

    /// <summary>Throttles with reason ReservedFunctionConcurrentInvocationLimitExceeded.</summary>
    public required int[] ReservedLimitThrottles { get; init; }

    /// <summary>Function errors (including timeouts) of executions that ended in the interval.</summary>
    public required int[] Errors { get; init; }

    /// <summary>Number of intervals.</summary>
    public int Length => Concurrency.Length;
}
