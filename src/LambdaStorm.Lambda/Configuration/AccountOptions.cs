namespace LambdaStorm.Lambda;

/// <summary>
/// Mutable account-level configuration of the Lambda model, bound from YAML or the command line and validated into
/// an immutable <see cref="AccountSettings"/> by <see cref="LambdaModelOptions.ToSettings"/>.
/// Every default is AWS's documented value; the reference section is cited on each property.
/// </summary>
internal sealed class AccountOptions
{
    /// <summary>AWS region. <value>Defaults to <c>us-east-1</c>.</value> Selects the legacy burst quota [S3] and appears in ARNs.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Twelve-digit account id used in ARNs. <value>Defaults to <c>000000000000</c>.</value></summary>
    public string AccountId { get; set; } = "000000000000";

    /// <summary>Account concurrency limit per region. <value>Defaults to 1,000 [S34] (§1.3).</value></summary>
    public int ConcurrencyLimit { get; set; } = 1000;

    /// <summary>
    /// Concurrency that must stay unreserved; <c>PutFunctionConcurrency</c> may not push the unreserved pool below it.
    /// <value>Defaults to 100 [S8][S5] (§1.3; reduced-quota accounts have seen 50 [S37]).</value>
    /// </summary>
    public int UnreservedMinimum { get; set; } = 100;

    /// <summary>Scaling model. <value>Defaults to <see cref="Lambda.ScalingModel.PerFunction"/> (AWS since Nov 2023) [S1][S2].</value></summary>
    public ScalingModel ScalingModel { get; set; } = ScalingModel.PerFunction;

    /// <summary>
    /// Per-function scaling: most new environments a function can add at once (token-bucket capacity).
    /// <value>Defaults to 1,000 [S1] (§1.2).</value>
    /// </summary>
    public int PerFunctionScaleBurst { get; set; } = 1000;

    /// <summary>
    /// Per-function scaling: continuous refill of the bucket, environments per second.
    /// <value>Defaults to 100/s, i.e. 1,000 per 10 s [S1] (§1.2).</value>
    /// </summary>
    public double PerFunctionScaleRatePerSecond { get; set; } = 100;

    /// <summary>
    /// Legacy scaling: account-wide burst. <value>Defaults to <c>null</c>: by region, 3,000 for us-east-1, us-west-2 and
    /// eu-west-1; 1,000 for ap-northeast-1, eu-central-1 and us-east-2; 500 elsewhere [S3] (§1.1).</value>
    /// </summary>
    public int? LegacyBurst { get; set; }

    /// <summary>Legacy scaling: environments added per minute after the burst. <value>Defaults to 500/min [S3] (§1.1).</value></summary>
    public double LegacyScaleRatePerMinute { get; set; } = 500;

    /// <summary>
    /// Account-wide invocation rate limit, requests per second, as a token bucket holding one second of requests.
    /// <value>Defaults to <c>null</c>: <see cref="RequestRateMultiplier"/> × <see cref="ConcurrencyLimit"/> [S4] (§2.1).</value>
    /// </summary>
    public int? RequestRateLimit { get; set; }

    /// <summary>Multiplier that derives the request-rate limit from the concurrency limit. <value>Defaults to 10 [S4] (§2.1).</value></summary>
    public int RequestRateMultiplier { get; set; } = 10;

    /// <summary>Provisioned-concurrency allocation rate per function, environments per minute. <value>Defaults to 6,000/min [S7] (§1.3).</value></summary>
    public double ProvisionedRampPerMinute { get; set; } = 6000;

    /// <summary>An idle on-demand environment is reaped after this long. <value>Defaults to 10 min [S31] (§6; undocumented, observed).</value></summary>
    public TimeSpan IdleReapAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>An on-demand environment is recycled once it is this old. <value>Defaults to 2 h [S31] (§6; observed).</value></summary>
    public TimeSpan MaxEnvironmentLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Sampled init durations are clamped to this on-demand init limit. <value>Defaults to 10 s [S20] (§6).</value></summary>
    public TimeSpan InitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Delay before async retry n (1-based) after a function error; the last entry repeats.
    /// <value>Defaults to 1 min then 2 min [S11] (§4). Shorten (e.g. 1 s, 2 s) for demos.</value>
    /// </summary>
    public List<TimeSpan> AsyncRetryDelays { get; set; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];

