namespace LambdaStorm.Lambda;

/// <summary>
/// Standard-mode poller scaling of one SQS event source mapping as pure arithmetic [S13][S14] (§5.1): the mapping
/// starts with <c>initial</c> concurrent batches (5), adds up to <c>perMinute</c> (300; legacy 60) for every minute in
/// which messages wait while every batch slot is busy, never above the ceiling (1,250; legacy 1,000) or the mapping's
/// <c>MaximumConcurrency</c>. An empty queue drops it back to the idle floor (the initial number, or
/// <c>MaximumConcurrency</c> when lower); a throttle drops it to what the function actually runs. Growth is exact
/// integer arithmetic on ticks (fractions of a step carry over). Part of internal API; not thread-safe.
/// </summary>
internal sealed class PollerScaler
{
    private readonly long _perMinute;
    private long _lastTicks;
    private long _carry;
    private bool _backlog;

    /// <summary>Creates a scaler at the idle floor.</summary>
    /// <param name="initial">Concurrent batches at start and when idle.</param>
    /// <param name="perMinute">Batches added per minute of backlog.</param>
    /// <param name="maximum">Ceiling per mapping.</param>
    /// <param name="maximumConcurrency">The mapping's <c>ScalingConfig.MaximumConcurrency</c>, or null.</param>
    /// <param name="nowTicks">Model time, ticks.</param>
    public PollerScaler(int initial, int perMinute, int maximum, int? maximumConcurrency, long nowTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, 1);
        _perMinute = perMinute;
        Cap = Math.Min(maximum, maximumConcurrency ?? int.MaxValue);
        Floor = Math.Min(initial, Cap);
        Current = Floor;
        _lastTicks = nowTicks;
    }

    /// <summary>Most concurrent batches this mapping may ever run.</summary>
    public int Cap { get; }

    /// <summary>Concurrent batches at start and when the queue is empty.</summary>
    public int Floor { get; }

    /// <summary>Concurrent batches allowed now.</summary>
    public int Current { get; private set; }

    /// <summary>True while the last observation saw a backlog (messages waiting, every slot busy).</summary>
    public bool Backlog => _backlog;

    /// <summary>Grows <see cref="Current"/> for the backlog time since the last call; then records whether there is a backlog from now on.</summary>
    /// <param name="nowTicks">Model time, ticks (not before the last call).</param>
    /// <param name="backlog">True when messages wait while every slot is busy.</param>
    public void Advance(long nowTicks, bool backlog)
    {
        Grow(nowTicks);
        _backlog = backlog && Current < Cap;
        if (!_backlog)
        {
            _carry = 0;
        }
    }

    /// <summary>Grows <see cref="Current"/> for the backlog time since the last call, keeping the backlog flag.</summary>
    public void Grow(long nowTicks)
    {
        if (nowTicks <= _lastTicks)
        {
            return;
        }

        if (_backlog && Current < Cap)
        {
            var credit = ((Int128)(nowTicks - _lastTicks) * _perMinute) + _carry;
            var steps = credit / TimeSpan.TicksPerMinute;
            _carry = (long)(credit % TimeSpan.TicksPerMinute);
            Current = (int)Int128.Min(Cap, Current + steps);
            if (Current >= Cap)
            {
                _carry = 0;
                _backlog = false;
            }
        }

        _lastTicks = nowTicks;
    }

    /// <summary>Backlog time until the next batch slot is added, ticks; <see cref="long.MaxValue"/> at the cap.</summary>
    public long TicksUntilNextStep => Current >= Cap ? long.MaxValue : ((TimeSpan.TicksPerMinute - _carry) + _perMinute - 1) / _perMinute;

    /// <summary>The queue is empty: back to the idle floor.</summary>
    public void Idle(long nowTicks)
    {
        Grow(nowTicks);
        Current = Floor;
        _carry = 0;
        _backlog = false;
    }

    /// <summary>The function throttled a batch: scale down to what it runs (never below the floor).</summary>
    /// <param name="nowTicks">Model time, ticks.</param>
    /// <param name="running">Batches of this mapping that the function is running now.</param>
    public void Throttled(long nowTicks, int running)
    {
        Grow(nowTicks);
        Current = Math.Clamp(running, Floor, Current);
        _carry = 0;
        _backlog = false;
    }
}
