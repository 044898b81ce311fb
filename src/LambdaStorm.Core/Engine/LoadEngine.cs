using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Engine;

/// <summary>Immutable settings of one engine run. Part of internal API.</summary>
/// <param name="MaxInFlight">In-flight cap; arrivals beyond it are dropped and counted, never queued.</param>
/// <param name="GracefulStop">How long in-flight invocations may finish after the load ends or is stopped.</param>
/// <param name="SnapshotInterval">Length of one measurement interval.</param>
/// <param name="SpinThreshold">
/// The last stretch before an arrival is waited for by spinning rather than a timer, for sub-millisecond accuracy.
/// Zero with a fake clock (a spin would never see time move).
/// </param>
/// <param name="ShareOffset">This generator fires arrivals ShareOffset, ShareOffset + ShareStride, … (k of n).</param>
/// <param name="ShareStride">Number of generators sharing the schedule (n).</param>
/// <param name="Source">Agent name put on snapshots, or null.</param>
internal sealed record EngineSettings(
    int MaxInFlight,
    TimeSpan GracefulStop,
    TimeSpan SnapshotInterval,
    TimeSpan SpinThreshold,
    int ShareOffset = 0,
    int ShareStride = 1,
    string? Source = null)
{
    /// <summary>Settings for a scenario on the given clock.</summary>
    public static EngineSettings For(Scenario scenario, TimeProvider time) => new(
        scenario.MaxInFlight,
        scenario.GracefulStop,
        TimeSpan.FromSeconds(1),
        time == TimeProvider.System ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
}

/// <summary>How an engine run ended.</summary>
/// <param name="StartedAt">Wall-clock start.</param>
/// <param name="Elapsed">Time from start to the end of the graceful stop.</param>
/// <param name="Stopped">True when the run was stopped before its schedule ended.</param>
/// <param name="Interrupted">Invocations still in flight when the graceful stop ran out, and cancelled.</param>
internal sealed record EngineResult(DateTimeOffset StartedAt, TimeSpan Elapsed, bool Stopped, long Interrupted);

/// <summary>
/// The load engine. The open model fires arrival <c>i</c> at <c>start + t_i</c>, computed from one start timestamp
/// so that timer error never accumulates, and measures latency from that intended time, so a stalled target shows
/// up as latency rather than as fewer requests (no coordinated omission). An arrival that finds
/// <see cref="EngineSettings.MaxInFlight"/> reached is dropped and counted. The closed model keeps exactly N
/// invocations in flight. All time comes from the <see cref="TimeProvider"/>. Part of internal API.
/// </summary>
internal sealed class LoadEngine : IDisposable
{
    /// <summary>
    /// The least time one closed-model call takes. A call its target answered synchronously (in simulate: a throttle,
    /// the 202 of an async invoke, a queue send, all answered by the model at the same virtual instant) is followed by
    /// this pause, as a real call's round trip would be. Without it a copy looped at one instant forever: virtual time
    /// moves only between timers, so the run never got past that instant, memory grew with every call, and a stop
    /// request (checked between timers) was never seen.
    /// </summary>
    internal static readonly TimeSpan ClosedCallFloor = TimeSpan.FromMilliseconds(1);

    private readonly LoadSchedule _schedule;
    private readonly InvocationFactory _factory;
    private readonly Func<InvocationPath, IInvocationTarget> _targets;
    private readonly EngineSettings _settings;
    private readonly TimeProvider _time;
    private readonly MeasurementHub _hub = new();
    private readonly CancellationTokenSource _invocations = new();
    private readonly TaskCompletionSource _drained;
    private readonly Lock _snapshotLock = new();
    private readonly Lock _workersLock = new();
    private readonly List<bool> _workerActive = [];
    private long _inFlight;
    private long _interrupted;
    private long _closedCounter;
    private long _startTs;
    private DateTimeOffset _startUtc;
    private long _sequence;
    private double _lastSnapshotEnd;
    private volatile bool _draining;
    private volatile bool _running;
    private volatile int _desiredCopies;
    private readonly ShareCursor _cursor;

    public LoadEngine(LoadSchedule schedule, InvocationFactory factory, Func<InvocationPath, IInvocationTarget> targets, EngineSettings settings, TimeProvider time)
    {
        _schedule = schedule;
        _factory = factory;
        _targets = targets;
        _settings = settings;
        _time = time;
        _cursor = new ShareCursor(new ShareEpoch(0, settings.ShareOffset, settings.ShareStride));

        // On a virtual clock everything runs inline (see Clock); on the system clock never complete on a caller's thread.
        _drained = new TaskCompletionSource(time == TimeProvider.System ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
    }

    /// <summary>Called once per interval, in order, with what was measured. Must be quick.</summary>
    public event Action<IntervalSnapshot>? Snapshot;

    /// <summary>Invocations in flight right now (client-observed concurrency).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Seconds since the run started.</summary>
    public double Elapsed => _running ? _time.GetElapsedTime(_startTs).TotalSeconds : 0;

    /// <summary>The wall-clock start of the run (valid once running).</summary>
    public DateTimeOffset StartedAt => _startUtc;

    /// <summary>The share epoch in force now.</summary>
    public ShareEpoch Epoch
    {
        get
        {
            lock (_cursor)
            {
                return _cursor.Current;
            }
        }
    }

    /// <summary>
    /// Re-splits: from <see cref="ShareEpoch.FromArrival"/> on, this engine fires the arrivals of <paramref name="next"/>
    /// instead of its current share (closed-model copies follow once that arrival is reached). Thread-safe.
    /// </summary>
    public void Reshare(ShareEpoch next)
    {
        lock (_cursor)
        {
            _cursor.Add(next);
        }
    }

    private long NextOwned(long index)
    {
        lock (_cursor)
        {
            return _cursor.Next(index);
        }
    }

    private ShareEpoch EpochNow()
    {
        var reached = _schedule.ArrivalsBefore(Elapsed);
        lock (_cursor)
        {
            return _cursor.EpochAt(reached);
        }
    }

    private bool HasPendingEpochs
    {
        get
        {
            lock (_cursor)
            {
                return _cursor.HasPending;
            }
        }
    }

    /// <summary>Runs the whole schedule, or until <paramref name="stop"/> fires, then drains in-flight invocations.</summary>
    public Task<EngineResult> RunAsync(CancellationToken stop) => RunAsync(TimeSpan.Zero, stop);

    /// <summary>
    /// Runs the schedule as if it had started <paramref name="alreadyElapsed"/> ago: a cluster agent that joins a run
    /// late (or hears of its start a little late) keeps the run's time base and interval numbers.
    /// </summary>
    public async Task<EngineResult> RunAsync(TimeSpan alreadyElapsed, CancellationToken stop)
    {
        var ago = alreadyElapsed > TimeSpan.Zero ? alreadyElapsed : TimeSpan.Zero;
        _startTs = _time.GetTimestamp() - SecondsToTicks(ago.TotalSeconds);
        _startUtc = _time.GetUtcNow() - ago;
        _sequence = (long)Math.Floor(ago.TotalSeconds / _settings.SnapshotInterval.TotalSeconds);
        _lastSnapshotEnd = _sequence * _settings.SnapshotInterval.TotalSeconds;
        _running = true;
        using var loops = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var snapshots = new CancellationTokenSource();

        var snapshotLoop = SnapshotLoopAsync(snapshots.Token);
        var open = _settings.SpinThreshold > TimeSpan.Zero && _schedule.TotalArrivals > 0
            ? DispatchOnOwnThread(loops.Token)
            : DispatchOpenAsync(blocking: false, loops.Token);
        var closed = RunClosedAsync(loops.Token);
        await Task.WhenAll(open, closed).ConfigureAwait(false);
        var stopped = stop.IsCancellationRequested && Elapsed < _schedule.Duration;

        await DrainAsync().ConfigureAwait(false);
        snapshots.Cancel(); // synchronous, so the loop ends before the final snapshot is taken
        await snapshotLoop.ConfigureAwait(false);
        EmitSnapshot(Elapsed);
        return new EngineResult(_startUtc, _time.GetElapsedTime(_startTs), stopped, Interlocked.Read(ref _interrupted));
    }

    /// <summary>
    /// On the system clock the open-model dispatcher gets a thread of its own and every wait blocks that thread, so
    /// the loop below never leaves it: it is not queued behind the thread pool's work (HTTP completions, snapshots),
    /// and it never holds a pool thread for the whole run while it spins.
    /// </summary>
    private Task DispatchOnOwnThread(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // With blocking waits every await inside completes synchronously, so this returns a finished task.
                DispatchOpenAsync(blocking: true, ct).GetAwaiter().GetResult();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "LambdaStorm dispatcher",
        };
        thread.Start();
        return done.Task;
    }

    private async Task DispatchOpenAsync(bool blocking, CancellationToken ct)
    {
        var step = SecondsToTicks(0.2);
        var i = NextOwned(0);
        while (!ct.IsCancellationRequested)
        {
            if (i == long.MaxValue)
            {
                // No share now: wait in short steps for a re-split, until the schedule ends.
                if (Elapsed >= _schedule.Duration || !await WaitUntilAsync(_time.GetTimestamp() + step, TimeSpan.Zero, blocking, ct).ConfigureAwait(false))
                {
                    break;
                }

                i = NextOwned(_schedule.ArrivalsBefore(Elapsed));
                continue;
            }

            if (_schedule.ArrivalTime(i) is not { } at)
            {
                break;
            }

            var intendedTs = _startTs + SecondsToTicks(at);
            if (HasPendingEpochs && intendedTs - _time.GetTimestamp() > step)
            {
                // A re-split is pending and this arrival is far off: wait in short steps, so that an epoch that starts
                // before it takes over on time.
                if (!await WaitUntilAsync(_time.GetTimestamp() + step, TimeSpan.Zero, blocking, ct).ConfigureAwait(false))
                {
                    break;
                }

                i = NextOwned(i);
                continue;
            }

            if (!await WaitUntilAsync(intendedTs, _settings.SpinThreshold, blocking, ct).ConfigureAwait(false))
            {
                break;
            }

            var fired = i;
            i = NextOwned(i + 1);
            var path = _factory.PathOf(fired);
            if (!TryAcquire())
            {
                _hub.RecordDropped(path);
                continue;
            }

            _hub.RecordStarted(path, TicksToMicros(_time.GetTimestamp() - intendedTs));
            var request = _factory.Create(fired, path, _startUtc + TimeSpan.FromSeconds(at));
            _ = InvokeAsync(request, intendedTs);
        }
    }

    private async Task RunClosedAsync(CancellationToken ct)
    {
        var tick = TimeSpan.FromMilliseconds(100);
        foreach (var seg in _schedule.Segments.Where(s => s.Model == SegmentModel.Closed))
        {
            if (!await WaitUntilAsync(_startTs + SecondsToTicks(seg.Start), TimeSpan.Zero, blocking: false, ct).ConfigureAwait(false))
            {
                break;
            }

            var endTs = _startTs + SecondsToTicks(seg.End);
            while (!ct.IsCancellationRequested && _time.GetTimestamp() < endTs)
            {
                _desiredCopies = EpochNow().CopiesOf(_schedule.CopiesAt(Math.Min(Elapsed, seg.End - 1e-9)));
                lock (_workersLock)
                {
                    for (var slot = 0; slot < _desiredCopies; slot++)
                    {
                        if (slot == _workerActive.Count)
                        {
                            _workerActive.Add(false);
                        }

                        if (!_workerActive[slot])
                        {
                            _workerActive[slot] = true;
                            _ = WorkerAsync(slot, endTs, ct);
                        }
                    }
                }

                var next = Math.Min(endTs, _time.GetTimestamp() + SecondsToTicks(tick.TotalSeconds));
                await WaitUntilAsync(next, TimeSpan.Zero, blocking: false, ct).ConfigureAwait(false);
            }

            _desiredCopies = 0;
        }
    }

    private async Task WorkerAsync(int slot, long endTs, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested && slot < _desiredCopies && _time.GetTimestamp() < endTs)
            {
                var n = Interlocked.Increment(ref _closedCounter) - 1;
                var epoch = EpochNow();
                var index = _schedule.TotalArrivals + (n * epoch.Stride) + Math.Max(0, epoch.Offset);
                var path = _factory.PathOf(index);
                if (!TryAcquire())
                {
                    _hub.RecordDropped(path);
                    break;
                }

                var startTs = _time.GetTimestamp();
                _hub.RecordStarted(path, null);
                var call = InvokeAsync(_factory.Create(index, path, _time.GetUtcNow()), startTs);
                var answeredAtOnce = call.IsCompleted;
                await call.ConfigureAwait(false);
                if (answeredAtOnce && !await WaitUntilAsync(startTs + SecondsToTicks(ClosedCallFloor.TotalSeconds), TimeSpan.Zero, blocking: false, ct).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        finally
        {
            lock (_workersLock)
            {
                _workerActive[slot] = false;
            }
        }
    }

    private bool TryAcquire()
    {
        if (Interlocked.Increment(ref _inFlight) <= _settings.MaxInFlight)
        {
            return true;
        }

        Release();
        return false;
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _draining)
        {
            _drained.TrySetResult();
        }
    }

    private async Task InvokeAsync(InvocationRequest request, long intendedTs)
    {
        InvocationResult result;
        try
        {
            result = await _targets(request.Path).InvokeAsync(request, _invocations.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_invocations.IsCancellationRequested)
        {
            Interlocked.Increment(ref _interrupted);
            Release();
            return;
        }
        catch (Exception ex)
        {
            // Targets classify their own failures; anything that escapes is a transport-level fault.
            result = new InvocationResult(Outcome.TransportError, ex.GetType().Name);
        }

        _hub.RecordCompleted(new SeriesKey(request.Path, result.Outcome, result.Reason), TicksToMicros(_time.GetTimestamp() - intendedTs));
        if (result.Sampled)
        {
            _hub.RecordColdStartSample(request.Path, result.ColdStart);
        }
        Release();
    }

    private async Task DrainAsync()
    {
        _draining = true;
        if (InFlight == 0)
        {
            return;
        }

        using var wait = new CancellationTokenSource();
        var grace = _time.DelayAsync(_settings.GracefulStop, wait.Token);
        if (await Task.WhenAny(_drained.Task, grace).ConfigureAwait(false) == grace)
        {
            // Out of patience: cancel what is left; each cancelled call is counted as interrupted.
            _invocations.Cancel();
            await Task.WhenAny(_drained.Task, _time.DelayAsync(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }

        wait.Cancel();
    }

    private async Task SnapshotLoopAsync(CancellationToken ct)
    {
        var interval = _settings.SnapshotInterval.TotalSeconds;
        for (var k = _sequence + 1; ; k++)
        {
            if (!await WaitUntilAsync(_startTs + SecondsToTicks(k * interval), TimeSpan.Zero, blocking: false, ct).ConfigureAwait(false))
            {
                return;
            }

            EmitSnapshot(k * interval);
        }
    }

    private void EmitSnapshot(double end)
    {
        IntervalSnapshot snapshot;
        lock (_snapshotLock)
        {
            if (end <= _lastSnapshotEnd && _sequence > 0)
            {
                return;
            }

            var at = Math.Max(0, Math.Min(end, _schedule.Duration) - 1e-9);
            var segment = _schedule.SegmentAt(at);
            snapshot = _hub.TakeSnapshot(
                _sequence++,
                _lastSnapshotEnd,
                end,
                end > _schedule.Duration ? "drain" : segment?.Label ?? "drain",
                end > _schedule.Duration ? 0 : _schedule.RateAt(at),
                end > _schedule.Duration ? 0 : _schedule.CopiesAt(at),
                InFlight,
                _settings.Source);
            _lastSnapshotEnd = end;
            Snapshot?.Invoke(snapshot);
        }
    }

    /// <summary>
    /// Waits until a timestamp: a timer for the long part, then a spin for the last <paramref name="spinThreshold"/>.
    /// With <paramref name="blocking"/> the timer wait blocks the calling thread (the dispatcher's own thread) and the
    /// result is always already complete.
    /// </summary>
    private ValueTask<bool> WaitUntilAsync(long targetTs, TimeSpan spinThreshold, bool blocking, CancellationToken ct)
    {
        var remaining = TicksToTimeSpan(targetTs - _time.GetTimestamp());
        if (remaining > spinThreshold)
        {
            var delay = _time.DelayAsync(remaining - spinThreshold, ct);
            if (!blocking)
            {
                return AwaitThenSpinAsync(delay, targetTs, spinThreshold, ct);
            }

            try
            {
                delay.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return ValueTask.FromResult(false);
            }
        }

        SpinUntil(targetTs, spinThreshold, ct);
        return ValueTask.FromResult(!ct.IsCancellationRequested);
    }

    private async ValueTask<bool> AwaitThenSpinAsync(Task delay, long targetTs, TimeSpan spinThreshold, CancellationToken ct)
    {
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        SpinUntil(targetTs, spinThreshold, ct);
        return !ct.IsCancellationRequested;
    }

    /// <summary>
    /// Spins to the target. The spinner yields now and then (never sleeps): on two cores a pure busy-wait starves the
    /// HTTP client's own threads and the target's, and the bench measured far worse lateness and drops that way.
    /// </summary>
    private void SpinUntil(long targetTs, TimeSpan spinThreshold, CancellationToken ct)
    {
        if (spinThreshold <= TimeSpan.Zero)
        {
            return;
        }

        var spinner = default(SpinWait);
        while (_time.GetTimestamp() < targetTs && !ct.IsCancellationRequested)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private long SecondsToTicks(double seconds) => (long)Math.Round(seconds * _time.TimestampFrequency);

    private TimeSpan TicksToTimeSpan(long ticks) => TimeSpan.FromTicks((long)(ticks * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)));

    private long TicksToMicros(long ticks) => (long)(ticks * (1_000_000.0 / _time.TimestampFrequency));

    public void Dispose() => _invocations.Dispose();
}
