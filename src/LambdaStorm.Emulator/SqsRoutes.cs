using System.Globalization;
using System.Text;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Http;

namespace LambdaStorm.Emulator;

/// <summary>
/// SQS (API version 2012-11-05) on the emulator's port over AWS JSON 1.0, backed by the queues of the
/// <see cref="LambdaModel"/>: the queue calls, send/receive/delete/change-visibility and their batches, with AWS's
/// limits and errors. <c>ReceiveMessage</c> long-polls up to 20 s and returns as soon as a message becomes visible
/// (it waits on <see cref="LambdaModel.WhenMessagesAvailable"/>; no poll interval). Queue URLs are
/// <c>{scheme}://{host}/{account}/{name}</c> of the request's own host. docs/emulator.md lists the coverage.
/// Part of internal API.
/// </summary>
internal sealed class SqsRoutes
{
    /// <summary>Most entries in a batch.</summary>
    public const int MaxBatchEntries = 10;

    private static readonly string[] SystemAttributeNames =
        ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "SentTimestamp", "SenderId", "AWSTraceHeader", "DeadLetterQueueSourceArn"];

    private readonly LambdaModel _model;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private readonly Dictionary<string, Func<HttpContext, SqsRequest, Task>> _actions;

    public SqsRoutes(LambdaModel model, TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(time);
        _model = model;
        _time = time;
        _stopping = stopping;
        _actions = new(StringComparer.Ordinal)
        {
            ["CreateQueue"] = CreateQueue,
            ["GetQueueUrl"] = GetQueueUrl,
            ["ListQueues"] = ListQueues,
            ["DeleteQueue"] = DeleteQueue,
            ["PurgeQueue"] = PurgeQueue,
            ["GetQueueAttributes"] = GetQueueAttributes,
            ["SetQueueAttributes"] = SetQueueAttributes,
            ["SendMessage"] = SendMessage,
            ["SendMessageBatch"] = SendMessageBatch,
            ["ReceiveMessage"] = ReceiveMessage,
            ["DeleteMessage"] = DeleteMessage,
            ["DeleteMessageBatch"] = DeleteMessageBatch,
            ["ChangeMessageVisibility"] = ChangeMessageVisibility,
            ["ChangeMessageVisibilityBatch"] = ChangeMessageVisibilityBatch,
        };
    }

    /// <summary>The actions served.</summary>
    public IReadOnlyCollection<string> Actions => _actions.Keys;

    /// <summary>True when the request is an SQS call (its X-Amz-Target starts with <c>AmazonSQS.</c>).</summary>
    public static bool IsSqsRequest(HttpRequest request) =>
        request.Headers["X-Amz-Target"].ToString().StartsWith(SqsProtocol.TargetPrefix, StringComparison.Ordinal);

    /// <summary>Handles <c>POST /</c> with an SQS target.</summary>
    public Task HandleAsync(HttpContext ctx)
    {
        var target = ctx.Request.Headers["X-Amz-Target"].ToString();
        if (!_actions.TryGetValue(target[SqsProtocol.TargetPrefix.Length..], out var action))
        {
            return SqsProtocol.WriteErrorAsync(ctx, SqsProtocol.UnknownOperation(target));
        }

        if (!SqsRequest.TryParse(RequestContext.Of(ctx).Body, out var request, out var error))
        {
            return SqsProtocol.WriteErrorAsync(ctx, error!);
        }

        return action(ctx, request);
    }

    // ---------------------------------------------------------------------------------------------------- queues

    private Task CreateQueue(HttpContext ctx, SqsRequest r)
    {
        var name = r.Required("QueueName");
        var attributes = r.StringMap("Attributes");
        var tags = r.StringMap("tags");
        if (r.Error is { } error)
        {
            return SqsProtocol.WriteErrorAsync(ctx, error);
        }

        return Reply(ctx, _model.CreateQueue(name, attributes, tags), (w, q) => w.WriteString("QueueUrl", QueueUrl(ctx, q.Name)));
    }

    private Task GetQueueUrl(HttpContext ctx, SqsRequest r)
    {
        var name = r.Required("QueueName");
        var owner = r.String("QueueOwnerAWSAccountId");
        if (r.Error is { } error)
        {
            return SqsProtocol.WriteErrorAsync(ctx, error);
        }

        var result = owner is not null && owner != _model.Account.AccountId ? QueueErrors.QueueDoesNotExist() : _model.GetQueue(name);
        return Reply(ctx, result, (w, q) => w.WriteString("QueueUrl", QueueUrl(ctx, q.Name)));
    }

    private Task ListQueues(HttpContext ctx, SqsRequest r)
    {
        var prefix = r.String("QueueNamePrefix");
        var maxResults = r.Int("MaxResults");
        var nextToken = r.String("NextToken");
        if (r.Error is { } error)
        {
            return SqsProtocol.WriteErrorAsync(ctx, error);
        }

        if (maxResults is < 1 or > 1000)
        {
            return SqsProtocol.WriteErrorAsync(ctx, QueueErrors.InvalidParameterValue(
                $"Value {maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."));
        }

        var names = _model.ListQueues(prefix);
        var start = 0;
        if (nextToken is not null)
        {
            string? after = null;
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(nextToken));
            }
            catch (FormatException)
            {
            }

            if (after is null)
            {
                return SqsProtocol.WriteErrorAsync(ctx, QueueErrors.InvalidParameterValue("Invalid NextToken value."));
            }

            start = names.Count(n => string.CompareOrdinal(n, after) <= 0);
        }

        var page = names.Skip(start).Take(maxResults ?? 1000).ToList();
        var more = maxResults is not null && start + page.Count < names.Count;
        return SqsProtocol.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("QueueUrls");
            foreach (var name in page)
            {
                w.WriteStringValue(QueueUrl(ctx, name));
            }

            w.WriteEndArray();
            if (more)
            {
                w.WriteString("NextToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1])));
            }

            w.WriteEndObject();
        });
    }

    private Task DeleteQueue(HttpContext ctx, SqsRequest r) => WithQueue(ctx, r, q => Empty(ctx, _model.DeleteQueue(q)));

    private Task PurgeQueue(HttpContext ctx, SqsRequest r) => WithQueue(ctx, r, q => Empty(ctx, _model.PurgeQueue(q)));

    private Task GetQueueAttributes(HttpContext ctx, SqsRequest r)
    {
        var names = r.StringList("AttributeNames") ?? [];
        return WithQueue(ctx, r, q => Reply(ctx, _model.GetQueueAttributes(q, names), (w, attributes) =>
        {
            if (attributes.Count == 0)
            {
                return;
            }

            w.WriteStartObject("Attributes");
            foreach (var (name, value) in attributes)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
        }));
    }

    private Task SetQueueAttributes(HttpContext ctx, SqsRequest r)
    {
        var attributes = r.StringMap("Attributes");
        return WithQueue(ctx, r, q => attributes is null
            ? SqsProtocol.WriteErrorAsync(ctx, QueueErrors.MissingParameter("Attributes"))
            : Empty(ctx, _model.SetQueueAttributes(q, attributes)));
    }

    // ---------------------------------------------------------------------------------------------------- messages

    private Task SendMessage(HttpContext ctx, SqsRequest r)
    {
        var entry = ReadSendEntry(r, r.Root, out var problem);
        return WithQueue(ctx, r, q =>
        {
            if (problem is not null)
            {
                return SqsProtocol.WriteErrorAsync(ctx, problem);
            }

            return Reply(ctx, _model.SendMessage(q, entry.Body, entry.Attributes, entry.Delay, entry.TraceHeader), WriteSent);
        });
    }

    private Task SendMessageBatch(HttpContext ctx, SqsRequest r)
    {
        var entries = r.Entries();
        return WithQueue(ctx, r, q =>
        {
            if (CheckBatch(entries, r, "SendMessageBatchRequestEntry") is { } batchError)
            {
                return SqsProtocol.WriteErrorAsync(ctx, batchError);
            }

            var ids = new List<string>(entries!.Count);
            var sends = new List<SendEntry>(entries.Count);
            var failed = new List<(string Id, QueueError Error)>();
            var total = 0;
            foreach (var e in entries)
            {
                var id = r.String(e, "Id")!;
                var entry = ReadSendEntry(r, e, out var problem);
                if (r.Error is { } entryError)
                {
                    return SqsProtocol.WriteErrorAsync(ctx, entryError);
                }

                total += MessageRules.Size(entry.Body, entry.Attributes);
                if (problem is not null)
                {
                    failed.Add((id, problem));
                    continue;
                }

                ids.Add(id);
                sends.Add(entry);
            }

            if (total > QueueSettings.MaxMessageBytes)
            {
                return SqsProtocol.WriteErrorAsync(ctx, new QueueError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
                    $"Batch requests cannot be longer than {QueueSettings.MaxMessageBytes} bytes. You have sent {total} bytes."));
            }

            var result = _model.SendMessageBatch(q, sends);
            if (!result.IsSuccess)
            {
                return SqsProtocol.WriteErrorAsync(ctx, result.Error);
            }

            return SqsProtocol.WriteAsync(ctx, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("Successful");
                for (var i = 0; i < ids.Count; i++)
                {
                    if (result.Value[i] is { IsSuccess: true, Value: var sent })
                    {
                        w.WriteStartObject();
                        w.WriteString("Id", ids[i]);
                        WriteSent(w, sent);
                        w.WriteEndObject();
                    }
                }

                w.WriteEndArray();
                WriteFailed(w, failed.Concat(ids.Select((id, i) => (id, result.Value[i].Error)).Where(f => f.Error is not null).Select(f => (f.id, f.Error!))));
                w.WriteEndObject();
            });
        });
    }

    private async Task ReceiveMessage(HttpContext ctx, SqsRequest r)
    {
        var queue = r.Required("QueueUrl");
        var max = r.Int("MaxNumberOfMessages") ?? 1;
        var visibility = r.Int("VisibilityTimeout");
        var wait = r.Int("WaitTimeSeconds");
        var systemNames = (r.StringList("MessageSystemAttributeNames") ?? []).Concat(r.StringList("AttributeNames") ?? []).ToHashSet(StringComparer.Ordinal);
        var attributeNames = r.StringList("MessageAttributeNames") ?? [];
        var attemptId = r.String("ReceiveRequestAttemptId");
        if (r.Error is { } error)
        {
            await SqsProtocol.WriteErrorAsync(ctx, error);
            return;
        }

        var lookup = _model.GetQueue(queue);
        if (!lookup.IsSuccess)
        {
            await SqsProtocol.WriteErrorAsync(ctx, lookup.Error);
            return;
        }

        if (attemptId is not null)
        {
            await SqsProtocol.WriteErrorAsync(ctx, FifoParameter("ReceiveRequestAttemptId", attemptId));
            return;
        }

        if (wait is < 0 or > 20)
        {
            await SqsProtocol.WriteErrorAsync(ctx, QueueErrors.InvalidParameterValue(
                $"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."));
            return;
        }

        var waitTime = TimeSpan.FromSeconds(wait ?? lookup.Value.ReceiveWaitSeconds);
        var deadline = _time.GetUtcNow() + waitTime;
        var visibilityTimeout = visibility is { } v ? TimeSpan.FromSeconds(v) : (TimeSpan?)null;
        while (true)
        {
            var received = _model.ReceiveMessage(queue, max, visibilityTimeout);
            if (!received.IsSuccess)
            {
                await SqsProtocol.WriteErrorAsync(ctx, received.Error);
                return;
            }

            var remaining = deadline - _time.GetUtcNow();
            if (received.Value.Count > 0 || remaining <= TimeSpan.Zero)
            {
                await SqsProtocol.WriteAsync(ctx, 200, w => WriteMessages(w, received.Value, systemNames, attributeNames));
                return;
            }

            // Long polling: wait for a message to become visible (no poll interval), up to the deadline.
            using var timeout = new CancellationTokenSource(remaining, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ctx.RequestAborted, _stopping);
            try
            {
                await _model.WhenMessagesAvailable(queue, linked.Token);
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                deadline = _time.GetUtcNow(); // timed out or shutting down: one last receive, then an empty answer
            }
        }
    }

    private Task DeleteMessage(HttpContext ctx, SqsRequest r)
    {
        var handle = r.Required("ReceiptHandle");
        return WithQueue(ctx, r, q => Empty(ctx, _model.DeleteMessage(q, handle)));
    }

    private Task DeleteMessageBatch(HttpContext ctx, SqsRequest r) =>
        HandleBatch(ctx, r, "DeleteMessageBatchRequestEntry", e => r.Required(e, "ReceiptHandle"), _model.DeleteMessageBatch);

    private Task ChangeMessageVisibility(HttpContext ctx, SqsRequest r)
    {
        var handle = r.Required("ReceiptHandle");
        var visibility = r.Int("VisibilityTimeout");
        return WithQueue(ctx, r, q => visibility is not { } seconds
            ? SqsProtocol.WriteErrorAsync(ctx, QueueErrors.MissingParameter("VisibilityTimeout"))
            : Empty(ctx, _model.ChangeMessageVisibility(q, handle, TimeSpan.FromSeconds(seconds))));
    }

    private Task ChangeMessageVisibilityBatch(HttpContext ctx, SqsRequest r) =>
        HandleBatch(
            ctx, r, "ChangeMessageVisibilityBatchRequestEntry",
            e => (r.Required(e, "ReceiptHandle"), TimeSpan.FromSeconds(r.Int(e, "VisibilityTimeout") ?? 0)),
            _model.ChangeMessageVisibilityBatch);

    /// <summary>A receipt-handle batch (delete, change visibility): request checks, one model call, per-entry results.</summary>
    private static Task HandleBatch<TEntry, TResult>(
        HttpContext ctx, SqsRequest r, string entryShape, Func<JsonElement, TEntry> read,
        Func<string, IReadOnlyList<TEntry>, QueueResult<IReadOnlyList<QueueResult<TResult>>>> apply)
    {
        var entries = r.Entries();
        return WithQueue(ctx, r, q =>
        {
            if (CheckBatch(entries, r, entryShape) is { } batchError)
            {
                return SqsProtocol.WriteErrorAsync(ctx, batchError);
            }

            var ids = entries!.Select(e => r.String(e, "Id")!).ToList();
            var items = entries!.Select(read).ToList();
            if (r.Error is { } error)
            {
                return SqsProtocol.WriteErrorAsync(ctx, error);
            }

            var result = apply(q, items);
            return result.IsSuccess
                ? WriteBatchResult(ctx, ids, result.Value.Select(x => x.Error).ToList())
                : SqsProtocol.WriteErrorAsync(ctx, result.Error);
        });
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /// <summary>The request's own scheme and host, the account and the name.</summary>
    internal string QueueUrl(HttpContext ctx, string name) =>
        $"{ctx.Request.Scheme}://{ctx.Request.Host.Value}/{_model.Account.AccountId}/{name}";

    /// <summary>Reads <c>QueueUrl</c>, checks the body, then runs <paramref name="action"/>.</summary>
    private static Task WithQueue(HttpContext ctx, SqsRequest r, Func<string, Task> action)
    {
        var queue = r.Required("QueueUrl");
        return r.Error is { } error ? SqsProtocol.WriteErrorAsync(ctx, error) : action(queue);
    }

    private static Task Reply<T>(HttpContext ctx, QueueResult<T> result, Action<Utf8JsonWriter, T> write)
    {
        if (!result.IsSuccess)
        {
            return SqsProtocol.WriteErrorAsync(ctx, result.Error);
        }

        var value = result.Value;
        return SqsProtocol.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            write(w, value);
            w.WriteEndObject();
        });
    }

    private static Task Empty<T>(HttpContext ctx, QueueResult<T> result) => Reply(ctx, result, static (_, _) => { });

    /// <summary>One message of a send; <paramref name="problem"/> is an entry-level error (FIFO-only parameters, bad system attributes).</summary>
    private static SendEntry ReadSendEntry(SqsRequest r, JsonElement e, out QueueError? problem)
    {
        var body = r.String(e, "MessageBody") ?? "";
        var delay = r.Int(e, "DelaySeconds");
        var attributes = r.Attributes(e, "MessageAttributes");
        var system = r.Attributes(e, "MessageSystemAttributes");
        problem = null;
        foreach (var fifoOnly in (string[])["MessageGroupId", "MessageDeduplicationId"])
        {
            if (r.String(e, fifoOnly) is { } value)
            {
                problem ??= FifoParameter(fifoOnly, value);
            }
        }

        string? trace = null;
        foreach (var (name, value) in system ?? [])
        {
            if (name != "AWSTraceHeader")
            {
                problem ??= QueueErrors.InvalidParameterValue($"Message system attribute name '{name}' is invalid.");
            }
            else if (value.DataType != "String" || string.IsNullOrEmpty(value.StringValue))
            {
                problem ??= QueueErrors.InvalidParameterValue("Message system attribute 'AWSTraceHeader' must be a non-empty String.");
            }
            else
            {
                trace = value.StringValue;
            }
        }

        return new SendEntry(body, attributes, delay is { } d ? TimeSpan.FromSeconds(d) : null, trace);
    }

    private static QueueError FifoParameter(string parameter, string? value) => QueueErrors.InvalidParameterValue(
        $"Value {value} for parameter {parameter} is invalid. Reason: The request include parameter that is not valid for this queue type.");

    /// <summary>AWS's request-level batch checks: empty, too many, ids valid and distinct.</summary>
    private static QueueError? CheckBatch(List<JsonElement>? entries, SqsRequest r, string entryShape)
    {
        if (r.Error is { } error)
        {
            return error;
        }

        if (entries is null || entries.Count == 0)
        {
            return new QueueError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", $"There should be at least one {entryShape} in the request.");
        }

        if (entries.Count > MaxBatchEntries)
        {
            return new QueueError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                $"Maximum number of entries per request are {MaxBatchEntries}. You have sent {entries.Count}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var id = r.Required(e, "Id");
            if (r.Error is { } idError)
            {
                return idError;
            }

            if (id.Length is 0 or > 80 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return new QueueError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
            }

            if (!seen.Add(id))
            {
                return new QueueError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", $"Id {id} repeated.");
            }
        }

        return null;
    }

    private static Task WriteBatchResult(HttpContext ctx, List<string> ids, List<QueueError?> errors) => SqsProtocol.WriteAsync(ctx, 200, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("Successful");
        for (var i = 0; i < ids.Count; i++)
        {
            if (errors[i] is null)
            {
                w.WriteStartObject();
                w.WriteString("Id", ids[i]);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        WriteFailed(w, ids.Select((id, i) => (id, errors[i])).Where(f => f.Item2 is not null)!);
        w.WriteEndObject();
    });

    private static void WriteFailed(Utf8JsonWriter w, IEnumerable<(string Id, QueueError Error)> failed)
    {
        w.WriteStartArray("Failed");
        foreach (var (id, error) in failed)
        {
            w.WriteStartObject();
            w.WriteString("Id", id);
            w.WriteBoolean("SenderFault", error.SenderFault);
            w.WriteString("Code", error.QueryCode);
            if (error.Message is not null)
            {
                w.WriteString("Message", error.Message);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteSent(Utf8JsonWriter w, SentMessage sent)
    {
        w.WriteString("MessageId", sent.MessageId);
        w.WriteString("MD5OfMessageBody", sent.Md5OfMessageBody);
        if (sent.Md5OfMessageAttributes is { } attributes)
        {
            w.WriteString("MD5OfMessageAttributes", attributes);
        }

        if (sent.Md5OfMessageSystemAttributes is { } system)
        {
            w.WriteString("MD5OfMessageSystemAttributes", system);
        }
    }

    private static void WriteMessages(Utf8JsonWriter w, IReadOnlyList<ReceivedMessage> messages, HashSet<string> systemNames, List<string> attributeNames)
    {
        w.WriteStartObject();
        if (messages.Count > 0)
        {
            var allSystem = systemNames.Contains("All");
            w.WriteStartArray("Messages");
            foreach (var m in messages)
            {
                w.WriteStartObject();
                w.WriteString("MessageId", m.MessageId);
                w.WriteString("ReceiptHandle", m.ReceiptHandle);
                w.WriteString("MD5OfBody", m.Md5OfBody);
                w.WriteString("Body", m.Body);
                var system = SystemAttributes(m, allSystem ? SystemAttributeNames : systemNames);
                if (system.Count > 0)
                {
                    w.WriteStartObject("Attributes");
                    foreach (var (name, value) in system)
                    {
                        w.WriteString(name, value);
                    }

                    w.WriteEndObject();
                }

                var selected = SelectAttributes(m.MessageAttributes, attributeNames);
                if (selected.Count > 0)
                {
                    w.WriteString("MD5OfMessageAttributes", MessageDigest.OfAttributes(selected));
                    w.WriteStartObject("MessageAttributes");
                    foreach (var (name, attribute) in selected)
                    {
                        w.WriteStartObject(name);
                        w.WriteString("DataType", attribute.DataType);
                        if (attribute.IsBinary)
                        {
                            w.WriteBase64String("BinaryValue", attribute.BinaryValue ?? []);
                        }
                        else
                        {
                            w.WriteString("StringValue", attribute.StringValue);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static List<KeyValuePair<string, string>> SystemAttributes(ReceivedMessage m, IEnumerable<string> names)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var name in names)
        {
            string? value = name switch
            {
                "ApproximateReceiveCount" => m.ApproximateReceiveCount.ToString(CultureInfo.InvariantCulture),
                "ApproximateFirstReceiveTimestamp" => SqsProtocol.EpochMillis(m.ApproximateFirstReceiveTimestamp),
                "SentTimestamp" => SqsProtocol.EpochMillis(m.SentTimestamp),
                "SenderId" => m.SenderId,
                "AWSTraceHeader" => m.TraceHeader,
                "DeadLetterQueueSourceArn" => m.DeadLetterQueueSourceArn,
                _ => null,
            };
            if (value is not null)
            {
                result.Add(new(name, value));
            }
        }

        return result;
    }

    /// <summary>The attributes <c>MessageAttributeNames</c> asks for: <c>All</c> or <c>.*</c>, exact names, or <c>prefix.*</c>.</summary>
    internal static List<KeyValuePair<string, MessageAttribute>> SelectAttributes(IReadOnlyDictionary<string, MessageAttribute> attributes, List<string> names)
    {
        if (attributes.Count == 0 || names.Count == 0)
        {
            return [];
        }

        if (names.Contains("All") || names.Contains(".*"))
        {
            return [.. attributes];
        }

        return [.. attributes.Where(a => names.Any(n => n.EndsWith(".*", StringComparison.Ordinal)
            ? a.Key.StartsWith(n[..^1], StringComparison.Ordinal)
            : a.Key == n))];
    }
}
