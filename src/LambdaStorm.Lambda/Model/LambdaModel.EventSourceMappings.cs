using System.Text;

namespace LambdaStorm.Lambda;

/// <summary>
/// SQS event source mappings (lambda-semantics.md §5.1) and receipts (CONTRACTS-queue.md §2). Pollers are model events
/// on the same lock, event queue, clock and seed as everything else: no timers, no sleeps.
/// </summary>
/// <remarks>
/// <para><b>Polling.</b> A mapping runs up to <see cref="PollerScaler.Current"/> batches at once (standard mode: 5 at
/// start, up to +300 per minute while messages wait and every slot is busy, ceiling 1,250, capped by
/// <c>MaximumConcurrency</c>). A poll receives up to <c>BatchSize</c> visible messages per free slot, hidden for the
/// queue's visibility timeout; with a batching window it waits until <c>BatchSize</c> messages are visible or the window
/// (opened by the first waiting message) closes. The queue wakes the mapping when messages become visible
/// (<see cref="QueueState.MessagesAvailable"/>), and each finished batch polls again.</para>
/// <para><b>Invoking.</b> A batch goes through the ordinary admission and execution path (so concurrency, cold starts,
/// durations, errors, timeouts and cost all apply) as a synchronous invoke with AWS's SQS event. Success deletes the
/// batch; with ReportBatchItemFailures a valid partial response deletes all but the listed records; a function error,
/// a timeout or an invalid partial response leaves the whole batch to reappear after the visibility timeout (receive
/// counts grow and the queue's redrive policy moves poison messages to its dead-letter queue). A throttle holds the batch
/// at the source: it is retried with back-off (1 s doubling) while its visibility lasts, then released to the queue, and
/// the pollers scale down to what the function runs. An empty queue scales the pollers down to the idle floor.</para>
/// </remarks>
internal sealed partial class LambdaModel
{
    // A poll woken by new messages runs one tick (100 ns) after them, so that messages sent at the same model instant
    // (a burst in virtual time) are received together rather than one batch per send.

    // Message id -> batches of it that a function is running now: such a message may still be processed even after it
    // became visible again (a visibility timeout shorter than the run), so its removal is not reported as a loss.
    private readonly Dictionary<string, int> _runningMessages = new(StringComparer.Ordinal);

    /// <summary>First back-off of a throttled batch; it doubles up to the batch's remaining visibility.</summary>
    private static readonly long BatchThrottleInitialBackoffTicks = TimeSpan.TicksPerSecond;

    private const string QueueNotFoundMessage =
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version.";

    private readonly Dictionary<string, EventSourceMappingState> _mappings = new(StringComparer.Ordinal);
    private readonly List<EventSourceMappingState> _mappingOrder = [];

