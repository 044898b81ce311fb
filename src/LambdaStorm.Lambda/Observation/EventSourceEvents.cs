namespace LambdaStorm.Lambda;

/// <summary>How an SQS batch ended.</summary>
internal enum BatchOutcome
{
    /// <summary>Every record was deleted.</summary>
    Success,

    /// <summary>A valid partial batch response returned some records; the rest were deleted.</summary>
    PartialFailure,

    /// <summary>The function failed (error or timeout): the whole batch returns after the visibility timeout.</summary>
    FunctionError,

    /// <summary>The partial batch response was invalid (bad JSON, empty or unknown id): the whole batch returns.</summary>
    InvalidResponse,
}

/// <summary>A mapping's function finished a batch.</summary>
/// <param name="Time">Model time.</param>
/// <param name="Uuid">Mapping UUID.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="QueueName">Polled queue.</param>
/// <param name="RequestId">Request id of the invocation.</param>
/// <param name="Records">Records in the batch.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Returned">Records left in the queue (to become visible again).</param>
/// <param name="Deleted">Records deleted.</param>
internal readonly record struct EventSourceBatchCompleted(
    DateTimeOffset Time, string Uuid, string FunctionName, string QueueName, string RequestId, int Records, BatchOutcome Outcome, int Returned, int Deleted);

/// <summary>The function throttled a mapping's batch; it is held at the source and retried.</summary>
/// <param name="Time">Model time.</param>
/// <param name="Uuid">Mapping UUID.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Records">Records in the batch.</param>
/// <param name="Reason">Throttle reason.</param>
/// <param name="RetryAt">When it is tried again (or released, when its visibility ends first).</param>
internal readonly record struct EventSourceBatchThrottled(DateTimeOffset Time, string Uuid, string FunctionName, int Records, ThrottleReason Reason, DateTimeOffset RetryAt);

/// <summary>A mapping's poller concurrency (concurrent batches allowed) changed.</summary>
/// <param name="Time">Model time.</param>
/// <param name="Uuid">Mapping UUID.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Concurrency">Concurrent batches allowed now.</param>
/// <param name="Busy">Batches in flight or held now.</param>
internal readonly record struct PollerConcurrencyChanged(DateTimeOffset Time, string Uuid, string FunctionName, int Concurrency, int Busy);

/// <summary>A receipt was written (or could not be: no such queue).</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Queue">Receipts queue as configured.</param>
/// <param name="Receipt">The receipt.</param>
/// <param name="Delivered">False when the receipts queue does not exist.</param>
internal readonly record struct ReceiptWritten(DateTimeOffset Time, string FunctionName, string Queue, Receipt Receipt, bool Delivered);
