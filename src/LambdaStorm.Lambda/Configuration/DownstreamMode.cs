namespace LambdaStorm.Lambda;

/// <summary>What a function does when more than its downstream limit of executions run at once.</summary>
internal enum DownstreamMode
{
    /// <summary>The invocation takes <c>DownstreamSlowdownFactor</c> times longer (a saturated database).</summary>
    Slow,

    /// <summary>The invocation fails with <c>DownstreamLimitExceeded</c> (a connection pool that refuses).</summary>
    Fail,
}

/// <summary>Wire names of <see cref="DownstreamMode"/>.</summary>
internal static class DownstreamModeNames
{
    /// <summary>Parses <c>slow</c> or <c>fail</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out DownstreamMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "slow" or "slowdown":
                mode = DownstreamMode.Slow;
                return true;
            case "fail" or "error":
                mode = DownstreamMode.Fail;
                return true;
            default:
                mode = DownstreamMode.Slow;
                return false;
        }
    }
}
