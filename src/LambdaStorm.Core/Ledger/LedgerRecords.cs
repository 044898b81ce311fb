using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Ledger;

/// <summary>
/// The class every sent id ends in (exactly one). Wire names are in <see cref="DeliveryClasses"/>. See
/// <see cref="DeliveryLedger"/> for how evidence maps to a class and what "in flight" and "lost" mean.
/// </summary>
public enum DeliveryClass
{
    /// <summary>Processed successfully on its first attempt.</summary>
    FirstAttempt,
    /// <summary>Processed successfully, but only after one or more failed attempts (async retry, SQS re-delivery).</summary>
    AfterRetry,
    /// <summary>Arrived in a dead-letter queue or an on-failure destination (<c>RetriesExhausted</c>), never processed.</summary>
    DeadLettered,
    /// <summary>Dropped because it grew too old (<c>EventAgeExceeded</c>), never processed.</summary>
    Expired,
    /// <summary>No outcome yet when the run ended, and the source still reported pending work (or could not be asked).</summary>
    InFlight,
    /// <summary>No outcome, although the source reported that it had nothing left: the id vanished.</summary>
    Lost,
    /// <summary>
    /// The cluster agent that owned it died before reporting its send (it was in flight, or due between the agent's last
    /// report and the re-split), and no receipt or DLQ message turned up: whether it was sent is unknown.
    /// </summary>
    Unknown,
    /// <summary>The send itself failed (throttled, rejected, unreachable) and no trace of the id ever appeared.</summary>
    Rejected,
}

/// <summary>Wire names of <see cref="DeliveryClass"/>, shared by summary, journal, metrics, thresholds and reports.</summary>
public static class DeliveryClasses
{
    /// <summary>All classes in a stable order.</summary>
    public static readonly ImmutableArray<DeliveryClass> All =
    [
        DeliveryClass.FirstAttempt, DeliveryClass.AfterRetry, DeliveryClass.DeadLettered, DeliveryClass.Expired,
        DeliveryClass.InFlight, DeliveryClass.Lost, DeliveryClass.Unknown, DeliveryClass.Rejected,
    ];

    private static readonly string[] Names = ["first_attempt", "after_retry", "dlq", "expired", "in_flight", "lost", "unknown", "rejected"];

    /// <summary>The snake_case wire name.</summary>
    public static string Name(this DeliveryClass c) => Names[(int)c];

    /// <summary>Parses a wire name; returns false when unknown.</summary>
    public static bool TryParse(string? name, out DeliveryClass c)
    {
        var i = Array.IndexOf(Names, name);
        c = i < 0 ? default : (DeliveryClass)i;
        return i >= 0;
    }
}

/// <summary>What the source (queue, async event queue) reported about pending work when the ledger was reconciled.</summary>
public enum SourceState
{
    /// <summary>Nothing left anywhere: the source queue, in-flight messages, pending async events and the receipt queues are empty.</summary>
    Quiescent,
    /// <summary>The source still holds work (visible, in-flight or delayed messages, queued async events).</summary>
    Busy,
    /// <summary>The source could not be asked (it stopped answering, or the journal was cut short before the end).</summary>
    Unreachable,
}

/// <summary>How one processing attempt ended, as the function's receipt says.</summary>
public enum ReceiptOutcome
{
    /// <summary>Processed to completion (for a queue record: deleted from the queue).</summary>
    Ok,
    /// <summary>The attempt failed (a function error, or a good record in a batch that failed as a whole).</summary>
    Error,
    /// <summary>The attempt timed out.</summary>
    Timeout,
}

/// <summary>
/// One receipt: a processing attempt the function reports (CONTRACTS-queue.md §2), one JSON message per attempt:
/// <c>{"id","attempt","requestId","path","outcome","coldStart","messageId","startedAt","finishedAt"}</c>.
/// </summary>
/// <param name="Id">The invocation id (<c>LambdaStormId</c> attribute or payload <c>id</c>).</param>
/// <param name="Attempt">Async attempt number, SQS <c>ApproximateReceiveCount</c>, or 1 for sync.</param>
/// <param name="RequestId">Lambda request id, if given.</param>
/// <param name="Path">The path the function saw, if given.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="ColdStart">Whether the attempt ran in a fresh environment.</param>
/// <param name="MessageId">SQS message id for queue records.</param>
/// <param name="StartedAt">When the attempt started.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record Receipt(
    string Id,
    int Attempt,
    string? RequestId,
    InvocationPath? Path,
    ReceiptOutcome Outcome,
    bool ColdStart,
    string? MessageId,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt)
{
    /// <summary>Parses a receipt body; false for anything that is not a receipt (a foreign message on the queue).</summary>
    public static bool TryParse(string body, out Receipt? receipt)
    {
        receipt = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object
                || !r.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString())
                || !r.TryGetProperty("outcome", out var outcome) || outcome.ValueKind != JsonValueKind.String
                || !r.TryGetProperty("finishedAt", out var finished) || !finished.TryGetDateTimeOffset(out var finishedAt))
            {
                return false;
            }

            ReceiptOutcome o;
            switch (outcome.GetString())
            {
                case "ok": o = ReceiptOutcome.Ok; break;
                case "error": o = ReceiptOutcome.Error; break;
                case "timeout": o = ReceiptOutcome.Timeout; break;
                default: return false;
            }

            var attempt = r.TryGetProperty("attempt", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var n) ? Math.Max(1, n) : 1;
            var startedAt = r.TryGetProperty("startedAt", out var s) && s.TryGetDateTimeOffset(out var st) ? st : finishedAt;
            InvocationPath? path = r.TryGetProperty("path", out var p) && InvocationPaths.TryParse(p.ValueKind == JsonValueKind.String ? p.GetString() : null, out var pp) ? pp : null;
            receipt = new Receipt(
                id.GetString()!,
                attempt,
                Text(r, "requestId"),
                path,
                o,
                r.TryGetProperty("coldStart", out var c) && c.ValueKind == JsonValueKind.True,
                Text(r, "messageId"),
                startedAt,
                finishedAt);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// What a message found on a dead-letter queue or an async destination queue says about an id. One reader serves
