using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LambdaStorm.Lambda;
using LambdaStorm.Targets;

namespace LambdaStorm.Ledger;

/// <summary>Which queues the ledger reads and watches. Part of internal API.</summary>
/// <param name="SourceQueue">The queue the load sends to, or null (async only).</param>
/// <param name="ReceiptQueues">Queues receipts arrive on.</param>
/// <param name="DeadLetterQueues">Dead-letter queues and async destination queues.</param>
/// <param name="Async">True when the load uses the async path (the model's async event queue is a source too).</param>
internal sealed record LedgerPlan(string? SourceQueue, IReadOnlyList<string> ReceiptQueues, IReadOnlyList<string> DeadLetterQueues, bool Async)
{
    /// <summary>
    /// The function the async path invokes (name, <c>name:qualifier</c> or ARN), or null: a separate emulator's count of
    /// async events it discarded for good is read for this function only.
    /// </summary>
    public string? Function { get; init; }

    /// <summary>The plain name of <see cref="Function"/>, as the emulator's metrics label it, or null.</summary>
    public string? FunctionName => FunctionReference.TryParse(Function, out var f) ? f.Name : Function;

    /// <summary>True when <paramref name="queue"/> (a name) is the source queue (given as a name, URL or ARN).</summary>
    public bool IsSourceQueue(string queue)
        => SourceQueue is { } q && (q == queue || q.EndsWith("/" + queue, StringComparison.Ordinal) || q.EndsWith(":" + queue, StringComparison.Ordinal));

    /// <summary>The plan for a scenario run on the model it configures: receipts, the source queue's DLQ, async DLQs and destinations that are queues.</summary>
    public static LedgerPlan ForModel(LambdaModelOptions model, string? sourceQueue, bool async)
    {
        var queues = model.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        string? QueueOf(string? nameOrArn) => nameOrArn is null ? null
            : queues.Contains(nameOrArn) ? nameOrArn
            : nameOrArn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal) && queues.Contains(nameOrArn[(nameOrArn.LastIndexOf(':') + 1)..]) ? nameOrArn[(nameOrArn.LastIndexOf(':') + 1)..]
            : null;

        var receipts = model.Functions.Select(f => QueueOf(f.ReceiptsQueue)).OfType<string>().Distinct().ToList();
        var dead = new List<string>();
        if (sourceQueue is not null && model.Queues.FirstOrDefault(q => q.Name == sourceQueue)?.DeadLetterQueue is { } dlq && QueueOf(dlq) is { } d)
        {
            dead.Add(d);
        }

        if (async)
        {
            foreach (var f in model.Functions)
            {
                dead.AddRange(new[] { f.DeadLetterTargetArn, f.AsyncConfig.OnFailure, f.AsyncConfig.OnSuccess }.Select(QueueOf).OfType<string>());
            }
        }

        return new LedgerPlan(sourceQueue, receipts, [.. dead.Distinct().Where(x => !receipts.Contains(x))], async);
    }
}

/// <summary>
/// Reads the traces of sent ids — receipts, dead-letter and destination messages — and the queues' depth. Two readers
/// feed one reconciling ledger: <see cref="SqsLedgerReader"/> (SQS's API through AWSSDK.SQS: the emulator over HTTP, or
/// AWS) and <see cref="ModelLedgerReader"/> (the model's queues directly, for <c>simulate</c>). Part of internal API.
/// </summary>
internal interface ILedgerReader : IAsyncDisposable
{
    /// <summary>Reads (and deletes) every message waiting on the receipt and dead-letter queues; returns how many it read.</summary>
    Task<int> DrainAsync(ILedgerInput ledger, CancellationToken ct);

    /// <summary>Samples every watched queue's depth into the ledger and says whether the source still has work.</summary>
    Task<SourceState> SampleAsync(ILedgerInput ledger, CancellationToken ct);

    /// <summary>What the reader could not read that the summary should say (null when nothing).</summary>
    string? Warning => null;
}

