using System.Globalization;
using System.Text.RegularExpressions;

namespace LambdaStorm.Scenarios;

/// <summary>Parsers for the small value languages of scenario files: durations, ratios and numbers.</summary>
public static partial class ValueParsers
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ms|us|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|us|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>Parses <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1m30s</c>, <c>1.5s</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (!DurationPattern().IsMatch(text))
        {
            return false;
        }

        double ticks = 0;
        foreach (Match m in DurationPart().Matches(text))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += m.Groups[2].Value switch
            {
                "us" => n * TimeSpan.TicksPerMicrosecond,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
        }

        value = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>Parses <c>1%</c> as 0.01 and a bare number as a ratio.</summary>
    public static bool TryParseRatio(string text, out double value)
    {
        text = text.Trim();
        if (text.EndsWith('%'))
        {
            var ok = TryParseNumber(text[..^1], out var pct);
            value = pct / 100;
            return ok;
        }

        return TryParseNumber(text, out value);
    }

    [GeneratedRegex(@"^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+)?(?:[eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    /// <summary>Parses an invariant-culture number, allowing <c>_</c> between digit groups (<c>10_000</c>).</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        text = text.Trim();
        return text.Length > 0 && text != "." && NumberPattern().IsMatch(text)
            && double.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>Formats a duration the way scenarios write them.</summary>
    public static string FormatDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero)
        {
            return "0s";
        }

        if (d.Ticks % TimeSpan.TicksPerMinute == 0 && d >= TimeSpan.FromMinutes(1))
        {
            return $"{(long)d.TotalMinutes}m";
        }

        if (d.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return $"{(long)d.TotalSeconds}s";
        }

        return $"{d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
    }
}
