namespace LambdaStorm.Lambda;

/// <summary>
/// Runs a <see cref="LambdaModel"/> in real time (for the emulator): a loop that processes due events, then waits with
/// <c>Task.Delay(next − now, timeProvider)</c> until the next one, woken early whenever the model schedules an event that
/// is earlier than the one it is waiting for. Lateness of the host timer does not distort results: each event is
/// processed at its own due time. Data-plane calls do not depend on the pump for correctness (they process due events
/// themselves); the pump makes completions and retries happen on time when no calls arrive.
/// </summary>
internal sealed class ModelPump : IDisposable
{
    private readonly LambdaModel _model;
    private readonly TimeProvider _time;
    private readonly IDisposable _registration;
    private static readonly TimeSpan RearmTolerance = TimeSpan.FromMilliseconds(1);
    private TaskCompletionSource _wake = NewSignal();

    /// <summary>Creates a pump for <paramref name="model"/>, using the model's clock.</summary>
    public ModelPump(LambdaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _time = model.TimeProvider;
        _registration = model.RegisterWakeUp(() => Volatile.Read(ref _wake).TrySetResult());
    }

    /// <summary>Events processed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (then completes without throwing).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Re-arm the wake signal before looking at the schedule, so that an event scheduled after the look wakes us.
            var wake = NewSignal();
            Volatile.Write(ref _wake, wake);
            EventsProcessed += _model.RunDue();
            var next = _model.NextEventTime;
            var before = _time.GetUtcNow();
            var delay = next is { } due ? due - before : Timeout.InfiniteTimeSpan;
            if (next is not null && delay <= TimeSpan.Zero)
            {
                continue;
            }

            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sleep = Task.Delay(delay, _time, delayCancellation.Token);

            // If the clock moved while the timer was being armed (a test clock can jump), the timer is late: recompute.
            if (_time.GetUtcNow() - before <= RearmTolerance)
            {
                await Task.WhenAny(sleep, wake.Task).ConfigureAwait(false);
            }

            await delayCancellation.CancelAsync().ConfigureAwait(false);
            // Woken early or shutting down: a cancelled sleep is the normal case, so no exception is thrown for it.
            await sleep.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _registration.Dispose();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
