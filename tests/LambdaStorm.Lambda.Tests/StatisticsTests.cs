namespace LambdaStorm.Lambda.Tests;

/// <summary>ModelStatistics: per-second series, percentiles, async outcomes by attempt, peaks against limits, cost.</summary>
public sealed class StatisticsTests
{
    [Fact]
    public void Series_count_per_second_and_carry_concurrency_forward()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 2500;
            f.ReservedConcurrency = 3;
        });
        var statistics = new ModelStatistics(t.Model);

        t.Burst(5);              // 3 admitted, 2 throttled (reserved) at 0 s
        t.AdvanceTo(TimeSpan.FromSeconds(4.5));
        var series = statistics.GetFunctionSeries("fn");

        Assert.Equal([3, 3, 3, 0, 0], series.Concurrency);
        Assert.Equal([3, 0, 0, 0, 0], series.Invocations);
        Assert.Equal([3, 0, 0, 0, 0], series.ColdStarts);
        Assert.Equal([2, 0, 0, 0, 0], series.Throttles);
        Assert.Equal([2, 0, 0, 0, 0], series.ReservedLimitThrottles);
        Assert.Equal(series.Concurrency, statistics.GetAccountSeries().Concurrency);
    }

    [Fact]
    public void The_report_has_throttles_by_reason_peaks_limits_and_init_percentiles()
    {
        var t = TestModel.Create(o =>
        {
            o.Account.ConcurrencyLimit = 150;
            o.Functions.Add(new FunctionOptions { Name = "capped", ReservedConcurrency = 40, DurationMs = 1000, InitDurationMs = 100 });
            o.Functions.Add(new FunctionOptions { Name = "open", DurationMs = 1000, InitDurationMs = 300 });
        });
        var statistics = new ModelStatistics(t.Model);

        t.Burst(50, "capped");
        t.Burst(200, "open");
        t.Advance(TimeSpan.FromSeconds(5));
        var report = statistics.GetReport();

        Assert.Equal(10, report.ThrottlesByReason[ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded]);
        Assert.Equal(90, report.ThrottlesByReason[ThrottleReason.ConcurrentInvocationLimitExceeded]);
        Assert.Equal(100, report.SyncThrottles);
        Assert.Equal(150, report.PeakAccountConcurrency);
        Assert.Equal(t.Start, report.PeakAccountConcurrencyTime);
        Assert.Equal(150, report.AccountLimit);
        Assert.Equal(110, report.UnreservedPool);
        var capped = report.Functions.Single(f => f.Name == "capped");
        Assert.Equal(40, capped.PeakConcurrency);
        Assert.Equal(40, capped.ReservedConcurrency);
        Assert.Equal(150, report.InitDuration.Count);
        Assert.Equal(300, report.InitDuration.P50); // 40 of 150 at 100 ms, 110 at 300 ms
        Assert.Equal(((40 * 100) + (110 * 300)) / 150.0, report.InitDuration.Mean, 9);
        Assert.Equal(300, report.InitDuration.Max);
        Assert.Equal(150, report.Completed);
    }

    [Fact]
    public void Cost_counts_billed_GB_seconds_including_init_and_requests_at_x86_and_arm64_prices()
    {
        var t = TestModel.Create(o =>
        {
            o.Functions.Add(new FunctionOptions { Name = "x86", MemoryMb = 1024, DurationMs = 1000, InitDurationMs = 500 });
            o.Functions.Add(new FunctionOptions { Name = "arm", MemoryMb = 2048, DurationMs = 1000, InitDurationMs = 500, Architecture = FunctionArchitecture.Arm64 });
        });
        var statistics = new ModelStatistics(t.Model);
        t.Invoke("x86");
        t.Invoke("arm");
        t.Advance(TimeSpan.FromSeconds(2));
        t.Invoke("x86"); // warm: no init
        t.Advance(TimeSpan.FromSeconds(2));

        var cost = statistics.GetReport().Cost;
        // x86: 1.5 s + 1.0 s at 1 GB; arm: 1.5 s at 2 GB (arm64 init is given explicitly, so not discounted)
        Assert.Equal(3, cost.Requests);
        Assert.Equal(2.5 + 3.0, cost.BilledGbSeconds, 9);
        Assert.Equal(3 * 0.20 / 1_000_000, cost.RequestCostUsd, 12);
        Assert.Equal(5.5 * 0.0000166667, cost.ComputeCostX86Usd, 12);
        Assert.Equal(5.5 * 0.0000133334, cost.ComputeCostArm64Usd, 12);
        Assert.Equal(cost.RequestCostUsd + (2.5 * 0.0000166667) + (3.0 * 0.0000133334), cost.AsConfiguredUsd, 12);
        Assert.Equal(cost.RequestCostUsd + cost.ComputeCostX86Usd, cost.TotalX86Usd, 12);
    }

    [Fact]
    public void Async_outcomes_are_counted_by_attempt()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 10;
            f.PoisonMarker = "BAD";
            f.ErrorRate = 0.3;
        }, a => a.AsyncRetryDelays = [TimeSpan.FromSeconds(1)]);
        var statistics = new ModelStatistics(t.Model);

        for (var i = 0; i < 500; i++)
        {
            t.InvokeAsync(payload: i % 10 == 0 ? "\"BAD\"" : "{}");
            t.Advance(TimeSpan.FromMilliseconds(20));
        }

        t.Advance(TimeSpan.FromMinutes(1));
        var outcome = statistics.GetReport().Async;
        Assert.Equal(500, outcome.Queued);
        Assert.Equal(500, outcome.FirstTrySuccess + outcome.SuccessAfterRetry.Values.Sum() + outcome.RetriesExhausted + outcome.EventAgeExceeded);
        Assert.InRange(outcome.FirstTrySuccess, 280, 350);            // 90% good × 70% first-try
        Assert.True(outcome.SuccessAfterRetry[1] > outcome.SuccessAfterRetry[2]);
        Assert.InRange(outcome.RetriesExhausted, 50, 70);             // the 50 poison pills plus 0.3³ of the rest
        Assert.Equal(0, outcome.Pending);
        Assert.Equal(outcome.RetriesAfterFunctionError, t.Events.Retries.Count);
    }
}
