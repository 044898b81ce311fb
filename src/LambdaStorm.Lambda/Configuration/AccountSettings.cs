namespace LambdaStorm.Lambda;

/// <summary>
/// Validated, immutable account settings (built from <see cref="AccountOptions"/>). Rates are stored as whole
/// tokens per minute so that the token buckets use exact integer arithmetic.
/// </summary>
internal sealed record AccountSettings
{
    /// <summary>AWS region.</summary>
    public required string Region { get; init; }

    /// <summary>Twelve-digit account id.</summary>
    public required string AccountId { get; init; }

    /// <summary>Account concurrency limit.</summary>
    public required int ConcurrencyLimit { get; init; }

    /// <summary>Concurrency that must stay unreserved.</summary>
    public required int UnreservedMinimum { get; init; }

    /// <summary>Scaling model.</summary>
    public required ScalingModel ScalingModel { get; init; }

    /// <summary>Per-function token-bucket capacity (new environments).</summary>
    public required int PerFunctionScaleBurst { get; init; }

    /// <summary>Per-function refill, new environments per minute (100/s = 6,000/min).</summary>
    public required long PerFunctionScaleRatePerMinute { get; init; }

    /// <summary>Account-wide legacy burst (resolved from the region unless overridden).</summary>
    public required int LegacyBurst { get; init; }

    /// <summary>Legacy refill, new environments per minute.</summary>
    public required long LegacyScaleRatePerMinute { get; init; }

    /// <summary>Account-wide invocations per second.</summary>
    public required int RequestRateLimit { get; init; }

    /// <summary>Provisioned-concurrency allocation rate per function, environments per minute.</summary>
    public required long ProvisionedRampPerMinute { get; init; }

    /// <summary>Idle time after which an on-demand environment is reaped.</summary>
    public required TimeSpan IdleReapAfter { get; init; }

    /// <summary>Age after which an on-demand environment is recycled.</summary>
    public required TimeSpan MaxEnvironmentLifetime { get; init; }

    /// <summary>Clamp for sampled init durations.</summary>
    public required TimeSpan InitTimeout { get; init; }

    /// <summary>Delay before async retry n (index n-1; the last entry repeats).</summary>
    public required IReadOnlyList<TimeSpan> AsyncRetryDelays { get; init; }

    /// <summary>First async throttle back-off.</summary>
    public required TimeSpan AsyncThrottleInitialBackoff { get; init; }

    /// <summary>Async throttle back-off cap.</summary>
    public required TimeSpan AsyncThrottleMaxBackoff { get; init; }

    /// <summary>Largest synchronous payload, bytes.</summary>
    public required int MaxSyncPayloadBytes { get; init; }

    /// <summary>Largest asynchronous payload, bytes.</summary>
    public required int MaxAsyncPayloadBytes { get; init; }

    /// <summary>USD per one million requests.</summary>
    public required double PricePerMillionRequests { get; init; }

    /// <summary>USD per GB-s on x86_64.</summary>
    public required double PricePerGbSecondX86 { get; init; }

    /// <summary>USD per GB-s on arm64.</summary>
    public required double PricePerGbSecondArm64 { get; init; }

    /// <summary>Concurrent batches an SQS mapping starts with and idles down to.</summary>
    public int SqsPollerInitial { get; init; } = SqsPollerDefaults.Initial;

    /// <summary>Concurrent batches an SQS mapping may add per minute while messages wait.</summary>
    public int SqsPollerScaleUpPerMinute { get; init; } = SqsPollerDefaults.StandardScaleUpPerMinute;

    /// <summary>Ceiling of concurrent batches per SQS mapping.</summary>
    public int SqsPollerMaximum { get; init; } = SqsPollerDefaults.StandardMaximum;

    /// <summary>The AWS defaults (us-east-1, per-function scaling).</summary>
    public static AccountSettings Default { get; } = new AccountOptions().Build();
}
