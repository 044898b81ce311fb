using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>A message attribute as the SQS event shows it.</summary>
/// <param name="DataType"><c>String</c>, <c>Number</c>, <c>Binary</c> or a custom <c>Type.label</c>.</param>
/// <param name="StringValue">String or number value, or null.</param>
/// <param name="BinaryValue">Binary value, or null (base64 in the event).</param>
internal sealed record SqsEventAttribute(string DataType, string? StringValue, byte[]? BinaryValue);

/// <summary>One received message as it goes into an SQS event record.</summary>
internal sealed record SqsEventRecord
{
    /// <summary>Message id.</summary>
    public required string MessageId { get; init; }

    /// <summary>Receipt handle of this receive.</summary>
    public required string ReceiptHandle { get; init; }

    /// <summary>Body text.</summary>
    public required string Body { get; init; }

    /// <summary>Receives so far, including this one.</summary>
    public required int ApproximateReceiveCount { get; init; }

    /// <summary>When the message was sent, Unix ms.</summary>
    public required long SentTimestamp { get; init; }

    /// <summary>When the message was first received, Unix ms.</summary>
    public required long ApproximateFirstReceiveTimestamp { get; init; }

    /// <summary>Sender (an IAM principal id in AWS).</summary>
    public required string SenderId { get; init; }

    /// <summary>MD5 of the body, hex.</summary>
    public required string Md5OfBody { get; init; }

    /// <summary>MD5 of the message attributes, hex; null when there are none.</summary>
    public string? Md5OfMessageAttributes { get; init; }

    /// <summary>Message attributes by name.</summary>
    public IReadOnlyDictionary<string, SqsEventAttribute> MessageAttributes { get; init; } = EmptyAttributes;

    private static readonly IReadOnlyDictionary<string, SqsEventAttribute> EmptyAttributes = new Dictionary<string, SqsEventAttribute>();
}

/// <summary>
/// The event an SQS event source mapping invokes its function with, in AWS's exact shape [S8] (§5.1):
/// <c>{"Records":[{"messageId","receiptHandle","body","attributes":{"ApproximateReceiveCount","SentTimestamp","SenderId",
/// "ApproximateFirstReceiveTimestamp"},"messageAttributes":{name:{"stringValue","binaryValue","stringListValues",
/// "binaryListValues","dataType"}},"md5OfBody","md5OfMessageAttributes"?,"eventSource":"aws:sqs","eventSourceARN","awsRegion"}]}</c>.
/// Attribute values are strings, as AWS sends them.
/// </summary>
internal static class SqsEvent
{
    /// <summary>The <c>eventSource</c> of every record.</summary>
    public const string EventSource = "aws:sqs";

    /// <summary>Builds the UTF-8 event for a batch.</summary>
    /// <param name="records">The batch, in receive order.</param>
    /// <param name="queueArn">The queue's ARN (<c>eventSourceARN</c>).</param>
    /// <param name="region">The region (<c>awsRegion</c>).</param>
    public static byte[] Build(IReadOnlyList<SqsEventRecord> records, string queueArn, string region)
    {
        ArgumentNullException.ThrowIfNull(records);
        var size = 64;
        foreach (var r in records)
        {
            size += 512 + (r.Body.Length * 2);
        }

        var buffer = new ArrayBufferWriter<byte>(size);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("Records");
            foreach (var r in records)
            {
                w.WriteStartObject();
                w.WriteString("messageId", r.MessageId);
                w.WriteString("receiptHandle", r.ReceiptHandle);
                w.WriteString("body", r.Body);
                w.WriteStartObject("attributes");
                w.WriteString("ApproximateReceiveCount", r.ApproximateReceiveCount.ToString(CultureInfo.InvariantCulture));
                w.WriteString("SentTimestamp", r.SentTimestamp.ToString(CultureInfo.InvariantCulture));
                w.WriteString("SenderId", r.SenderId);
                w.WriteString("ApproximateFirstReceiveTimestamp", r.ApproximateFirstReceiveTimestamp.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteStartObject("messageAttributes");
                foreach (var (name, value) in r.MessageAttributes)
                {
                    w.WriteStartObject(name);
                    if (value.StringValue is not null)
                    {
                        w.WriteString("stringValue", value.StringValue);
                    }

                    if (value.BinaryValue is not null)
                    {
                        w.WriteBase64String("binaryValue", value.BinaryValue);
                    }

                    w.WriteStartArray("stringListValues");
                    w.WriteEndArray();
                    w.WriteStartArray("binaryListValues");
                    w.WriteEndArray();
                    w.WriteString("dataType", value.DataType);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteString("md5OfBody", r.Md5OfBody);
                if (r.Md5OfMessageAttributes is not null)
                {
                    w.WriteString("md5OfMessageAttributes", r.Md5OfMessageAttributes);
                }

                w.WriteString("eventSource", EventSource);
                w.WriteString("eventSourceARN", queueArn);
                w.WriteString("awsRegion", region);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
