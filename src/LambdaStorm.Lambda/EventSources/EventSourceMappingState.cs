namespace LambdaStorm.Lambda;

/// <summary>Mutable runtime state of one SQS event source mapping inside the model. Part of internal API; guarded by the model lock.</summary>
internal sealed class EventSourceMappingState
{
    public EventSourceMappingState(string uuid, EventSourceMappingSettings settings, QueueState queue, string functionName, string? qualifier, PollerScaler scaler, long nowTicks)
    {
        Uuid = uuid;
        Settings = settings;
        Queue = queue;
        FunctionName = functionName;
        Qualifier = qualifier;
        Scaler = scaler;
        LastModifiedTicks = nowTicks;
    }

    /// <summary>The mapping's UUID.</summary>
    public string Uuid { get; }

    /// <summary>Configuration in force.</summary>
    public EventSourceMappingSettings Settings { get; set; }

    /// <summary>The polled queue.</summary>
    public QueueState Queue { get; }

    /// <summary>Function name.</summary>
    public string FunctionName { get; set; }

    /// <summary>Qualifier from the function reference, or null (unqualified).</summary>
    public string? Qualifier { get; set; }

    /// <summary>Poller scaling.</summary>
    public PollerScaler Scaler { get; set; }

    /// <summary>Last configuration change, ticks.</summary>
    public long LastModifiedTicks { get; set; }

    /// <summary>Why the state last changed (<c>USER_INITIATED</c>).</summary>
    public string StateTransitionReason { get; set; } = "USER_INITIATED";

    /// <summary>True once deleted.</summary>
    public bool Deleted { get; set; }

    /// <summary>Batches being processed by the function.</summary>
    public int InFlight { get; set; }

    /// <summary>Batches held at the source after a throttle, waiting for a retry.</summary>
    public List<QueueBatch> Held { get; } = [];

    /// <summary>Due time of the one live poll event, or <see cref="long.MaxValue"/>.</summary>
    public long NextPollTicks { get; set; } = long.MaxValue;

    /// <summary>When the current batching window opened, or -1.</summary>
    public long WindowOpenedTicks { get; set; } = -1;

    /// <summary>Poller concurrency last reported to observers (0 before the first poll).</summary>
    public int ReportedPollers { get; set; }

    /// <summary>The callback registered on <see cref="QueueState.MessagesAvailable"/>.</summary>
    public Action<QueueState>? OnAvailable { get; set; }

    /// <summary>Batches handed to the function (admitted invocations).</summary>
    public long Batches { get; set; }

    /// <summary>Records in those batches.</summary>
    public long Records { get; set; }

    /// <summary>Batches that failed as a whole (function error, timeout or invalid partial response).</summary>
    public long BatchFailures { get; set; }

    /// <summary>Records returned to the queue through a valid partial batch response.</summary>
    public long PartialFailures { get; set; }

    /// <summary>Records deleted after processing.</summary>
    public long RecordsDeleted { get; set; }

    /// <summary>Invocations of a batch that the function throttled.</summary>
    public long ThrottledBatches { get; set; }

    /// <summary>Concurrent batches (in flight plus held).</summary>
    public int Busy => InFlight + Held.Count;
}

/// <summary>One batch received by a mapping: from the receive until it is deleted, returned or released. Part of internal API.</summary>
internal sealed class QueueBatch
{
    public required EventSourceMappingState Mapping { get; init; }

    public required IReadOnlyList<ReceivedMessage> Messages { get; init; }

    /// <summary>The SQS event (UTF-8).</summary>
    public required byte[] Payload { get; init; }

    /// <summary>When the batch was received, ticks.</summary>
    public required long ReceivedTicks { get; init; }

    /// <summary>When its messages become visible again unless deleted, ticks.</summary>
    public required long VisibleAgainTicks { get; init; }

    /// <summary>Next throttle back-off, ticks.</summary>
    public long NextBackoffTicks { get; set; }

    /// <summary>Indexes (into <see cref="Messages"/>) of the records the function failed, set when the execution starts.</summary>
    public List<int> FailedRecords { get; } = [];

    /// <summary>True once the batch is done with (processed or released).</summary>
    public bool Finished { get; set; }
}
