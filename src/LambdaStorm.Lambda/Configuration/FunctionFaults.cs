using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>
/// Faults injected into a function by chaos (docs/chaos.md), read from its <c>LAMBDASTORM_FAULT_*</c> environment
/// variables on every invocation, the way failure-lambda reads its configuration: errors for a share of invocations
/// (optionally without running the handler, FIS <c>preventExecution</c>), added latency for a share, forced timeouts for
/// a share, and a lowered downstream limit. The emulator applies an <c>UpdateFunctionConfiguration</c> that changes only
/// these variables without retiring environments, so a fault acts on the next invocation with no cold starts, unlike
/// FIS, whose extension polls for up to 60 s. The probe function (functions/probe) reads the same names.
/// </summary>
/// <param name="ErrorRate">Share of invocations that fail with <see cref="ErrorType"/>.</param>
/// <param name="PreventExecution">Failing invocations return at once without running the handler.</param>
/// <param name="LatencyMs">Latency added to affected invocations, ms.</param>
/// <param name="LatencyShare">Share of invocations that get <see cref="LatencyMs"/>.</param>
/// <param name="TimeoutShare">Share of invocations that run into the function's timeout.</param>
/// <param name="DownstreamLimit">A lowered downstream limit, or null.</param>
internal sealed record FunctionFaults(double ErrorRate, bool PreventExecution, double LatencyMs, double LatencyShare, double TimeoutShare, int? DownstreamLimit)
{
    /// <summary>Share (0–1 or a percentage) of invocations that fail.</summary>
    public const string ErrorRateVariable = "LAMBDASTORM_FAULT_ERROR_RATE";

    /// <summary><c>true</c>: failing invocations do not run the handler.</summary>
    public const string PreventExecutionVariable = "LAMBDASTORM_FAULT_PREVENT_EXECUTION";

    /// <summary>Added latency, ms.</summary>
    public const string LatencyMsVariable = "LAMBDASTORM_FAULT_LATENCY_MS";

    /// <summary>Share of invocations that get the added latency (default 1).</summary>
    public const string LatencyShareVariable = "LAMBDASTORM_FAULT_LATENCY_PERCENTAGE";

    /// <summary>Share of invocations forced into the timeout.</summary>
    public const string TimeoutShareVariable = "LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE";

    /// <summary>A lowered downstream limit (concurrent executions).</summary>
    public const string DownstreamLimitVariable = "LAMBDASTORM_FAULT_DOWNSTREAM_LIMIT";

    /// <summary>Prefix of every fault variable.</summary>
    public const string Prefix = "LAMBDASTORM_FAULT_";

    /// <summary>Error type of an injected fault.</summary>
    public const string ErrorType = "LambdaStormInjectedFault";

    /// <summary>No faults.</summary>
    public static readonly FunctionFaults None = new(0, false, 0, 1, 0, null);

    /// <summary>True when any fault is set.</summary>
    public bool Any => ErrorRate > 0 || LatencyMs > 0 || TimeoutShare > 0 || DownstreamLimit is not null;

    /// <summary>Reads the fault variables of an environment; <paramref name="errors"/> gets one line per unreadable value.</summary>
    public static FunctionFaults From(IReadOnlyDictionary<string, string> environment, List<string>? errors = null)
    {
        if (!environment.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            return None;
        }

        double Share(string name, double fallback)
        {
            if (!environment.TryGetValue(name, out var text))
            {
                return fallback;
            }

            var t = text.Trim();
            var percent = t.EndsWith('%');
            if (double.TryParse(percent ? t[..^1] : t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && (percent ? v / 100 : v) is >= 0 and <= 1 and var share)
            {
                return share;
            }

            errors?.Add($"{name} must be a share between 0 and 1 or a percentage such as 30%, not '{text}'");
            return fallback;
        }

        var latency = 0.0;
        if (environment.TryGetValue(LatencyMsVariable, out var l)
            && !(double.TryParse(l.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out latency) && latency >= 0 && double.IsFinite(latency)))
        {
            errors?.Add($"{LatencyMsVariable} must be a number of milliseconds, not '{l}'");
            latency = 0;
        }

        int? limit = null;
        if (environment.TryGetValue(DownstreamLimitVariable, out var d))
        {
            if (int.TryParse(d.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                limit = n;
            }
            else
            {
                errors?.Add($"{DownstreamLimitVariable} must be a whole number, not '{d}'");
            }
        }

        var prevent = environment.TryGetValue(PreventExecutionVariable, out var p) && p.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
        return new FunctionFaults(Share(ErrorRateVariable, 0), prevent, latency, Share(LatencyShareVariable, 1), Share(TimeoutShareVariable, 0), limit);
    }

    /// <summary>True when two environments differ only in fault variables.</summary>
    public static bool OnlyFaultsDiffer(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        static IEnumerable<KeyValuePair<string, string>> Rest(IReadOnlyDictionary<string, string> env) => env.Where(kv => !kv.Key.StartsWith(Prefix, StringComparison.Ordinal));
        var a = Rest(before).ToDictionary(StringComparer.Ordinal);
        var b = Rest(after).ToList();
        return a.Count == b.Count && b.All(kv => a.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }
}