    /// <summary>
    /// <c>CreateEventSourceMapping</c>: validates the options (every problem named), resolves the queue and the function,
    /// refuses a second mapping of the same queue and function (409), and starts polling when enabled. The result shows
    /// <c>State</c> <c>Creating</c>, as AWS's response does; later reads show <c>Enabled</c> or <c>Disabled</c>.
    /// </summary>
    public LambdaResult<EventSourceMappingConfiguration> CreateEventSourceMapping(EventSourceMappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            AdvanceLocked();
            return CreateEventSourceMappingLocked(options, checkVisibility: true);
        }
    }

    /// <summary><c>GetEventSourceMapping</c>.</summary>
    public LambdaResult<EventSourceMappingConfiguration> GetEventSourceMapping(string uuid)
    {
        lock (_gate)
        {
            AdvanceLocked();
            return _mappings.TryGetValue(uuid ?? "", out var m) ? Describe(m, null) : MappingNotFound();
        }
    }

    /// <summary>
    /// <c>ListEventSourceMappings</c> in creation order, optionally only those of a function (name or ARN; a qualifier
    /// in it must match) and/or of a queue (name, URL or ARN).
    /// </summary>
    public IReadOnlyList<EventSourceMappingConfiguration> ListEventSourceMappings(string? functionName = null, string? eventSource = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            FunctionReference? function = null;
            if (!string.IsNullOrEmpty(functionName))
            {
                if (!FunctionReference.TryParse(functionName, out var reference))
                {
                    return [];
                }

                function = reference;
            }

            var queue = string.IsNullOrEmpty(eventSource) ? null : FindQueueLocked(eventSource);
            if (!string.IsNullOrEmpty(eventSource) && queue is null)
            {
                return [];
            }

            return [.. _mappingOrder
                .Where(m => function is not { } f || (f.Name == m.FunctionName && (f.Qualifier is null || f.Qualifier == m.Qualifier)))
                .Where(m => queue is null || ReferenceEquals(queue, m.Queue))
                .Select(m => Describe(m, null))];
        }
    }

    /// <summary>
    /// <c>UpdateEventSourceMapping</c>: <paramref name="update"/> changes a copy of the mapping's options (the queue cannot
    /// change); the result is validated like a creation. The result shows <c>State</c> <c>Updating</c>.
    /// </summary>
    public LambdaResult<EventSourceMappingConfiguration> UpdateEventSourceMapping(string uuid, Action<EventSourceMappingOptions> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            AdvanceLocked();
            if (!_mappings.TryGetValue(uuid ?? "", out var m))
            {
                return MappingNotFound();
            }

            var options = m.Settings.ToOptions();
            update(options);
            options.Queue = m.Settings.Queue;
            if (MappingProblem(options) is { } problem)
            {
                return problem;
            }

            var settings = options.Build();
            if (ResolveMappingFunction(settings.Function, out var name, out var qualifier) is { } notFound)
            {
                return notFound;
            }

            if (FindMapping(m.Queue, name, qualifier) is { } other && !ReferenceEquals(other, m))
            {
                return Duplicate(m.Queue, name, other.Uuid);
            }

            var wasEnabled = m.Settings.Enabled;
            m.Settings = settings;
            m.FunctionName = name;
            m.Qualifier = qualifier;
            m.LastModifiedTicks = _nowTicks;
            if (m.Scaler.Cap != Math.Min(_account.SqsPollerMaximum, settings.MaximumConcurrency ?? int.MaxValue))
            {
                m.Scaler = NewScaler(settings);
                NotifyPollers(m);
            }

            if (!settings.Enabled && wasEnabled)
            {
                foreach (var held in m.Held.ToArray())
                {
                    ReleaseBatch(held);
                }
            }

            RequestPoll(m, _nowTicks);
            return Describe(m, "Updating");
        }
    }

    /// <summary><c>DeleteEventSourceMapping</c>: stops polling at once; batches already running finish. The result shows <c>State</c> <c>Deleting</c>.</summary>
    public LambdaResult<EventSourceMappingConfiguration> DeleteEventSourceMapping(string uuid)
    {
        lock (_gate)
        {
            AdvanceLocked();
            if (!_mappings.Remove(uuid ?? "", out var m))
            {
                return MappingNotFound();
            }

            _mappingOrder.Remove(m);
            m.Deleted = true;
            if (m.OnAvailable is { } callback)
            {
                m.Queue.MessagesAvailable.Remove(callback);
            }

            foreach (var held in m.Held.ToArray())
            {
                ReleaseBatch(held);
            }

            return Describe(m, "Deleting");
        }
    }

    /// <param name="options">The mapping.</param>
    /// <param name="checkVisibility">
    /// Refuse a queue whose visibility timeout is shorter than the function's timeout, as AWS's
    /// <c>CreateEventSourceMapping</c> does. Mappings declared in a scenario skip it: a scenario may model the state a
    /// later <c>SetQueueAttributes</c> or <c>UpdateFunctionConfiguration</c> reaches on AWS, which nothing checks.
    /// </param>
    private LambdaResult<EventSourceMappingConfiguration> CreateEventSourceMappingLocked(EventSourceMappingOptions options, bool checkVisibility)
    {
        if (MappingProblem(options) is { } problem)
        {
            return problem;
        }

        var settings = options.Build();
        if (ResolveMappingFunction(settings.Function, out var name, out var qualifier) is { } notFound)
        {
            return notFound;
        }

        if (FindQueueLocked(settings.Queue) is not { } queue)
        {
            return LambdaErrors.InvalidParameter(QueueNotFoundMessage);
        }

        if (FindMapping(queue, name, qualifier) is { } existing)
        {
            return Duplicate(queue, name, existing.Uuid);
        }

        var function = _functions[name];
        var timeout = (qualifier is null ? function.Latest : function.ResolveVersion(qualifier)!).Settings.TimeoutSeconds;
        if (checkVisibility && queue.VisibilityTimeoutSeconds < timeout)
        {
            return LambdaErrors.InvalidParameter($"Queue visibility timeout: {queue.VisibilityTimeoutSeconds} seconds is less than Function timeout: {timeout} seconds");
        }

        var m = new EventSourceMappingState(RequestIds.Next(_random), settings, queue, name, qualifier, NewScaler(settings), _nowTicks);
        m.OnAvailable = _ => RequestPoll(m, _nowTicks + 1);
        queue.MessagesAvailable.Add(m.OnAvailable);
        _mappings.Add(m.Uuid, m);
        _mappingOrder.Add(m);
        RequestPoll(m, _nowTicks);
        return Describe(m, "Creating");
    }

    private static LambdaError? MappingProblem(EventSourceMappingOptions options)
    {
        var problems = options.Validate("EventSourceMapping").ToList();
        return problems.Count == 0 ? null : LambdaErrors.InvalidParameter(string.Join("; ", problems));
    }

    private LambdaError? ResolveMappingFunction(string function, out string name, out string? qualifier)
    {
        name = "";
        qualifier = null;
        if (!FunctionReference.TryParse(function, out var reference) || !_functions.TryGetValue(reference.Name, out var f)
            || (reference.Qualifier is { } q && f.ResolveVersion(q) is null))
        {
            return new LambdaError(LambdaErrors.ResourceNotFound, "Function does not exist", 404);
        }

        name = reference.Name;
        qualifier = reference.Qualifier;
        return null;
    }

    private EventSourceMappingState? FindMapping(QueueState queue, string function, string? qualifier) =>
        _mappingOrder.FirstOrDefault(m => ReferenceEquals(m.Queue, queue) && m.FunctionName == function && m.Qualifier == qualifier);

    private static LambdaError Duplicate(QueueState queue, string function, string uuid) => LambdaErrors.Conflict(
        $"An event source mapping with SQS arn (\" {queue.Arn} \") and function (\" {function} \") already exists. Please update or delete the existing mapping with UUID {uuid}");

    private static LambdaError MappingNotFound() => new(LambdaErrors.ResourceNotFound, "The resource you requested does not exist.", 404);

    private PollerScaler NewScaler(EventSourceMappingSettings settings) =>
        new(_account.SqsPollerInitial, _account.SqsPollerScaleUpPerMinute, _account.SqsPollerMaximum, settings.MaximumConcurrency, _nowTicks);

    private EventSourceMappingConfiguration Describe(EventSourceMappingState m, string? transitional) => new()
    {
        Uuid = m.Uuid,
        State = transitional ?? (m.Settings.Enabled ? "Enabled" : "Disabled"),
        StateTransitionReason = m.StateTransitionReason,
        EventSourceArn = m.Queue.Arn,
        FunctionArn = FunctionArn(m.FunctionName) + (m.Qualifier is null ? "" : ":" + m.Qualifier),
        LastModified = ToTime(m.LastModifiedTicks),
        Settings = m.Settings,
        PollerConcurrency = m.Scaler.Current,
        BatchesInFlight = m.Busy,
    };

    // ------------------------------------------------------------------------------------------------ pollers

    /// <summary>Keeps one poll event per mapping, at the earliest time asked for.</summary>
    private void RequestPoll(EventSourceMappingState m, long ticks)
    {
        if (m.Deleted || ticks >= m.NextPollTicks)
        {
            return;
        }

        m.NextPollTicks = ticks;
        Schedule(ticks, ModelEventKind.EventSourcePoll, m);
    }

    private void OnPollEvent(EventSourceMappingState m, long ticks)
    {
        if (ticks == m.NextPollTicks)
        {
            PollMapping(m);
        }
    }

    private void PollMapping(EventSourceMappingState m)
    {
        m.NextPollTicks = long.MaxValue;
        var q = m.Queue;
        if (m.Deleted || !m.Settings.Enabled || q.Deleted)
        {
            return;
        }

        var scaler = m.Scaler;
        scaler.Grow(_nowTicks);
        var window = m.Settings.MaximumBatchingWindow.Ticks;
        var visibility = TimeSpan.FromSeconds(q.VisibilityTimeoutSeconds);
        var share = 0;
        while (m.Busy < scaler.Current && q.VisibleCount > 0)
        {
            if (share == 0 && window > 0 && q.VisibleCount < m.Settings.BatchSize)
            {
                if (m.WindowOpenedTicks < 0)
                {
                    m.WindowOpenedTicks = _nowTicks;
                }

                var closes = m.WindowOpenedTicks + window;
                if (_nowTicks < closes)
                {
                    RequestPoll(m, closes);
                    break;
                }

                // The window closed on a partial batch: the idle pollers' long polls share what is visible.
                share = (q.VisibleCount + (scaler.Current - m.Busy) - 1) / (scaler.Current - m.Busy);
            }

            m.WindowOpenedTicks = -1;
            var messages = ReceiveLocked(q, share > 0 ? share : m.Settings.BatchSize, visibility);
            if (messages.Count == 0)
            {
                continue; // everything visible expired or moved to the dead-letter queue
            }

            var batch = new QueueBatch
            {
                Mapping = m,
                Messages = messages,
                Payload = SqsEvent.Build([.. messages.Select(ToEventRecord)], q.Arn, _account.Region),
                ReceivedTicks = _nowTicks,
                VisibleAgainTicks = _nowTicks + visibility.Ticks,
                NextBackoffTicks = BatchThrottleInitialBackoffTicks,
            };
            InvokeBatch(batch);
        }

        scaler.Advance(_nowTicks, q.VisibleCount > 0 && m.Busy >= scaler.Current);
        if (scaler.Backlog)
        {
            RequestPoll(m, _nowTicks + scaler.TicksUntilNextStep);
        }
        else if (q.VisibleCount == 0 && m.Busy == 0)
        {
            scaler.Idle(_nowTicks);
        }

        NotifyPollers(m);
    }

    /// <summary>A received message as a record of the SQS event.</summary>
    internal static SqsEventRecord ToEventRecord(ReceivedMessage message) => new()
    {
        MessageId = message.MessageId,
        ReceiptHandle = message.ReceiptHandle,
        Body = message.Body,
        ApproximateReceiveCount = message.ApproximateReceiveCount,
        SentTimestamp = message.SentTimestamp.ToUnixTimeMilliseconds(),
        ApproximateFirstReceiveTimestamp = message.ApproximateFirstReceiveTimestamp.ToUnixTimeMilliseconds(),
        SenderId = message.SenderId,
        Md5OfBody = message.Md5OfBody,
        Md5OfMessageAttributes = message.MessageAttributes.Count == 0 ? null : MessageDigest.OfAttributes(message.MessageAttributes),
        MessageAttributes = message.MessageAttributes.ToDictionary(a => a.Key, a => new SqsEventAttribute(a.Value.DataType, a.Value.StringValue, a.Value.BinaryValue), StringComparer.Ordinal),
    };

    /// <summary>Invokes the function with a batch now, or holds it at the source when throttled.</summary>
    private void InvokeBatch(QueueBatch batch)
    {
        var m = batch.Mapping;
        var requestId = RequestIds.Next(_random);
        if (Resolve(m.FunctionName, m.Qualifier, out var f, out var v, out var key) is not null)
        {
            ReleaseBatch(batch); // the function went away: the messages return after their visibility timeout
            return;
        }

        var env = TryAdmit(f!, v!, key!, out var reason, out var retryAfterTicks, out var cold);
        if (env is null)
        {
            HoldBatch(batch, f!, key!, requestId, reason, retryAfterTicks);
            return;
        }

        m.Held.Remove(batch);
        m.InFlight++;
        m.Batches++;
        m.Records += batch.Messages.Count;
        foreach (var message in batch.Messages)
        {
            _runningMessages[message.MessageId] = _runningMessages.GetValueOrDefault(message.MessageId) + 1;
        }

        StartExecution(f!, env, key!, cold, InvocationType.RequestResponse, batch.Payload, requestId, null, 1, null, batch);
    }

    /// <summary>A throttle: keep the batch (its messages stay invisible), retry with back-off, scale the pollers down [S13].</summary>
    private void HoldBatch(QueueBatch batch, FunctionState f, string qualifier, string requestId, ThrottleReason reason, long retryAfterTicks)
    {
        var m = batch.Mapping;
        m.ThrottledBatches++;
        NotifyThrottled(f, qualifier, requestId, InvocationType.RequestResponse, reason, RetryAfterSeconds(retryAfterTicks));
        if (!m.Held.Contains(batch))
        {
            m.Held.Add(batch);
        }

        m.Scaler.Throttled(_nowTicks, m.InFlight);
        NotifyPollers(m);

        var retryAt = Math.Min(_nowTicks + batch.NextBackoffTicks, batch.VisibleAgainTicks);
        batch.NextBackoffTicks *= 2;
        Schedule(retryAt, ModelEventKind.EventSourceRetry, batch);
        if (_observers.Length > 0)
        {
            var e = new EventSourceBatchThrottled(ToTime(_nowTicks), m.Uuid, f.Name, batch.Messages.Count, reason, ToTime(retryAt));
            foreach (var o in _observers)
            {
                o.OnEventSourceBatchThrottled(in e);
            }
        }
    }

    private void RetryHeldBatch(QueueBatch batch)
    {
        if (batch.Finished)
        {
            return;
        }

        var m = batch.Mapping;
        if (m.Deleted || !m.Settings.Enabled || _nowTicks >= batch.VisibleAgainTicks)
        {
            ReleaseBatch(batch);
            RequestPoll(m, _nowTicks);
            return;
        }

        InvokeBatch(batch);
    }

    /// <summary>Gives a batch up without invoking: its messages reappear when their visibility timeout ends.</summary>
    private static void ReleaseBatch(QueueBatch batch)
    {
        batch.Finished = true;
        batch.Mapping.Held.Remove(batch);
    }

    /// <summary>The function finished a batch: delete what succeeded, leave the rest, write receipts, poll again.</summary>
    private void OnBatchEnded(Execution ex, QueueBatch batch, ExecutionResult result)
    {
        var m = batch.Mapping;
        batch.Finished = true;
        m.InFlight--;
        var messages = batch.Messages;
        foreach (var message in messages)
        {
            if (_runningMessages.GetValueOrDefault(message.MessageId) <= 1)
            {
                _runningMessages.Remove(message.MessageId);
            }
            else
            {
                _runningMessages[message.MessageId]--;
            }
        }

        BatchOutcome outcome;
        IReadOnlyList<string> returnedIds = [];
        if (!result.IsSuccess)
        {
            outcome = BatchOutcome.FunctionError;
        }
        else if (m.Settings.ReportBatchItemFailures)
        {
            var parsed = BatchItemFailures.Parse(result.ResponsePayload.Span, [.. messages.Select(x => x.MessageId)]);
            outcome = parsed.WholeBatchFailed ? BatchOutcome.InvalidResponse : parsed.FailedMessageIds.Count > 0 ? BatchOutcome.PartialFailure : BatchOutcome.Success;
            returnedIds = parsed.FailedMessageIds;
        }
        else
        {
            outcome = BatchOutcome.Success;
        }

        var wholeBatchFailed = outcome is BatchOutcome.FunctionError or BatchOutcome.InvalidResponse;
        var returned = new HashSet<string>(returnedIds, StringComparer.Ordinal);
        var deleted = 0;
        if (!wholeBatchFailed)
        {
            foreach (var message in messages)
            {
                if (!returned.Contains(message.MessageId) && DeleteLocked(m.Queue, message.ReceiptHandle))
                {
                    deleted++;
                }
            }
        }

        m.RecordsDeleted += deleted;
        if (wholeBatchFailed)
        {
            m.BatchFailures++;
        }
        else
        {
            m.PartialFailures += returned.Count;
        }

        if (ex.Settings.ReceiptsQueue is { } receipts)
        {
            var failed = new HashSet<int>(batch.FailedRecords);
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                var id = message.MessageAttributes.TryGetValue(Receipt.IdAttribute, out var attribute) && !string.IsNullOrEmpty(attribute.StringValue)
                    ? attribute.StringValue
                    : Receipt.IdFromPayload(Encoding.UTF8.GetBytes(message.Body));
                if (id is null)
                {
                    continue;
                }

                var recordOutcome = result.TimedOut ? Receipt.Timeout : wholeBatchFailed || failed.Contains(i) ? Receipt.Error : Receipt.Ok;
                WriteReceipt(ex, receipts, new Receipt(id, message.ApproximateReceiveCount, result.RequestId, ReceiptPath.Queue, recordOutcome, result.ColdStart, message.MessageId, result.StartTime, result.EndTime));
            }
        }

        if (_observers.Length > 0)
        {
            var e = new EventSourceBatchCompleted(ToTime(_nowTicks), m.Uuid, m.FunctionName, m.Queue.Name, result.RequestId, messages.Count, outcome, messages.Count - deleted, deleted);
            foreach (var o in _observers)
            {
                o.OnEventSourceBatchCompleted(in e);
            }
        }

        RequestPoll(m, _nowTicks);
    }

    /// <summary>Reports the poller concurrency when it differs from the last report (the first poll reports the start value).</summary>
    private void NotifyPollers(EventSourceMappingState m)
    {
        if (m.Scaler.Current == m.ReportedPollers)
        {
            return;
        }

        m.ReportedPollers = m.Scaler.Current;
        if (_observers.Length == 0)
        {
            return;
        }

        var e = new PollerConcurrencyChanged(ToTime(_nowTicks), m.Uuid, m.FunctionName, m.Scaler.Current, m.Busy);
        foreach (var o in _observers)
        {
            o.OnPollerConcurrencyChanged(in e);
        }
    }

    // ------------------------------------------------------------------------------------------------ receipts

    /// <summary>The receipt of a sync or async attempt, when the function writes receipts and the payload has an id.</summary>
    private void WriteAttemptReceipt(Execution ex, ExecutionResult result)
    {
        if (ex.Settings.ReceiptsQueue is not { } receipts || ex.ReceiptId is not { } id)
        {
            return;
        }

        var path = ex.Type == InvocationType.Event ? ReceiptPath.Async : ReceiptPath.Sync;
        WriteReceipt(ex, receipts, new Receipt(id, ex.Attempt, result.RequestId, path, Receipt.OutcomeOf(result), result.ColdStart, null, result.StartTime, result.EndTime));
    }

    private void WriteReceipt(Execution ex, string queue, Receipt receipt)
    {
        var target = FindQueueLocked(queue);
        var delivered = target is { Deleted: false };
        if (delivered)
        {
            SendLocked(target!, receipt.ToJson(), null);
        }

        if (_observers.Length > 0)
        {
            var e = new ReceiptWritten(ToTime(_nowTicks), ex.Function.Name, queue, receipt, delivered);
            foreach (var o in _observers)
            {
                o.OnReceiptWritten(in e);
            }
        }
    }

    /// <summary>
    /// The emulated handler over an SQS batch: a record fails when its body has the poison marker or the error rate draws
    /// it; the function then answers by its <see cref="BatchResponseMode"/>. Returns the error (when it throws) or the
    /// response (when it returns).
    /// </summary>
    private (string? ErrorType, string? ErrorMessage, byte[]? Response) RunBatchHandler(FunctionVersionSettings s, QueueBatch batch)
    {
        var failedIds = new List<string>();
        var poison = false;
        for (var i = 0; i < batch.Messages.Count; i++)
        {
            var message = batch.Messages[i];
            var isPoison = s.PoisonMarker is { } marker && message.Body.Contains(marker, StringComparison.Ordinal);
            if (isPoison || (s.ErrorRate > 0 && _random.NextDouble() < s.ErrorRate))
            {
                batch.FailedRecords.Add(i);
                failedIds.Add(message.MessageId);
                poison |= isPoison;
            }
        }

        var answer = BatchFunctionResponse.For(s.BatchResponse, batch.Mapping.Settings.ReportBatchItemFailures, failedIds, s.ResponseUtf8);
        if (!answer.Throws)
        {
            return (null, null, answer.Response);
        }

        var text = $"{failedIds.Count} of {batch.Messages.Count} records failed" + (poison ? $" (poison pill: a body contains the marker '{s.PoisonMarker}')" : "");
        return (poison ? PoisonPillErrorType : InjectedErrorType, text, null);
    }
}
