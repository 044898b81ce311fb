namespace LambdaStorm.Lambda;

/// <summary>Which throttles count when looking for the burst ceiling.</summary>
internal enum BurstThrottleSelection
{
    /// <summary>Only rate throttles (FunctionInvocationRateLimitExceeded): the scaling limit. The default.</summary>
    RateLimit,

    /// <summary>Every throttle, whatever the reason (use when the reason is unknown).</summary>
    All,
}

/// <summary>Tuning of <see cref="BurstAnalysis"/>.</summary>
internal sealed record BurstAnalysisOptions
{
    /// <summary>
    /// Throttling is <b>sustained</b> from the first interval that starts a run of this many consecutive intervals each
    /// with at least <see cref="MinThrottlesPerInterval"/> throttles. <value>Defaults to 3 (three seconds in a row).</value>
    /// </summary>
    public int SustainIntervals { get; init; } = 3;

    /// <summary>Throttles an interval needs to count as throttled. <value>Defaults to 1.</value></summary>
    public int MinThrottlesPerInterval { get; init; } = 1;

    /// <summary>Which throttles count. <value>Defaults to <see cref="BurstThrottleSelection.RateLimit"/>.</value></summary>
    public BurstThrottleSelection Throttles { get; init; } = BurstThrottleSelection.RateLimit;

    /// <summary>Concurrency whose time-to-reach is reported. <value>Defaults to none.</value></summary>
    public int? TargetConcurrency { get; init; }
}

/// <summary>What <see cref="BurstAnalysis"/> found.</summary>
internal sealed record BurstAnalysisResult
{
    /// <summary>True when sustained throttling was found.</summary>
    public required bool SustainedThrottling { get; init; }

    /// <summary>Offset (from the series origin) of the first interval of sustained throttling.</summary>
    public TimeSpan? Onset { get; init; }

    /// <summary>Concurrency in the onset interval: the raw "concurrency reached when throttling became sustained".</summary>
    public int? ConcurrencyAtOnset { get; init; }

    /// <summary>
    /// The burst ceiling: how many environments the function (or account) could add at once, with the scaling that
    /// happened while the load was building taken out — max over windows ending at the onset of
    /// (new environments in the window − slope × window length). Equals the configured burst for a load that
    /// outruns the scaling limit; null without sustained throttling or a slope.
    /// </summary>
    public double? BurstCeiling { get; init; }

    /// <summary>Scaling slope after the onset, concurrency per second (least squares).</summary>
    public double? SlopePerSecond { get; init; }

    /// <summary>Slope per minute (legacy model: 500 [S3]).</summary>
    public double? SlopePerMinute => SlopePerSecond * 60;

    /// <summary>Slope per 10 s (per-function model: 1,000 [S1]).</summary>
    public double? SlopePer10Seconds => SlopePerSecond * 10;

    /// <summary>Coefficient of determination of the slope fit.</summary>
    public double? SlopeRSquared { get; init; }

    /// <summary>Intervals in the scaling period used for the fit (throttled while concurrency kept rising).</summary>
    public int ScalingIntervals { get; init; }

    /// <summary>Offset of the last interval of the scaling period.</summary>
    public TimeSpan? ScalingEnd { get; init; }

    /// <summary>Highest concurrency in the series.</summary>
    public required int PeakConcurrency { get; init; }

    /// <summary>Offset of the interval where the peak was first reached.</summary>
    public TimeSpan? PeakOffset { get; init; }

    /// <summary>The target asked for.</summary>
    public int? TargetConcurrency { get; init; }

    /// <summary>Time from the first interval with any activity to the first interval at or above the target (within one interval).</summary>
    public TimeSpan? TimeToTarget { get; init; }
}

