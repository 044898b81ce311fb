using System.Collections.Immutable;
using System.Globalization;
using HdrHistogram;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Ledger;

/// <summary>
/// The plain input side of the delivery ledger: what was sent, and every trace of what happened to it. A single-process
/// run feeds it from its own targets and receipt readers; in a cluster the coordinator feeds it with what the agents
/// report they sent. Calls may come in any order (a receipt before its send is recorded). Part of internal API.
/// </summary>
internal interface ILedgerInput
{
    /// <summary>An id was handed to the service (async <c>Invoke</c>, SQS <c>SendMessage</c>).</summary>
    void RecordSent(string id, InvocationPath path, DateTimeOffset intendedTime, bool poisoned);

    /// <summary>The send call for an id failed (<paramref name="outcome"/> is the outcome's wire name).</summary>
    void RecordSendFailed(string id, string outcome);

    /// <summary>A receipt: one processing attempt the function reported.</summary>
    void RecordReceipt(Receipt receipt);

    /// <summary>A message on a dead-letter queue or an async destination queue.</summary>
    void RecordDeadLetter(string queue, DeadLetterEvidence evidence, DateTimeOffset at);

    /// <summary>The generator that sent <paramref name="id"/> died with it in flight (cluster runs).</summary>
    void MarkUnknown(string id);

    /// <summary>
    /// The source discarded <paramref name="id"/> for good, leaving no record (an async event dropped with no failure
    /// destination or DLQ to take it, an SQS message purged or expired unprocessed): it is lost now, whatever the
    /// source's state at the end. Only an in-process model can name such ids (<c>LostWorkTracker</c>).
    /// </summary>
    void RecordLost(string id, string reason, DateTimeOffset at);

    /// <summary>
    /// How many ids the source says it discarded for good since the run began when it cannot name them (a separate
    /// emulator's <c>/metrics</c>): the live <c>lost</c> count reads it; the final classes stay per id.
    /// </summary>
    void RecordSourceLost(long count);

    /// <summary>A queue-depth sample.</summary>
    void RecordQueueDepth(QueueDepthSample sample);

    /// <summary>The load ended (the last arrival was due); the drain time counts from here.</summary>
    void RecordLoadEnded(DateTimeOffset at);
}

