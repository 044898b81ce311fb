namespace LambdaStorm.Lambda;

/// <summary>
/// A continuously refilled token bucket with exact integer arithmetic: one token is <see cref="TimeSpan.TicksPerMinute"/>
/// units and the refill adds <c>ratePerMinute</c> units per tick, so "100 per second" or "500 per minute" come out exact
/// at every tick, with no floating-point drift. It never holds more than its capacity (no accrual) [S1].
/// Part of internal API; not thread-safe (the model lock protects it).
/// </summary>
internal sealed class TokenBucket
{
    private const long UnitsPerToken = TimeSpan.TicksPerMinute;
    private readonly long _capacityUnits;
    private readonly long _ratePerMinute;
    private long _units;
    private long _lastTicks;

    /// <summary>Creates a full bucket.</summary>
    /// <param name="capacity">Most tokens held at once.</param>
    /// <param name="ratePerMinute">Tokens added per minute (continuously).</param>
    /// <param name="nowTicks">Current time, ticks.</param>
    public TokenBucket(long capacity, long ratePerMinute, long nowTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerMinute, 1);
        Capacity = capacity;
        _capacityUnits = checked(capacity * UnitsPerToken);
        _ratePerMinute = ratePerMinute;
        _units = _capacityUnits;
        _lastTicks = nowTicks;
    }

    /// <summary>Capacity in tokens.</summary>
    public long Capacity { get; }

    /// <summary>Refill in tokens per minute.</summary>
    public long RatePerMinute => _ratePerMinute;

    /// <summary>Tokens available now (fractional).</summary>
    public double Available(long nowTicks)
    {
        Refill(nowTicks);
        return _units / (double)UnitsPerToken;
    }

    /// <summary>True when at least one whole token is available.</summary>
    public bool HasToken(long nowTicks)
    {
        Refill(nowTicks);
        return _units >= UnitsPerToken;
    }

    /// <summary>Takes one token if available.</summary>
    public bool TryTake(long nowTicks)
    {
        Refill(nowTicks);
        if (_units < UnitsPerToken)
        {
            return false;
        }

        _units -= UnitsPerToken;
        return true;
    }

    /// <summary>Takes one token; call only after <see cref="HasToken"/> returned true at the same time.</summary>
    public void Take() => _units -= UnitsPerToken;

    /// <summary>Ticks until one whole token is available (0 if one is available now).</summary>
    public long TicksUntilToken(long nowTicks)
    {
        Refill(nowTicks);
        var missing = UnitsPerToken - _units;
        return missing <= 0 ? 0 : (missing + _ratePerMinute - 1) / _ratePerMinute;
    }

    private void Refill(long nowTicks)
    {
        if (nowTicks <= _lastTicks)
        {
            return;
        }

        var elapsed = nowTicks - _lastTicks;
        _lastTicks = nowTicks;
        var missing = _capacityUnits - _units;
        if (missing <= 0)
        {
            return;
        }

        // Compare before multiplying so that long idle periods cannot overflow.
        _units = elapsed >= (missing + _ratePerMinute - 1) / _ratePerMinute
            ? _capacityUnits
            : Math.Min(_capacityUnits, _units + (elapsed * _ratePerMinute));
    }
}
