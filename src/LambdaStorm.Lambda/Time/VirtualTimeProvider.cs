namespace LambdaStorm.Lambda;

/// <summary>
/// A settable clock for virtual-time simulation. Time moves only when the driver sets or advances it; timestamps are
/// UTC ticks (frequency 10,000,000/s) so elapsed-time arithmetic is exact. It has no timers: the model schedules its
/// own events, so <see cref="CreateTimer"/> throws. Reads are thread-safe; one driver thread should move it.
/// </summary>
internal sealed class VirtualTimeProvider : TimeProvider
{
    private long _utcTicks;

    /// <summary>Creates a clock at <paramref name="start"/> (default <see cref="DefaultStart"/>).</summary>
    public VirtualTimeProvider(DateTimeOffset? start = null)
    {
        _utcTicks = (start ?? DefaultStart).UtcTicks;
    }

    /// <summary>2026-01-01T00:00:00Z: the default start of a simulation.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => new(Volatile.Read(ref _utcTicks), TimeSpan.Zero);

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _utcTicks);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Not supported: a virtual clock has no timers. Drive the model with <see cref="VirtualTimeSimulation"/> instead.</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("VirtualTimeProvider has no timers: the Lambda model schedules its own events; drive it with VirtualTimeSimulation or call RunDue after moving the clock.");

    /// <summary>Moves the clock to <paramref name="value"/>; it never goes backwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="value"/> is before the current time.</exception>
    public void SetUtcNow(DateTimeOffset value) => SetTicks(value.UtcTicks);

    /// <summary>Moves the clock forward by <paramref name="delta"/> (≥ 0).</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        SetTicks(Volatile.Read(ref _utcTicks) + delta.Ticks);
    }

    /// <summary>Moves the clock to a UTC tick count (allocation-free form for drivers).</summary>
    internal void SetTicks(long utcTicks)
    {
        var current = Volatile.Read(ref _utcTicks);
        if (utcTicks < current)
        {
            throw new ArgumentOutOfRangeException(nameof(utcTicks), $"A virtual clock cannot go backwards ({new DateTimeOffset(utcTicks, TimeSpan.Zero):O} < {new DateTimeOffset(current, TimeSpan.Zero):O}).");
        }

        Volatile.Write(ref _utcTicks, utcTicks);
    }
}
