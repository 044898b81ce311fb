namespace LambdaStorm.Lambda;

/// <summary>How an async event ended; the first three are AWS's record <c>condition</c> values [S12] (§4).</summary>
internal enum AsyncCondition
{
    /// <summary>An attempt succeeded (<c>Success</c>).</summary>
    Success,

    /// <summary>Every allowed attempt failed, or reserved concurrency is 0 (<c>RetriesExhausted</c>).</summary>
    RetriesExhausted,

    /// <summary>The event outlived <c>MaximumEventAgeInSeconds</c> (<c>EventAgeExceeded</c>).</summary>
    EventAgeExceeded,

    /// <summary>The function was deleted while the event waited (model-only; no record is sent).</summary>
    FunctionDeleted,
}

/// <summary>Where a destination delivery goes.</summary>
internal enum DestinationKind
{
    /// <summary>The on-success destination (invocation record).</summary>
    OnSuccess,

    /// <summary>The on-failure destination (invocation record).</summary>
    OnFailure,

    /// <summary>The function's dead-letter queue (raw event plus RequestID/ErrorCode/ErrorMessage attributes) [S12].</summary>
    DeadLetter,
}

/// <summary>One message the model sends to a destination or DLQ.</summary>
internal sealed record DestinationDelivery
{
    /// <summary>Target ARN.</summary>
    public required string TargetArn { get; init; }

    /// <summary>On-success, on-failure, or dead-letter.</summary>
    public required DestinationKind Kind { get; init; }

    /// <summary>Function the event was for.</summary>
    public required string FunctionName { get; init; }

    /// <summary>Request id of the event.</summary>
    public required string RequestId { get; init; }

    /// <summary>How the event ended.</summary>
    public required AsyncCondition Condition { get; init; }

    /// <summary>Attempts that ran.</summary>
    public required int ApproximateInvokeCount { get; init; }

    /// <summary>The invocation-record JSON (destinations) or the raw event payload (DLQ).</summary>
    public required string Body { get; init; }

    /// <summary>DLQ message attributes (<c>RequestID</c>, <c>ErrorCode</c>, <c>ErrorMessage</c>); empty for destinations.</summary>
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    /// <summary>Model time of the delivery.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}

/// <summary>
/// Receives destination and DLQ deliveries whose ARN is neither a function nor a queue of the model (SQS queues
/// elsewhere, SNS topics, EventBridge buses, S3 buckets). Called under the model lock: it must be quick,
/// must not block, and must not call back into the model (hand the message to a queue and return).
/// </summary>
internal interface IDestinationSink
{
    /// <summary>Accepts the delivery, or returns false when the ARN is unknown (counted as a delivery failure).</summary>
    bool TryDeliver(DestinationDelivery delivery);
}
