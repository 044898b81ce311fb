namespace LambdaStorm.Lambda.Tests;

/// <summary>
/// Runs a burst probe in virtual time the way <c>simulate scenarios/burst-probe.yaml</c> does: long-running functions
/// and an arrival rate that rises until throttles appear, then holds.
/// </summary>
internal static class BurstProbe
{
    /// <summary>Arrivals whose rate rises linearly by <paramref name="rampPerSecond"/> each second up to <paramref name="maxRate"/>, then holds until <paramref name="duration"/>.</summary>
    public static IEnumerable<Arrival> LinearRamp(double rampPerSecond, double maxRate, TimeSpan duration, string function = "probe")
    {
        var rampEnd = maxRate / rampPerSecond;
        var rampArrivals = rampPerSecond * rampEnd * rampEnd / 2;
        for (long k = 1; ; k++)
        {
            var seconds = k <= rampArrivals ? Math.Sqrt(2 * k / rampPerSecond) : rampEnd + ((k - rampArrivals) / maxRate);
            if (seconds >= duration.TotalSeconds)
            {
                yield break;
            }

            yield return new Arrival(TimeSpan.FromSeconds(seconds), function);
        }
    }

    /// <summary>Arrivals in steps: <paramref name="stepRate"/> more per second every <paramref name="stepLength"/>.</summary>
    public static IEnumerable<Arrival> Steps(double stepRate, TimeSpan stepLength, double maxRate, TimeSpan duration, string function = "probe")
    {
        var t = 0.0;
        while (t < duration.TotalSeconds)
        {
            var rate = Math.Min(maxRate, stepRate * (1 + Math.Floor(t / stepLength.TotalSeconds)));
            yield return new Arrival(TimeSpan.FromSeconds(t), function);
            t += 1 / rate;
        }
    }

    public static (BurstAnalysisResult Analysis, ModelStatisticsReport Report, SimulationSummary Summary) Run(
        Action<AccountOptions> account, IEnumerable<Arrival> arrivals, double functionSeconds = 60, int? target = null)
    {
        var options = new LambdaModelOptions { Seed = 11 };
        account(options.Account);
        options.Functions.Add(new FunctionOptions { Name = "probe", DurationMs = functionSeconds * 1000, TimeoutSeconds = 900, MemoryMb = 512 });
        var clock = new VirtualTimeProvider();
        var model = LambdaModel.Create(options, clock);
        var statistics = new ModelStatistics(model);
        var summary = new VirtualTimeSimulation(model, clock).Run(arrivals);
        var analysis = BurstAnalysis.Analyze(statistics.GetFunctionSeries("probe"), new BurstAnalysisOptions { TargetConcurrency = target });
        return (analysis, statistics.GetReport(), summary);
    }
}