/// <summary>Turns one message read from a receipt or dead-letter queue into ledger evidence (one code path for both readers).</summary>
internal static class LedgerMessages
{
    /// <summary>Feeds a message; false when it is not evidence (a foreign message).</summary>
    public static bool Feed(ILedgerInput ledger, bool receipts, string queue, string body, string? lambdaStormId, DateTimeOffset at)
    {
        if (receipts)
        {
            if (!Receipt.TryParse(body, out var r))
            {
                return false;
            }

            ledger.RecordReceipt(r!);
            return true;
        }

        if (!DeadLetterEvidence.TryParse(body, lambdaStormId, out var e))
        {
            return false;
        }

        ledger.RecordDeadLetter(queue, e!, at);
        return true;
    }
}

/// <summary>
/// Per-id evidence of loss from an in-process model: a <see cref="LostWorkTracker"/> watches the model and keeps what it
/// reports (async events of the load dropped with no failure destination or DLQ to take them; messages of the source
/// queue purged or expired while nobody held them); <see cref="Feed"/> hands them to the ledger on each read, with the
/// model's time of the discard, so an abort condition on <c>lost</c> sees them within a second. Part of internal API.
/// </summary>
internal sealed class ModelLostEvidence : IDisposable
{
    private readonly LambdaModel _model;
    private readonly LedgerPlan _plan;
    private readonly LostWorkTracker _tracker;
    private readonly System.Collections.Concurrent.ConcurrentQueue<LostWork> _lost = new();

    /// <summary>Starts watching <paramref name="model"/> for the ids of <paramref name="plan"/>'s source paths.</summary>
    public ModelLostEvidence(LambdaModel model, LedgerPlan plan)
    {
        _model = model;
        _plan = plan;
        _tracker = new LostWorkTracker(Keep);
        model.AddObserver(_tracker);
    }

    // Under the model lock: only queue it (the ledger is fed outside the lock, on the reader's next step).
    private void Keep(LostWork w)
    {
        if (w.Id is not null && (w.Function is not null ? _plan.Async : w.Queue is { } q && _plan.IsSourceQueue(q)))
        {
            _lost.Enqueue(w);
        }
    }

    /// <summary>Feeds the ids discarded since the last call (an id the run never sent is kept apart by the ledger).</summary>
    public void Feed(ILedgerInput ledger)
    {
        while (_lost.TryDequeue(out var w))
        {
            ledger.RecordLost(w.Id!, w.Reason, w.Time);
        }
    }

    public void Dispose() => _model.RemoveObserver(_tracker);
}

/// <summary>Reads the model's queues directly (simulate, in-process model runs). Part of internal API.</summary>
internal sealed class ModelLedgerReader(LambdaModel model, LedgerPlan plan, Action? flush) : ILedgerReader
{
    private readonly ModelLostEvidence _lost = new(model, plan);

    public Task<int> DrainAsync(ILedgerInput ledger, CancellationToken ct)
    {
        var read = 0;
        foreach (var (queue, receipts) in plan.ReceiptQueues.Select(q => (q, true)).Concat(plan.DeadLetterQueues.Select(q => (q, false))))
        {
            while (true)
            {
                var batch = model.ReceiveMessage(queue, 10, TimeSpan.FromMinutes(5));
                if (!batch.IsSuccess || batch.Value.Count == 0)
                {
                    break;
                }

                var now = model.Now;
                foreach (var m in batch.Value)
                {
                    var id = m.MessageAttributes.TryGetValue(QueueMessageAttributes.Id, out var a) ? a.StringValue : null;
                    LedgerMessages.Feed(ledger, receipts, queue, m.Body, id, now);
                    read++;
                }

                model.DeleteMessageBatch(queue, [.. batch.Value.Select(m => m.ReceiptHandle)]);
            }
        }

        flush?.Invoke();
        _lost.Feed(ledger);
        return Task.FromResult(read);
    }

