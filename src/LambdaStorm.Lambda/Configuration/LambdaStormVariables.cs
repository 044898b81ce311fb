using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>
/// The <c>LAMBDASTORM_*</c> environment variables that give a function created through <c>CreateFunction</c>
/// (or updated through <c>UpdateFunctionConfiguration</c>) its simulated behaviour. Listed in docs/lambda-model.md.
/// </summary>
internal static class LambdaStormVariables
{
    /// <summary>Mean duration of an invocation, ms (at <see cref="ReferenceMemoryMb"/>).</summary>
    public const string DurationMs = "LAMBDASTORM_DURATION_MS";

    /// <summary>P99 duration, ms; setting it makes the distribution log-normal unless <see cref="DurationDistribution"/> says otherwise.</summary>
    public const string DurationP99Ms = "LAMBDASTORM_DURATION_P99_MS";

    /// <summary><c>fixed</c>, <c>lognormal</c> or <c>uniform</c>.</summary>
    public const string DurationDistribution = "LAMBDASTORM_DURATION_DISTRIBUTION";

    /// <summary>Share (0–1) of the duration that is CPU-bound and so scales with memory (1,769 MB = 1 vCPU).</summary>
    public const string CpuShare = "LAMBDASTORM_CPU_SHARE";

    /// <summary>Memory size, MB, at which the duration was measured.</summary>
    public const string ReferenceMemoryMb = "LAMBDASTORM_REFERENCE_MEMORY_MB";

    /// <summary>Init (cold-start) duration, ms: fixed, or the P50 when <see cref="InitP99Ms"/> is also set.</summary>
    public const string InitMs = "LAMBDASTORM_INIT_MS";

    /// <summary>P99 init duration, ms.</summary>
    public const string InitP99Ms = "LAMBDASTORM_INIT_P99_MS";

    /// <summary>Probability (0–1, or a percentage like <c>5%</c>) that an invocation fails.</summary>
    public const string ErrorRate = "LAMBDASTORM_ERROR_RATE";

    /// <summary>A payload containing this text always fails.</summary>
    public const string PoisonMarker = "LAMBDASTORM_POISON_MARKER";

    /// <summary>Above this many concurrent executions the function slows down or fails.</summary>
    public const string DownstreamLimit = "LAMBDASTORM_DOWNSTREAM_LIMIT";

    /// <summary><c>slow</c> or <c>fail</c>.</summary>
    public const string DownstreamMode = "LAMBDASTORM_DOWNSTREAM_MODE";

    /// <summary>Duration multiplier above the downstream limit in <c>slow</c> mode.</summary>
    public const string DownstreamSlowdown = "LAMBDASTORM_DOWNSTREAM_SLOWDOWN";

    /// <summary>Fixed latency, ms, added to every invocation (like FIS <c>invocation-add-delay</c>).</summary>
    public const string ExtraLatencyMs = "LAMBDASTORM_EXTRA_LATENCY_MS";

    /// <summary>Response payload of a successful invocation (JSON text).</summary>
    public const string Response = "LAMBDASTORM_RESPONSE";

    /// <summary>Probability (0–1) that an async event is delivered twice.</summary>
    public const string DuplicateProbability = "LAMBDASTORM_DUPLICATE_PROBABILITY";

    /// <summary>What the function returns for an SQS batch with failed records: <c>auto</c>, <c>partial</c>, <c>throw</c>, <c>invalid-json</c>, <c>unknown-id</c> or <c>empty-id</c>.</summary>
    public const string BatchResponse = "LAMBDASTORM_BATCH_RESPONSE";

    /// <summary>Queue (name, URL or ARN) that receives one receipt per processed attempt.</summary>
    public const string ReceiptsQueue = "LAMBDASTORM_RECEIPTS_QUEUE";

    /// <summary>How long a configuration update stays <c>InProgress</c>, ms (<see cref="FunctionOptions.UpdateDurationMs"/>); kept when an update drops it.</summary>
    public const string UpdateDurationMs = "LAMBDASTORM_UPDATE_DURATION_MS";

