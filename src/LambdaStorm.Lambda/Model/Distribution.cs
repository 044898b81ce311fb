namespace LambdaStorm.Lambda;

/// <summary>
/// A compiled, immutable sampling distribution for durations in milliseconds. For <see cref="DurationDistributionKind.Fixed"/>
/// <c>A</c> is the value; for <see cref="DurationDistributionKind.LogNormal"/> <c>A</c> = μ and <c>B</c> = σ of ln X;
/// for <see cref="DurationDistributionKind.Uniform"/> <c>A</c> and <c>B</c> are the bounds.
/// </summary>
internal readonly record struct Distribution(DurationDistributionKind Kind, double A, double B)
{
    /// <summary>The 99th percentile of the standard normal distribution.</summary>
    public const double Z99 = 2.3263478740408408;

    /// <summary>Always <paramref name="valueMs"/>.</summary>
    public static Distribution Fixed(double valueMs) => new(DurationDistributionKind.Fixed, valueMs, 0);

    /// <summary>
    /// Fits a distribution of <paramref name="kind"/> to a mean and a P99. A log-normal needs
    /// mean ≤ P99 ≤ ~14.97 × mean (the largest tail a log-normal with that mean can have); a uniform needs
    /// mean ≤ P99 ≤ 1.98 × mean (so that its lower bound stays at or above zero). Equal mean and P99 give a fixed value.
    /// </summary>
    public static bool TryFromMeanP99(DurationDistributionKind kind, double meanMs, double p99Ms, out Distribution distribution, out string? error)
    {
        distribution = Fixed(meanMs);
        error = null;
        if (kind == DurationDistributionKind.Fixed || p99Ms == meanMs)
        {
            return true;
        }

        if (p99Ms < meanMs)
        {
            error = $"P99 ({p99Ms} ms) must not be below the mean ({meanMs} ms)";
            return false;
        }

        if (kind == DurationDistributionKind.LogNormal)
        {
            // mean = exp(μ + σ²/2), p99 = exp(μ + z·σ)  ⇒  σ²/2 − z·σ + ln(p99/mean) = 0; take the smaller root.
            var logRatio = Math.Log(p99Ms / meanMs);
            var discriminant = (Z99 * Z99) - (2 * logRatio);
            if (discriminant < 0 || meanMs <= 0)
            {
                error = $"a log-normal with mean {meanMs} ms cannot have a P99 of {p99Ms} ms (at most {meanMs * Math.Exp(Z99 * Z99 / 2):0.#} ms)";
                return false;
            }

            var sigma = Z99 - Math.Sqrt(discriminant);
            var mu = Math.Log(meanMs) - (sigma * sigma / 2);
            distribution = new Distribution(DurationDistributionKind.LogNormal, mu, sigma);
            return true;
        }

        // Uniform [a, b]: mean = (a + b)/2, p99 = a + 0.99·(b − a)  ⇒  width = (p99 − mean)/0.49.
        var width = (p99Ms - meanMs) / 0.49;
        var low = meanMs - (width / 2);
        if (low < 0)
        {
            error = $"a uniform distribution with mean {meanMs} ms cannot have a P99 of {p99Ms} ms without negative durations (at most {meanMs * 1.98:0.#} ms)";
            return false;
        }

        distribution = new Distribution(DurationDistributionKind.Uniform, low, low + width);
        return true;
    }

    /// <summary>A log-normal fitted to a median (P50) and a P99, as the runtime init-duration table gives them (§6).</summary>
    public static Distribution LogNormalFromMedianP99(double p50Ms, double p99Ms)
    {
        if (p99Ms <= p50Ms || p50Ms <= 0)
        {
            return Fixed(p50Ms);
        }

        var mu = Math.Log(p50Ms);
        return new Distribution(DurationDistributionKind.LogNormal, mu, (Math.Log(p99Ms) - mu) / Z99);
    }

    /// <summary>Draws one value in milliseconds (never negative).</summary>
    public double Sample(Random random) => Kind switch
    {
        DurationDistributionKind.LogNormal => Math.Exp(A + (B * StandardNormal(random))),
        DurationDistributionKind.Uniform => A + ((B - A) * random.NextDouble()),
        _ => A,
    };

    /// <summary>The analytic mean, milliseconds.</summary>
    public double Mean => Kind switch
    {
        DurationDistributionKind.LogNormal => Math.Exp(A + (B * B / 2)),
        DurationDistributionKind.Uniform => (A + B) / 2,
        _ => A,
    };

    /// <summary>The analytic 99th percentile, milliseconds.</summary>
    public double P99 => Kind switch
    {
        DurationDistributionKind.LogNormal => Math.Exp(A + (Z99 * B)),
        DurationDistributionKind.Uniform => A + (0.99 * (B - A)),
        _ => A,
    };

    /// <summary>Returns the same distribution scaled by <paramref name="factor"/>.</summary>
    public Distribution Scale(double factor) => Kind switch
    {
        DurationDistributionKind.LogNormal => this with { A = A + Math.Log(factor) },
        DurationDistributionKind.Uniform => this with { A = A * factor, B = B * factor },
        _ => this with { A = A * factor },
    };

    // Box–Muller; two uniform draws per sample keeps the RNG stream simple and deterministic.
    private static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
