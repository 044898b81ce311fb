using System.Text.RegularExpressions;

namespace LambdaStorm.Lambda;

/// <summary>
/// Mutable configuration of one simulated function: its AWS configuration (memory, timeout, architecture, runtime,
/// concurrency, versions and aliases, async config) and its simulated behaviour (duration, errors, poison pill,
/// downstream limit). Validated into an immutable <see cref="FunctionSettings"/>. Behaviour can also come from
/// <c>LAMBDASTORM_*</c> environment variables (<see cref="FromEnvironment"/>).
/// </summary>
internal sealed partial class FunctionOptions
{
    /// <summary>LambdaStorm's default mean duration when none is configured, ms (not an AWS number).</summary>
    public const double DefaultDurationMs = 100;

    /// <summary>Default slowdown above the downstream limit (not an AWS number).</summary>
    public const double DefaultDownstreamSlowdownFactor = 3;

    /// <summary>What a handler that returns nothing answers: JSON <c>null</c>.</summary>
    public const string DefaultResponsePayload = "null";

    /// <summary>1,769 MB of memory is one vCPU [S21] (§6).</summary>
    public const int OneVcpuMemoryMb = 1769;

    /// <summary>Function name, 1–64 characters of letters, digits, '-' and '_' [S8]. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Free-text description. <value>Defaults to empty.</value></summary>
    public string Description { get; set; } = "";

    /// <summary>Memory, 128–10,240 MB. <value>Defaults to 128 [S21][S8] (§6).</value></summary>
    public int MemoryMb { get; set; } = 128;

    /// <summary>Timeout, 1–900 s. <value>Defaults to 3 s [S38] (§6).</value></summary>
    public int TimeoutSeconds { get; set; } = 3;

    /// <summary>Architecture. <value>Defaults to x86_64.</value></summary>
    public FunctionArchitecture Architecture { get; set; } = FunctionArchitecture.X86_64;

    /// <summary>Runtime identifier; selects the default init-duration distribution (§6). <value>Defaults to <c>nodejs22.x</c>.</value></summary>
    public string Runtime { get; set; } = RuntimeProfiles.DefaultRuntime;

    /// <summary>Mean invocation duration at <see cref="DurationReferenceMemoryMb"/>, ms. <value>Defaults to 100 ms (LambdaStorm's choice).</value></summary>
    public double DurationMs { get; set; } = DefaultDurationMs;

    /// <summary>P99 invocation duration, ms. <value>Defaults to none: a fixed duration.</value></summary>
    public double? DurationP99Ms { get; set; }

    /// <summary>
    /// Shape of the duration distribution. <value>Defaults to <c>null</c>: fixed without a P99, log-normal with one.</value>
    /// </summary>
    public DurationDistributionKind? DurationDistribution { get; set; }

    /// <summary>
    /// Share (0–1) of the duration that is CPU-bound. That share scales with the vCPU the memory size buys
    /// (1,769 MB = 1 vCPU [S21]; a single-threaded handler gains nothing above one vCPU). <value>Defaults to 0: memory does not change duration.</value>
    /// </summary>
    public double CpuBoundShare { get; set; }

    /// <summary>Memory at which <see cref="DurationMs"/> was measured. <value>Defaults to <c>null</c>: the function's <see cref="MemoryMb"/> at creation.</value></summary>
    public int? DurationReferenceMemoryMb { get; set; }

    /// <summary>Init duration, ms (fixed, or the P50 when <see cref="InitDurationP99Ms"/> is set). <value>Defaults to <c>null</c>: by runtime (§6).</value></summary>
    public double? InitDurationMs { get; set; }

    /// <summary>P99 init duration, ms. <value>Defaults to <c>null</c>: by runtime (§6).</value></summary>
    public double? InitDurationP99Ms { get; set; }

    /// <summary>Probability (0–1) that an invocation fails with an unhandled error. <value>Defaults to 0.</value></summary>
    public double ErrorRate { get; set; }

    /// <summary>A payload containing this text always fails. <value>Defaults to none.</value></summary>
    public string? PoisonMarker { get; set; }

    /// <summary>Above this many concurrent executions of the function it slows down or fails. <value>Defaults to none.</value></summary>
    public int? DownstreamLimit { get; set; }

    /// <summary>What happens above <see cref="DownstreamLimit"/>. <value>Defaults to <see cref="Lambda.DownstreamMode.Slow"/>.</value></summary>
    public DownstreamMode DownstreamMode { get; set; } = DownstreamMode.Slow;

    /// <summary>Duration multiplier above the downstream limit in slow mode (≥ 1). <value>Defaults to 3.</value></summary>
    public double DownstreamSlowdownFactor { get; set; } = DefaultDownstreamSlowdownFactor;

