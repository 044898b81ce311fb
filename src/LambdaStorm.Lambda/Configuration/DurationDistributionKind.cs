namespace LambdaStorm.Lambda;

/// <summary>Shape of a simulated duration distribution.</summary>
internal enum DurationDistributionKind
{
    /// <summary>Always the mean.</summary>
    Fixed,

    /// <summary>Log-normal fitted to a mean and a P99 (long right tail; the usual shape of service latency).</summary>
    LogNormal,

    /// <summary>Uniform fitted to a mean and a P99.</summary>
    Uniform,
}

/// <summary>Wire names of <see cref="DurationDistributionKind"/>.</summary>
internal static class DurationDistributionKindNames
{
    /// <summary>Parses <c>fixed</c>, <c>lognormal</c> or <c>uniform</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out DurationDistributionKind kind)
    {
        switch (text?.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant())
        {
            case "fixed" or "constant":
                kind = DurationDistributionKind.Fixed;
                return true;
            case "lognormal":
                kind = DurationDistributionKind.LogNormal;
                return true;
            case "uniform":
                kind = DurationDistributionKind.Uniform;
                return true;
            default:
                kind = DurationDistributionKind.Fixed;
                return false;
        }
    }
}