/// every such queue: an SQS DLQ message keeps the original <c>LambdaStormId</c> attribute; an async destination record
/// has <c>requestContext.condition</c> and <c>requestPayload.id</c>; an async DLQ message is the original payload with its
/// top-level <c>id</c>.
/// </summary>
/// <param name="Id">The invocation id.</param>
/// <param name="Condition">
/// <c>RetriesExhausted</c>, <c>EventAgeExceeded</c> or <c>Success</c> for destination records; null for a DLQ message.
/// </param>
/// <param name="ApproximateInvokeCount">Attempts that ran (destination records), or 0.</param>
public sealed record DeadLetterEvidence(string Id, string? Condition, int ApproximateInvokeCount)
{
    /// <summary>Reads a DLQ or destination message; false when no id can be found in it.</summary>
    /// <param name="body">The message body.</param>
    /// <param name="lambdaStormId">The <c>LambdaStormId</c> message attribute, if the message has one.</param>
    /// <param name="evidence">The evidence.</param>
    public static bool TryParse(string body, string? lambdaStormId, out DeadLetterEvidence? evidence)
    {
        evidence = null;
        if (!string.IsNullOrEmpty(lambdaStormId))
        {
            evidence = new DeadLetterEvidence(lambdaStormId, null, 0);
            return true;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (r.TryGetProperty("requestContext", out var ctx) && ctx.ValueKind == JsonValueKind.Object
                && r.TryGetProperty("requestPayload", out var payload))
            {
                var condition = ctx.TryGetProperty("condition", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var count = ctx.TryGetProperty("approximateInvokeCount", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var k) ? k : 0;
                var id = IdOf(payload);
                if (id is null)
                {
                    return false;
                }

                evidence = new DeadLetterEvidence(id, condition, count);
                return true;
            }

            var plain = IdOf(r);
            if (plain is null)
            {
                return false;
            }

            evidence = new DeadLetterEvidence(plain, null, 0);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The top-level string <c>id</c> of a JSON object (or of a JSON string holding one), or null.</summary>
    internal static string? IdOf(JsonElement payload)
    {
        if (payload.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(payload.GetString()!);
                return IdOf(inner.RootElement);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } s
            ? s
            : null;
    }
}

/// <summary>The role of a sampled queue, for the drain time and the charts.</summary>
public enum QueueRole
{
    /// <summary>The queue the load sends to (or the model's async event queue).</summary>
    Source,
    /// <summary>A dead-letter queue or an async destination queue.</summary>
    DeadLetter,
    /// <summary>The receipts queue.</summary>
    Receipts,
}

/// <summary>One queue-depth sample (SQS <c>GetQueueAttributes</c> approximate counters).</summary>
/// <param name="At">When it was taken.</param>
/// <param name="Queue">Queue name.</param>
/// <param name="Role">What the queue is for.</param>
/// <param name="Visible"><c>ApproximateNumberOfMessages</c>.</param>
/// <param name="NotVisible"><c>ApproximateNumberOfMessagesNotVisible</c> (received, in flight).</param>
/// <param name="Delayed"><c>ApproximateNumberOfMessagesDelayed</c>.</param>
public sealed record QueueDepthSample(DateTimeOffset At, string Queue, QueueRole Role, long Visible, long NotVisible, long Delayed)
{
    /// <summary>All messages the queue holds.</summary>
    public long Total => Visible + NotVisible + Delayed;

    /// <summary>Wire name of a role.</summary>
    public static string RoleName(QueueRole role) => role switch
    {
        QueueRole.Source => "source",
        QueueRole.DeadLetter => "dlq",
        _ => "receipts",
    };

    /// <summary>Parses a role wire name.</summary>
    public static QueueRole ParseRole(string? name) => name switch
    {
        "source" => QueueRole.Source,
        "dlq" => QueueRole.DeadLetter,
        "receipts" => QueueRole.Receipts,
        _ => throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"unknown queue role '{name}'")),
    };
}
