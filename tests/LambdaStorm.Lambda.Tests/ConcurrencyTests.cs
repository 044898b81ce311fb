namespace LambdaStorm.Lambda.Tests;

/// <summary>Account pool, reserved concurrency (cap and guarantee), the unreserved minimum and the request-rate limit (§1.3, §2.1).</summary>
public sealed class ConcurrencyTests
{
    private static void LongRunning(FunctionOptions f)
    {
        f.DurationMs = 60_000;
        f.TimeoutSeconds = 900;
        f.InitDurationMs = 0;
    }

    [Fact]
    public void Account_cap_throttles_with_ConcurrentInvocationLimitExceeded()
    {
        var t = TestModel.WithFunction(LongRunning);

        var (admitted, throttled) = t.Burst(1200);
        Assert.Equal(1000, admitted.Count);
        Assert.All(throttled, r => Assert.Equal(ThrottleReason.ConcurrentInvocationLimitExceeded, r.ThrottleReason));
        Assert.Equal(LambdaErrors.TooManyRequests, throttled[0].Error!.ExceptionName);
        Assert.Equal("Rate Exceeded.", throttled[0].Error!.Message);
        Assert.Equal("message", throttled[0].Error!.MessageMemberName);
        Assert.Equal(1000, t.Model.GetAccountSettings().ConcurrentExecutionsInUse);
    }

    [Fact]
    public void Reserved_concurrency_is_a_cap()
    {
        var t = TestModel.WithFunction(f =>
        {
            LongRunning(f);
            f.ReservedConcurrency = 10;
        });

        var (admitted, throttled) = t.Burst(15);
        Assert.Equal(10, admitted.Count);
        Assert.All(throttled, r => Assert.Equal(ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded, r.ThrottleReason));
    }

    [Fact]
    public void Reserved_concurrency_is_a_guarantee()
    {
        var t = TestModel.Create(o =>
        {
            o.Account.ConcurrencyLimit = 300;
            var reserved = new FunctionOptions { Name = "reserved", ReservedConcurrency = 150 };
            var greedy = new FunctionOptions { Name = "greedy" };
            LongRunning(reserved);
            LongRunning(greedy);
            o.Functions.AddRange([reserved, greedy]);
        });

        var greedy = t.Burst(400, "greedy");
        Assert.Equal(150, greedy.Admitted.Count); // the unreserved pool is 300 − 150
        Assert.All(greedy.Throttled, r => Assert.Equal(ThrottleReason.ConcurrentInvocationLimitExceeded, r.ThrottleReason));
        Assert.Equal(150, t.Burst(400, "reserved").Admitted.Count);
        Assert.Equal(300, t.Model.GetSnapshot().AccountConcurrency);
    }

    [Fact]
    public void Reserved_zero_throttles_everything()
    {
        var t = TestModel.WithFunction(f => f.ReservedConcurrency = 0);
        var r = t.Invoke();
        Assert.Equal(InvokeStatus.Throttled, r.Status);
        Assert.Equal(ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded, r.ThrottleReason);
    }

    [Fact]
    public void PutFunctionConcurrency_keeps_100_unreserved()
    {
        var t = TestModel.Create(o =>
        {
            o.Functions.Add(new FunctionOptions { Name = "a" });
            o.Functions.Add(new FunctionOptions { Name = "b" });
        });

        Assert.Equal(900, t.Model.PutFunctionConcurrency("a", 900).GetValueOrThrow());
        var tooMuch = t.Model.PutFunctionConcurrency("b", 1);
        Assert.False(tooMuch.IsSuccess);
        Assert.Equal("InvalidParameterValueException", tooMuch.Error.ExceptionName);
        Assert.Equal(400, tooMuch.Error.StatusCode);
        Assert.Equal(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
            tooMuch.Error.Message);
        Assert.False(t.Model.PutFunctionConcurrency("a", 901).IsSuccess);

        var settings = t.Model.GetAccountSettings();
        Assert.Equal(1000, settings.ConcurrentExecutions);
        Assert.Equal(100, settings.UnreservedConcurrentExecutions);

        Assert.True(t.Model.DeleteFunctionConcurrency("a").IsSuccess);
        Assert.Null(t.Model.GetFunctionConcurrency("a").GetValueOrThrow());
        Assert.Equal(1000, t.Model.GetAccountSettings().UnreservedConcurrentExecutions);
        Assert.Equal(5, t.Model.PutFunctionConcurrency("b", 5).GetValueOrThrow());
        Assert.Equal(5, t.Model.GetFunctionConcurrency("b").GetValueOrThrow());
    }

    [Fact]
    public void The_unreserved_minimum_is_configurable()
    {
        var t = TestModel.WithFunction(account: a => a.UnreservedMinimum = 50);
        Assert.True(t.Model.PutFunctionConcurrency("fn", 950).IsSuccess);
        Assert.Contains("[50]", t.Model.PutFunctionConcurrency("fn", 951).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cutting_reserved_concurrency_to_zero_mid_peak_throttles_new_work_but_not_running_work()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 1000;
            f.InitDurationMs = 0;
        });

        Assert.Equal(50, t.Burst(50).Admitted.Count);
        t.Model.PutFunctionConcurrency("fn", 0);
        Assert.Empty(t.Burst(10).Admitted);
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(50, t.Events.Completed.Count);
        Assert.All(t.Events.Completed, r => Assert.True(r.IsSuccess));

        t.Model.DeleteFunctionConcurrency("fn");
        Assert.Equal(10, t.Burst(10).Admitted.Count);
    }

    [Fact]
    public void Request_rate_limit_throttles_short_functions_below_the_concurrency_limit()
    {
        // 10 × concurrency by default [S4]; here 50/s so that a 1 ms function hits it with 1 environment busy at a time.
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 1;
            f.InitDurationMs = 0;
        }, a => a.RequestRateLimit = 50);

        var admitted = 0;
        var rateThrottled = 0;
        for (var i = 0; i < 200; i++)
        {
            var r = t.Invoke();
            admitted += r.IsAdmitted ? 1 : 0;
            rateThrottled += r.ThrottleReason == ThrottleReason.FunctionInvocationRateLimitExceeded ? 1 : 0;
            t.Advance(TimeSpan.FromMilliseconds(5)); // 200 per second offered
        }

        // Offers at 0, 5, …, 995 ms: 50 in the bucket plus 49.75 refilled by the last one.
        Assert.Equal(50 + 49, admitted);
        Assert.Equal(200 - 99, rateThrottled);
    }

    [Fact]
    public void Request_rate_limit_defaults_to_ten_times_the_concurrency_limit()
    {
        Assert.Equal(10_000, AccountSettings.Default.RequestRateLimit);
        var settings = new LambdaModelOptions { Account = { ConcurrencyLimit = 3000 } }.ToSettings();
        Assert.Equal(30_000, settings.Account.RequestRateLimit);
    }
}