    public Task<SourceState> SampleAsync(ILedgerInput ledger, CancellationToken ct)
    {
        var now = model.Now;
        var busy = false;
        void Sample(string queue, QueueRole role)
        {
            var c = model.GetQueueCounters(queue);
            if (c.IsSuccess)
            {
                ledger.RecordQueueDepth(new QueueDepthSample(now, queue, role, c.Value.Visible, c.Value.NotVisible, c.Value.Delayed));
                busy |= c.Value.Total > 0;
            }
        }

        if (plan.SourceQueue is { } source)
        {
            Sample(source, QueueRole.Source);
        }

        if (plan.Async)
        {
            var pending = model.GetSnapshot().PendingAsyncEvents;
            ledger.RecordQueueDepth(new QueueDepthSample(now, "async events", QueueRole.Source, pending, 0, 0));
            busy |= pending > 0;
        }

        foreach (var q in plan.DeadLetterQueues)
        {
            Sample(q, QueueRole.DeadLetter);
        }

        foreach (var q in plan.ReceiptQueues)
        {
            Sample(q, QueueRole.Receipts);
        }

        busy |= !model.IsQuiescent;
        return Task.FromResult(busy ? SourceState.Busy : SourceState.Quiescent);
    }

    public ValueTask DisposeAsync()
    {
        _lost.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Reads receipts and dead-letter queues through SQS's API (AWSSDK.SQS): <c>ReceiveMessage</c> long polls (1 s, so it
/// wakes as soon as a message arrives and never spins) and <c>DeleteMessageBatch</c>; depth from
/// <c>GetQueueAttributes</c>. With the model at hand (the embedded emulator) it also asks the model for queued async
/// events, and watches it for ids it discards leaving no record (<see cref="ModelLostEvidence"/>); a separate emulator
/// process is asked through its <c>/metrics</c> (<see cref="EmulatorMetrics"/>: the gauge
/// <c>lambdastorm_emulator_account_async_pending_events</c>, and the lost counters for the live <c>lost</c> count). Without either (AWS) async work in flight cannot be seen,
/// so an async run with ids still open reports the source as unreachable rather than quiescent. Part of internal API.
/// </summary>
internal sealed class SqsLedgerReader(IAmazonSQS sqs, LedgerPlan plan, TimeProvider time, LambdaModel? model) : ILedgerReader
{
    /// <summary>The emulator's gauge of async events not yet finished (queued, waiting for a retry, or running).</summary>
    public const string PendingAsyncGauge = "lambdastorm_emulator_account_async_pending_events";

    /// <summary>The emulator's counter of async events it discarded leaving no record (see <c>LostWorkTracker</c>).</summary>
    public const string AsyncLostCounter = "lambdastorm_emulator_async_events_lost_total";

    /// <summary>The emulator's counter of SQS messages it removed unprocessed while nobody held them.</summary>
    public const string QueueLostCounter = "lambdastorm_emulator_queue_messages_lost_total";

    private static readonly List<string> DepthAttributes = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];
    private readonly Dictionary<string, string> _urls = new(StringComparer.Ordinal);
    private List<string>? _deadLetters;
    private HttpClient? _http;
    private readonly ModelLostEvidence? _lost = model is null ? null : new ModelLostEvidence(model, plan);
    private long? _lostBaseline;
    private string? _metricsFailure;

    /// <summary>
    /// True when an abort condition reads <c>lost</c>: the separate emulator's lost counters are then read every step
    /// (<see cref="EmulatorMetrics"/>), and the summary warns when they never could be.
    /// </summary>
    public bool CountsLost { get; init; }

    /// <inheritdoc />
    public string? Warning => _metricsFailure is { } f && _lostBaseline is null
        ? $"delivery ledger: the emulator's /metrics could not be read ({f}), so the live lost count of abort conditions stayed 0"
        : null;

    /// <summary>
    /// The <c>/metrics</c> address of the LambdaStorm emulator process that holds the model, or null: its pending async
    /// events tell whether the async path is still busy.
    /// </summary>
    public Uri? EmulatorMetrics { get; init; }

    public async Task<int> DrainAsync(ILedgerInput ledger, CancellationToken ct)
    {
        var dead = await DeadLettersAsync(ct).ConfigureAwait(false);
        var reads = plan.ReceiptQueues.Select(q => DrainQueueAsync(ledger, q, true, ct)).Concat(dead.Select(q => DrainQueueAsync(ledger, q, false, ct)));
        var read = (await Task.WhenAll(reads).ConfigureAwait(false)).Sum();
        _lost?.Feed(ledger);
        return read;
    }

    private async Task<int> DrainQueueAsync(ILedgerInput ledger, string queue, bool receipts, CancellationToken ct)
    {
        var url = await UrlAsync(queue, ct).ConfigureAwait(false);
        var read = 0;
        while (!ct.IsCancellationRequested)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = read == 0 ? 1 : 0,
                VisibilityTimeout = 300,
                MessageAttributeNames = [QueueMessageAttributes.Id],
            }, CancellationToken.None).ConfigureAwait(false); // not cut short: messages it received would stay hidden, unread, for 300 s
            var messages = response.Messages ?? [];
            if (messages.Count == 0)
            {
                break;
            }