    /// <summary>Latency added to every invocation, ms, billed like the rest (FIS <c>invocation-add-delay</c>, §8). <value>Defaults to 0.</value></summary>
    public double ExtraLatencyMs { get; set; }

    /// <summary>Response payload of a successful invocation. <value>Defaults to <c>null</c> (JSON).</value></summary>
    public string ResponsePayload { get; set; } = DefaultResponsePayload;

    /// <summary>
    /// What the function returns for an SQS batch with failed records (see <see cref="BatchResponseMode"/>).
    /// <value>Defaults to <see cref="BatchResponseMode.Auto"/>: item failures when the mapping reports them, else throw.</value>
    /// </summary>
    public BatchResponseMode BatchResponse { get; set; } = BatchResponseMode.Auto;

    /// <summary>
    /// A model queue (name, URL or ARN) that receives one receipt message per processed attempt (sync, async, and each
    /// record of a queue batch) when the attempt ends. <value>Defaults to none: no receipts.</value>
    /// </summary>
    public string? ReceiptsQueue { get; set; }

    /// <summary>Reserved concurrency (≥ 0; 0 throttles everything) [S5]. <value>Defaults to none (unreserved pool).</value></summary>
    public int? ReservedConcurrency { get; set; }

    /// <summary>Versions 1..N to publish at creation, each a snapshot of this configuration. <value>Defaults to 0.</value></summary>
    public int PublishedVersions { get; set; }

