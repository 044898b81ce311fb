namespace LambdaStorm.Lambda.Tests;

/// <summary>VirtualTimeSimulation: event-by-event virtual time, draining, poison arrivals, determinism.</summary>
public sealed class SimulationTests
{
    private static (SimulationSummary Summary, List<string> Trace, ModelStatisticsReport Report) Simulate(int seed, int count = 3000)
    {
        var options = new LambdaModelOptions { Seed = seed };
        options.Functions.Add(new FunctionOptions
        {
            Name = "api",
            DurationMs = 120,
            DurationP99Ms = 900,
            ErrorRate = 0.05,
            PoisonMarker = "POISON",
            ReservedConcurrency = 40,
        });
        options.Functions.Add(new FunctionOptions { Name = "worker", DurationMs = 2000, DurationP99Ms = 5000, ErrorRate = 0.2, TimeoutSeconds = 4 });
        options.Account.AsyncRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
        var clock = new VirtualTimeProvider();
        var model = LambdaModel.Create(options, clock);
        var trace = new List<string>();
        var recorder = new RecordingObserver();
        model.AddObserver(recorder);
        var statistics = new ModelStatistics(model);
        var arrivals = Enumerable.Range(0, count).Select(i => new Arrival(
            TimeSpan.FromMilliseconds(i * 3),
            i % 3 == 0 ? "worker" : "api",
            Type: i % 3 == 0 ? InvocationType.Event : InvocationType.RequestResponse,
            Poison: i % 50 == 1,
            Id: $"id-{i}"));
        var summary = new VirtualTimeSimulation(model, clock).Run(arrivals);
        trace.AddRange(recorder.Completed.Select(r => $"{r.RequestId}|{r.EndTime.Ticks}|{r.ErrorType}|{r.ColdStart}|{r.EnvironmentId}"));
        trace.AddRange(recorder.Throttled.Select(e => $"{e.RequestId}|{e.Time.Ticks}|{e.Reason}"));
        return (summary, trace, statistics.GetReport());
    }

    [Fact]
    public void A_run_is_deterministic_for_a_seed()
    {
        var a = Simulate(5);
        var b = Simulate(5);
        var c = Simulate(6);
        Assert.Equal(a.Trace, b.Trace);
        Assert.Equal(a.Summary, b.Summary);
        Assert.NotEqual(a.Trace, c.Trace);
    }

    [Fact]
    public void A_run_drains_until_quiescent_and_accounts_for_every_arrival()
    {
        var (summary, _, report) = Simulate(5);
        Assert.True(summary.Drained);
        Assert.Equal(3000, summary.Offered);
        Assert.Equal(summary.Offered, summary.SyncAdmitted + summary.SyncThrottled + summary.AsyncAccepted + summary.Rejected);
        Assert.Equal(1000, summary.AsyncAccepted);
        Assert.True(summary.SyncThrottled > 0); // reserved 40 with 120 ms mean at 667/s
        Assert.True(summary.End > summary.LastArrival);
        Assert.Equal(0, report.Async.Pending);
        Assert.Equal(1000, report.Async.FirstTrySuccess + report.Async.SuccessAfterRetry.Values.Sum() + report.Async.RetriesExhausted);
        Assert.True(report.Timeouts > 0);
        Assert.Equal(20, summary.PoisonWithoutMarker); // "worker" has no marker: i ≡ 51 (mod 150) gives 20 such arrivals
    }

    [Fact]
    public void Poison_arrivals_carry_the_functions_marker()
    {
        var options = new LambdaModelOptions();
        options.Functions.Add(new FunctionOptions { Name = "fn", PoisonMarker = "<<poison>>", DurationMs = 5 });
        var clock = new VirtualTimeProvider();
        var model = LambdaModel.Create(options, clock);
        var recorder = new RecordingObserver();
        model.AddObserver(recorder);
        new VirtualTimeSimulation(model, clock).Run([
            new Arrival(TimeSpan.Zero, "fn", Poison: true),
            new Arrival(TimeSpan.FromSeconds(1), "fn", Payload: "{}"u8.ToArray()),
        ]);
        Assert.Equal([LambdaModel.PoisonPillErrorType, null], recorder.Completed.Select(r => r.ErrorType));
    }

    [Fact]
    public void The_drain_limit_stops_a_model_that_never_settles()
    {
        var options = new LambdaModelOptions();
        var f = new FunctionOptions { Name = "loop", DurationMs = 1000 };
        f.AsyncConfig.OnSuccess = "arn:aws:lambda:us-east-1:000000000000:function:loop"; // every success invokes it again
        options.Functions.Add(f);
        var clock = new VirtualTimeProvider();
        var model = LambdaModel.Create(options, clock);
        var summary = new VirtualTimeSimulation(model, clock) { DrainLimit = TimeSpan.FromMinutes(1) }
            .Run([new Arrival(TimeSpan.Zero, "loop", Type: InvocationType.Event)]);
        Assert.False(summary.Drained);
        Assert.InRange((summary.End - summary.Start).TotalSeconds, 59, 61);
    }

    [Fact]
    public void Virtual_time_never_calls_timers()
    {
        var clock = new VirtualTimeProvider();
        Assert.Throws<NotSupportedException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.Zero));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetUtcNow(VirtualTimeProvider.DefaultStart));
        Assert.Equal(TimeSpan.FromSeconds(1), clock.GetElapsedTime(VirtualTimeProvider.DefaultStart.UtcTicks));
    }
}
