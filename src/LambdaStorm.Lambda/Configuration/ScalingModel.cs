namespace LambdaStorm.Lambda;

/// <summary>How new execution environments are rate-limited when a function scales up.</summary>
internal enum ScalingModel
{
    /// <summary>
    /// AWS's model since 27 Nov 2023 [S1][S2]: each function may add at most 1,000 environments every 10 s,
    /// refilled continuously with no accrual beyond 1,000, under the account concurrency limit.
    /// Modelled as a per-function token bucket charged only for new environments. Wire name <c>per-function</c>.
    /// </summary>
    PerFunction,

    /// <summary>
    /// The classic guidance [S3]: an account-wide burst of 3,000 / 1,000 / 500 environments by region, then
    /// +500 environments per minute. Modelled as one account-wide token bucket (capacity = burst, refill 500/min)
    /// charged only for new environments. Wire name <c>legacy-burst</c>.
    /// </summary>
    LegacyBurst,
}

/// <summary>Wire names of <see cref="ScalingModel"/> as used in YAML and on the command line.</summary>
internal static class ScalingModelNames
{
    public const string PerFunction = "per-function";
    public const string LegacyBurst = "legacy-burst";

    /// <summary>Parses <c>per-function</c> or <c>legacy-burst</c> (case-insensitive; <c>_</c> accepted for <c>-</c>).</summary>
    public static bool TryParse(string? text, out ScalingModel model)
    {
        switch (text?.Trim().Replace('_', '-').ToLowerInvariant())
        {
            case PerFunction or "perfunction":
                model = ScalingModel.PerFunction;
                return true;
            case LegacyBurst or "legacyburst" or "legacy":
                model = ScalingModel.LegacyBurst;
                return true;
            default:
                model = ScalingModel.PerFunction;
                return false;
        }
    }

    /// <summary>The wire name of a scaling model.</summary>
    public static string ToWireName(this ScalingModel model) =>
        model == ScalingModel.LegacyBurst ? LegacyBurst : PerFunction;
}
