using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>The path an attempt came by, as a receipt names it.</summary>
internal enum ReceiptPath
{
    /// <summary>A synchronous invoke.</summary>
    Sync,

    /// <summary>An asynchronous attempt.</summary>
    Async,

    /// <summary>One record of an SQS batch.</summary>
    Queue,
}

/// <summary>
/// One receipt: what the emulated function writes to its receipts queue when an attempt ends (CONTRACTS-queue.md §2),
/// so that the harness's ledger can account for every id. Body (camelCase JSON):
/// <c>{"id","attempt","requestId","path":"sync|async|queue","outcome":"ok|error|timeout","coldStart","messageId","startedAt","finishedAt"}</c>.
/// </summary>
/// <param name="Id">The invocation id (message attribute <c>LambdaStormId</c>, else the payload's top-level <c>"id"</c>).</param>
/// <param name="Attempt">Async attempt number, the queue record's ApproximateReceiveCount, or 1 for sync.</param>
/// <param name="RequestId">Lambda request id of the attempt.</param>
/// <param name="Path">How the attempt came.</param>
/// <param name="Outcome"><c>ok</c>, <c>error</c> or <c>timeout</c> (a queue record's own outcome).</param>
/// <param name="ColdStart">True when the attempt initialised a new environment.</param>
/// <param name="MessageId">SQS message id of a queue record, else null.</param>
/// <param name="StartedAt">Start of the attempt.</param>
/// <param name="FinishedAt">End of the attempt.</param>
internal sealed record Receipt(
    string Id, int Attempt, string RequestId, ReceiptPath Path, string Outcome, bool ColdStart, string? MessageId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt)
{
    /// <summary>Message attribute carrying the invocation id on the queue path.</summary>
    public const string IdAttribute = "LambdaStormId";

    /// <summary>Outcome of a processed attempt.</summary>
    public const string Ok = "ok";

    /// <summary>Outcome of a failed attempt (or a record of a batch that failed as a whole).</summary>
    public const string Error = "error";

    /// <summary>Outcome of a timed-out attempt.</summary>
    public const string Timeout = "timeout";

    /// <summary>The receipt's outcome for an execution result.</summary>
    public static string OutcomeOf(ExecutionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.TimedOut ? Timeout : result.IsSuccess ? Ok : Error;
    }

    /// <summary>The JSON body.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Id);
            w.WriteNumber("attempt", Attempt);
            w.WriteString("requestId", RequestId);
            w.WriteString("path", Path switch { ReceiptPath.Sync => "sync", ReceiptPath.Async => "async", _ => "queue" });
            w.WriteString("outcome", Outcome);
            w.WriteBoolean("coldStart", ColdStart);
            if (MessageId is null)
            {
                w.WriteNull("messageId");
            }
            else
            {
                w.WriteString("messageId", MessageId);
            }

            w.WriteString("startedAt", Iso(StartedAt));
            w.WriteString("finishedAt", Iso(FinishedAt));
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>ISO-8601 UTC with milliseconds.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The top-level <c>"id"</c> of a JSON payload (a string as is, a number as its text), or null when the payload is
    /// not a JSON object or has no usable id.
    /// </summary>
    public static string? IdFromPayload(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return null;
                }

                // At depth 1 every token here is a property name.
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString() is { Length: > 0 } s ? s : null,
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray()),
                        _ => null,
                    };
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }
}
