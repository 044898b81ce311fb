namespace LambdaStorm.Lambda;

/// <summary>
/// Default cold-start (init) durations by runtime, from the reference's 2026 table (§6, [S32], secondary).
/// The table gives ranges; the model uses their midpoints as P50 and P99 and fits a log-normal.
/// Where the table gives no P99 (Go, Rust, Java) or no row at all (.NET, Ruby, custom runtimes), the values are
/// LambdaStorm's assumptions and say so. arm64 initialises faster: the table says 15–40% lower, and the model
/// uses 25% lower (<see cref="Arm64InitFactor"/>).
/// </summary>
internal static class RuntimeProfiles
{
    /// <summary>Default runtime of a new function (AWS's current Node.js LTS runtime).</summary>
    public const string DefaultRuntime = "nodejs22.x";

    /// <summary>Init-duration multiplier on arm64 (reference §6: 15–40% lower; 25% used).</summary>
    public const double Arm64InitFactor = 0.75;

    /// <summary>P50 and P99 init duration, milliseconds, on x86_64.</summary>
    public static (double P50Ms, double P99Ms) InitDurationMs(string runtime)
    {
        var r = runtime.Trim().ToLowerInvariant();
        if (r.StartsWith("nodejs", StringComparison.Ordinal))
        {
            return (275, 800); // Node.js 22: P50 200–350 ms, P99 0.6–1 s [S32]
        }

        if (r.StartsWith("python", StringComparison.Ordinal))
        {
            return (300, 1000); // Python 3.13: P50 200–400 ms, P99 0.8–1.2 s [S32]
        }

        if (r.StartsWith("java", StringComparison.Ordinal))
        {
            return (3500, 6000); // Java 21: P50 2–5 s [S32]; P99 assumed (no figure in the reference)
        }

        if (r.StartsWith("go", StringComparison.Ordinal))
        {
            return (75, 225); // Go: P50 50–100 ms [S32]; P99 assumed 3 × P50
        }

        if (r.StartsWith("rust", StringComparison.Ordinal))
        {
            return (65, 195); // Rust: P50 50–80 ms [S32]; P99 assumed 3 × P50
        }

        if (r.StartsWith("provided", StringComparison.Ordinal))
        {
            return (65, 195); // custom runtimes (Go/Rust on provided.al2023): as Rust [S32]; P99 assumed
        }

        if (r.StartsWith("dotnet", StringComparison.Ordinal))
        {
            return (400, 1200); // not in the reference: assumption between Node.js and Java
        }

        if (r.StartsWith("ruby", StringComparison.Ordinal))
        {
            return (300, 1000); // not in the reference: assumed like Python
        }

        return (275, 800); // unknown runtime: as the default Node.js runtime
    }

    /// <summary>The init-duration distribution for a runtime and architecture, unless overridden by the function.</summary>
    public static Distribution InitDistribution(string runtime, FunctionArchitecture architecture, double? p50OverrideMs, double? p99OverrideMs)
    {
        var (p50, p99) = InitDurationMs(runtime);
        if (architecture == FunctionArchitecture.Arm64)
        {
            p50 *= Arm64InitFactor;
            p99 *= Arm64InitFactor;
        }

        if (p50OverrideMs is { } overrideP50)
        {
            // An explicit init time is taken as given (no arm64 discount); without a P99 it is fixed.
            return p99OverrideMs is { } overrideP99
                ? Distribution.LogNormalFromMedianP99(overrideP50, overrideP99)
                : Distribution.Fixed(overrideP50);
        }

        if (p99OverrideMs is { } onlyP99)
        {
            p99 = Math.Max(onlyP99, p50);
        }

        return Distribution.LogNormalFromMedianP99(p50, p99);
    }
}
