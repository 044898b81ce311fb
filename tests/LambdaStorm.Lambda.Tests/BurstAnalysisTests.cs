namespace LambdaStorm.Lambda.Tests;

/// <summary>
/// The burst analysis meets the acceptance bounds of the burst probe: legacy ceiling within 2% of the configured
/// burst and slope within 5% of 500/min; per-function slope within 5% of 1,000 per 10 s.
/// </summary>
public sealed class BurstAnalysisTests
{
    public static TheoryData<string, int> LegacyCases => new()
    {
        { "us-east-1", 3000 },
        { "eu-central-1", 1000 },
        { "sa-east-1", 500 },
    };

    [Theory]
    [MemberData(nameof(LegacyCases))]
    public void Legacy_burst_probe_reports_the_configured_ceiling_and_500_per_minute(string region, int burst)
    {
        var (analysis, report, _) = BurstProbe.Run(
            a =>
            {
                a.ScalingModel = ScalingModel.LegacyBurst;
                a.Region = region;
                a.ConcurrencyLimit = 20_000;
            },
            BurstProbe.LinearRamp(rampPerSecond: 50, maxRate: 800, TimeSpan.FromMinutes(3)),
            target: burst + 500);

        Assert.True(analysis.SustainedThrottling);
        Assert.InRange(analysis.BurstCeiling!.Value, burst * 0.98, burst * 1.02);
        Assert.InRange(analysis.SlopePerMinute!.Value, 500 * 0.95, 500 * 1.05);
        Assert.True(analysis.SlopeRSquared > 0.99);
        Assert.True(analysis.ConcurrencyAtOnset >= burst); // the raw onset value includes scaling during the ramp
        Assert.InRange(analysis.TimeToTarget!.Value.TotalSeconds, 55, 75); // ~1 min of +500/min after the burst, plus the ramp
        Assert.True(report.ThrottlesByReason.ContainsKey(ThrottleReason.FunctionInvocationRateLimitExceeded));
    }

    [Fact]
    public void Legacy_probe_with_a_stepped_rate_and_shorter_functions_meets_the_bounds()
    {
        var (analysis, _, _) = BurstProbe.Run(
            a =>
            {
                a.ScalingModel = ScalingModel.LegacyBurst;
                a.ConcurrencyLimit = 20_000;
            },
            BurstProbe.Steps(stepRate: 150, TimeSpan.FromSeconds(5), maxRate: 1500, TimeSpan.FromMinutes(3)),
            functionSeconds: 10);

        Assert.InRange(analysis.BurstCeiling!.Value, 3000 * 0.98, 3000 * 1.02);
        Assert.InRange(analysis.SlopePerMinute!.Value, 500 * 0.95, 500 * 1.05);
    }

    [Fact]
    public void Per_function_burst_probe_reports_1000_per_10_seconds()
    {
        var (analysis, report, _) = BurstProbe.Run(
            a => a.ConcurrencyLimit = 20_000,
            BurstProbe.LinearRamp(rampPerSecond: 200, maxRate: 3000, TimeSpan.FromSeconds(90)),
            target: 5000);

        Assert.True(analysis.SustainedThrottling);
        Assert.InRange(analysis.SlopePer10Seconds!.Value, 1000 * 0.95, 1000 * 1.05);
        Assert.InRange(analysis.BurstCeiling!.Value, 1000 * 0.9, 1000 * 1.1);
        Assert.Equal(report.PeakAccountConcurrency, analysis.PeakConcurrency);
        Assert.NotNull(analysis.TimeToTarget);
    }

    [Fact]
    public void A_plateau_at_a_concurrency_cap_is_not_part_of_the_slope()
    {
        // Account cap 2,500: the per-function scaling stops there and the account throttles take over.
        var (analysis, _, _) = BurstProbe.Run(
            a => a.ConcurrencyLimit = 2500,
            BurstProbe.LinearRamp(rampPerSecond: 200, maxRate: 3000, TimeSpan.FromSeconds(60)));

        Assert.InRange(analysis.SlopePer10Seconds!.Value, 1000 * 0.95, 1000 * 1.05);
        Assert.Equal(2500, analysis.PeakConcurrency);
    }

    [Fact]
    public void No_sustained_throttling_means_no_ceiling()
    {
        var (analysis, _, _) = BurstProbe.Run(
            a => a.ConcurrencyLimit = 20_000,
            BurstProbe.LinearRamp(rampPerSecond: 5, maxRate: 50, TimeSpan.FromSeconds(60)),
            target: 100);

        Assert.False(analysis.SustainedThrottling);
        Assert.Null(analysis.BurstCeiling);
        Assert.Null(analysis.SlopePerSecond);
        Assert.NotNull(analysis.TimeToTarget);
    }

    [Fact]
    public void Sustained_means_throttles_in_consecutive_intervals()
    {
        int[] throttles = [0, 5, 0, 4, 3, 0, 2, 2, 2, 2, 0, 0, 0, 0];
        int[] concurrency = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100, 100, 100, 100];
        var series = Series(concurrency, throttles);

        var result = BurstAnalysis.Analyze(series);
        Assert.Equal(TimeSpan.FromSeconds(6), result.Onset);
        Assert.Equal(70, result.ConcurrencyAtOnset);
        Assert.Equal(TimeSpan.FromSeconds(9), result.ScalingEnd);
        Assert.Equal(10, result.SlopePerSecond!.Value, 9);
        Assert.Equal(1, result.SlopeRSquared!.Value, 9);

        Assert.Equal(TimeSpan.FromSeconds(3), BurstAnalysis.Analyze(series, new BurstAnalysisOptions { SustainIntervals = 2 }).Onset);
        Assert.False(BurstAnalysis.Analyze(series, new BurstAnalysisOptions { MinThrottlesPerInterval = 3 }).SustainedThrottling);
    }

    [Fact]
    public void Without_cold_start_data_the_ceiling_comes_from_concurrency_increases()
    {
        // A bucket of 500 refilled at 10/s, hit at t = 0: 500, 510, 520, ... with throttles from the start.
        var concurrency = Enumerable.Range(0, 30).Select(i => 510 + (10 * i)).ToArray();
        var throttles = Enumerable.Repeat(7, 30).ToArray();
        var result = BurstAnalysis.Analyze(Series(concurrency, throttles));
        Assert.Equal(10, result.SlopePerSecond!.Value, 9);
        Assert.Equal(500, result.BurstCeiling!.Value, 9);
    }

    private static ConcurrencySeries Series(int[] concurrency, int[] rateThrottles) => new()
    {
        Origin = VirtualTimeProvider.DefaultStart,
        Interval = TimeSpan.FromSeconds(1),
        Concurrency = concurrency,
        Invocations = new int[concurrency.Length],
        ColdStarts = new int[concurrency.Length],
        Throttles = rateThrottles,
        RateThrottles = rateThrottles,
        AccountLimitThrottles = new int[concurrency.Length],
        ReservedLimitThrottles = new int[concurrency.Length],
        Errors = new int[concurrency.Length],
    };
}