/// <summary>
/// Pure analysis of a concurrency/throttle time series: where throttling becomes sustained, the burst ceiling, the
/// scaling slope after it, and the time to reach a target. Designed for a probe that raises the arrival rate until
/// throttles appear, with functions that run longer than the probe's scaling phase (10–60 s), so that concurrency
/// tracks the environments the scaling limit allows.
/// </summary>
/// <remarks>
/// <para><b>Onset.</b> The first interval i such that intervals i … i+W−1 (W = <see cref="BurstAnalysisOptions.SustainIntervals"/>)
/// each have at least <see cref="BurstAnalysisOptions.MinThrottlesPerInterval"/> selected throttles.</para>
/// <para><b>Scaling period.</b> From the onset while throttles continue (gaps shorter than W are bridged), trimmed back to
/// the last interval where concurrency still rose. The slope is the least-squares line through the per-interval
/// concurrency over that period.</para>
/// <para><b>Burst ceiling.</b> A token bucket with capacity B and refill r that is empty at the end of the onset
/// interval and was full at the start of interval s has granted exactly B + r·(t₀ − s + 1) new environments in between,
/// and never more for any other s. So B = max over s ≤ t₀ of (new environments in s…t₀ − r·(t₀ − s + 1)), with r the
/// fitted slope. New environments are the cold-start series when it has data, otherwise concurrency increases
/// (equivalent when no execution ends during the probe). This takes out the scaling that happened while the load was
/// building, which the raw <see cref="BurstAnalysisResult.ConcurrencyAtOnset"/> includes.</para>
/// </remarks>
internal static class BurstAnalysis
{
    /// <summary>Analyses a series.</summary>
    public static BurstAnalysisResult Analyze(ConcurrencySeries series, BurstAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new BurstAnalysisOptions();
        var window = Math.Max(1, options.SustainIntervals);
        var minimum = Math.Max(1, options.MinThrottlesPerInterval);
        var interval = series.Interval;
        var concurrency = series.Concurrency;
        var throttles = options.Throttles == BurstThrottleSelection.RateLimit ? series.RateThrottles : series.Throttles;
        var n = concurrency.Length;

        var peak = 0;
        var peakIndex = -1;
        var firstActive = -1;
        for (var i = 0; i < n; i++)
        {
            if (firstActive < 0 && (concurrency[i] > 0 || series.Invocations[i] > 0 || series.Throttles[i] > 0))
            {
                firstActive = i;
            }

            if (concurrency[i] > peak)
            {
                peak = concurrency[i];
                peakIndex = i;
            }
        }

        TimeSpan? timeToTarget = null;
        if (options.TargetConcurrency is { } target && firstActive >= 0)
        {
            for (var i = firstActive; i < n; i++)
            {
                if (concurrency[i] >= target)
                {
                    timeToTarget = interval * (i - firstActive);
                    break;
                }
            }
        }

        var result = new BurstAnalysisResult
        {
            SustainedThrottling = false,
            PeakConcurrency = peak,
            PeakOffset = peakIndex < 0 ? null : interval * peakIndex,
            TargetConcurrency = options.TargetConcurrency,
            TimeToTarget = timeToTarget,
        };

        var onset = FindOnset(throttles, minimum, window);
        if (onset < 0)
        {
            return result;
        }

        // The scaling period: throttles continue (gaps < window bridged) ...
        var end = onset;
        var gap = 0;
        for (var j = onset + 1; j < n; j++)
        {
            if (throttles[j] >= minimum)
            {
                end = j;
                gap = 0;
            }
            else if (++gap >= window)
            {
                break;
            }
        }

        // ... while concurrency still rises (a plateau at a cap is not scaling).
        while (end > onset && concurrency[end] <= concurrency[end - 1])
        {
            end--;
        }

        result = result with
        {
            SustainedThrottling = true,
            Onset = interval * onset,
            ConcurrencyAtOnset = concurrency[onset],
            ScalingIntervals = end - onset + 1,
            ScalingEnd = interval * end,
        };

        if (end - onset < 1)
        {
            return result;
        }

        var (slopePerInterval, rSquared) = LeastSquares(concurrency, onset, end);
        var slopePerSecond = slopePerInterval / interval.TotalSeconds;
        return result with
        {
            SlopePerSecond = slopePerSecond,
            SlopeRSquared = rSquared,
            BurstCeiling = EstimateCeiling(series, onset, slopePerInterval),
        };
    }

    private static int FindOnset(int[] throttles, int minimum, int window)
    {
        var run = 0;
        for (var i = 0; i < throttles.Length; i++)
        {
            run = throttles[i] >= minimum ? run + 1 : 0;
            if (run >= window)
            {
                return i - window + 1;
            }
        }

        return -1;
    }

    private static (double Slope, double RSquared) LeastSquares(int[] y, int from, int to)
    {
        var count = to - from + 1;
        double sumX = 0, sumY = 0, sumXx = 0, sumXy = 0;
        for (var i = from; i <= to; i++)
        {
            double x = i - from;
            sumX += x;
            sumY += y[i];
            sumXx += x * x;
            sumXy += x * y[i];
        }

        var denominator = (count * sumXx) - (sumX * sumX);
        if (denominator == 0)
        {
            return (0, 0);
        }

        var slope = ((count * sumXy) - (sumX * sumY)) / denominator;
        var intercept = (sumY - (slope * sumX)) / count;
        var meanY = sumY / count;
        double residual = 0, total = 0;
        for (var i = from; i <= to; i++)
        {
            var fit = intercept + (slope * (i - from));
            residual += (y[i] - fit) * (y[i] - fit);
            total += (y[i] - meanY) * (y[i] - meanY);
        }

        return (slope, total == 0 ? 1 : 1 - (residual / total));
    }

    private static double EstimateCeiling(ConcurrencySeries series, int onset, double slopePerInterval)
    {
        var useColdStarts = false;
        for (var i = 0; i <= onset && !useColdStarts; i++)
        {
            useColdStarts = series.ColdStarts[i] > 0;
        }

        var best = double.MinValue;
        long added = 0;
        for (var s = onset; s >= 0; s--)
        {
            added += useColdStarts
                ? series.ColdStarts[s]
                : series.Concurrency[s] - (s == 0 ? 0 : series.Concurrency[s - 1]);
            best = Math.Max(best, added - (slopePerInterval * (onset - s + 1)));
        }

        return best;
    }
}
