using LambdaStorm.Engine;
using LambdaStorm.Lambda;

namespace LambdaStorm.Targets;

/// <summary>
/// Hosts the Lambda model for a run: builds it from the scenario's emulator target, keeps its events flowing on the
/// run's clock, and collects its statistics. On the system clock the model's own <see cref="ModelPump"/> runs it in
/// real time. On a virtual clock a single timer at the model's next event time drives it, and execution results are
/// handed to the engine only after the model call that produced them has returned, never from inside the model's
/// lock, so the engine can call the model again at once. Part of internal API.
/// </summary>
internal sealed class ModelHost : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly bool _virtual;
    private readonly Queue<(TaskCompletionSource<InvocationResult> Completion, InvocationResult Result)> _deferred = new();
    private readonly Lock _deferredLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer? _timer;
    private readonly IDisposable? _wakeUp;
    private readonly ModelPump? _pump;
    private readonly Task _pumpTask = Task.CompletedTask;
    private bool _flushing;

    public ModelHost(LambdaModelOptions options, TimeProvider time)
    {
        _time = time;
        _virtual = time != TimeProvider.System;
        Model = LambdaModel.Create(options, time);
        Statistics = new ModelStatistics(Model);
        if (_virtual)
        {
            _timer = time.CreateTimer(_ => OnDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _wakeUp = Model.RegisterWakeUp(Reschedule);
            Reschedule();
        }
        else
        {
            _pump = new ModelPump(Model);
            _pumpTask = Task.Run(() => _pump.RunAsync(_stop.Token));
        }
    }

    public LambdaModel Model { get; }

    public ModelStatistics Statistics { get; }

    /// <summary>A completion source for one invocation's result.</summary>
    public TaskCompletionSource<InvocationResult> NewCompletion()
        => new(_virtual ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called by the model (under its lock) when an execution ends.</summary>
    public void Complete(TaskCompletionSource<InvocationResult> completion, InvocationResult result)
    {
        if (!_virtual)
        {
            completion.TrySetResult(result);
            return;
        }

        lock (_deferredLock)
        {
            _deferred.Enqueue((completion, result));
        }
    }

    /// <summary>Hands deferred results to the engine; call after every model call (virtual clock only).</summary>
    public void Flush()
    {
        if (!_virtual || _flushing)
        {
            return; // a nested call from a continuation: the outer loop drains the queue
        }

        _flushing = true;
        try
        {
            while (true)
            {
                (TaskCompletionSource<InvocationResult> Completion, InvocationResult Result) next;
                lock (_deferredLock)
                {
                    if (!_deferred.TryDequeue(out next))
                    {
                        return;
                    }
                }

                next.Completion.TrySetResult(next.Result);
            }
        }
        finally
        {
            _flushing = false;
        }
    }

    /// <summary>
    /// Lets the model finish what is queued (async retries, destinations) after the load has ended, up to
    /// <paramref name="limit"/> of clock time; returns the number of async events still pending.
    /// </summary>
    public static async Task<long> SettleAsync(LambdaModel model, TimeProvider time, TimeSpan limit, Action? flush, CancellationToken cancellationToken)
    {
        bool Settled()
        {
            model.RunDue();
            flush?.Invoke();
            return model.IsQuiescent && model.GetSnapshot().PendingAsyncEvents == 0;
        }

        var deadline = time.GetUtcNow() + limit;
        while (!Settled() && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            var next = model.NextEventTime ?? deadline;
            var wait = next - time.GetUtcNow();
            var step = wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
            try
            {
                await time.DelayAsync(step, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return model.GetSnapshot().PendingAsyncEvents;
    }

    private void OnDue()
    {
        Model.RunDue();
        Flush();
        Reschedule();
    }

    private void Reschedule()
    {
        if (Model.NextEventTime is { } next)
        {
            var due = next - _time.GetUtcNow();
            _timer!.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pumpTask.ConfigureAwait(false);
        _pump?.Dispose();
        _wakeUp?.Dispose();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
