namespace LambdaStorm.Lambda;

/// <summary>One invocation in flight: from admission to its end event. Part of internal API; guarded by the model lock.</summary>
internal sealed class Execution
{
    public required string RequestId { get; init; }

    public required FunctionState Function { get; init; }

    public required VersionState Version { get; init; }

    public required FunctionVersionSettings Settings { get; init; }

    public required ExecutionEnvironment Environment { get; init; }

    public required string Qualifier { get; init; }

    public required InvocationType Type { get; init; }

    public required bool ColdStart { get; init; }

    public required long StartTicks { get; init; }

    public required long InitTicks { get; init; }

    public required long DurationTicks { get; init; }

    public required int Attempt { get; init; }

    public string? ErrorType { get; init; }

    public string? ErrorMessage { get; init; }

    public bool TimedOut { get; init; }

    public AsyncEvent? AsyncEvent { get; init; }

    public Action<ExecutionResult>? Callback { get; init; }

    /// <summary>The SQS batch this execution processes (event source mappings), or null.</summary>
    public QueueBatch? Batch { get; init; }

    /// <summary>The successful response when it is not the function's configured one (a batch's item-failure report).</summary>
    public byte[]? Response { get; init; }

    /// <summary>The id a receipt names (payload <c>"id"</c>), read at start when the function writes receipts.</summary>
    public string? ReceiptId { get; init; }

    /// <summary>Set when the end event has been processed.</summary>
    public ExecutionResult? Result { get; set; }

    /// <summary>Created on first request for a task.</summary>
    public TaskCompletionSource<ExecutionResult>? Completion { get; set; }

    public long EndTicks => StartTicks + InitTicks + DurationTicks;
}

/// <summary>One asynchronous event in a function's internal queue. Part of internal API; guarded by the model lock.</summary>
internal sealed class AsyncEvent
{
    public required long Seq { get; init; }

    public required string RequestId { get; init; }

    public required FunctionState Function { get; init; }

    public required string Qualifier { get; init; }

    public required ReadOnlyMemory<byte> Payload { get; init; }

    public required long EnqueuedTicks { get; init; }

    public required long ExpiresTicks { get; init; }

    public required EventInvokeSettings Config { get; init; }

    public required bool IsDuplicate { get; init; }

    /// <summary>Attempts that ran (AWS approximateInvokeCount).</summary>
    public int InvokeCount { get; set; }

    /// <summary>Next throttle back-off, ticks.</summary>
    public long NextBackoffTicks { get; set; }

    /// <summary>Result of the last attempt that ran.</summary>
    public ExecutionResult? LastResult { get; set; }

    /// <summary>Status of the last refusal, when no attempt ran yet.</summary>
    public int? LastRefusalStatus { get; set; }

    /// <summary>True while an attempt is running.</summary>
    public bool Executing { get; set; }

    /// <summary>True once finished.</summary>
    public bool Finished { get; set; }
}
