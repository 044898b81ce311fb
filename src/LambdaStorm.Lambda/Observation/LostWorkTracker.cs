namespace LambdaStorm.Lambda;

/// <summary>
/// Work the model discarded for good, leaving no record anywhere: the invocation id it carried will never be processed,
/// dead-lettered or expired into a destination, so the delivery ledger can call it lost at once.
/// </summary>
/// <param name="Time">Model time of the discard.</param>
/// <param name="Function">The function of a dropped async event, else null.</param>
/// <param name="Queue">The queue of a purged or expired message, else null.</param>
/// <param name="Reason">
/// <c>retries_exhausted</c>, <c>event_age_exceeded</c>, <c>function_deleted</c> (async events), <c>purged</c> or
/// <c>retention_expired</c> (SQS messages).
/// </param>
/// <param name="Id">
/// The LambdaStorm invocation id (message attribute <c>LambdaStormId</c>, else the payload's top-level <c>id</c>), or
/// null when the work carried none.
/// </param>
internal readonly record struct LostWork(DateTimeOffset Time, string? Function, string? Queue, string Reason, string? Id);

/// <summary>
/// Turns the model's discard events into <see cref="LostWork"/>, one per id that nothing can bring back. An async event
/// counts only when it is the last pending delivery of its request id and no delivery of that request succeeded or
/// reached a failure target: a duplicate delivery that still waits, or one that already succeeded, means the id is not
/// lost. An SQS message counts when it was removed by <c>PurgeQueue</c> or retention while nobody held it. The emulator's
/// <c>/metrics</c> counts these, and the delivery ledger of an in-process model takes them as per-id evidence, so the two
/// agree. Called under the model lock (as every observer): <paramref name="lost"/> must be quick and must not call back
/// into the model. Part of internal API.
/// </summary>
internal sealed class LostWorkTracker(Action<LostWork> lost) : ILambdaModelObserver
{
    // Request id -> deliveries not finished yet, and whether any of them succeeded or reached a failure target.
    private readonly Dictionary<string, (int Pending, bool Traced)> _requests = new(StringComparer.Ordinal);

    /// <summary>The wire name of a discard reason.</summary>
    public static string ReasonName(AsyncCondition condition) => condition switch
    {
        AsyncCondition.RetriesExhausted => "retries_exhausted",
        AsyncCondition.EventAgeExceeded => "event_age_exceeded",
        AsyncCondition.FunctionDeleted => "function_deleted",
        _ => "success",
    };

    /// <summary>The wire name of a queue discard reason.</summary>
    public static string ReasonName(QueueDiscardReason reason) => reason == QueueDiscardReason.Purged ? "purged" : "retention_expired";

    void ILambdaModelObserver.OnAsyncEventQueued(in AsyncEventQueued e)
    {
        var r = _requests.GetValueOrDefault(e.RequestId);
        _requests[e.RequestId] = (r.Pending + 1, r.Traced);
    }

    void ILambdaModelObserver.OnAsyncEventFinished(in AsyncEventFinished e)
    {
        if (!_requests.TryGetValue(e.RequestId, out var r))
        {
            return; // queued before this tracker watched
        }

        r = (r.Pending - 1, r.Traced || e.Condition == AsyncCondition.Success);
        if (r.Pending <= 0 && e.Condition == AsyncCondition.Success)
        {
            _requests.Remove(e.RequestId);
        }
        else
        {
            // A failed last delivery is settled by what follows: a failure record delivered, or the discard.
            _requests[e.RequestId] = r;
        }
    }

    void ILambdaModelObserver.OnDestinationDelivered(DestinationDelivery delivery, bool delivered)
    {
        if (!delivered || delivery.Kind == DestinationKind.OnSuccess || !_requests.TryGetValue(delivery.RequestId, out var r))
        {
            return;
        }

        if (r.Pending <= 0)
        {
            _requests.Remove(delivery.RequestId);
        }
        else
        {
            _requests[delivery.RequestId] = (r.Pending, true);
        }
    }

    void ILambdaModelObserver.OnAsyncEventDiscarded(in AsyncEventDiscarded e)
    {
        var (pending, traced) = _requests.GetValueOrDefault(e.RequestId);
        if (pending > 0)
        {
            return; // another delivery of the same request still waits: it decides
        }

        _requests.Remove(e.RequestId);
        if (!traced)
        {
            lost(new LostWork(e.Time, e.FunctionName, null, ReasonName(e.Condition), Receipt.IdFromPayload(e.Payload.Span)));
        }
    }

    void ILambdaModelObserver.OnQueueMessageDiscarded(in QueueMessageDiscarded e)
        => lost(new LostWork(e.Time, null, e.QueueName, ReasonName(e.Reason), e.LambdaStormId ?? Receipt.IdFromPayload(System.Text.Encoding.UTF8.GetBytes(e.Body))));
}
