namespace LambdaStorm.Lambda;

/// <summary>
/// AWS's <c>ThrottleReason</c> enum, carried as <c>Reason</c> in a 429 <c>TooManyRequestsException</c> [S8][S9] (§2.2).
/// The model produces the first three; the rest exist so that hosts can classify what real AWS returns.
/// </summary>
internal enum ThrottleReason
{
    /// <summary>The account concurrency (unreserved pool) is exhausted.</summary>
    ConcurrentInvocationLimitExceeded,

    /// <summary>The function is at its reserved concurrency (or reserved concurrency is 0).</summary>
    ReservedFunctionConcurrentInvocationLimitExceeded,

    /// <summary>A rate limit: the scaling rate (new environments) or the account request rate; AWS does not say which.</summary>
    FunctionInvocationRateLimitExceeded,

    /// <summary>Rate limit on a reserved function (not produced by the model; unconfirmed semantics).</summary>
    ReservedFunctionInvocationRateLimitExceeded,

    /// <summary>Caller/API rate (not produced by the model).</summary>
    CallerRateLimitExceeded,

    /// <summary>SnapStart snapshot creation (not produced by the model).</summary>
    ConcurrentSnapshotCreateLimitExceeded,
}