    /// <summary>Every variable with the <see cref="FunctionOptions"/> field it sets, its parser, and how to reset it.</summary>
    internal static IReadOnlyList<Variable> All { get; } =
    [
        new(DurationMs, o => o.DurationMs = FunctionOptions.DefaultDurationMs, (o, v) => ParseDouble(v, x => o.DurationMs = x)),
        new(DurationP99Ms, o => o.DurationP99Ms = null, (o, v) => ParseDouble(v, x => o.DurationP99Ms = x)),
        new(DurationDistribution, o => o.DurationDistribution = null, (o, v) =>
            DurationDistributionKindNames.TryParse(v, out var k) ? Ok(() => o.DurationDistribution = k) : "must be fixed, lognormal or uniform"),
        new(CpuShare, o => o.CpuBoundShare = 0, (o, v) => ParseFraction(v, x => o.CpuBoundShare = x)),
        new(ReferenceMemoryMb, o => o.DurationReferenceMemoryMb = null, (o, v) => ParseInt(v, x => o.DurationReferenceMemoryMb = x)),
        new(InitMs, o => o.InitDurationMs = null, (o, v) => ParseDouble(v, x => o.InitDurationMs = x)),
        new(InitP99Ms, o => o.InitDurationP99Ms = null, (o, v) => ParseDouble(v, x => o.InitDurationP99Ms = x)),
        new(ErrorRate, o => o.ErrorRate = 0, (o, v) => ParseFraction(v, x => o.ErrorRate = x)),
        new(PoisonMarker, o => o.PoisonMarker = null, (o, v) => Ok(() => o.PoisonMarker = v.Length == 0 ? null : v)),
        new(DownstreamLimit, o => o.DownstreamLimit = null, (o, v) => ParseInt(v, x => o.DownstreamLimit = x)),
        new(DownstreamMode, o => o.DownstreamMode = Lambda.DownstreamMode.Slow, (o, v) =>
            DownstreamModeNames.TryParse(v, out var m) ? Ok(() => o.DownstreamMode = m) : "must be slow or fail"),
        new(DownstreamSlowdown, o => o.DownstreamSlowdownFactor = FunctionOptions.DefaultDownstreamSlowdownFactor, (o, v) => ParseDouble(v, x => o.DownstreamSlowdownFactor = x)),
        new(ExtraLatencyMs, o => o.ExtraLatencyMs = 0, (o, v) => ParseDouble(v, x => o.ExtraLatencyMs = x)),
        new(Response, o => o.ResponsePayload = FunctionOptions.DefaultResponsePayload, (o, v) => Ok(() => o.ResponsePayload = v)),
        new(DuplicateProbability, o => o.DuplicateDeliveryProbability = 0, (o, v) => ParseFraction(v, x => o.DuplicateDeliveryProbability = x)),
        new(BatchResponse, o => o.BatchResponse = BatchResponseMode.Auto, (o, v) =>
            BatchResponseModeNames.TryParse(v, out var m) ? Ok(() => o.BatchResponse = m) : $"must be {BatchResponseModeNames.Expected}"),
        new(ReceiptsQueue, o => o.ReceiptsQueue = null, (o, v) => Ok(() => o.ReceiptsQueue = v.Trim().Length == 0 ? null : v.Trim())),
        // A property of the function's deployment, not of its code: an update that leaves the variable out keeps it.
        new(UpdateDurationMs, _ => { }, (o, v) => ParseDouble(v, x => o.UpdateDurationMs = x)),
    ];

    /// <summary>One variable: its name, how to reset the field to its default, and how to apply a value (returns an error or null).</summary>
    internal sealed record Variable(string Name, Action<FunctionOptions> Reset, Func<FunctionOptions, string, string?> Apply);

    private static string? Ok(Action apply)
    {
        apply();
        return null;
    }

    private static string? ParseDouble(string text, Action<double> apply)
    {
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            apply(value);
            return null;
        }

        return "must be a number";
    }

    private static string? ParseInt(string text, Action<int> apply)
    {
        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            apply(value);
            return null;
        }

        return "must be a whole number";
    }

    // Accepts 0.05 or 5%.
    private static string? ParseFraction(string text, Action<double> apply)
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (percent)
        {
            t = t[..^1];
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            apply(percent ? value / 100 : value);
            return null;
        }

        return "must be a number between 0 and 1, or a percentage such as 5%";
    }
}