    /// <summary>First back-off after an async event is throttled; it doubles each time. <value>Defaults to 1 s [S11] (§2.3).</value></summary>
    public TimeSpan AsyncThrottleInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the async throttle back-off. <value>Defaults to 5 min [S11] (§2.3).</value></summary>
    public TimeSpan AsyncThrottleMaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest synchronous request payload in bytes. <value>Defaults to 6 MB (6,291,456) [S8] (§3).</value></summary>
    public int MaxSyncPayloadBytes { get; set; } = 6 * 1024 * 1024;

    /// <summary>Largest asynchronous request payload in bytes. <value>Defaults to 1 MB (1,048,576) [S25] (§3, §9).</value></summary>
    public int MaxAsyncPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Price per one million requests, USD. <value>Defaults to 0.20 (us-east-1) [S24] (§6).</value></summary>
    public double PricePerMillionRequests { get; set; } = 0.20;

    /// <summary>Compute price per GB-second on x86_64, USD. <value>Defaults to 0.0000166667 (us-east-1) [S24] (§6).</value></summary>
    public double PricePerGbSecondX86 { get; set; } = 0.0000166667;

    /// <summary>Compute price per GB-second on arm64, USD. <value>Defaults to 0.0000133334 (us-east-1) [S24] (§6).</value></summary>
    public double PricePerGbSecondArm64 { get; set; } = 0.0000133334;

    /// <summary>
    /// SQS poller scaling preset of event source mappings: <see cref="Lambda.SqsPollerPreset.Standard"/> (+300/min, ceiling
    /// 1,250) or <see cref="Lambda.SqsPollerPreset.Legacy"/> (+60/min, ceiling 1,000, before the late-2023 change).
    /// <value>Defaults to standard [S13][S14] (§5.1).</value>
    /// </summary>
    public SqsPollerPreset SqsPollerPreset { get; set; } = SqsPollerPreset.Standard;

    /// <summary>Concurrent batches an SQS mapping starts with, and idles down to. <value>Defaults to 5 [S13] (§5.1).</value></summary>
    public int SqsPollerInitial { get; set; } = SqsPollerDefaults.Initial;

    /// <summary>
    /// Concurrent batches an SQS mapping may add per minute while messages are waiting.
    /// <value>Defaults to <c>null</c>: by preset, 300/min standard, 60/min legacy [S13][S14] (§5.1).</value>
    /// </summary>
    public int? SqsPollerScaleUpPerMinute { get; set; }

    /// <summary>
    /// Ceiling of concurrent batches per SQS mapping.
    /// <value>Defaults to <c>null</c>: by preset, 1,250 standard, 1,000 legacy [S13][S14] (§5.1).</value>
    /// </summary>
    public int? SqsPollerMaximum { get; set; }

    /// <summary>The legacy burst quota for a region [S3] (§1.1).</summary>
    public static int LegacyBurstForRegion(string region) => region.Trim().ToLowerInvariant() switch
    {
        "us-east-1" or "us-west-2" or "eu-west-1" => 3000,
        "ap-northeast-1" or "eu-central-1" or "us-east-2" => 1000,
        _ => 500,
    };