    /// <summary>Aliases to create at creation: alias name → version (<c>$LATEST</c> or 1..<see cref="PublishedVersions"/>). <value>Defaults to none.</value></summary>
    public Dictionary<string, string> Aliases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Provisioned concurrency at creation: qualifier (a published version or an alias, never <c>$LATEST</c>) → environments [S6][S8].
    /// <value>Defaults to none.</value>
    /// </summary>
    public Dictionary<string, int> ProvisionedConcurrency { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Asynchronous-invocation configuration of the unqualified function and every qualifier without its own. <value>Defaults to AWS's (2 retries, 6 h).</value></summary>
    public EventInvokeConfigOptions AsyncConfig { get; set; } = new();

    /// <summary>Dead-letter queue or topic ARN (function-level; receives the raw event) [S12]. <value>Defaults to none.</value></summary>
    public string? DeadLetterTargetArn { get; set; }

    /// <summary>Probability (0–1) that an async event is delivered twice (§4: the queue is eventually consistent [S11]). <value>Defaults to 0.</value></summary>
    public double DuplicateDeliveryProbability { get; set; }

    /// <summary>The function's environment variables, as <c>GetFunction</c> shows them. <value>Defaults to none.</value></summary>
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long an <c>UpdateFunctionConfiguration</c> stays <c>LastUpdateStatus: InProgress</c>: until then invocations
    /// still run the previous configuration and another update gets <c>ResourceConflictException</c>, as on AWS, where it
    /// takes seconds. <value>Defaults to 0: the update is <c>Successful</c> at once.</value>
    /// </summary>
    public double UpdateDurationMs { get; set; }

    /// <summary>Problems found while reading <c>LAMBDASTORM_*</c> variables; reported by validation.</summary>
    internal List<string> EnvironmentErrors { get; } = [];

    /// <summary>
    /// Reads the <c>LAMBDASTORM_*</c> variables (listed in <see cref="LambdaStormVariables"/>) into a new options object;
    /// every other field keeps its default. The variables are also kept as <see cref="Environment"/>. Unparseable
    /// values are reported by validation, naming the variable.
    /// </summary>
    public static FunctionOptions FromEnvironment(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new FunctionOptions();
        options.ApplyEnvironment(environment);
        return options;
    }

    /// <summary>
    /// Overlays the <c>LAMBDASTORM_*</c> variables present in <paramref name="environment"/> onto this object, and replaces
    /// <see cref="Environment"/> with it. Behaviour fields whose variable was in the previous <see cref="Environment"/>
    /// but is absent from the new one return to their defaults, so that removing a variable removes its effect.
    /// </summary>
    public FunctionOptions ApplyEnvironment(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var previous = Environment;
        EnvironmentErrors.Clear();
        foreach (var variable in LambdaStormVariables.All)
        {
            if (environment.TryGetValue(variable.Name, out var value))
            {
                if (variable.Apply(this, value) is { } error)
                {
                    EnvironmentErrors.Add($"{variable.Name}: {error} (was '{value}')");
                }
            }
            else if (previous.ContainsKey(variable.Name))
            {
                variable.Reset(this);
            }
        }

        Environment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        return this;
    }

    /// <summary>A deep copy.</summary>
    public FunctionOptions Clone()
    {
        var copy = (FunctionOptions)MemberwiseClone();
        copy.Aliases = new Dictionary<string, string>(Aliases, StringComparer.Ordinal);
        copy.ProvisionedConcurrency = new Dictionary<string, int>(ProvisionedConcurrency, StringComparer.Ordinal);
        copy.Environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        copy.AsyncConfig = new EventInvokeConfigOptions
        {
            MaximumRetryAttempts = AsyncConfig.MaximumRetryAttempts,
            MaximumEventAgeInSeconds = AsyncConfig.MaximumEventAgeInSeconds,
            OnSuccess = AsyncConfig.OnSuccess,
            OnFailure = AsyncConfig.OnFailure,
        };
        return copy;
    }

    /// <summary>Validates everything and returns every problem, each naming the field; empty when valid.</summary>
    public IReadOnlyList<string> Validate() => [.. Validate($"Functions[{(string.IsNullOrEmpty(Name) ? "?" : Name)}]")];

    internal IEnumerable<string> Validate(string path)
    {
        foreach (var error in EnvironmentErrors)
        {
            yield return $"{path}.Environment: {error}";
        }

        var faultErrors = new List<string>();
        FunctionFaults.From(Environment ?? [], faultErrors);
        foreach (var error in faultErrors)
        {
            yield return $"{path}.Environment: {error}";
        }

        if (!IsValidFunctionName(Name))
        {
            yield return $"{path}.Name: must be 1-64 letters, digits, '-' or '_' (was '{Name}')";
        }

        if (MemoryMb is < 128 or > 10240)
        {
            yield return $"{path}.MemoryMb: must be between 128 and 10240 (was {MemoryMb})";
        }

        if (TimeoutSeconds is < 1 or > 900)
        {
            yield return $"{path}.TimeoutSeconds: must be between 1 and 900 (was {TimeoutSeconds})";
        }

        if (!Enum.IsDefined(Architecture))
        {
            yield return $"{path}.Architecture: must be x86_64 or arm64";
        }

        if (string.IsNullOrWhiteSpace(Runtime))
        {
            yield return $"{path}.Runtime: must not be empty";
        }

        if (!(DurationMs >= 0) || !double.IsFinite(DurationMs))
        {
            yield return $"{path}.DurationMs: must be zero or more (was {DurationMs})";
        }
        else if (DurationP99Ms is { } p99 && !Distribution.TryFromMeanP99(EffectiveDistributionKind, DurationMs, p99, out _, out var fitError))
        {
            yield return $"{path}.DurationP99Ms: {fitError}";
        }

        if (!(CpuBoundShare is >= 0 and <= 1))
        {
            yield return $"{path}.CpuBoundShare: must be between 0 and 1 (was {CpuBoundShare})";
        }

        if (DurationReferenceMemoryMb is < 128 or > 10240)
        {
            yield return $"{path}.DurationReferenceMemoryMb: must be between 128 and 10240 when set (was {DurationReferenceMemoryMb})";
        }

        if (InitDurationMs is { } init && !(init >= 0))
        {
            yield return $"{path}.InitDurationMs: must be zero or more (was {init})";
        }

        if (InitDurationP99Ms is { } initP99 && (!(initP99 >= 0) || (InitDurationMs is { } initP50 && initP99 < initP50)))
        {
            yield return $"{path}.InitDurationP99Ms: must be zero or more and not below InitDurationMs (was {initP99})";
        }

        if (!(ErrorRate is >= 0 and <= 1))
        {
            yield return $"{path}.ErrorRate: must be between 0 and 1 (was {ErrorRate})";
        }

        if (PoisonMarker is { Length: 0 })
        {
            yield return $"{path}.PoisonMarker: must not be empty when set";
        }

        if (!(UpdateDurationMs is >= 0 and <= 900_000))
        {
            yield return $"{path}.UpdateDurationMs: must be between 0 and 900,000 (15 min) (was {UpdateDurationMs})";
        }

        if (!Enum.IsDefined(BatchResponse))
        {
            yield return $"{path}.BatchResponse: must be {BatchResponseModeNames.Expected}";
        }

        if (ReceiptsQueue is { } receipts && string.IsNullOrWhiteSpace(receipts))
        {
            yield return $"{path}.ReceiptsQueue: must name a queue when set";
        }

        if (DownstreamLimit is < 0)
        {
            yield return $"{path}.DownstreamLimit: must be zero or more when set (was {DownstreamLimit})";
        }

        if (!Enum.IsDefined(DownstreamMode))
        {
            yield return $"{path}.DownstreamMode: must be slow or fail";
        }

        if (!(DownstreamSlowdownFactor >= 1) || !double.IsFinite(DownstreamSlowdownFactor))
        {
            yield return $"{path}.DownstreamSlowdownFactor: must be at least 1 (was {DownstreamSlowdownFactor})";
        }

        if (!(ExtraLatencyMs >= 0) || !double.IsFinite(ExtraLatencyMs))
        {
            yield return $"{path}.ExtraLatencyMs: must be zero or more (was {ExtraLatencyMs})";
        }

        if (ResponsePayload is null)
        {
            yield return $"{path}.ResponsePayload: must not be null (use \"null\" for JSON null)";
        }

        if (ReservedConcurrency is < 0)
        {
            yield return $"{path}.ReservedConcurrency: must be zero or more when set (was {ReservedConcurrency})";
        }

        if (PublishedVersions is < 0 or > 10_000)
        {
            yield return $"{path}.PublishedVersions: must be between 0 and 10000 (was {PublishedVersions})";
        }

        foreach (var (alias, version) in Aliases ?? [])
        {
            if (!IsValidAliasName(alias))
            {
                yield return $"{path}.Aliases[{alias}]: alias names are 1-128 letters, digits, '-' or '_' and not all digits";
            }

            if (!IsPublishedOrLatest(version))
            {
                yield return $"{path}.Aliases[{alias}]: version must be $LATEST or 1..{PublishedVersions} (was '{version}')";
            }
        }

        var provisionedTotal = 0L;
        foreach (var (qualifier, count) in ProvisionedConcurrency ?? [])
        {
            provisionedTotal += Math.Max(0, count);
            if (qualifier == FunctionVersions.Latest)
            {
                yield return $"{path}.ProvisionedConcurrency[{qualifier}]: {LambdaErrors.ProvisionedOnLatestMessage}";
            }
            else if (!IsPublishedOrLatest(qualifier) && !(Aliases?.ContainsKey(qualifier) ?? false))
            {
                yield return $"{path}.ProvisionedConcurrency[{qualifier}]: must name a published version (1..{PublishedVersions}) or an alias";
            }

            if (count < 1)
            {
                yield return $"{path}.ProvisionedConcurrency[{qualifier}]: must be at least 1 (was {count})";
            }
        }

        if (ReservedConcurrency is { } reserved && provisionedTotal > reserved)
        {
            yield return $"{path}.ProvisionedConcurrency: total {provisionedTotal} exceeds ReservedConcurrency {reserved}";
        }

        foreach (var error in (AsyncConfig ?? new()).Validate($"{path}.AsyncConfig"))
        {
            yield return error;
        }

        if (DeadLetterTargetArn is not null && !EventInvokeConfigOptions.LooksLikeArn(DeadLetterTargetArn))
        {
            yield return $"{path}.DeadLetterTargetArn: must be an ARN (was '{DeadLetterTargetArn}')";
        }

        if (!(DuplicateDeliveryProbability is >= 0 and <= 1))
        {
            yield return $"{path}.DuplicateDeliveryProbability: must be between 0 and 1 (was {DuplicateDeliveryProbability})";
        }
    }

    /// <summary>The distribution kind actually used: the configured one, or fixed/log-normal depending on whether a P99 is set.</summary>
    internal DurationDistributionKind EffectiveDistributionKind =>
        DurationDistribution ?? (DurationP99Ms is null ? DurationDistributionKind.Fixed : DurationDistributionKind.LogNormal);

    private bool IsPublishedOrLatest(string version) =>
        version == FunctionVersions.Latest || (int.TryParse(version, out var n) && n >= 1 && n <= PublishedVersions && n.ToString(System.Globalization.CultureInfo.InvariantCulture) == version);

    /// <summary>AWS function names: 1–64 of [a-zA-Z0-9-_] [S8].</summary>
    internal static bool IsValidFunctionName(string? name) => name is not null && FunctionNameRegex().IsMatch(name);

    /// <summary>AWS alias names: 1–128 of [a-zA-Z0-9-_], not all digits [S8].</summary>
    internal static bool IsValidAliasName(string? name) => name is not null && AliasNameRegex().IsMatch(name) && !name.All(char.IsAsciiDigit);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionNameRegex();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,128}$")]
    private static partial Regex AliasNameRegex();

    internal FunctionSettings Build()
    {
        var version = FunctionVersionSettings.Build(this, DurationReferenceMemoryMb ?? MemoryMb);
        return new FunctionSettings
        {
            Name = Name,
            Version = version,
            ReservedConcurrency = ReservedConcurrency,
            PublishedVersions = PublishedVersions,
            Aliases = new Dictionary<string, string>(Aliases ?? [], StringComparer.Ordinal),
            ProvisionedConcurrency = new Dictionary<string, int>(ProvisionedConcurrency ?? [], StringComparer.Ordinal),
            AsyncConfig = (AsyncConfig ?? new()).Build(),
            DeadLetterTargetArn = string.IsNullOrWhiteSpace(DeadLetterTargetArn) ? null : DeadLetterTargetArn,
            DuplicateDeliveryProbability = DuplicateDeliveryProbability,
            UpdateDuration = TimeSpan.FromMilliseconds(UpdateDurationMs),
        };
    }
}
