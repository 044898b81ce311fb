namespace LambdaStorm.Aws;

/// <summary>
/// Lambda and SQS list prices (us-east-1, before the free tier and volume tiers; shared/reference/lambda-semantics.md
/// §billing): what the plan and the cost cap multiply by. Other regions cost the same or a little more, so the
/// estimate is a floor there; it is labelled as an estimate everywhere it is shown. Part of internal API.
/// </summary>
internal static class AwsPricing
{
    /// <summary>US dollars per Lambda request ($0.20 per million).</summary>
    public const double RequestUsd = 0.20 / 1_000_000;

    /// <summary>US dollars per GB-second on x86_64.</summary>
    public const double X86GbSecondUsd = 0.0000166667;

    /// <summary>US dollars per GB-second on arm64 (about 20% less).</summary>
    public const double Arm64GbSecondUsd = 0.0000133334;

    /// <summary>US dollars per SQS standard-queue request ($0.40 per million, each 64 KB chunk of a payload one request).</summary>
    public const double SqsRequestUsd = 0.40 / 1_000_000;

    /// <summary>The GB-second price of an architecture (<c>arm64</c> or <c>x86_64</c>).</summary>
    public static double GbSecondUsd(string architecture) => architecture == "arm64" ? Arm64GbSecondUsd : X86GbSecondUsd;

    /// <summary>GB-seconds billed for one invocation: memory in GB (MB / 1024) times the billed duration.</summary>
    public static double GbSeconds(int memoryMb, double durationSeconds) => memoryMb / 1024.0 * durationSeconds;

    /// <summary>The cost of one invocation: the request plus its GB-seconds.</summary>
    public static double InvocationUsd(int memoryMb, string architecture, double durationSeconds) =>
        RequestUsd + (GbSeconds(memoryMb, durationSeconds) * GbSecondUsd(architecture));

    /// <summary>Dollars for display: cents above $1, otherwise enough decimals to show a small run's cost.</summary>
    public static string Usd(double usd) =>
        "$" + usd.ToString(usd >= 1 ? "#,0.00" : "0.00####", System.Globalization.CultureInfo.InvariantCulture);
}
