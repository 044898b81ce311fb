using System.Diagnostics.CodeAnalysis;

namespace LambdaStorm.Lambda;

/// <summary>
/// One SQS message attribute: a data type (<c>String</c>, <c>Number</c> or <c>Binary</c>, optionally with a custom
/// suffix such as <c>Number.float</c>) and a string or binary value.
/// </summary>
/// <param name="DataType">Data type as sent.</param>
/// <param name="StringValue">Value of String and Number attributes.</param>
/// <param name="BinaryValue">Value of Binary attributes.</param>
internal sealed record MessageAttribute(string DataType, string? StringValue, byte[]? BinaryValue = null)
{
    /// <summary>A <c>String</c> attribute.</summary>
    public static MessageAttribute String(string value) => new("String", value);

    /// <summary>A <c>Number</c> attribute.</summary>
    public static MessageAttribute Number(string value) => new("Number", value);

    /// <summary>True for Binary (and Binary.*) attributes.</summary>
    public bool IsBinary => DataType.StartsWith("Binary", StringComparison.Ordinal);

    /// <summary>Bytes it counts towards the message size: name, type and value.</summary>
    internal int Size(string name) => System.Text.Encoding.UTF8.GetByteCount(name) + System.Text.Encoding.UTF8.GetByteCount(DataType)
        + (IsBinary ? BinaryValue?.Length ?? 0 : System.Text.Encoding.UTF8.GetByteCount(StringValue ?? ""));
}

/// <summary>The answer to a send: the message id and the digests AWS returns.</summary>
/// <param name="MessageId">UUID-shaped message id.</param>
/// <param name="Md5OfMessageBody">Hex MD5 of the body's UTF-8 bytes.</param>
/// <param name="Md5OfMessageAttributes">Hex MD5 of the message attributes (null without attributes).</param>
/// <param name="Md5OfMessageSystemAttributes">Hex MD5 of the message system attributes (null without them).</param>
internal sealed record SentMessage(string MessageId, string Md5OfMessageBody, string? Md5OfMessageAttributes, string? Md5OfMessageSystemAttributes);

/// <summary>One message to send in a batch.</summary>
/// <param name="Body">Message body.</param>
/// <param name="Attributes">Message attributes, or null.</param>
/// <param name="Delay">Per-message delay; null uses the queue's <c>DelaySeconds</c>.</param>
/// <param name="TraceHeader">The <c>AWSTraceHeader</c> message system attribute, or null.</param>
internal sealed record SendEntry(string Body, IReadOnlyDictionary<string, MessageAttribute>? Attributes = null, TimeSpan? Delay = null, string? TraceHeader = null);

/// <summary>A message as one receive returned it.</summary>
internal sealed record ReceivedMessage
{
    /// <summary>Message id (kept when the message moves to a dead-letter queue).</summary>
    public required string MessageId { get; init; }

    /// <summary>The receipt handle of this receive (the only one that deletes the message or changes its visibility).</summary>
    public required string ReceiptHandle { get; init; }

    /// <summary>Body.</summary>
    public required string Body { get; init; }

    /// <summary>Hex MD5 of the body.</summary>
    public required string Md5OfBody { get; init; }

    /// <summary>All message attributes (callers filter by the requested names).</summary>
    public required IReadOnlyDictionary<string, MessageAttribute> MessageAttributes { get; init; }

    /// <summary>Receives so far, this one included (<c>ApproximateReceiveCount</c>).</summary>
    public required int ApproximateReceiveCount { get; init; }

    /// <summary>When the message was first sent (<c>SentTimestamp</c>; kept across a move to a dead-letter queue).</summary>
    public required DateTimeOffset SentTimestamp { get; init; }

    /// <summary>When it was first received (<c>ApproximateFirstReceiveTimestamp</c>).</summary>
    public required DateTimeOffset ApproximateFirstReceiveTimestamp { get; init; }

    /// <summary>Sender (<c>SenderId</c>): the account id.</summary>
    public required string SenderId { get; init; }

    /// <summary>ARN of the queue it was moved from, when it was moved to this dead-letter queue (<c>DeadLetterQueueSourceArn</c>).</summary>
    public string? DeadLetterQueueSourceArn { get; init; }

    /// <summary>The <c>AWSTraceHeader</c> system attribute, if it was sent with one.</summary>
    public string? TraceHeader { get; init; }
}

/// <summary>Message counts of a queue, as <c>GetQueueAttributes</c> reports them.</summary>
/// <param name="Visible"><c>ApproximateNumberOfMessages</c>: available for retrieval.</param>
/// <param name="NotVisible"><c>ApproximateNumberOfMessagesNotVisible</c>: received, not deleted, visibility not expired.</param>
/// <param name="Delayed"><c>ApproximateNumberOfMessagesDelayed</c>: waiting for their delay.</param>
internal readonly record struct QueueCounters(int Visible, int NotVisible, int Delayed)
{
    /// <summary>All messages in the queue.</summary>
    public int Total => Visible + NotVisible + Delayed;
}

/// <summary>Point-in-time state and lifetime totals of one queue (for metrics).</summary>
internal sealed record QueueSnapshot
{
    /// <summary>Queue name.</summary>
    public required string Name { get; init; }

    /// <summary>Current counts.</summary>
    public required QueueCounters Counters { get; init; }

    /// <summary>Messages accepted by sends (including async destination and DLQ deliveries).</summary>
    public required long Sent { get; init; }