    internal IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Region))
        {
            yield return $"{path}.Region: must not be empty";
        }

        if (AccountId is null || AccountId.Length != 12 || !AccountId.All(char.IsAsciiDigit))
        {
            yield return $"{path}.AccountId: must be 12 digits (was '{AccountId}')";
        }

        if (ConcurrencyLimit is < 1 or > 1_000_000)
        {
            yield return $"{path}.ConcurrencyLimit: must be between 1 and 1000000 (was {ConcurrencyLimit})";
        }

        if (UnreservedMinimum < 0 || UnreservedMinimum > ConcurrencyLimit)
        {
            yield return $"{path}.UnreservedMinimum: must be between 0 and ConcurrencyLimit ({ConcurrencyLimit}) (was {UnreservedMinimum})";
        }

        if (!Enum.IsDefined(ScalingModel))
        {
            yield return $"{path}.ScalingModel: must be per-function or legacy-burst (was {(int)ScalingModel})";
        }

        if (PerFunctionScaleBurst is < 1 or > 10_000_000)
        {
            yield return $"{path}.PerFunctionScaleBurst: must be between 1 and 10000000 (was {PerFunctionScaleBurst})";
        }

        if (!(PerFunctionScaleRatePerSecond * 60 >= 1) || PerFunctionScaleRatePerSecond > 10_000_000)
        {
            yield return $"{path}.PerFunctionScaleRatePerSecond: must be at least 1/60 (one per minute) and at most 10000000 (was {PerFunctionScaleRatePerSecond})";
        }

        if (LegacyBurst is < 1 or > 10_000_000)
        {
            yield return $"{path}.LegacyBurst: must be between 1 and 10000000 when set (was {LegacyBurst})";
        }

        if (!(LegacyScaleRatePerMinute >= 1) || LegacyScaleRatePerMinute > 600_000_000)
        {
            yield return $"{path}.LegacyScaleRatePerMinute: must be at least 1 (was {LegacyScaleRatePerMinute})";
        }

        if (RequestRateLimit is < 1 or > 100_000_000)
        {
            yield return $"{path}.RequestRateLimit: must be between 1 and 100000000 when set (was {RequestRateLimit})";
        }

        if (RequestRateMultiplier is < 1 or > 100)
        {
            yield return $"{path}.RequestRateMultiplier: must be between 1 and 100 (was {RequestRateMultiplier})";
        }

        if (!(ProvisionedRampPerMinute >= 1) || ProvisionedRampPerMinute > 600_000_000)
        {
            yield return $"{path}.ProvisionedRampPerMinute: must be at least 1 (was {ProvisionedRampPerMinute})";
        }

        if (IdleReapAfter <= TimeSpan.Zero)
        {
            yield return $"{path}.IdleReapAfter: must be positive (was {IdleReapAfter})";
        }

        if (MaxEnvironmentLifetime <= TimeSpan.Zero)
        {
            yield return $"{path}.MaxEnvironmentLifetime: must be positive (was {MaxEnvironmentLifetime})";
        }

        if (InitTimeout <= TimeSpan.Zero)
        {
            yield return $"{path}.InitTimeout: must be positive (was {InitTimeout})";
        }

        if (AsyncRetryDelays is null || AsyncRetryDelays.Count == 0)
        {
            yield return $"{path}.AsyncRetryDelays: must list at least one delay";
        }
        else
        {
            for (var i = 0; i < AsyncRetryDelays.Count; i++)
            {
                if (AsyncRetryDelays[i] < TimeSpan.Zero)
                {
                    yield return $"{path}.AsyncRetryDelays[{i}]: must not be negative (was {AsyncRetryDelays[i]})";
                }
            }
        }

        if (AsyncThrottleInitialBackoff <= TimeSpan.Zero)
        {
            yield return $"{path}.AsyncThrottleInitialBackoff: must be positive (was {AsyncThrottleInitialBackoff})";
        }

        if (AsyncThrottleMaxBackoff < AsyncThrottleInitialBackoff)
        {
            yield return $"{path}.AsyncThrottleMaxBackoff: must be at least AsyncThrottleInitialBackoff (was {AsyncThrottleMaxBackoff})";
        }

        if (MaxSyncPayloadBytes < 1)
        {
            yield return $"{path}.MaxSyncPayloadBytes: must be positive (was {MaxSyncPayloadBytes})";
        }

        if (MaxAsyncPayloadBytes < 1)
        {
            yield return $"{path}.MaxAsyncPayloadBytes: must be positive (was {MaxAsyncPayloadBytes})";
        }

        if (!Enum.IsDefined(SqsPollerPreset))
        {
            yield return $"{path}.SqsPollerPreset: must be standard or legacy (was {(int)SqsPollerPreset})";
        }

        if (SqsPollerInitial is < 1 or > 100_000)
        {
            yield return $"{path}.SqsPollerInitial: must be between 1 and 100000 (was {SqsPollerInitial})";
        }

        if (SqsPollerScaleUpPerMinute is < 1 or > 10_000_000)
        {
            yield return $"{path}.SqsPollerScaleUpPerMinute: must be between 1 and 10000000 when set (was {SqsPollerScaleUpPerMinute})";
        }

        var pollerMaximum = SqsPollerMaximum ?? SqsPollerDefaults.Maximum(SqsPollerPreset);
        if (pollerMaximum < SqsPollerInitial || pollerMaximum > 1_000_000)
        {
            yield return $"{path}.SqsPollerMaximum: must be at least SqsPollerInitial ({SqsPollerInitial}) and at most 1000000 (was {pollerMaximum})";
        }

        if (!(PricePerMillionRequests >= 0))
        {
            yield return $"{path}.PricePerMillionRequests: must not be negative (was {PricePerMillionRequests})";
        }

        if (!(PricePerGbSecondX86 >= 0))
        {
            yield return $"{path}.PricePerGbSecondX86: must not be negative (was {PricePerGbSecondX86})";
        }

        if (!(PricePerGbSecondArm64 >= 0))
        {
            yield return $"{path}.PricePerGbSecondArm64: must not be negative (was {PricePerGbSecondArm64})";
        }
    }

    internal AccountSettings Build() => new()
    {
        Region = Region.Trim(),
        AccountId = AccountId,
        ConcurrencyLimit = ConcurrencyLimit,
        UnreservedMinimum = UnreservedMinimum,
        ScalingModel = ScalingModel,
        PerFunctionScaleBurst = PerFunctionScaleBurst,
        PerFunctionScaleRatePerMinute = Math.Max(1, (long)Math.Round(PerFunctionScaleRatePerSecond * 60)),
        LegacyBurst = LegacyBurst ?? LegacyBurstForRegion(Region),
        LegacyScaleRatePerMinute = Math.Max(1, (long)Math.Round(LegacyScaleRatePerMinute)),
        RequestRateLimit = RequestRateLimit ?? checked(RequestRateMultiplier * ConcurrencyLimit),
        ProvisionedRampPerMinute = Math.Max(1, (long)Math.Round(ProvisionedRampPerMinute)),
        IdleReapAfter = IdleReapAfter,
        MaxEnvironmentLifetime = MaxEnvironmentLifetime,
        InitTimeout = InitTimeout,
        AsyncRetryDelays = [.. AsyncRetryDelays],
        AsyncThrottleInitialBackoff = AsyncThrottleInitialBackoff,
        AsyncThrottleMaxBackoff = AsyncThrottleMaxBackoff,
        MaxSyncPayloadBytes = MaxSyncPayloadBytes,
        MaxAsyncPayloadBytes = MaxAsyncPayloadBytes,
        PricePerMillionRequests = PricePerMillionRequests,
        PricePerGbSecondX86 = PricePerGbSecondX86,
        PricePerGbSecondArm64 = PricePerGbSecondArm64,
        SqsPollerInitial = SqsPollerInitial,
        SqsPollerScaleUpPerMinute = SqsPollerScaleUpPerMinute ?? SqsPollerDefaults.ScaleUpPerMinute(SqsPollerPreset),
        SqsPollerMaximum = SqsPollerMaximum ?? SqsPollerDefaults.Maximum(SqsPollerPreset),
    };
}
