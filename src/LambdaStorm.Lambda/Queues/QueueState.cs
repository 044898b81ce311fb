namespace LambdaStorm.Lambda;

/// <summary>Where a message is in its life.</summary>
internal enum MessageState
{
    /// <summary>Sent with a delay that has not passed.</summary>
    Delayed,

    /// <summary>Available to receive.</summary>
    Visible,

    /// <summary>Received; hidden until its visibility timeout passes.</summary>
    InFlight,

    /// <summary>Deleted, expired, purged or moved to a dead-letter queue.</summary>
    Gone,
}

/// <summary>
/// One SQS standard queue inside the <see cref="LambdaModel"/>: its attributes, its messages (in a send-ordered list
/// for retention and a visible list for receives), its totals and the subscribers that want to know when messages
/// become visible. Mutable; touched only under the model lock. Part of internal API.
/// </summary>
internal sealed class QueueState
{
    internal readonly MessageList ByRetention = new(retention: true);
    internal readonly MessageList Visible = new(retention: false);
    internal readonly Dictionary<long, QueueMessage> Live = [];
    internal TaskCompletionSource? AvailableSignal;
    internal long RetentionCheckTicks = long.MaxValue;

    /// <summary>Creates a queue.</summary>
    public QueueState(int id, string name, string arn, long createdTicks)
    {
        Id = id;
        Name = name;
        Arn = arn;
        CreatedTicks = createdTicks;
        LastModifiedTicks = createdTicks;
    }

    /// <summary>Unique id within the model (a re-created queue gets a new one; receipt handles carry it).</summary>
    public int Id { get; }

    /// <summary>Queue name.</summary>
    public string Name { get; }

    /// <summary><c>arn:aws:sqs:{region}:{account}:{name}</c>.</summary>
    public string Arn { get; }

    /// <summary>Creation time, UTC ticks.</summary>
    public long CreatedTicks { get; }

    /// <summary>Last attribute change, UTC ticks.</summary>
    public long LastModifiedTicks { get; internal set; }

    /// <summary>True once deleted.</summary>
    public bool Deleted { get; internal set; }

    /// <summary><c>VisibilityTimeout</c>, seconds.</summary>
    public int VisibilityTimeoutSeconds { get; internal set; } = 30;

    /// <summary><c>MessageRetentionPeriod</c>, seconds.</summary>
    public int RetentionSeconds { get; internal set; } = 345_600;

    /// <summary><c>DelaySeconds</c>.</summary>
    public int DelaySeconds { get; internal set; }

    /// <summary><c>ReceiveMessageWaitTimeSeconds</c>.</summary>
    public int ReceiveWaitSeconds { get; internal set; }

    /// <summary><c>MaximumMessageSize</c>, bytes.</summary>
    public int MaximumMessageSize { get; internal set; } = QueueSettings.MaxMessageBytes;

    /// <summary>Dead-letter target ARN of the <c>RedrivePolicy</c>, or null.</summary>
    public string? DeadLetterTargetArn { get; internal set; }

    /// <summary><c>maxReceiveCount</c> of the <c>RedrivePolicy</c> (0 without one).</summary>
    public int MaxReceiveCount { get; internal set; }

    /// <summary>Attributes the model stores but does not act on (Policy, KMS and SSE settings, RedriveAllowPolicy).</summary>
    public Dictionary<string, string> OpaqueAttributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Tags given at creation.</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>When the last purge ran (UTC ticks), for the 60-second rule.</summary>
    public long? LastPurgeTicks { get; internal set; }

    /// <summary>Messages waiting for their delay.</summary>
    public int DelayedCount { get; internal set; }

    /// <summary>Messages received and not yet visible again.</summary>
    public int InFlightCount { get; internal set; }

    /// <summary>Messages available now.</summary>
    public int VisibleCount => Visible.Count;

    /// <summary>Lifetime totals.</summary>
    public long Sent { get; internal set; }

    /// <inheritdoc cref="QueueSnapshot.Received"/>
    public long Received { get; internal set; }

    /// <inheritdoc cref="QueueSnapshot.Deleted"/>
    public long DeletedMessages { get; internal set; }

    /// <inheritdoc cref="QueueSnapshot.MovedToDeadLetter"/>
    public long MovedToDeadLetter { get; internal set; }

    /// <inheritdoc cref="QueueSnapshot.Expired"/>
    public long Expired { get; internal set; }

    /// <inheritdoc cref="QueueSnapshot.Purged"/>
    public long Purged { get; internal set; }

    /// <summary>
    /// Called under the model lock whenever a message of this queue becomes visible (sent without delay, delay
    /// passed, visibility timeout passed or set to 0, moved in from a source queue). Subscribers (event source mapping
    /// pollers) must be quick, must not block and must not call the model's public (locking) members; they may call
    /// the <c>*Locked</c> queue primitives. Add and remove only under the model lock.
    /// </summary>
    public List<Action<QueueState>> MessagesAvailable { get; } = [];

    /// <summary>Current counts.</summary>
    public QueueCounters Counters => new(VisibleCount, InFlightCount, DelayedCount);
}

