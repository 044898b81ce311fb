namespace LambdaStorm.Lambda.Tests;

/// <summary>Both scaling models produce the documented curves exactly under virtual time (§1.1, §1.2).</summary>
public sealed class ScalingTests
{
    private static void LongRunning(FunctionOptions f)
    {
        f.DurationMs = 60_000;
        f.TimeoutSeconds = 900;
        f.InitDurationMs = 0;
    }

    [Fact]
    public void PerFunction_bursts_to_1000_in_the_first_instant_then_adds_100_per_second()
    {
        var t = TestModel.WithFunction(LongRunning, a => a.ConcurrencyLimit = 10_000);

        var (admitted, throttled) = t.Burst(3000);
        Assert.Equal(1000, admitted.Count);
        Assert.Equal(2000, throttled.Count);
        Assert.All(throttled, r => Assert.Equal(ThrottleReason.FunctionInvocationRateLimitExceeded, r.ThrottleReason));
        Assert.All(throttled, r => Assert.Equal(1, r.RetryAfterSeconds));
        Assert.All(throttled, r => Assert.Equal(429, r.Error!.StatusCode));

        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, t.Burst(500).Admitted.Count);

        t.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(25, t.Burst(500).Admitted.Count);

        // Ten quiet seconds refill the bucket to its capacity and no further: no accrual [S1].
        t.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, t.Burst(5000).Admitted.Count);
        Assert.Equal(2125, t.Function().Concurrency);
    }

    [Fact]
    public void PerFunction_curve_under_a_continuous_overload_is_1000_plus_100_per_second()
    {
        var t = TestModel.WithFunction(LongRunning, a => a.ConcurrencyLimit = 10_000);

        // 5,000 arrivals per second for 20 s: far above what scaling allows.
        for (var ms = 0; ms < 20_000; ms++)
        {
            t.AdvanceTo(TimeSpan.FromMilliseconds(ms));
            for (var k = 0; k < 5; k++)
            {
                t.Invoke();
            }

            if (ms % 1000 == 999)
            {
                // By the end of second s the function holds 1,000 + 100·(s + 0.999) environments.
                var expected = 1000 + (100 * (ms + 1) / 1000) - 1;
                Assert.InRange(t.Function().Concurrency, expected, expected + 1);
            }
        }

        Assert.All(t.Events.Throttled, e => Assert.Equal(ThrottleReason.FunctionInvocationRateLimitExceeded, e.Reason));
    }

    [Fact]
    public void PerFunction_functions_scale_independently_under_the_account_cap()
    {
        var t = TestModel.Create(o =>
        {
            o.Account.ConcurrencyLimit = 2500;
            foreach (var name in new[] { "a", "b", "c" })
            {
                var f = new FunctionOptions { Name = name };
                LongRunning(f);
                o.Functions.Add(f);
            }
        });

        Assert.Equal(1000, t.Burst(1500, "a").Admitted.Count);
        Assert.Equal(1000, t.Burst(1500, "b").Admitted.Count);

        // c still has its own 1,000 tokens, but only 500 are left in the account.
        var (admitted, throttled) = t.Burst(1500, "c");
        Assert.Equal(500, admitted.Count);
        Assert.All(throttled, r => Assert.Equal(ThrottleReason.ConcurrentInvocationLimitExceeded, r.ThrottleReason));
    }

    [Fact]
    public void PerFunction_warm_environments_do_not_use_scaling_tokens()
    {
        var t = TestModel.WithFunction(f =>
        {
            LongRunning(f);
            f.DurationMs = 1000;
        }, a => a.ConcurrencyLimit = 10_000);

        Assert.Equal(1000, t.Burst(1000).Admitted.Count);
        t.Advance(TimeSpan.FromSeconds(2)); // all done, all warm, bucket refilled by 200

        // 1,000 warm environments plus the 200 tokens refilled in 2 s.
        Assert.Equal(1200, t.Burst(3000).Admitted.Count);
        Assert.Equal(1000 + 200, t.Events.ColdStarts.Count);
    }

    [Theory]
    [InlineData("us-east-1", 3000)]
    [InlineData("us-west-2", 3000)]
    [InlineData("eu-west-1", 3000)]
    [InlineData("ap-northeast-1", 1000)]
    [InlineData("eu-central-1", 1000)]
    [InlineData("us-east-2", 1000)]
    [InlineData("sa-east-1", 500)]
    public void Legacy_bursts_by_region(string region, int burst)
    {
        var t = TestModel.WithFunction(LongRunning, a =>
        {
            a.ScalingModel = ScalingModel.LegacyBurst;
            a.Region = region;
            a.ConcurrencyLimit = 20_000;
        });

        Assert.Equal(burst, t.Burst(burst + 2000).Admitted.Count);
    }

    [Fact]
    public void Legacy_then_adds_500_per_minute()
    {
        var t = TestModel.WithFunction(LongRunning, a =>
        {
            a.ScalingModel = ScalingModel.LegacyBurst;
            a.ConcurrencyLimit = 20_000;
        });

        Assert.Equal(3000, t.Burst(5000).Admitted.Count);
        t.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(250, t.Burst(5000).Admitted.Count);
        t.Advance(TimeSpan.FromSeconds(30)); // the first functions (60 s) end now and free warm environments
        Assert.Equal(3000 + 250, t.Burst(5000).Admitted.Count);
        Assert.Equal(3000 + 250 + 250, t.Events.ColdStarts.Count);
    }

    [Fact]
    public void Legacy_burst_is_account_wide_and_can_be_overridden()
    {
        var t = TestModel.Create(o =>
        {
            o.Account.ScalingModel = ScalingModel.LegacyBurst;
            o.Account.LegacyBurst = 1200;
            o.Account.ConcurrencyLimit = 20_000;
            foreach (var name in new[] { "a", "b" })
            {
                var f = new FunctionOptions { Name = name };
                LongRunning(f);
                o.Functions.Add(f);
            }
        });

        Assert.Equal(1200, t.Burst(2000, "a").Admitted.Count);
        // One function's spike ate the other's headroom [S3][S2].
        Assert.Empty(t.Burst(100, "b").Admitted);
        t.Advance(TimeSpan.FromMinutes(0.6));
        Assert.Equal(300, t.Burst(1000, "b").Admitted.Count);
    }
}
