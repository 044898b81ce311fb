using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Ledger;

/// <summary>
/// Where <see cref="SendRecordingTarget"/> puts what it sees: the ledger's journal in a one-process run, a
/// <see cref="SendLog"/> shipped to the coordinator with every interval snapshot on a cluster agent. Part of internal API.
/// </summary>
internal interface ISendRecorder
{
    /// <summary>An async or queue send is about to be made (called on the caller's thread, before the call).</summary>
    void Sending(in InvocationRequest request);

    /// <summary>That send ended with <paramref name="result"/>.</summary>
    void Sent(in InvocationRequest request, in InvocationResult result);
}

/// <summary>
/// Wraps a run's target: every async and queue send is recorded (before the call, and its failure after it), and the
/// queue path goes to the queue target (SQS) when there is one. The one code path for recording sends, used by the
/// ledger of a one-process run and by every cluster agent. Part of internal API.
/// </summary>
/// <param name="recorder">Where the sends are recorded.</param>
/// <param name="lambda">The Lambda target (sync and async, and the queue path when <paramref name="queue"/> is null).</param>
/// <param name="queue">The queue target, or null.</param>
/// <param name="ownsTargets">Disposes both targets with this one.</param>
internal sealed class SendRecordingTarget(ISendRecorder recorder, IInvocationTarget lambda, IInvocationTarget? queue, bool ownsTargets = false) : IInvocationTarget, Chaos.IUnsentCalls
{
    /// <summary>A client fault stopped the send: the id was due, and its send failed (class <c>rejected</c>).</summary>
    public void NotSent(InvocationRequest request, InvocationResult result)
    {
        if (request.Path is InvocationPath.Async or InvocationPath.Queue)
        {
            recorder.Sending(request);
            recorder.Sent(request, result);
        }
    }

    /// <inheritdoc />
    public string Describe => queue is null ? lambda.Describe : $"{lambda.Describe}; {queue.Describe}";

    /// <inheritdoc />
    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is not (InvocationPath.Async or InvocationPath.Queue))
        {
            return lambda.InvokeAsync(request, cancellationToken);
        }

        // Recorded synchronously, on the dispatcher's thread, so sends are recorded in the order they were fired.
        recorder.Sending(request);
        return SendAsync(request, cancellationToken);
    }

    private async ValueTask<InvocationResult> SendAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var target = request.Path == InvocationPath.Queue ? queue ?? lambda : lambda;
        InvocationResult result;
        try
        {
            result = await target.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The engine counts an escaped exception as a transport error; so does the ledger.
            recorder.Sent(request, new InvocationResult(Outcome.TransportError, ex.GetType().Name));
            throw;
        }

        recorder.Sent(request, result);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!ownsTargets)
        {
            return;
        }

        await lambda.DisposeAsync().ConfigureAwait(false);
        if (queue is not null)
        {
            await queue.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// What a cluster agent sent on the async and queue paths since the last <see cref="Take"/>: open-model arrivals by
/// index (their id, path, poison flag and intended time follow from the index, so only the index travels),
/// closed-model calls with their intended time, failed sends by outcome, the sends still in flight, and the
/// <i>frontier</i>: every async or queue arrival of this agent below it has been recorded. The agent's dispatcher
/// fires open arrivals in index order and records each one before its call, so the frontier only moves forward and
/// a dead agent's unreported sends all lie at or above its last reported frontier. Thread-safe. Part of internal API.
/// </summary>
/// <param name="openArrivals">Arrivals of the open-model schedule (indices from here on are closed-model calls).</param>
internal sealed class SendLog(long openArrivals) : ISendRecorder
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _inFlight = [];
    private List<long> _sent = [];
    private List<long> _closed = [];
    private Dictionary<string, List<long>> _failed = new(StringComparer.Ordinal);
    private long _frontier;

    /// <summary>The run's start on this agent's clock: closed-model intended times are sent relative to it.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <inheritdoc />
    public void Sending(in InvocationRequest request)
    {
        lock (_gate)
        {
            if (request.Index < openArrivals)
            {
                _sent.Add(request.Index);
                _frontier = Math.Max(_frontier, request.Index + 1);
            }
            else
            {
                _closed.Add(request.Index);
                _closed.Add((request.IntendedTime - StartedAt).Ticks / TimeSpan.TicksPerMicrosecond);
            }

            _inFlight.Add(request.Index);
        }
    }

    /// <inheritdoc />
    public void Sent(in InvocationRequest request, in InvocationResult result)
    {
        lock (_gate)
        {
            _inFlight.Remove(request.Index);
            if (result.Outcome != Outcome.Ok)
            {
                var name = Outcomes.Name(result.Outcome);
                if (!_failed.TryGetValue(name, out var list))
                {
                    _failed[name] = list = [];
                }

                list.Add(request.Index);
            }
        }
    }

    /// <summary>Everything recorded since the last call, plus the sends in flight now and the frontier.</summary>
    public SendBatch Take()
    {
        lock (_gate)
        {
            var batch = new SendBatch([.. _sent], [.. _closed], _failed.Select(kv => new FailedSends(kv.Key, [.. kv.Value])).ToArray(), [.. _inFlight.Order()], _frontier);
            _sent = [];
            _closed = [];
            _failed = new(StringComparer.Ordinal);
            return batch;
        }
    }
}

