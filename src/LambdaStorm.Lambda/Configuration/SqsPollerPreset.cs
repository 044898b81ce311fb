namespace LambdaStorm.Lambda;

/// <summary>SQS event source mapping poller scaling (standard mode) presets (lambda-semantics.md §5.1).</summary>
internal enum SqsPollerPreset
{
    /// <summary>Today's standard mode: start at 5, add up to 300 per minute, ceiling 1,250 [S13][S14].</summary>
    Standard,

    /// <summary>Before late 2023: start at 5, add up to 60 per minute, ceiling 1,000 [S14].</summary>
    Legacy,
}

/// <summary>The numbers behind <see cref="SqsPollerPreset"/>, and its wire names.</summary>
internal static class SqsPollerDefaults
{
    /// <summary>Concurrent batches at start [S13] (§5.1).</summary>
    public const int Initial = 5;

    /// <summary>Standard scale-up, batches per minute [S13][S14] (§5.1).</summary>
    public const int StandardScaleUpPerMinute = 300;

    /// <summary>Standard ceiling per mapping [S13] (§5.1).</summary>
    public const int StandardMaximum = 1250;

    /// <summary>Legacy scale-up, batches per minute [S14] (§5.1).</summary>
    public const int LegacyScaleUpPerMinute = 60;

    /// <summary>Legacy ceiling ("1,000 batches") [S13] (§5.1).</summary>
    public const int LegacyMaximum = 1000;

    /// <summary>Scale-up per minute of a preset.</summary>
    public static int ScaleUpPerMinute(SqsPollerPreset preset) => preset == SqsPollerPreset.Legacy ? LegacyScaleUpPerMinute : StandardScaleUpPerMinute;

    /// <summary>Ceiling of a preset.</summary>
    public static int Maximum(SqsPollerPreset preset) => preset == SqsPollerPreset.Legacy ? LegacyMaximum : StandardMaximum;

    /// <summary>Parses <c>standard</c> or <c>legacy</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out SqsPollerPreset preset)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "standard":
                preset = SqsPollerPreset.Standard;
                return true;
            case "legacy":
                preset = SqsPollerPreset.Legacy;
                return true;
            default:
                preset = SqsPollerPreset.Standard;
                return false;
        }
    }
}
