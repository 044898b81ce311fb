using System.Buffers.Binary;

namespace LambdaStorm.Lambda;

/// <summary>
/// SQS standard queues inside the model: same lock, same clock, same seed, same event queue (delay and visibility
/// expiries and retention checks are model events), so queues, pollers and functions run together in virtual time
/// (<c>simulate</c>) and in real time (the emulator). Receives are non-blocking; long polling waits on
/// <see cref="WhenMessagesAvailable"/>. A message whose receive count has reached the queue's <c>maxReceiveCount</c>
/// moves to the dead-letter queue on its next receive instead of being returned, as SQS does. Queues are found by
/// name, URL (<c>…/{account}/{name}</c>) or ARN.
/// </summary>
internal sealed partial class LambdaModel
{
    private static readonly byte[] HandleMagic = "LSRH"u8.ToArray();
    private static readonly IReadOnlyDictionary<string, MessageAttribute> NoAttributes = new Dictionary<string, MessageAttribute>();
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.Ordinal);
    private int _nextQueueId;
    private long _nextMessageSeq;
    private long _nextReceiveGroup;

    // ------------------------------------------------------------------------------------------------ control plane

    /// <summary>
    /// <c>CreateQueue</c>: creates a standard queue, or returns the existing one when every given attribute matches
    /// (otherwise <c>QueueNameExists</c>). FIFO names and attributes are refused with <c>UnsupportedOperation</c>.
    /// </summary>
    /// <param name="name">Queue name.</param>
    /// <param name="attributes">Wire attributes (<c>VisibilityTimeout</c>, <c>RedrivePolicy</c>, …), or null.</param>
    /// <param name="tags">Tags, or null.</param>
    public QueueResult<QueueState> CreateQueue(string name, IReadOnlyDictionary<string, string>? attributes = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            if (QueueNames.Problem(name) is not null)
            {
                return name?.EndsWith(".fifo", StringComparison.Ordinal) == true
                    ? QueueErrors.FifoNotModelled($"queue name '{name}'")
                    : QueueErrors.InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
            }

            if (QueueAttributes.Parse(attributes, FindQueueLocked, out var changes) is { } error)
            {
                return error;
            }

            if (_queues.TryGetValue(name, out var existing))
            {
                return changes.Differs(existing) ? QueueErrors.QueueNameExists(name) : existing;
            }

            var queue = AddQueueLocked(name);
            changes.ApplyTo(queue);
            foreach (var (key, value) in tags ?? new Dictionary<string, string>())
            {
                queue.Tags[key] = value;
            }

            return queue;
        }
    }

    /// <summary>Creates a queue from validated settings (configuration).</summary>
    internal QueueState AddQueueLocked(QueueSettings settings)
    {
        var queue = AddQueueLocked(settings.Name);
        queue.VisibilityTimeoutSeconds = settings.VisibilityTimeoutSeconds;
        queue.RetentionSeconds = settings.RetentionSeconds;
        queue.DelaySeconds = settings.DelaySeconds;
        queue.ReceiveWaitSeconds = settings.ReceiveWaitSeconds;
        queue.MaximumMessageSize = settings.MaximumMessageSize;
        if (settings.DeadLetterQueue is { } dlq)
        {
            queue.DeadLetterTargetArn = QueueArn(QueueNameOf(dlq));
            queue.MaxReceiveCount = settings.MaxReceiveCount;
        }

        return queue;
    }

    /// <summary><c>GetQueueUrl</c> and friends: the queue with this name, URL or ARN.</summary>
    public QueueResult<QueueState> GetQueue(string nameUrlOrArn)
    {
        return OnQueue<QueueState>(nameUrlOrArn, q => q);
    }

    /// <summary><c>ListQueues</c>: names in ordinal order, optionally only those starting with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> ListQueues(string? prefix = null)
    {
        lock (_gate)
        {
            return [.. _queues.Keys.Where(n => string.IsNullOrEmpty(prefix) || n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary><c>DeleteQueue</c>: the queue and its messages go at once; waiting long polls return.</summary>
    public QueueResult<Unit> DeleteQueue(string nameUrlOrArn)
    {
        return OnQueue<Unit>(nameUrlOrArn, q =>
        {
            _queues.Remove(q.Name);
            q.Deleted = true;
            foreach (var m in q.Live.Values)
            {
                m.State = MessageState.Gone;
            }

            q.Live.Clear();
            NotifyAvailable(q);
            return Unit.Value;
        });
    }

    /// <summary><c>PurgeQueue</c>: removes every message (visible, in flight, delayed); a second purge within 60 s is <c>PurgeQueueInProgress</c>.</summary>
    public QueueResult<Unit> PurgeQueue(string nameUrlOrArn)
    {
        return OnQueue<Unit>(nameUrlOrArn, q =>
        {
            if (q.LastPurgeTicks is { } last && _nowTicks - last < TimeSpan.TicksPerMinute)
            {
                return QueueErrors.PurgeQueueInProgress(q.Name);
            }

            q.LastPurgeTicks = _nowTicks;
            foreach (var m in q.Live.Values.ToList())
            {
                NotifyDiscardedLocked(m, QueueDiscardReason.Purged);
                RemoveMessageLocked(m);
                q.Purged++;
            }

            return Unit.Value;
        });
    }

    /// <summary><c>GetQueueAttributes</c>: <c>All</c> or the named attributes; unknown names are <c>InvalidAttributeName</c>.</summary>
    public QueueResult<IReadOnlyDictionary<string, string>> GetQueueAttributes(string nameUrlOrArn, IEnumerable<string>? names)
    {
        var list = names?.ToList() ?? [];
        return OnQueue<IReadOnlyDictionary<string, string>>(nameUrlOrArn, q =>
        {
            if (QueueAttributes.CheckNames(list) is { } error)
            {
                return error;
            }

            return QueueResult<IReadOnlyDictionary<string, string>>.Ok(QueueAttributes.Read(q, list));
        });
    }

    /// <summary><c>SetQueueAttributes</c>: all-or-nothing; a changed retention period applies to messages already in the queue.</summary>
    public QueueResult<Unit> SetQueueAttributes(string nameUrlOrArn, IReadOnlyDictionary<string, string> attributes)
    {
        return OnQueue<Unit>(nameUrlOrArn, q =>
        {
            if (QueueAttributes.Parse(attributes, FindQueueLocked, out var changes) is { } error)
            {
                return error;
            }

            var retention = q.RetentionSeconds;
            changes.ApplyTo(q);
            q.LastModifiedTicks = _nowTicks;
            if (q.RetentionSeconds != retention)
            {
                q.RetentionCheckTicks = long.MaxValue;
                SweepRetentionLocked(q);
            }

            return Unit.Value;
        });
    }

    /// <summary>Message counts of a queue (the <c>ApproximateNumberOf*</c> attributes).</summary>
    public QueueResult<QueueCounters> GetQueueCounters(string nameUrlOrArn)
    {
        return OnQueue<QueueCounters>(nameUrlOrArn, q => q.Counters);
    }

    /// <summary>Counts and lifetime totals of every queue, in name order (for metrics).</summary>
    public IReadOnlyList<QueueSnapshot> GetQueueSnapshots()
    {
        lock (_gate)
        {
            AdvanceLocked();
            return [.. _queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => new QueueSnapshot
            {
                Name = q.Name,
                Counters = q.Counters,
                Sent = q.Sent,
                Received = q.Received,
                Deleted = q.DeletedMessages,
                MovedToDeadLetter = q.MovedToDeadLetter,
                Expired = q.Expired,
                Purged = q.Purged,
            })];
        }
    }

    /// <summary>Runs <paramref name="action"/> under the lock (after processing due events) on the queue, or answers <c>QueueDoesNotExist</c>.</summary>
    private QueueResult<T> OnQueue<T>(string nameUrlOrArn, Func<QueueState, QueueResult<T>> action)
    {
        lock (_gate)
        {
            AdvanceLocked();
            return FindQueueLocked(nameUrlOrArn) is { } q ? action(q) : QueueErrors.QueueDoesNotExist();
        }
    }

    /// <summary>The ARN a queue of this model has (or would have) for <paramref name="name"/>.</summary>
    public string QueueArn(string name) => $"arn:aws:sqs:{_account.Region}:{_account.AccountId}:{name}";

    // ------------------------------------------------------------------------------------------------ data plane

    /// <summary><c>SendMessage</c>: checks body, attributes, size and delay with AWS's errors, then sends.</summary>
    /// <param name="nameUrlOrArn">Queue.</param>
    /// <param name="body">Body (1 byte to the queue's MaximumMessageSize with the attributes).</param>
    /// <param name="attributes">Message attributes, or null.</param>
    /// <param name="delay">Delay, 0–15 min; null uses the queue's <c>DelaySeconds</c>.</param>
    /// <param name="traceHeader">The <c>AWSTraceHeader</c> message system attribute, or null.</param>
    public QueueResult<SentMessage> SendMessage(
        string nameUrlOrArn, string body, IReadOnlyDictionary<string, MessageAttribute>? attributes = null, TimeSpan? delay = null, string? traceHeader = null)
    {
        return OnQueue<SentMessage>(nameUrlOrArn, q => SendCheckedLocked(q, new SendEntry(body, attributes, delay, traceHeader)));
    }

    /// <summary>
    /// <c>SendMessageBatch</c> under one lock: the outer result fails only for an unknown queue; each entry has its own
    /// result (the protocol checks entry ids, count and total size before calling).
    /// </summary>
    public QueueResult<IReadOnlyList<QueueResult<SentMessage>>> SendMessageBatch(string nameUrlOrArn, IReadOnlyList<SendEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return OnQueue<IReadOnlyList<QueueResult<SentMessage>>>(nameUrlOrArn, q =>
        {
            var results = new QueueResult<SentMessage>[entries.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                results[i] = SendCheckedLocked(q, entries[i]);
            }

            return QueueResult<IReadOnlyList<QueueResult<SentMessage>>>.Ok(results);
        });
    }

    /// <summary>
    /// <c>ReceiveMessage</c> without waiting: up to <paramref name="maxMessages"/> (1–10) visible messages, each hidden
    /// for <paramref name="visibilityTimeout"/> (null: the queue's). Empty when none is visible.
    /// </summary>
    public QueueResult<IReadOnlyList<ReceivedMessage>> ReceiveMessage(string nameUrlOrArn, int maxMessages = 1, TimeSpan? visibilityTimeout = null)
    {
        if (maxMessages is < 1 or > 10)
        {
            return QueueErrors.InvalidParameterValue($"Value {maxMessages} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        }

        if (visibilityTimeout is { } v && (v < TimeSpan.Zero || v.TotalSeconds > QueueSettings.MaxVisibilitySeconds))
        {
            return QueueErrors.InvalidParameterValue(
                $"Value {(long)v.TotalSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= {QueueSettings.MaxVisibilitySeconds}, if provided.");
        }

        return OnQueue(nameUrlOrArn, q => QueueResult<IReadOnlyList<ReceivedMessage>>.Ok(
            ReceiveLocked(q, maxMessages, visibilityTimeout ?? TimeSpan.FromSeconds(q.VisibilityTimeoutSeconds))));
    }

    /// <summary>
    /// <c>DeleteMessage</c>: true when the handle was the message's latest and the message is gone now; false (still a
    /// success, as in SQS) for an already deleted message or an older handle. A malformed handle or one of another
    /// queue is <c>ReceiptHandleIsInvalid</c>.
    /// </summary>
    public QueueResult<bool> DeleteMessage(string nameUrlOrArn, string receiptHandle)
    {
        return OnQueue<bool>(nameUrlOrArn, q => DeleteCheckedLocked(q, receiptHandle));
    }

    /// <summary><c>DeleteMessageBatch</c> under one lock: per-entry results.</summary>
    public QueueResult<IReadOnlyList<QueueResult<bool>>> DeleteMessageBatch(string nameUrlOrArn, IReadOnlyList<string> receiptHandles)
    {
        ArgumentNullException.ThrowIfNull(receiptHandles);
        return OnQueue(nameUrlOrArn, q => QueueResult<IReadOnlyList<QueueResult<bool>>>.Ok(receiptHandles.Select(h => DeleteCheckedLocked(q, h)).ToArray()));
    }

    /// <summary>
    /// <c>ChangeMessageVisibility</c>: the message becomes visible <paramref name="visibilityTimeout"/> from now
    /// (0: at once). Errors as SQS: a malformed handle is <c>ReceiptHandleIsInvalid</c>, a visible message
    /// <c>MessageNotInflight</c>, a deleted message or an older handle <c>InvalidParameterValue</c>, and a total
    /// over 12 h since the receive <c>InvalidParameterValue</c>.
    /// </summary>
    public QueueResult<Unit> ChangeMessageVisibility(string nameUrlOrArn, string receiptHandle, TimeSpan visibilityTimeout)
    {
        return OnQueue<Unit>(nameUrlOrArn, q => ChangeVisibilityCheckedLocked(q, receiptHandle, visibilityTimeout));
    }

    /// <summary><c>ChangeMessageVisibilityBatch</c> under one lock: per-entry results.</summary>
    public QueueResult<IReadOnlyList<QueueResult<Unit>>> ChangeMessageVisibilityBatch(
        string nameUrlOrArn, IReadOnlyList<(string ReceiptHandle, TimeSpan VisibilityTimeout)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return OnQueue(nameUrlOrArn, q => QueueResult<IReadOnlyList<QueueResult<Unit>>>.Ok(
            entries.Select(e => ChangeVisibilityCheckedLocked(q, e.ReceiptHandle, e.VisibilityTimeout)).ToArray()));
    }

    /// <summary>
    /// Completes (continuations run asynchronously) as soon as the queue has a visible message, or at once when it
    /// has one already or does not exist (the caller's next receive reports that). No polling: sends, delay and
    /// visibility expiries (model events, processed by the pump or by any call) complete it.
    /// </summary>
    public Task WhenMessagesAvailable(string nameUrlOrArn, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            AdvanceLocked();
            if (FindQueueLocked(nameUrlOrArn) is not { } q || q.VisibleCount > 0)
            {
                return Task.CompletedTask;
            }

            q.AvailableSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return q.AvailableSignal.Task.WaitAsync(cancellationToken);
        }
    }

    // ------------------------------------------------------------------------------------------------ lock-held primitives

    /// <summary>Runs <paramref name="action"/> under the model lock (after processing due events), for callers of the <c>*Locked</c> primitives outside the model.</summary>
    internal void RunLocked(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            AdvanceLocked();
            action();
        }
    }

    /// <summary>The queue with this name, URL or ARN, or null. Call with the model lock held.</summary>
    internal QueueState? FindQueueLocked(string nameUrlOrArn)
    {
        if (string.IsNullOrEmpty(nameUrlOrArn))
        {
            return null;
        }

        string name;
        if (nameUrlOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = nameUrlOrArn.Split(':');
            if (parts.Length != 6 || parts[2] != "sqs" || parts[4] != _account.AccountId)
            {
                return null;
            }

            name = parts[5];
        }
        else if (nameUrlOrArn.Contains('/', StringComparison.Ordinal))
        {
            var segments = nameUrlOrArn.Split('?', 2)[0].TrimEnd('/').Split('/');
            name = segments[^1];
            if (segments.Length >= 2 && segments[^2].Length == 12 && segments[^2].All(char.IsAsciiDigit) && segments[^2] != _account.AccountId)
            {
                return null;
            }
        }
        else
        {
            name = nameUrlOrArn;
        }

        return _queues.GetValueOrDefault(name);
    }

    /// <summary>
    /// Sends a message without checking it (trusted callers: receipts, destinations, pollers). Call with the model
    /// lock held. <paramref name="delay"/> null uses the queue's <c>DelaySeconds</c>. Returns the message id.
    /// </summary>
    internal string SendLocked(QueueState queue, string body, IReadOnlyDictionary<string, MessageAttribute>? attributes, TimeSpan? delay = null) =>
        SendCoreLocked(queue, body, attributes, delay, null).MessageId;

    /// <summary>
    /// Receives up to <paramref name="max"/> visible messages, hiding each for <paramref name="visibility"/>; moves a
    /// message whose receive count reached <c>maxReceiveCount</c> to the dead-letter queue instead. Call with the lock held.
    /// </summary>
    /// <remarks>
    /// Order is approximately FIFO by the time a message became visible, but messages received together do not come
    /// back together: SQS keeps no batch membership (a standard queue spreads messages over many servers and each
    /// receive samples them), so messages that became visible again after a failed batch mix with other messages. The
    /// model makes that deterministic: each group of up to 10 messages handed out together (one <c>ReceiveMessage</c>;
    /// larger event source batches are made of such groups, as AWS's pollers do) gets a group number, and a later
    /// group takes at most one message of any earlier group, skipping the rest, which stay at the front for the next
    /// receive. A walk skips at most 9 messages for each message it takes.
    /// </remarks>
    internal IReadOnlyList<ReceivedMessage> ReceiveLocked(QueueState queue, int max, TimeSpan visibility)
    {
        if (queue.VisibleCount == 0 || max <= 0)
        {
            return [];
        }

        var received = new List<ReceivedMessage>(Math.Min(max, queue.VisibleCount));
        var retentionTicks = queue.RetentionSeconds * TimeSpan.TicksPerSecond;
        var takenGroups = new HashSet<long>();
        var group = 0L;
        var next = queue.Visible.Head;
        while (received.Count < max && next is { } m)
        {
            next = queue.Visible.Next(m);
            if (group == 0)
            {
                group = ++_nextReceiveGroup;
                takenGroups.Clear();
            }

            if (m.LastReceiveGroup != 0 && takenGroups.Contains(m.LastReceiveGroup))
            {
                continue; // a batch-mate of a message this group already took: it waits for the next receive
            }

            queue.Visible.Remove(m);
            if (m.SentTicks + retentionTicks <= _nowTicks)
            {
                NotifyDiscardedLocked(m, QueueDiscardReason.RetentionExpired);
                RemoveMessageLocked(m);
                queue.Expired++;
                continue;
            }

            if (queue.MaxReceiveCount > 0 && m.ReceiveCount >= queue.MaxReceiveCount && queue.DeadLetterTargetArn is { } target
                && FindQueueLocked(target) is { } dlq && !ReferenceEquals(dlq, queue))
            {
                MoveToDeadLetterLocked(m, queue, dlq);
                continue;
            }

            m.ReceiveCount++;
            if (m.ReceiveCount == 1)
            {
                m.FirstReceiveTicks = _nowTicks;
            }

            if (m.LastReceiveGroup != 0)
            {
                takenGroups.Add(m.LastReceiveGroup);
            }

            m.LastReceiveGroup = group;
            m.State = MessageState.InFlight;
            queue.InFlightCount++;
            queue.Received++;
            m.ReceivedAtTicks = _nowTicks;
            m.VisibleAtTicks = _nowTicks + visibility.Ticks;
            m.ReceiptHandle = MakeHandle(queue, m);
            Schedule(m.VisibleAtTicks, ModelEventKind.QueueMessageVisible, m);
            received.Add(Snapshot(m));
            if (received.Count % QueueSettings.MaxReceiveMessages == 0)
            {
                group = 0; // the next message starts a new group
                next = queue.Visible.Head; // and looks again at the messages this group skipped
            }
        }

        return received;
    }

    /// <summary>Deletes the message of <paramref name="receiptHandle"/> if it is its latest handle; true when deleted. Call with the lock held.</summary>
    internal bool DeleteLocked(QueueState queue, string receiptHandle) =>
        TryParseHandle(queue, receiptHandle, out var seq) && queue.Live.TryGetValue(seq, out var m) && m.ReceiptHandle == receiptHandle && DeleteMessageLocked(m);

    /// <summary>Sets the visibility of an in-flight message by its latest handle; false when it is not in flight under that handle. Call with the lock held.</summary>
    internal bool ChangeVisibilityLocked(QueueState queue, string receiptHandle, TimeSpan visibility)
    {
        if (!TryParseHandle(queue, receiptHandle, out var seq) || !queue.Live.TryGetValue(seq, out var m)
            || m.ReceiptHandle != receiptHandle || m.State != MessageState.InFlight)
        {
            return false;
        }

        SetVisibilityLocked(m, visibility);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ internals

    private QueueState AddQueueLocked(string name)
    {
        var queue = new QueueState(++_nextQueueId, name, QueueArn(name), _nowTicks);
        _queues[name] = queue;
        return queue;
    }

    private static string QueueNameOf(string nameOrArn) => nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf(':') + 1)..] : nameOrArn;

    private QueueResult<SentMessage> SendCheckedLocked(QueueState q, SendEntry entry)
    {
        var error = MessageRules.CheckBody(entry.Body) ?? MessageRules.CheckAttributes(entry.Attributes);
        if (error is null && entry.Delay is { } delay)
        {
            error = MessageRules.CheckDelay((int)Math.Floor(delay.TotalSeconds));
        }

        if (error is null && MessageRules.Size(entry.Body, entry.Attributes) > q.MaximumMessageSize)
        {
            error = QueueErrors.MessageTooLong(q.MaximumMessageSize);
        }

        if (error is not null)
        {
            return error;
        }

        var m = SendCoreLocked(q, entry.Body, entry.Attributes, entry.Delay, entry.TraceHeader);
        return new SentMessage(
            m.MessageId,
            m.Md5OfBody ??= MessageDigest.OfBody(m.Body),
            MessageDigest.OfAttributes(m.Attributes),
            entry.TraceHeader is null ? null : MessageDigest.OfAttributes([new("AWSTraceHeader", MessageAttribute.String(entry.TraceHeader))]));
    }

    private QueueMessage SendCoreLocked(QueueState q, string body, IReadOnlyDictionary<string, MessageAttribute>? attributes, TimeSpan? delay, string? traceHeader)
    {
        var copy = attributes is null || attributes.Count == 0 ? NoAttributes : new Dictionary<string, MessageAttribute>(attributes, StringComparer.Ordinal);
        var m = new QueueMessage(q, ++_nextMessageSeq, RequestIds.Next(_random), body, copy, _nowTicks) { TraceHeader = traceHeader };
        q.Sent++;
        q.Live.Add(m.Seq, m);
        q.ByRetention.Append(m);
        EnsureRetentionCheckLocked(q);
        var delayTicks = delay?.Ticks ?? q.DelaySeconds * TimeSpan.TicksPerSecond;
        if (delayTicks > 0)
        {
            m.State = MessageState.Delayed;
            q.DelayedCount++;
            m.VisibleAtTicks = _nowTicks + delayTicks;
            Schedule(m.VisibleAtTicks, ModelEventKind.QueueMessageVisible, m);
        }
        else
        {
            MakeVisibleLocked(m);
        }

        return m;
    }

    private QueueResult<bool> DeleteCheckedLocked(QueueState q, string receiptHandle)
    {
        if (!TryParseHandle(q, receiptHandle, out var seq))
        {
            return QueueErrors.ReceiptHandleIsInvalid(receiptHandle);
        }

        return q.Live.TryGetValue(seq, out var m) && m.ReceiptHandle == receiptHandle && DeleteMessageLocked(m);
    }

    private bool DeleteMessageLocked(QueueMessage m)
    {
        m.Queue.DeletedMessages++;
        RemoveMessageLocked(m);
        return true;
    }

    private QueueResult<Unit> ChangeVisibilityCheckedLocked(QueueState q, string receiptHandle, TimeSpan visibility)
    {
        if (!TryParseHandle(q, receiptHandle, out var seq))
        {
            return QueueErrors.ReceiptHandleIsInvalid(receiptHandle);
        }

        var seconds = (long)Math.Floor(visibility.TotalSeconds);
        if (seconds is < 0 or > QueueSettings.MaxVisibilitySeconds)
        {
            return QueueErrors.InvalidParameterValue(
                $"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= {QueueSettings.MaxVisibilitySeconds}, if provided.");
        }

        if (!q.Live.TryGetValue(seq, out var m) || m.ReceiptHandle != receiptHandle)
        {
            return QueueErrors.InvalidParameterValue(
                $"Value {receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.");
        }

        if (m.State != MessageState.InFlight)
        {
            return QueueErrors.MessageNotInflight();
        }

        if (_nowTicks + visibility.Ticks - m.ReceivedAtTicks > QueueSettings.MaxVisibilitySeconds * TimeSpan.TicksPerSecond)
        {
            return QueueErrors.InvalidParameterValue(
                $"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [{QueueSettings.MaxVisibilitySeconds} seconds]");
        }

        SetVisibilityLocked(m, visibility);
        return Unit.Value;
    }

    private void SetVisibilityLocked(QueueMessage m, TimeSpan visibility)
    {
        m.VisibleAtTicks = _nowTicks + Math.Max(0, visibility.Ticks);
        if (visibility <= TimeSpan.Zero)
        {
            m.Queue.InFlightCount--;
            MakeVisibleLocked(m);
            return;
        }

        Schedule(m.VisibleAtTicks, ModelEventKind.QueueMessageVisible, m);
    }

    /// <summary>A delay or visibility timeout passed (stale events — the message moved on since — are ignored).</summary>
    private void OnQueueMessageVisible(QueueMessage m, long ticks)
    {
        if (m.Queue.Deleted || m.VisibleAtTicks > ticks)
        {
            return;
        }

        switch (m.State)
        {
            case MessageState.Delayed:
                m.Queue.DelayedCount--;
                break;
            case MessageState.InFlight:
                m.Queue.InFlightCount--;
                break;
            default:
                return;
        }

        MakeVisibleLocked(m);
    }

    private void MakeVisibleLocked(QueueMessage m)
    {
        m.State = MessageState.Visible;
        m.Queue.Visible.Append(m);
        NotifyAvailable(m.Queue);
    }

    private static void NotifyAvailable(QueueState q)
    {
        if (q.AvailableSignal is { } signal)
        {
            q.AvailableSignal = null;
            signal.TrySetResult();
        }

        if (q.MessagesAvailable.Count > 0 && !q.Deleted)
        {
            foreach (var callback in q.MessagesAvailable.ToArray())
            {
                callback(q);
            }
        }
    }

    /// <summary>Removes a message from wherever it is in its queue.</summary>
    private static void RemoveMessageLocked(QueueMessage m)
    {
        var q = m.Queue;
        switch (m.State)
        {
            case MessageState.Visible:
                q.Visible.Remove(m);
                break;
            case MessageState.InFlight:
                q.InFlightCount--;
                break;
            case MessageState.Delayed:
                q.DelayedCount--;
                break;
            default:
                return;
        }

        m.State = MessageState.Gone;
        m.ReceiptHandle = null;
        q.Live.Remove(m.Seq);
        q.ByRetention.Remove(m);
    }

    /// <summary>Moves a message (already out of the visible list) to the dead-letter queue, keeping id, body, attributes, sent time and receive count.</summary>
    private void MoveToDeadLetterLocked(QueueMessage m, QueueState source, QueueState dlq)
    {
        m.State = MessageState.Gone;
        source.Live.Remove(m.Seq);
        source.ByRetention.Remove(m);
        source.MovedToDeadLetter++;

        m.Queue = dlq;
        m.ReceiptHandle = null;
        m.DeadLetterSourceArn = source.Arn;
        dlq.Live.Add(m.Seq, m);

        // Keep the retention list ordered by first send time: walk back from the tail past newer messages.
        var after = dlq.ByRetention.Tail;
        while (after is not null && after.SentTicks > m.SentTicks)
        {
            after = dlq.ByRetention.Prev(after);
        }

        dlq.ByRetention.InsertAfter(after, m);
        EnsureRetentionCheckLocked(dlq);
        MakeVisibleLocked(m);
    }

    /// <summary>
    /// Tells the observers that a message is about to be removed unprocessed, when no consumer holds it (visible or
    /// delayed, and no event source mapping's function still runs a batch with it; a message in flight may still be
    /// finished by the consumer holding it, so it is not reported).
    /// </summary>
    private void NotifyDiscardedLocked(QueueMessage m, QueueDiscardReason reason)
    {
        if (_observers.Length == 0 || m.State is not (MessageState.Visible or MessageState.Delayed) || _runningMessages.ContainsKey(m.MessageId))
        {
            return; // in flight, or visible again while a function still runs an earlier receive of it: it may yet be processed
        }

        var id = m.Attributes.TryGetValue(Receipt.IdAttribute, out var a) && !string.IsNullOrEmpty(a.StringValue) ? a.StringValue : null;
        var e = new QueueMessageDiscarded(ToTime(_nowTicks), m.Queue.Name, m.MessageId, reason, m.Body, id);
        foreach (var o in _observers)
        {
            o.OnQueueMessageDiscarded(in e);
        }
    }

    /// <summary>Schedules the queue's next retention check at the expiry of its oldest message, if earlier than the one scheduled.</summary>
    private void EnsureRetentionCheckLocked(QueueState q)
    {
        if (q.ByRetention.Head is not { } oldest)
        {
            return;
        }

        var due = oldest.SentTicks + (q.RetentionSeconds * TimeSpan.TicksPerSecond);
        if (due < q.RetentionCheckTicks)
        {
            q.RetentionCheckTicks = due;
            Schedule(due, ModelEventKind.QueueRetention, q);
        }
    }

    private void OnQueueRetention(QueueState q, long ticks)
    {
        if (q.Deleted || ticks != q.RetentionCheckTicks)
        {
            return; // superseded by an earlier check
        }

        q.RetentionCheckTicks = long.MaxValue;
        SweepRetentionLocked(q);
    }

    /// <summary>Removes (and counts) messages older than the retention period, then schedules the next check.</summary>
    private void SweepRetentionLocked(QueueState q)
    {
        var retentionTicks = q.RetentionSeconds * TimeSpan.TicksPerSecond;
        while (q.ByRetention.Head is { } oldest && oldest.SentTicks + retentionTicks <= _nowTicks)
        {
            NotifyDiscardedLocked(oldest, QueueDiscardReason.RetentionExpired);
            RemoveMessageLocked(oldest);
            q.Expired++;
        }

        EnsureRetentionCheckLocked(q);
    }

    private ReceivedMessage Snapshot(QueueMessage m) => new()
    {
        MessageId = m.MessageId,
        ReceiptHandle = m.ReceiptHandle!,
        Body = m.Body,
        Md5OfBody = m.Md5OfBody ??= MessageDigest.OfBody(m.Body),
        MessageAttributes = m.Attributes,
        ApproximateReceiveCount = m.ReceiveCount,
        SentTimestamp = ToTime(m.SentTicks),
        ApproximateFirstReceiveTimestamp = ToTime(m.FirstReceiveTicks),
        SenderId = _account.AccountId,
        DeadLetterQueueSourceArn = m.DeadLetterSourceArn,
        TraceHeader = m.TraceHeader,
    };

    /// <summary>Receipt handle: base64 of "LSRH", the queue id, the message sequence number and the receive count.</summary>
    private static string MakeHandle(QueueState q, QueueMessage m)
    {
        Span<byte> bytes = stackalloc byte[20];
        HandleMagic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], q.Id);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], m.Seq);
        BinaryPrimitives.WriteInt32BigEndian(bytes[16..], m.ReceiveCount);
        return Convert.ToBase64String(bytes);
    }

    private static bool TryParseHandle(QueueState q, string? handle, out long seq)
    {
        seq = 0;
        Span<byte> bytes = stackalloc byte[21];
        if (string.IsNullOrEmpty(handle) || handle.Length != 28 || !Convert.TryFromBase64String(handle, bytes, out var written) || written != 20
            || !bytes[..4].SequenceEqual(HandleMagic) || BinaryPrimitives.ReadInt32BigEndian(bytes[4..]) != q.Id)
        {
            return false;
        }

        seq = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        return true;
    }

    /// <summary>Async destination and DLQ deliveries to a queue of this model: sent like any message (DLQ metadata as attributes).</summary>
    private bool TryDeliverToQueueLocked(string targetArn, string body, IReadOnlyDictionary<string, string> attributes)
    {
        if (!targetArn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal) || FindQueueLocked(targetArn) is not { } queue)
        {
            return false;
        }

        Dictionary<string, MessageAttribute>? messageAttributes = null;
        if (attributes.Count > 0)
        {
            // A Lambda DLQ message carries RequestID and ErrorMessage as String and ErrorCode as Number attributes [S12].
            messageAttributes = attributes.ToDictionary(
                a => a.Key, a => a.Key == "ErrorCode" ? MessageAttribute.Number(a.Value) : MessageAttribute.String(a.Value), StringComparer.Ordinal);
        }

        SendLocked(queue, body, messageAttributes);
        return true;
    }
}