/// <summary>
/// The delivery ledger: records every sent id and every trace of it — receipts, dead-letter and destination messages —
/// and reconciles each sent id into exactly one <see cref="DeliveryClass"/>, counting duplicates (more than one
/// successful processing of an id). It also gives the end-to-end latency (intended send to the end of the first
/// successful attempt), re-delivery counts, queue depth and the time to drain. Pure: no clock, no I/O; every time comes
/// in with the evidence. Thread-safe (one lock).
/// </summary>
/// <remarks>
/// <para><b>Classes, in order of precedence.</b> An id with a successful receipt (or, without receipts, an async
/// <c>Success</c> destination record) is <i>processed</i>: <c>first_attempt</c> when that first success was attempt 1,
/// <c>after_retry</c> otherwise. Otherwise an <c>EventAgeExceeded</c> record makes it <c>expired</c>, and a dead-letter
/// message or a <c>RetriesExhausted</c> record makes it <c>dlq</c>. Otherwise an id marked unknown (its agent died) is
/// <c>unknown</c>, and an id whose send call failed is <c>rejected</c> (the sender knew; nothing was accepted).</para>
/// <para><b>In flight versus lost.</b> An id with no outcome at all is <c>in_flight</c> when the run ended while the
/// source still reported pending work (messages visible, in flight or delayed; async events queued) or could not be
/// asked (it stopped answering, or the journal was cut short) — its fate is not known yet. It is <c>lost</c> when
/// the source reported itself quiescent and every receipt and dead-letter queue had been drained: nothing anywhere could
/// still produce a trace of it, so it vanished — or, before that, as soon as the source itself reports that it
/// discarded the id leaving no record (<see cref="RecordLost"/>): that evidence ranks below processed, expired and dlq
/// and above unknown and rejected. So the <c>lost</c> count during the run holds only ids that end lost, and an abort
/// condition can read it.</para>
/// </remarks>
internal sealed class DeliveryLedger : ILedgerInput
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<QueueDepthSample> _depth = [];
    private long _sent;
    private long _unmatchedReceipts;
    private long _unmatchedDeadLetters;
    private long _deadLetterArrivals;
    private DateTimeOffset? _loadEndedAt;
    private long _lastEvidenceTicks;
    private long _sourceLost;

    /// <summary>Ids recorded as sent.</summary>
    public long Sent
    {
        get
        {
            lock (_gate)
            {
                return _sent;
            }
        }
    }

    /// <summary>Sent ids with no outcome yet (neither processed, dead-lettered, expired, unknown nor rejected).</summary>
    public long Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Count(e => e.Sent && ClassWithoutSource(e) is null);
            }
        }
    }

    /// <inheritdoc />
    public void RecordSent(string id, InvocationPath path, DateTimeOffset intendedTime, bool poisoned)
    {
        lock (_gate)
        {
            var e = EntryOf(id);
            if (!e.Sent)
            {
                e.Sent = true;
                _sent++;
                _unmatchedReceipts -= e.Attempts;
                _unmatchedDeadLetters -= e.DeadLetters;
            }

            e.Path = path;
            e.IntendedTicks = intendedTime.UtcTicks;
            _lastEvidenceTicks = Math.Max(_lastEvidenceTicks, e.IntendedTicks);
            e.Poisoned = poisoned;
        }
    }

    /// <inheritdoc />
    public void RecordSendFailed(string id, string outcome)
    {
        lock (_gate)
        {
            EntryOf(id).SendFailed = outcome;
        }
    }

    /// <inheritdoc />
    public void RecordReceipt(Receipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Path == InvocationPath.Sync)
        {
            // A sync call's outcome is measured by the caller itself; the ledger accounts for the async and queue paths.
            return;
        }

        lock (_gate)
        {
            var e = EntryOf(receipt.Id);
            _lastEvidenceTicks = Math.Max(_lastEvidenceTicks, receipt.FinishedAt.UtcTicks);
            e.Attempts++;
            e.MaxAttempt = Math.Max(e.MaxAttempt, receipt.Attempt);
            if (receipt.Attempt > 1)
            {
                e.Redeliveries++;
            }

            if (receipt.Outcome == ReceiptOutcome.Ok)
            {
                e.OkReceipts++;
                var finished = receipt.FinishedAt.UtcTicks;
                if (e.FirstOkTicks is null || finished < e.FirstOkTicks)
                {
                    e.FirstOkTicks = finished;
                    e.FirstOkAttempt = receipt.Attempt;
                }
            }

            if (!e.Sent)
            {
                _unmatchedReceipts++;
            }
        }
    }

    /// <inheritdoc />
    public void RecordDeadLetter(string queue, DeadLetterEvidence evidence, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        lock (_gate)
        {
            var e = EntryOf(evidence.Id);
            var ticks = at.UtcTicks;
            _lastEvidenceTicks = Math.Max(_lastEvidenceTicks, ticks);
            switch (evidence.Condition)
            {
                case "Success":
                    e.SuccessRecords++;
                    if (e.SuccessTicks is null || ticks < e.SuccessTicks)
                    {
                        e.SuccessTicks = ticks;
                        e.SuccessAttempt = Math.Max(1, evidence.ApproximateInvokeCount);
                    }

                    return;
                case "EventAgeExceeded":
                    e.ExpiredTicks ??= ticks;
                    break;
                default:
                    e.DeadLetterTicks ??= ticks;
                    break;
            }

            e.DeadLetters++;
            _deadLetterArrivals++;
            if (!e.Sent)
            {
                _unmatchedDeadLetters++;
            }
        }
    }

    /// <inheritdoc />
    public void MarkUnknown(string id)
    {
        lock (_gate)
        {
            EntryOf(id).Unknown = true;
        }
    }

    /// <inheritdoc />
    public void RecordLost(string id, string reason, DateTimeOffset at)
    {
        lock (_gate)
        {
            var e = EntryOf(id);
            var ticks = at.UtcTicks;
            _lastEvidenceTicks = Math.Max(_lastEvidenceTicks, ticks);
            if (e.LostTicks is null || ticks < e.LostTicks)
            {
                e.LostTicks = ticks;
            }
        }
    }

    /// <inheritdoc />
    public void RecordSourceLost(long count)
    {
        lock (_gate)
        {
            _sourceLost = Math.Max(_sourceLost, count);
        }
    }

    /// <summary>What the source counted as discarded for good since the run began (<see cref="RecordSourceLost"/>), or 0.</summary>
    public long SourceLost
    {
        get
        {
            lock (_gate)
            {
                return _sourceLost;
            }
        }
    }

    /// <inheritdoc />
    public void RecordQueueDepth(QueueDepthSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_gate)
        {
            _depth.Add(sample);
        }
    }

    /// <inheritdoc />
    public void RecordLoadEnded(DateTimeOffset at)
    {
        lock (_gate)
        {
            _loadEndedAt = at;
        }
    }

    /// <summary>The latest time any evidence (a send, a receipt, a dead-letter message) carried, or null.</summary>
    public DateTimeOffset? LastEvidence()
    {
        lock (_gate)
        {
            return _lastEvidenceTicks == 0 ? null : new DateTimeOffset(_lastEvidenceTicks, TimeSpan.Zero);
        }
    }

    /// <summary>The queue-depth samples so far, in the order they were taken.</summary>
    public ImmutableArray<QueueDepthSample> DepthSamples()
    {
        lock (_gate)
        {
            return [.. _depth];
        }
    }

    /// <summary>Reconciles every sent id into exactly one class, given what the source reported at the end.</summary>
    public LedgerReport Reconcile(SourceState source)
    {
        lock (_gate)
        {
            var classes = DeliveryClasses.All.ToDictionary(c => c, _ => 0L);
            var byPath = new Dictionary<InvocationPath, Dictionary<DeliveryClass, long>>();
            var byAttempt = new SortedDictionary<int, long>();
            var endToEnd = HistogramCodec.NewHistogram();
            var delayedGood = HistogramCodec.NewHistogram();
            long duplicates = 0, duplicatedIds = 0, attempts = 0, failedAttempts = 0, redeliveries = 0, poisoned = 0, poisonedDeadLettered = 0, goodDeadLettered = 0;
            foreach (var e in _entries.Values)
            {
                if (!e.Sent)
                {
                    continue;
                }

                var c = ClassWithoutSource(e) ?? (source == SourceState.Quiescent ? DeliveryClass.Lost : DeliveryClass.InFlight);
                classes[c]++;
                if (!byPath.TryGetValue(e.Path, out var pc))
                {
                    byPath[e.Path] = pc = [];
                }

                pc[c] = pc.GetValueOrDefault(c) + 1;
                attempts += e.Attempts;
                failedAttempts += e.Attempts - e.OkReceipts;
                redeliveries += e.Redeliveries;
                var successes = e.OkReceipts > 0 ? e.OkReceipts : e.SuccessRecords;
                if (successes > 1)
                {
                    duplicates += successes - 1;
                    duplicatedIds++;
                }

                if (e.Poisoned)
                {
                    poisoned++;
                    if (c == DeliveryClass.DeadLettered)
                    {
                        poisonedDeadLettered++;
                    }
                }
                else if (c == DeliveryClass.DeadLettered)
                {
                    goodDeadLettered++;
                }

                if (ProcessedAt(e) is { } done)
                {
                    var attempt = e.FirstOkTicks is not null ? e.FirstOkAttempt : e.SuccessAttempt;
                    byAttempt[attempt] = byAttempt.GetValueOrDefault(attempt) + 1;
                    var micros = HistogramCodec.Clamp((done - e.IntendedTicks) / TimeSpan.TicksPerMicrosecond);
                    endToEnd.RecordValue(micros);
                    if (!e.Poisoned && c == DeliveryClass.AfterRetry)
                    {
                        delayedGood.RecordValue(micros);
                    }
                }
            }

            return new LedgerReport(
                _sent,
                classes.ToImmutableSortedDictionary(kv => kv.Key.Name(), kv => kv.Value, StringComparer.Ordinal),
                classes[DeliveryClass.FirstAttempt] + classes[DeliveryClass.AfterRetry],
                duplicates,
                duplicatedIds,
                attempts,
                failedAttempts,
                redeliveries,
                byAttempt.ToImmutableSortedDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value, StringComparer.Ordinal),
                _deadLetterArrivals - _unmatchedDeadLetters,
                poisoned,
                poisonedDeadLettered,
                goodDeadLettered,
                delayedGood.TotalCount,
                LatencyStats.Of(endToEnd),
                LatencyStats.Of(delayedGood),
                DrainSeconds(),
                QueuePeaks(),
                _unmatchedReceipts + _unmatchedDeadLetters,
                SourceName(source),
                byPath.ToImmutableSortedDictionary(
                    kv => kv.Key.Name(),
                    kv => kv.Value.ToImmutableSortedDictionary(x => x.Key.Name(), x => x.Value, StringComparer.Ordinal),
                    StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// End-to-end latencies (intended send to the end of the first successful attempt) of the sent ids processed since
    /// the last call, by path, each id once: the live metrics' histogram observes them as they happen.
    /// </summary>
    public IReadOnlyList<(InvocationPath Path, double Seconds)> TakeNewlyProcessed()
    {
        var taken = new List<(InvocationPath, double)>();
        lock (_gate)
        {
            foreach (var e in _entries.Values)
            {
                if (e.Sent && !e.LatencyTaken && ProcessedAt(e) is { } done)
                {
                    e.LatencyTaken = true;
                    taken.Add((e.Path, Math.Max(0, done - e.IntendedTicks) / (double)TimeSpan.TicksPerSecond));
                }
            }
        }

        return taken;
    }

    /// <summary>
    /// Cumulative classes at <paramref name="at"/>, for charts over time: processed (first attempt, after retry),
    /// dead-lettered, expired, lost (the source reported that it discarded the id), and outstanding (sent, intended
    /// before <paramref name="at"/>, no outcome yet).
    /// </summary>
    public LedgerCounts CountsAt(DateTimeOffset at)
    {
        var t = at.UtcTicks;
        long first = 0, retry = 0, dlq = 0, expired = 0, lost = 0, outstanding = 0;
        lock (_gate)
        {
            foreach (var e in _entries.Values)
            {
                if (!e.Sent || e.IntendedTicks > t)
                {
                    continue;
                }

                if (ProcessedAt(e) is { } p && p <= t)
                {
                    if ((e.FirstOkTicks is not null ? e.FirstOkAttempt : e.SuccessAttempt) <= 1)
                    {
                        first++;
                    }
                    else
                    {
                        retry++;
                    }
                }
                else if (e.ExpiredTicks is { } x && x <= t && ProcessedAt(e) is null)
                {
                    expired++;
                }
                else if (e.DeadLetterTicks is { } d && d <= t && ProcessedAt(e) is null)
                {
                    dlq++;
                }
                else if (e.LostTicks is { } l && l <= t)
                {
                    lost++;
                }
                else if (e.SendFailed is null || e.Attempts > 0)
                {
                    outstanding++;
                }
            }
        }

        return new LedgerCounts(first, retry, dlq, expired, outstanding, lost);
    }

    /// <summary>
    /// What became of the ids whose intended send time lies in [<paramref name="from"/>, <paramref name="to"/>), given
    /// what the source reported at the end: the per-fault counts of the chaos findings.
    /// </summary>
    public Chaos.ChaosLedgerCounts CountSentBetween(DateTimeOffset from, DateTimeOffset to, SourceState source)
    {
        long sent = 0, lost = 0, duplicated = 0, dlq = 0, expired = 0, retried = 0, inFlight = 0;
        var (f, t) = (from.UtcTicks, to.UtcTicks);
        lock (_gate)
        {
            foreach (var e in _entries.Values)
            {
                if (!e.Sent || e.IntendedTicks < f || e.IntendedTicks >= t)
                {
                    continue;
                }

                sent++;
                switch (ClassWithoutSource(e) ?? (source == SourceState.Quiescent ? DeliveryClass.Lost : DeliveryClass.InFlight))
                {
                    case DeliveryClass.Lost: lost++; break;
                    case DeliveryClass.DeadLettered: dlq++; break;
                    case DeliveryClass.Expired: expired++; break;
                    case DeliveryClass.AfterRetry: retried++; break;
                    case DeliveryClass.InFlight: inFlight++; break;
                }

                if ((e.OkReceipts > 0 ? e.OkReceipts : e.SuccessRecords) > 1)
                {
                    duplicated++;
                }
            }
        }

        return new Chaos.ChaosLedgerCounts(sent, lost, duplicated, dlq, expired, retried, inFlight);
    }

    /// <summary>The time from the end of the load until every source queue first held nothing, or null if it never did.</summary>
    private double? DrainSeconds()
    {
        if (_loadEndedAt is not { } end)
        {
            return null;
        }

        // Samples come in rounds (one per queue); the source is drained at the first round, at or after the load's
        // end, in which every source queue is empty.
        foreach (var round in _depth.Where(s => s.Role == QueueRole.Source && s.At >= end).GroupBy(s => s.At).OrderBy(g => g.Key))
        {
            if (round.All(s => s.Total == 0))
            {
                return Math.Round((round.Key - end).TotalSeconds, 3);
            }
        }

        return null;
    }

    private ImmutableArray<QueuePeak> QueuePeaks()
        => [.. _depth.GroupBy(s => (s.Queue, s.Role)).Select(g => new QueuePeak(g.Key.Queue, QueueDepthSample.RoleName(g.Key.Role), g.Max(s => s.Total), g.Last().Total, g.Count()))];

    /// <summary>The wire name of a source state.</summary>
    internal static string SourceName(SourceState s) => s switch
    {
        SourceState.Quiescent => "quiescent",
        SourceState.Busy => "busy",
        _ => "unreachable",
    };

    /// <summary>Parses <see cref="SourceName"/> output.</summary>
    internal static SourceState ParseSource(string? name) => name switch
    {
        "quiescent" => SourceState.Quiescent,
        "busy" => SourceState.Busy,
        _ => SourceState.Unreachable,
    };

    private static long? ProcessedAt(Entry e) => e.FirstOkTicks ?? e.SuccessTicks;

    /// <summary>The class an entry's evidence decides on its own, or null when only the source's state can (in flight / lost).</summary>
    private static DeliveryClass? ClassWithoutSource(Entry e)
    {
        if (e.FirstOkTicks is not null)
        {
            return e.FirstOkAttempt <= 1 ? DeliveryClass.FirstAttempt : DeliveryClass.AfterRetry;
        }

        if (e.SuccessTicks is not null)
        {
            return e.SuccessAttempt <= 1 ? DeliveryClass.FirstAttempt : DeliveryClass.AfterRetry;
        }

        if (e.ExpiredTicks is not null)
        {
            return DeliveryClass.Expired;
        }

        if (e.DeadLetterTicks is not null)
        {
            return DeliveryClass.DeadLettered;
        }

        if (e.LostTicks is not null)
        {
            return DeliveryClass.Lost; // the source discarded it leaving no record: nothing can bring it back
        }

        if (e.Unknown)
        {
            return DeliveryClass.Unknown;
        }

        // A failed send with no trace at all: nothing was accepted. (A trace means the send went through after all.)
        return e.SendFailed is not null && e.Attempts == 0 ? DeliveryClass.Rejected : null;
    }

    private Entry EntryOf(string id)
    {
        if (!_entries.TryGetValue(id, out var e))
        {
            _entries[id] = e = new Entry();
        }

        return e;
    }

    private sealed class Entry
    {
        public bool Sent;
        public InvocationPath Path;
        public long IntendedTicks;
        public bool Poisoned;
        public string? SendFailed;
        public bool Unknown;
        public int Attempts;
        public int OkReceipts;
        public int Redeliveries;
        public int MaxAttempt;
        public long? FirstOkTicks;
        public int FirstOkAttempt;
        public int SuccessRecords;
        public long? SuccessTicks;
        public int SuccessAttempt;
        public long? DeadLetterTicks;
        public long? ExpiredTicks;
        public long? LostTicks;
        public int DeadLetters;
        public bool LatencyTaken;
    }
}

/// <summary>Cumulative ledger classes at one moment (charts over time).</summary>
/// <param name="FirstAttempt">Processed on the first attempt.</param>
/// <param name="AfterRetry">Processed after a retry.</param>
/// <param name="DeadLettered">In a DLQ.</param>
/// <param name="Expired">Expired.</param>
/// <param name="Outstanding">Sent with no outcome yet.</param>
/// <param name="Lost">Discarded by the source leaving no record, as it reported (<see cref="DeliveryLedger.RecordLost"/>).</param>
public sealed record LedgerCounts(long FirstAttempt, long AfterRetry, long DeadLettered, long Expired, long Outstanding, long Lost = 0);

/// <summary>Depth of one sampled queue over the run.</summary>
/// <param name="Queue">Queue name.</param>
/// <param name="Role">source, dlq or receipts.</param>
/// <param name="Peak">Highest total (visible + in flight + delayed).</param>
/// <param name="Last">Total at the last sample.</param>
/// <param name="Samples">Samples taken.</param>
public sealed record QueuePeak(string Queue, string Role, long Peak, long Last, long Samples);

/// <summary>
/// The reconciled ledger (<c>ledger</c> in summary.json): every sent id in exactly one class, duplicates, attempts,
/// end-to-end latency, queue depth and drain time.
/// </summary>
/// <param name="Sent">
/// Ids sent on the async and queue paths, plus (on a cluster) the async and queue arrivals of a lost agent that it may
/// have sent without reporting them (class <c>unknown</c> unless a receipt or DLQ message turned up).
/// </param>
/// <param name="Classes">Ids per class (wire names of <see cref="DeliveryClass"/>); they add up to <paramref name="Sent"/>.</param>
/// <param name="Processed">first_attempt + after_retry.</param>
/// <param name="Duplicates">Successful processings beyond the first, over all ids.</param>
/// <param name="DuplicatedIds">Ids processed successfully more than once.</param>
/// <param name="Attempts">Processing attempts reported by receipts.</param>
/// <param name="FailedAttempts">Attempts that did not succeed (the extra invocations failures cost).</param>
/// <param name="Redeliveries">Attempts after the first (async retries, SQS re-deliveries).</param>
/// <param name="ProcessedByAttempt">Processed ids by the attempt that first succeeded ("1", "2", …).</param>
/// <param name="DeadLetterArrivals">DLQ and failure-destination messages for sent ids.</param>
/// <param name="Poisoned">Sent ids that carried the poison marker.</param>
/// <param name="PoisonedDeadLettered">Of those, the ones in class dlq.</param>
/// <param name="GoodDeadLettered">Ids without the poison marker in class dlq.</param>
/// <param name="DelayedGood">Ids without the poison marker processed only after a retry (held up by re-delivery).</param>
/// <param name="EndToEndMs">Intended send to the end of the first successful attempt, for processed ids.</param>
/// <param name="DelayedGoodMs">The same for <paramref name="DelayedGood"/> ids: how long they waited.</param>
/// <param name="DrainSeconds">From the end of the load until the source queues first held nothing, or null.</param>
/// <param name="Queues">Sampled queues.</param>
/// <param name="Unmatched">Receipts and dead-letter messages for ids this run never sent (another run's leftovers).</param>
/// <param name="Source">What the source reported at the end: quiescent, busy or unreachable.</param>
/// <param name="ClassesByPath">Classes per path.</param>
public sealed record LedgerReport(
    long Sent,
    ImmutableSortedDictionary<string, long> Classes,
    long Processed,
    long Duplicates,
    long DuplicatedIds,
    long Attempts,
    long FailedAttempts,
    long Redeliveries,
    ImmutableSortedDictionary<string, long> ProcessedByAttempt,
    long DeadLetterArrivals,
    long Poisoned,
    long PoisonedDeadLettered,
    long GoodDeadLettered,
    long DelayedGood,
    LatencyStats EndToEndMs,
    LatencyStats DelayedGoodMs,
    double? DrainSeconds,
    ImmutableArray<QueuePeak> Queues,
    long Unmatched,
    string Source,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, long>> ClassesByPath)
{
    /// <summary>Ids in a class.</summary>
    public long Count(DeliveryClass c) => Classes.GetValueOrDefault(c.Name());

    /// <summary>
    /// In a live snapshot only (0 in the run's reconciliation): how many ids a separate emulator counted as discarded
    /// for good since the run began (its <c>/metrics</c>), which it cannot name one by one. The live <c>lost</c> of an
    /// abort condition is the larger of this and the ids in class <c>lost</c>; the final classes stay per id.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long SourceCountedLost { get; init; }

    /// <summary>
    /// The <c>lost</c> metric: ids in class <c>lost</c> (during the run: the ids the source discarded leaving no record),
    /// or, when larger, the count a separate emulator reported during the run (<see cref="SourceCountedLost"/>).
    /// </summary>
    public long LostSoFar() => Math.Max(Count(DeliveryClass.Lost), SourceCountedLost);
}
