namespace LambdaStorm.Engine;

/// <summary>
/// Delays on a <see cref="TimeProvider"/>. Unlike <c>Task.Delay(TimeSpan, TimeProvider, CancellationToken)</c>, whose
/// continuations always hop to the thread pool, a delay on a virtual clock (FakeTimeProvider, simulate) resumes inline
/// inside the call that advances the clock, so everything due at an instant has run when <c>Advance</c> returns.
/// That makes fake-time tests and virtual-time runs deterministic. On the system clock continuations run
/// asynchronously, so no work ever runs on the shared timer thread.
/// </summary>
public static class Clock
{
    /// <summary>Completes after <paramref name="delay"/> on <paramref name="time"/>, or cancels with the token.</summary>
    public static Task DelayAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        if (time == TimeProvider.System)
        {
            return Task.Delay(delay, time, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var state = new DelayState(cancellationToken);
        state.Timer = time.CreateTimer(static s => ((DelayState)s!).Fire(), state, delay, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            state.Registration = cancellationToken.Register(static s => ((DelayState)s!).Cancel(), state);
        }

        return state.Task;
    }

    private sealed class DelayState(CancellationToken token) : TaskCompletionSource
    {
        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Fire()
        {
            if (TrySetResult())
            {
                Cleanup();
            }
        }

        public void Cancel()
        {
            if (TrySetCanceled(token))
            {
                Cleanup();
            }
        }

        private void Cleanup()
        {
            Timer?.Dispose();
            Registration.Dispose();
        }
    }
}