/// <summary>Failed sends with one outcome.</summary>
/// <param name="Outcome">The outcome's wire name (<see cref="Outcomes.Name"/>).</param>
/// <param name="Indices">Arrival indices.</param>
public sealed record FailedSends(string Outcome, long[] Indices);

/// <summary>
/// One interval's async and queue sends of one agent, as the coordinator's ledger needs them (see <see cref="SendLog"/>).
/// It travels inside the agent's snapshot.
/// </summary>
/// <param name="Sent">Open-model arrival indices sent (the send started).</param>
/// <param name="Closed">Closed-model calls as pairs: arrival index, then the intended time in µs since the run's start.</param>
/// <param name="Failed">Sends that failed, by outcome.</param>
/// <param name="InFlight">Indices whose send had not ended when the batch was taken.</param>
/// <param name="Frontier">Every async or queue arrival of this agent below this index has been recorded.</param>
public sealed record SendBatch(long[] Sent, long[] Closed, FailedSends[] Failed, long[] InFlight, long Frontier)
{
    /// <summary>True when the batch has nothing new to record.</summary>
    public bool IsEmpty => Sent.Length == 0 && Closed.Length == 0 && Failed.Length == 0;

    /// <summary>
    /// Records the batch in <paramref name="ledger"/>: ids, paths and poison flags come from <paramref name="factory"/>,
    /// open-model intended times from <paramref name="schedule"/> and the run's start <paramref name="startAt"/> (the
    /// coordinator's clock: the same time base as the receipts).
    /// </summary>
    internal void RecordIn(ILedgerInput ledger, InvocationFactory factory, LoadSchedule schedule, DateTimeOffset startAt)
    {
        foreach (var i in Sent)
        {
            var at = schedule.ArrivalTime(i) ?? 0;
            ledger.RecordSent(factory.IdOf(i), factory.PathOf(i), startAt + TimeSpan.FromSeconds(at), factory.IsPoisoned(i));
        }

        for (var k = 0; k + 1 < Closed.Length; k += 2)
        {
            var i = Closed[k];
            ledger.RecordSent(factory.IdOf(i), factory.PathOf(i), startAt + TimeSpan.FromTicks(Closed[k + 1] * TimeSpan.TicksPerMicrosecond), factory.IsPoisoned(i));
        }

        foreach (var f in Failed)
        {
            foreach (var i in f.Indices)
            {
                ledger.RecordSendFailed(factory.IdOf(i), f.Outcome);
            }
        }
    }
}
