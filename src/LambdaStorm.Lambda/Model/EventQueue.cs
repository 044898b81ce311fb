namespace LambdaStorm.Lambda;

/// <summary>Kinds of future events the model schedules for itself.</summary>
internal enum ModelEventKind
{
    /// <summary>An execution ends (target: <see cref="Execution"/>).</summary>
    ExecutionEnd,

    /// <summary>Reap idle environments of a version (target: <see cref="VersionState"/>).</summary>
    ReapCheck,

    /// <summary>Attempt (or expire) an async event (target: <see cref="AsyncEvent"/>).</summary>
    AsyncAttempt,

    /// <summary>Allocate the next step of provisioned environments (target: <see cref="FunctionState"/>).</summary>
    ProvisionedRamp,

    /// <summary>A configuration update in progress lands (target: <see cref="FunctionState"/>).</summary>
    ConfigurationUpdated,

    /// <summary>A queue message's delay or visibility timeout passes (target: <see cref="QueueMessage"/>).</summary>
    QueueMessageVisible,

    /// <summary>Remove a queue's messages older than its retention period (target: <see cref="QueueState"/>).</summary>
    QueueRetention,

    /// <summary>Poll a queue for an event source mapping (target: <see cref="EventSourceMappingState"/>).</summary>
    EventSourcePoll,

    /// <summary>Retry (or release) a batch held after a throttle (target: <see cref="QueueBatch"/>).</summary>
    EventSourceRetry,
}

/// <summary>
/// The model's priority queue of future events, ordered by (due time, insertion sequence) so that events due at the
/// same tick run in the order they were scheduled: deterministic. Part of internal API; not thread-safe.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<(ModelEventKind Kind, object Target), (long Ticks, long Seq)> _queue = new(KeyComparer.Instance);
    private long _seq;

    /// <summary>Number of pending events.</summary>
    public int Count => _queue.Count;

    /// <summary>Due time of the earliest event, or null.</summary>
    public long? NextTicks => _queue.TryPeek(out _, out var key) ? key.Ticks : null;

    /// <summary>Schedules an event; returns true when it became the earliest one.</summary>
    public bool Schedule(long ticks, ModelEventKind kind, object target)
    {
        var earliest = !_queue.TryPeek(out _, out var head) || ticks < head.Ticks;
        _queue.Enqueue((kind, target), (ticks, _seq++));
        return earliest;
    }

    /// <summary>Removes the earliest event if it is due at or before <paramref name="nowTicks"/>.</summary>
    public bool TryDequeueDue(long nowTicks, out ModelEventKind kind, out object target, out long ticks)
    {
        if (_queue.TryPeek(out var item, out var key) && key.Ticks <= nowTicks)
        {
            _queue.Dequeue();
            (kind, target, ticks) = (item.Kind, item.Target, key.Ticks);
            return true;
        }

        (kind, target, ticks) = (default, null!, 0);
        return false;
    }

    private sealed class KeyComparer : IComparer<(long Ticks, long Seq)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((long Ticks, long Seq) x, (long Ticks, long Seq) y)
        {
            var c = x.Ticks.CompareTo(y.Ticks);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}
