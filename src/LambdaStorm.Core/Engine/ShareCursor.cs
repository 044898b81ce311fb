namespace LambdaStorm.Engine;

/// <summary>
/// One epoch of a generator's share of the open-model schedule: from arrival <paramref name="FromArrival"/> on, this
/// generator fires arrivals <c>FromArrival + Offset</c>, <c>FromArrival + Offset + Stride</c>, … (slot k of n). A
/// cluster re-splits the rest of the schedule by giving every survivor a new epoch that starts at the same arrival.
/// A negative <paramref name="Offset"/> means "no share from here on". Part of internal API.
/// </summary>
/// <param name="FromArrival">First global arrival index the epoch covers.</param>
/// <param name="Offset">This generator's slot (k), or -1 for none.</param>
/// <param name="Stride">Number of generators sharing the epoch (n).</param>
internal sealed record ShareEpoch(long FromArrival, int Offset, int Stride)
{
    /// <summary>True when arrival <paramref name="index"/> (≥ <see cref="FromArrival"/>) belongs to this share.</summary>
    public bool Owns(long index) => Offset >= 0 && index >= FromArrival && (index - FromArrival) % Stride == Offset;

    /// <summary>The first arrival of this share at or after <paramref name="index"/>, or <see cref="long.MaxValue"/> for none.</summary>
    public long FirstAtOrAfter(long index)
    {
        if (Offset < 0 || index == long.MaxValue)
        {
            return long.MaxValue;
        }

        var first = FromArrival + Offset;
        if (index <= first)
        {
            return first;
        }

        var steps = (index - first + Stride - 1) / Stride;
        return first + (steps * Stride);
    }

    /// <summary>Closed model: this slot's part of <paramref name="copies"/>, split as evenly as possible.</summary>
    public int CopiesOf(int copies) => Offset < 0 ? 0 : (copies / Stride) + (Offset < copies % Stride ? 1 : 0);
}

/// <summary>
/// Walks one generator's arrivals through its share epochs: the epoch in force, plus re-splits that start later. The
/// engine's dispatcher asks it for the next arrival to fire; the cluster's split specs ask it the same question, so
/// the property "the union of every agent's arrivals is the single-node schedule" is checked on the code that runs.
/// Not thread-safe (the engine locks it). Part of internal API.
/// </summary>
internal sealed class ShareCursor(ShareEpoch initial)
{
    private readonly List<ShareEpoch> _pending = [];

    /// <summary>The epoch in force.</summary>
    public ShareEpoch Current { get; private set; } = initial;

    /// <summary>True while a re-split waits for its first arrival.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>Adds a re-split; epochs apply in order of their first arrival.</summary>
    public void Add(ShareEpoch next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _pending.Add(next);
        _pending.Sort((a, b) => a.FromArrival.CompareTo(b.FromArrival));
    }

    /// <summary>
    /// The next arrival at or after <paramref name="index"/> that this generator owns, or <see cref="long.MaxValue"/>
    /// for none: a pending epoch takes over once it starts at or before the current epoch's next arrival. One that
    /// arrives late applies from <paramref name="index"/>.
    /// </summary>
    public long Next(long index)
    {
        while (true)
        {
            var next = Current.FirstAtOrAfter(index);
            if (_pending.Count == 0 || _pending[0].FromArrival > next)
            {
                return next;
            }

            Current = _pending[0];
            _pending.RemoveAt(0);
            index = Math.Max(index, Current.FromArrival);
        }
    }

    /// <summary>The epoch that governs once <paramref name="reached"/> arrivals are due (for closed-model copies).</summary>
    public ShareEpoch EpochAt(long reached)
    {
        var epoch = Current;
        foreach (var p in _pending)
        {
            if (p.FromArrival <= reached)
            {
                epoch = p;
            }
        }

        return epoch;
    }
}