    /// <summary>Messages returned by receives (each receive of a message counts).</summary>
    public required long Received { get; init; }

    /// <summary>Messages deleted with a receipt handle.</summary>
    public required long Deleted { get; init; }

    /// <summary>Messages moved from this queue to its dead-letter queue.</summary>
    public required long MovedToDeadLetter { get; init; }

    /// <summary>Messages removed because they outlived the retention period.</summary>
    public required long Expired { get; init; }

    /// <summary>Messages removed by PurgeQueue.</summary>
    public required long Purged { get; init; }
}

/// <summary>
/// An SQS error as the AWS JSON 1.0 protocol carries it: the shape name (<c>__type</c> is
/// <c>com.amazonaws.sqs#{Type}</c>), the legacy query code (<c>x-amzn-query-error: {QueryCode};Sender</c>), the HTTP
/// status and the message.
/// </summary>
/// <param name="Type">Smithy shape name, e.g. <c>QueueDoesNotExist</c>.</param>
/// <param name="QueryCode">Legacy query error code, e.g. <c>AWS.SimpleQueueService.NonExistentQueue</c>.</param>
/// <param name="Message">Message text (null for shapes without a message member).</param>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="SenderFault">True for client errors (<c>Sender</c>), false for service errors (<c>Receiver</c>).</param>
internal sealed record QueueError(string Type, string QueryCode, string? Message, int StatusCode = 400, bool SenderFault = true)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Type} ({QueryCode}): {Message}";
}

/// <summary>The outcome of a queue operation: a value, or an SQS error.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal readonly struct QueueResult<T>
{
    private QueueResult(T? value, QueueError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value when successful.</summary>
    public T? Value { get; }

    /// <summary>The error when not successful.</summary>
    public QueueError? Error { get; }

    /// <summary>True when there is a value.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>Converts a value into a successful result.</summary>
    public static implicit operator QueueResult<T>(T value) => new(value, null);

    /// <summary>A success (for interface-typed values, which implicit conversions do not cover).</summary>
    public static QueueResult<T> Ok(T value) => new(value, null);

    /// <summary>Converts an error into a failed result.</summary>
    public static implicit operator QueueResult<T>(QueueError error) => new(default, error);

    /// <summary>The value, or throws naming the error (for tests and setup code).</summary>
    public T GetValueOrThrow() => IsSuccess ? Value : throw new InvalidOperationException(Error.ToString());

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"Ok({Value})" : $"Fail({Error})";
}

/// <summary>The SQS errors the model produces, with AWS's shape names, query codes, statuses and message texts.</summary>
internal static class QueueErrors
{
    /// <summary>Largest message and batch, for messages.</summary>
    public const int MaxBytes = QueueSettings.MaxMessageBytes;

    /// <summary>400 QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue.</summary>
    public static QueueError QueueDoesNotExist() =>
        new("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");

    /// <summary>400 QueueNameExists / QueueAlreadyExists: same name, different attributes.</summary>
    public static QueueError QueueNameExists(string name) =>
        new("QueueNameExists", "QueueAlreadyExists", $"A queue already exists with the same name and a different value for attribute(s) of queue {name}");

    /// <summary>400 InvalidParameterValue (a common error: no modelled shape).</summary>
    public static QueueError InvalidParameterValue(string message) => new("InvalidParameterValue", "InvalidParameterValue", message);

    /// <summary>400 MissingParameter.</summary>
    public static QueueError MissingParameter(string parameter) =>
        new("MissingParameter", "MissingParameter", $"The request must contain the parameter {parameter}.");

    /// <summary>400 InvalidAttributeName.</summary>
    public static QueueError InvalidAttributeName(string name) => new("InvalidAttributeName", "InvalidAttributeName", $"Unknown Attribute {name}.");

    /// <summary>400 InvalidAttributeValue.</summary>
    public static QueueError InvalidAttributeValue(string name, string? reason = null) =>
        new("InvalidAttributeValue", "InvalidAttributeValue", $"Invalid value for the parameter {name}." + (reason is null ? "" : $" Reason: {reason}"));

    /// <summary>400 UnsupportedOperation: FIFO queues are not modelled.</summary>
    public static QueueError FifoNotModelled(string what) =>
        new("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
            $"FIFO queues are not modelled by the LambdaStorm emulator ({what}); use a standard queue.");

    /// <summary>400 InvalidMessageContents.</summary>
    public static QueueError InvalidMessageContents() => new("InvalidMessageContents", "InvalidMessageContents",
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");

    /// <summary>400 InvalidParameterValue: the message is over the queue's MaximumMessageSize.</summary>
    public static QueueError MessageTooLong(int limit) =>
        InvalidParameterValue($"One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes.");

    /// <summary>404 ReceiptHandleIsInvalid.</summary>
    public static QueueError ReceiptHandleIsInvalid(string handle) =>
        new("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", $"The input receipt handle \"{handle}\" is not a valid receipt handle.", 404);

    /// <summary>400 MessageNotInflight (the shape has no message member).</summary>
    public static QueueError MessageNotInflight() => new("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", null);

    /// <summary>403 PurgeQueueInProgress: a purge within 60 s of the last one.</summary>
    public static QueueError PurgeQueueInProgress(string name) =>
        new("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", $"Only one PurgeQueue operation on {name} is allowed every 60 seconds.", 403);
}
