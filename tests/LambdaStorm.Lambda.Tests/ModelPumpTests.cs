using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Lambda.Tests;

/// <summary>The real-time driver and the model's thread safety, with a FakeTimeProvider standing in for the wall clock.</summary>
public sealed class ModelPumpTests
{
    // Guards against a hang only; no test asserts on wall-clock time.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static LambdaModel CreateModel(TimeProvider time)
    {
        var options = new LambdaModelOptions();
        options.Functions.Add(new FunctionOptions { Name = "slow", DurationMs = 60_000, TimeoutSeconds = 120, InitDurationMs = 0 });
        options.Functions.Add(new FunctionOptions { Name = "fast", DurationMs = 100, InitDurationMs = 0 });
        return LambdaModel.Create(options, time);
    }

    [Fact]
    public async Task The_pump_completes_executions_when_the_clock_reaches_them_and_wakes_for_earlier_events()
    {
        var time = new FakeTimeProvider(VirtualTimeProvider.DefaultStart);
        var model = CreateModel(time);
        using var pump = new ModelPump(model);
        using var stop = new CancellationTokenSource();
        var running = pump.RunAsync(stop.Token);

        var slow = model.InvokeSync("slow", null, "{}").Completion!;
        var fast = model.InvokeSync("fast", null, "{}").Completion!; // earlier than the event the pump sleeps for

        time.Advance(TimeSpan.FromMilliseconds(100));
        var result = await fast.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        Assert.Equal(VirtualTimeProvider.DefaultStart.AddMilliseconds(100), result.EndTime);
        Assert.False(slow.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True((await slow.WaitAsync(HangGuard, TestContext.Current.CancellationToken)).IsSuccess);

        await stop.CancelAsync();
        await running.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        Assert.True(pump.EventsProcessed >= 2);
    }

    [Fact]
    public async Task Async_retries_happen_on_time_without_any_other_calls()
    {
        var time = new FakeTimeProvider(VirtualTimeProvider.DefaultStart);
        var options = new LambdaModelOptions { Account = { AsyncRetryDelays = [TimeSpan.FromSeconds(1)] } };
        options.Functions.Add(new FunctionOptions { Name = "fn", DurationMs = 10, InitDurationMs = 0, ErrorRate = 1 });
        var model = LambdaModel.Create(options, time);
        var finished = new TaskCompletionSource<AsyncEventFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        model.AddObserver(new FinishObserver(finished));
        using var pump = new ModelPump(model);
        using var stop = new CancellationTokenSource();
        var running = pump.RunAsync(stop.Token);

        model.InvokeAsync("fn", null, "{}");
        for (var i = 0; i < 40 && !finished.Task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        var e = await finished.Task.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        Assert.Equal(AsyncCondition.RetriesExhausted, e.Condition);
        Assert.Equal(3, e.InvokeCount);
        Assert.Equal(VirtualTimeProvider.DefaultStart + TimeSpan.FromMilliseconds(10 + 1000 + 10 + 1000 + 10), e.Time);
        await stop.CancelAsync();
        await running.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Many_threads_can_invoke_at_once()
    {
        var time = new FakeTimeProvider(VirtualTimeProvider.DefaultStart);
        var model = CreateModel(time);
        var statistics = new ModelStatistics(model);
        var responses = new InvokeResponse[8][];
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            responses[thread] = [.. Enumerable.Range(0, 500).Select(_ => model.InvokeSync("fast", null, "{}"))];
            for (var i = 0; i < 100; i++)
            {
                model.InvokeAsync("fast", null, "{}");
                _ = model.GetSnapshot();
            }
        }, TestContext.Current.CancellationToken)));

        time.Advance(TimeSpan.FromMinutes(10));
        model.RunDue();
        var all = responses.SelectMany(r => r).ToList();
        var report = statistics.GetReport();
        Assert.Equal(4000, all.Count);
        Assert.Equal(all.Count(r => r.IsAdmitted), report.Completed - report.Async.FirstTrySuccess - report.Async.SuccessAfterRetry.Values.Sum() - report.Async.RetriesExhausted);
        Assert.Equal(800, report.Async.Queued);
        Assert.Equal(1000, report.PeakAccountConcurrency);
        Assert.Equal(all.Count(r => !r.IsAdmitted), report.SyncThrottles);
        Assert.True(model.IsQuiescent);
        Assert.Equal(all.Select(r => r.RequestId).Distinct().Count(), all.Count);
    }

    private sealed class FinishObserver(TaskCompletionSource<AsyncEventFinished> finished) : ILambdaModelObserver
    {
        public void OnAsyncEventFinished(in AsyncEventFinished e) => finished.TrySetResult(e);
    }
}
