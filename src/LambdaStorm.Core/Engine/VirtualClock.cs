namespace LambdaStorm.Engine;

/// <summary>
/// A clock for virtual time: time moves only when <see cref="RunNext"/> or <see cref="AdvanceTo"/> is called, and
/// jumps straight to the next timer, so an hour of traffic runs as fast as the work itself. Timer callbacks run
/// inline, in due order (ties in creation order), which makes a virtual-time run deterministic. <c>simulate</c>
/// drives the same engine and the same Lambda model with this clock that <c>run</c> drives with the system clock.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Entry, (long Due, long Seq)> _queue = new();
    private readonly DateTimeOffset _origin;
    private long _ticks;
    private long _seq;

    /// <summary>Creates a virtual clock starting at <paramref name="start"/>.</summary>
    public VirtualClock(DateTimeOffset start) => _origin = start;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Virtual time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>Number of timers waiting.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _origin + Elapsed;

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The due time of the earliest timer, or null when none waits.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            lock (_lock)
            {
                while (_queue.TryPeek(out var e, out var key))
                {
                    if (e.IsCurrent)
                    {
                        return TimeSpan.FromTicks(key.Due);
                    }

                    _queue.Dequeue();
                }

                return null;
            }
        }
    }

    /// <summary>Jumps to the earliest timer and fires it; false when no timer waits.</summary>
    public bool RunNext()
    {
        Entry entry;
        long due;
        lock (_lock)
        {
            while (true)
            {
                if (!_queue.TryDequeue(out entry!, out var key))
                {
                    return false;
                }

                if (entry.IsCurrent)
                {
                    due = key.Due;
                    break;
                }
            }

            if (due > _ticks)
            {
                Interlocked.Exchange(ref _ticks, due);
            }
        }

        entry.Timer.Fire(entry.Version);
        return true;
    }

    /// <summary>Fires every timer due up to <paramref name="elapsed"/>, then sets the clock to it.</summary>
    public void AdvanceTo(TimeSpan elapsed)
    {
        while (NextDue is { } next && next <= elapsed)
        {
            RunNext();
        }

        lock (_lock)
        {
            if (elapsed.Ticks > _ticks)
            {
                Interlocked.Exchange(ref _ticks, elapsed.Ticks);
            }
        }
    }

    private void Schedule(VirtualTimer timer, long version, TimeSpan dueTime)
    {
        lock (_lock)
        {
            var due = _ticks + Math.Max(0, dueTime.Ticks);
            _queue.Enqueue(new Entry(timer, version), (due, _seq++));
        }
    }

    private sealed record Entry(VirtualTimer Timer, long Version)
    {
        public bool IsCurrent => Timer.Version == Version;
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private long _version;
        private bool _disposed;

        public long Version => Interlocked.Read(ref _version);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            var version = Interlocked.Increment(ref _version);
            _period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                clock.Schedule(this, version, dueTime);
            }

            return true;
        }

        public void Fire(long version)
        {
            if (_disposed || version != Version)
            {
                return;
            }

            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                clock.Schedule(this, version, _period);
            }
            else
            {
                Interlocked.Increment(ref _version);
            }

            callback(state);
        }

        public void Dispose()
        {
            _disposed = true;
            Interlocked.Increment(ref _version);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