            var now = time.GetUtcNow();
            foreach (var m in messages)
            {
                var id = m.MessageAttributes is { } attrs && attrs.TryGetValue(QueueMessageAttributes.Id, out var a) ? a.StringValue : null;
                LedgerMessages.Feed(ledger, receipts, queue, m.Body, id, now);
                read++;
            }

            // Not cancellable either: what was received is in the ledger now, and a delete cut short would leave the
            // messages hidden for the 300 s visibility, so the queue would look busy until the settle time ran out.
            await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = url,
                Entries = [.. messages.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ReceiptHandle = m.ReceiptHandle })],
            }, CancellationToken.None).ConfigureAwait(false);
        }

        return read;
    }

    public async Task<SourceState> SampleAsync(ILedgerInput ledger, CancellationToken ct)
    {
        var busy = false;
        async Task Sample(string queue, QueueRole role)
        {
            var url = await UrlAsync(queue, ct).ConfigureAwait(false);
            var a = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = DepthAttributes }, ct).ConfigureAwait(false);
            var sample = new QueueDepthSample(time.GetUtcNow(), queue, role, a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible, a.ApproximateNumberOfMessagesDelayed);
            ledger.RecordQueueDepth(sample);
            busy |= role != QueueRole.DeadLetter && sample.Total > 0;
        }

        if (plan.SourceQueue is { } source)
        {
            await Sample(source, QueueRole.Source).ConfigureAwait(false);
        }

        foreach (var q in await DeadLettersAsync(ct).ConfigureAwait(false))
        {
            await Sample(q, QueueRole.DeadLetter).ConfigureAwait(false);
        }

        foreach (var q in plan.ReceiptQueues)
        {
            await Sample(q, QueueRole.Receipts).ConfigureAwait(false);
        }

        if (model is not null)
        {
            var pending = model.GetSnapshot().PendingAsyncEvents;
            if (plan.Async)
            {
                ledger.RecordQueueDepth(new QueueDepthSample(time.GetUtcNow(), "async events", QueueRole.Source, pending, 0, 0));
            }

            busy |= pending > 0 || !model.IsQuiescent;
        }
        else if (EmulatorMetrics is not null && (plan.Async || CountsLost))
        {
            string? text;
            try
            {
                text = await MetricsTextAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!plan.Async && IsUnreachable(ex))
            {
                text = null; // the queue path's state comes from SQS; only the live lost count waits for the next read
                _metricsFailure ??= ex.Message.Split('\n')[0];
            }

            if (text is not null && CountsLost)
            {
                CountSourceLost(ledger, text);
            }

            if (plan.Async)
            {
                if (ParseGauge(text!, PendingAsyncGauge) is not { } pending)
                {
                    return SourceState.Unreachable; // not a LambdaStorm emulator: its async work is invisible from here
                }

                ledger.RecordQueueDepth(new QueueDepthSample(time.GetUtcNow(), "async events", QueueRole.Source, pending, 0, 0));
                busy |= pending > 0;
            }
        }
        else if (plan.Async)
        {
            return SourceState.Unreachable; // async work in AWS is invisible from here
        }

        return busy ? SourceState.Busy : SourceState.Quiescent;
    }

    /// <summary>The emulator's <c>/metrics</c> exposition.</summary>
    private async Task<string> MetricsTextAsync(CancellationToken ct)
    {
        _http ??= new HttpClient(LoopbackFriendlyHandler.Create(1)) { Timeout = TimeSpan.FromSeconds(10) };
        return await _http.GetStringAsync(EmulatorMetrics, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A separate emulator cannot name the ids it discarded, but counts them: the increase of its lost counters (the
    /// load's function and source queue) since the first read of this run is the live <c>lost</c> count.
    /// </summary>
    private void CountSourceLost(ILedgerInput ledger, string exposition)
    {
        var total = 0.0;
        if (plan.Async && plan.FunctionName is { } function)
        {
            total += SumCounter(exposition, AsyncLostCounter, labels => labels.GetValueOrDefault("function") == function);
        }

        if (plan.SourceQueue is not null)
        {
            total += SumCounter(exposition, QueueLostCounter, labels => labels.GetValueOrDefault("queue") is { } q && plan.IsSourceQueue(q));
        }

        var now = (long)total;
        _lostBaseline ??= now;
        ledger.RecordSourceLost(Math.Max(0, now - _lostBaseline.Value));
    }

    /// <summary>The sum of a labelled counter's series in Prometheus text exposition whose labels match.</summary>
    internal static double SumCounter(string exposition, string name, Func<IReadOnlyDictionary<string, string>, bool> match)
    {
        var sum = 0.0;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            if (close < 0 || !double.TryParse(line.AsSpan(close + 1).Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                continue;
            }

            if (match(ParseLabels(line.AsSpan(name.Length + 1, close - name.Length - 1))))
            {
                sum += v;
            }
        }

        return sum;
    }

    /// <summary>Parses <c>a="x",b="y"</c> (with the exposition's <c>\\</c>, <c>\"</c> and <c>\n</c> escapes).</summary>
    private static Dictionary<string, string> ParseLabels(ReadOnlySpan<char> text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var eq = text[i..].IndexOf('=');
            if (eq < 0 || i + eq + 1 >= text.Length || text[i + eq + 1] != '"')
            {
                break;
            }

            var key = text.Slice(i, eq).Trim().TrimStart(',').Trim().ToString();
            var value = new System.Text.StringBuilder();
            var j = i + eq + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\' && j + 1 < text.Length)
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels[key] = value.ToString();
            i = j + 1;
        }

        return labels;
    }

    /// <summary>The value of an unlabelled gauge in Prometheus text exposition, or null when it is absent.</summary>
    internal static long? ParseGauge(string exposition, string name)
    {
        foreach (var line in exposition.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] == ' '
                && double.TryParse(line[(name.Length + 1)..].Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                return (long)v;
            }
        }

        return null;
    }

    /// <summary>The plan's dead-letter queues, plus the source queue's redrive target as the queue itself reports it.</summary>
    private async Task<List<string>> DeadLettersAsync(CancellationToken ct)
    {
        if (_deadLetters is not null)
        {
            return _deadLetters;
        }

        var list = plan.DeadLetterQueues.ToList();
        if (plan.SourceQueue is { } source)
        {
            var url = await UrlAsync(source, ct).ConfigureAwait(false);
            var a = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["RedrivePolicy"] }, ct).ConfigureAwait(false);
            if (a.Attributes?.TryGetValue("RedrivePolicy", out var policy) == true)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(policy);
                if (doc.RootElement.TryGetProperty("deadLetterTargetArn", out var arn) && arn.GetString() is { } dlqArn)
                {
                    var name = dlqArn[(dlqArn.LastIndexOf(':') + 1)..];
                    if (!list.Contains(name) && !list.Any(q => q.EndsWith("/" + name, StringComparison.Ordinal)))
                    {
                        list.Add(name);
                    }
                }
            }
        }

        return _deadLetters = list;
    }

    private async Task<string> UrlAsync(string queue, CancellationToken ct)
    {
        lock (_urls)
        {
            if (_urls.TryGetValue(queue, out var known))
            {
                return known;
            }
        }

        var url = await SqsClients.UrlOfAsync(sqs, queue, ct).ConfigureAwait(false);
        lock (_urls)
        {
            _urls[queue] = url;
        }

        return url;
    }

    public ValueTask DisposeAsync()
    {
        _lost?.Dispose();
        _http?.Dispose();
        sqs.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>True for the failures that mean the SQS endpoint cannot be asked (it is down, or refuses).</summary>
    public static bool IsUnreachable(Exception ex) => ex is AmazonClientException or HttpRequestException or IOException or TimeoutException or TaskCanceledException;
}