/// <summary>A message inside a <see cref="QueueState"/>. Mutable; touched only under the model lock.</summary>
internal sealed class QueueMessage
{
    internal QueueMessage? RetentionPrev, RetentionNext, VisiblePrev, VisibleNext;
    internal bool InRetentionList, InVisibleList;

    /// <summary>Creates a message.</summary>
    public QueueMessage(QueueState queue, long seq, string messageId, string body, IReadOnlyDictionary<string, MessageAttribute> attributes, long sentTicks)
    {
        Queue = queue;
        Seq = seq;
        MessageId = messageId;
        Body = body;
        Attributes = attributes;
        SentTicks = sentTicks;
    }

    /// <summary>The queue it is in now.</summary>
    public QueueState Queue { get; internal set; }

    /// <summary>Model-wide sequence number (part of receipt handles).</summary>
    public long Seq { get; }

    /// <summary>Message id.</summary>
    public string MessageId { get; }

    /// <summary>Body.</summary>
    public string Body { get; }

    /// <summary>Message attributes.</summary>
    public IReadOnlyDictionary<string, MessageAttribute> Attributes { get; }

    /// <summary>AWSTraceHeader, if any.</summary>
    public string? TraceHeader { get; init; }

    /// <summary>Hex MD5 of the body (computed once).</summary>
    public string? Md5OfBody { get; set; }

    /// <summary>First send time (kept across a dead-letter move), UTC ticks.</summary>
    public long SentTicks { get; }

    /// <summary>First receive time, UTC ticks (0 before).</summary>
    public long FirstReceiveTicks { get; internal set; }

    /// <summary>Receives so far.</summary>
    public int ReceiveCount { get; internal set; }

    /// <summary>
    /// The receive (a model-wide number, one per group of up to 10 messages handed out together; 0 before the first)
    /// that last returned this message. A later receive takes at most one message of any earlier group.
    /// </summary>
    public long LastReceiveGroup { get; internal set; }

    /// <summary>Where it is.</summary>
    public MessageState State { get; internal set; }

    /// <summary>When it becomes visible (delayed or in flight), UTC ticks.</summary>
    public long VisibleAtTicks { get; internal set; }

    /// <summary>When the current receive happened, UTC ticks (the 12-hour visibility limit counts from here).</summary>
    public long ReceivedAtTicks { get; internal set; }

    /// <summary>The receipt handle of the latest receive, or null.</summary>
    public string? ReceiptHandle { get; internal set; }

    /// <summary>ARN of the queue it was moved from, if it was moved to a dead-letter queue.</summary>
    public string? DeadLetterSourceArn { get; internal set; }
}

/// <summary>An intrusive doubly linked list of messages (O(1) append, remove and pop). Part of internal API.</summary>
internal sealed class MessageList(bool retention)
{
    /// <summary>First message.</summary>
    public QueueMessage? Head { get; private set; }

    /// <summary>Last message.</summary>
    public QueueMessage? Tail { get; private set; }

    /// <summary>Messages in the list.</summary>
    public int Count { get; private set; }

    /// <summary>Appends at the end.</summary>
    public void Append(QueueMessage m) => InsertAfter(Tail, m);

    /// <summary>Inserts after <paramref name="after"/> (null: at the head).</summary>
    public void InsertAfter(QueueMessage? after, QueueMessage m)
    {
        var next = after is null ? Head : Next(after);
        SetPrev(m, after);
        SetNext(m, next);
        if (after is null)
        {
            Head = m;
        }
        else
        {
            SetNext(after, m);
        }

        if (next is null)
        {
            Tail = m;
        }
        else
        {
            SetPrev(next, m);
        }

        SetIn(m, true);
        Count++;
    }

    /// <summary>Removes <paramref name="m"/> if it is in the list.</summary>
    public void Remove(QueueMessage m)
    {
        if (!IsIn(m))
        {
            return;
        }

        var prev = Prev(m);
        var next = Next(m);
        if (prev is null)
        {
            Head = next;
        }
        else
        {
            SetNext(prev, next);
        }

        if (next is null)
        {
            Tail = prev;
        }
        else
        {
            SetPrev(next, prev);
        }

        SetPrev(m, null);
        SetNext(m, null);
        SetIn(m, false);
        Count--;
    }

    /// <summary>The message after <paramref name="m"/>.</summary>
    public QueueMessage? Next(QueueMessage m) => retention ? m.RetentionNext : m.VisibleNext;

    /// <summary>The message before <paramref name="m"/>.</summary>
    public QueueMessage? Prev(QueueMessage m) => retention ? m.RetentionPrev : m.VisiblePrev;

    private bool IsIn(QueueMessage m) => retention ? m.InRetentionList : m.InVisibleList;

    private void SetIn(QueueMessage m, bool value)
    {
        if (retention)
        {
            m.InRetentionList = value;
        }
        else
        {
            m.InVisibleList = value;
        }
    }

    private void SetNext(QueueMessage m, QueueMessage? value)
    {
        if (retention)
        {
            m.RetentionNext = value;
        }
        else
        {
            m.VisibleNext = value;
        }
    }

    private void SetPrev(QueueMessage m, QueueMessage? value)
    {
        if (retention)
        {
            m.RetentionPrev = value;
        }
        else
        {
            m.VisiblePrev = value;
        }
    }
}
