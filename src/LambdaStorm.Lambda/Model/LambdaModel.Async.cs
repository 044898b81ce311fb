using System.Text;

namespace LambdaStorm.Lambda;

/// <summary>Asynchronous invocation: the per-function event queue, retries, event age, destinations and duplicates (§2.3, §4).</summary>
internal sealed partial class LambdaModel
{
    /// <summary>
    /// Asynchronous (<c>Event</c>) invoke, now: accepted (HTTP 202) into the function's internal queue, or rejected
    /// (unknown function/qualifier, payload over 1 MB). The model then attempts the event as capacity allows:
    /// throttles back off exponentially from 1 s to 5 min [S11]; function errors are retried
    /// <c>MaximumRetryAttempts</c> times after the configured delays (1 min, 2 min) [S11]; events older than
    /// <c>MaximumEventAgeInSeconds</c> expire; reserved concurrency 0 sends events straight to the failure target
    /// [S5][S12]. Outcomes go to the on-success/on-failure destinations and the DLQ as AWS invocation records.
    /// </summary>
    /// <param name="functionName">Name, <c>name:qualifier</c>, or a full or partial ARN.</param>
    /// <param name="qualifier">Version, alias or <c>$LATEST</c>; null for unqualified.</param>
    /// <param name="payload">Event payload (copied).</param>
    /// <param name="requestId">Request id to use; generated when null.</param>
    public AsyncInvokeResponse InvokeAsync(string functionName, string? qualifier, ReadOnlyMemory<byte> payload, string? requestId = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            return InvokeAsyncLocked(functionName, qualifier, payload, requestId);
        }
    }

    /// <summary>Asynchronous invoke with a text payload (UTF-8).</summary>
    public AsyncInvokeResponse InvokeAsync(string functionName, string? qualifier, string payload, string? requestId = null) =>
        InvokeAsync(functionName, qualifier, Encoding.UTF8.GetBytes(payload ?? ""), requestId);

    private AsyncInvokeResponse InvokeAsyncLocked(string functionName, string? qualifier, ReadOnlyMemory<byte> payload, string? requestId)
    {
        requestId ??= RequestIds.Next(_random);
        var error = Resolve(functionName, qualifier, out var f, out _, out var key);
        if (error is null && payload.Length > _account.MaxAsyncPayloadBytes)
        {
            error = LambdaErrors.PayloadTooLarge(_account.MaxAsyncPayloadBytes); // 1 MB async [S25] (§3)
        }

        if (error is not null)
        {
            NotifyRejected(functionName, requestId, InvocationType.Event, error);
            return new AsyncInvokeResponse(requestId, error);
        }

        var config = f!.EventInvokeConfigs.TryGetValue(key!, out var explicitConfig) ? explicitConfig.Settings : f.DefaultAsyncConfig;
        var asyncEvent = Enqueue(f, key!, payload.ToArray(), requestId, config, isDuplicate: false);
        AttemptAsync(asyncEvent);
        return new AsyncInvokeResponse(requestId, null);
    }

    private AsyncEvent Enqueue(FunctionState f, string qualifier, ReadOnlyMemory<byte> payload, string requestId, EventInvokeSettings config, bool isDuplicate)
    {
        var asyncEvent = new AsyncEvent
        {
            Seq = ++_nextAsyncSeq,
            RequestId = requestId,
            Function = f,
            Qualifier = qualifier,
            Payload = payload,
            EnqueuedTicks = _nowTicks,
            ExpiresTicks = _nowTicks + (config.MaximumEventAgeInSeconds * TimeSpan.TicksPerSecond),
            Config = config,
            IsDuplicate = isDuplicate,
            NextBackoffTicks = _account.AsyncThrottleInitialBackoff.Ticks,
        };
        f.PendingAsync.Add(asyncEvent.Seq, asyncEvent);
        _pendingAsync++;
        if (_observers.Length > 0)
        {
            var e = new AsyncEventQueued(ToTime(_nowTicks), f.Name, qualifier, requestId, isDuplicate);
            foreach (var o in _observers)
            {
                o.OnAsyncEventQueued(in e);
            }
        }

        return asyncEvent;
    }

    /// <summary>Tries to run an async event now; on a throttle it backs off, on expiry it fails with EventAgeExceeded.</summary>
    private void AttemptAsync(AsyncEvent ev)
    {
        if (ev.Finished || ev.Executing)
        {
            return;
        }

        var f = ev.Function;
        if (f.Deleted)
        {
            Finish(ev, AsyncCondition.FunctionDeleted);
            return;
        }

        if (_nowTicks >= ev.ExpiresTicks)
        {
            Finish(ev, AsyncCondition.EventAgeExceeded);
            return;
        }

        if (f.Reserved == 0)
        {
            // Reserved concurrency 0: events go to the DLQ / on-failure destination without retries [S5][S12] (§1.3).
            ev.LastRefusalStatus ??= 429;
            NotifyThrottled(f, ev.Qualifier, ev.RequestId, InvocationType.Event, ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded, 1);
            Finish(ev, AsyncCondition.RetriesExhausted);
            return;
        }

        var version = f.ResolveVersion(ev.Qualifier);
        if (version is null)
        {
            // The version or alias was deleted while the event waited.
            ev.LastRefusalStatus ??= 404;
            Finish(ev, AsyncCondition.RetriesExhausted);
            return;
        }

        var env = TryAdmit(f, version, ev.Qualifier, out var reason, out var retryAfterTicks, out var cold);
        if (env is null)
        {
            // Throttles re-queue the event with exponential back-off from 1 s to 5 min, without using up
            // MaximumRetryAttempts; the event age still bounds them [S11] (§2.3).
            ev.LastRefusalStatus ??= 429;
            NotifyThrottled(f, ev.Qualifier, ev.RequestId, InvocationType.Event, reason, RetryAfterSeconds(retryAfterTicks));
            var backoff = ev.NextBackoffTicks;
            ev.NextBackoffTicks = Math.Min(backoff * 2, _account.AsyncThrottleMaxBackoff.Ticks);
            ScheduleRetry(ev, AsyncRetryCause.Throttled, Math.Min(_nowTicks + backoff, ev.ExpiresTicks));
            return;
        }

        ev.InvokeCount++;
        ev.Executing = true;
        ev.NextBackoffTicks = _account.AsyncThrottleInitialBackoff.Ticks;
        StartExecution(f, env, ev.Qualifier, cold, InvocationType.Event, ev.Payload, ev.RequestId, ev, ev.InvokeCount, null);

        if (ev.InvokeCount == 1 && !ev.IsDuplicate && f.DuplicateProbability > 0 && _random.NextDouble() < f.DuplicateProbability)
        {
            // The async queue is eventually consistent: an event can be delivered twice without any error [S11] (§4).
            var duplicate = Enqueue(f, ev.Qualifier, ev.Payload, ev.RequestId, ev.Config, isDuplicate: true);
            AttemptAsync(duplicate);
        }
    }

    private void OnAsyncAttemptEnded(AsyncEvent ev, ExecutionResult result)
    {
        ev.Executing = false;
        ev.LastResult = result;
        if (result.IsSuccess)
        {
            Finish(ev, AsyncCondition.Success);
            return;
        }

        if (ev.InvokeCount > ev.Config.MaximumRetryAttempts)
        {
            Finish(ev, AsyncCondition.RetriesExhausted);
            return;
        }

        // Function errors: retry n after AsyncRetryDelays[n-1] (1 min, then 2 min [S11] (§4)); an expiry before then wins.
        var delays = _account.AsyncRetryDelays;
        var delay = delays[Math.Min(ev.InvokeCount - 1, delays.Count - 1)];
        ScheduleRetry(ev, AsyncRetryCause.FunctionError, Math.Min(_nowTicks + delay.Ticks, ev.ExpiresTicks));
    }

    private void ScheduleRetry(AsyncEvent ev, AsyncRetryCause cause, long dueTicks)
    {
        Schedule(dueTicks, ModelEventKind.AsyncAttempt, ev);
        if (_observers.Length > 0)
        {
            var e = new AsyncEventRetryScheduled(ToTime(_nowTicks), ev.Function.Name, ev.RequestId, cause, ev.InvokeCount, ToTime(dueTicks), ev.IsDuplicate);
            foreach (var o in _observers)
            {
                o.OnAsyncEventRetryScheduled(in e);
            }
        }
    }

    private void Finish(AsyncEvent ev, AsyncCondition condition)
    {
        if (ev.Finished)
        {
            return;
        }

        ev.Finished = true;
        var f = ev.Function;
        f.PendingAsync.Remove(ev.Seq);
        _pendingAsync--;
        if (_observers.Length > 0)
        {
            var e = new AsyncEventFinished(ToTime(_nowTicks), f.Name, ev.Qualifier, ev.RequestId, condition, ev.InvokeCount, TimeSpan.FromTicks(_nowTicks - ev.EnqueuedTicks), ev.IsDuplicate);
            foreach (var o in _observers)
            {
                o.OnAsyncEventFinished(in e);
            }
        }

        if (condition == AsyncCondition.FunctionDeleted)
        {
            NotifyDiscarded(ev, condition);
            return;
        }

        var functionArn = $"{f.Arn}:{ev.Qualifier}";
        if (condition == AsyncCondition.Success)
        {
            if (ev.Config.OnSuccess is { } onSuccess)
            {
                Deliver(onSuccess, DestinationKind.OnSuccess, ev, condition, functionArn);
            }

            return;
        }

        var recorded = false;
        if (ev.Config.OnFailure is { } onFailure)
        {
            recorded |= Deliver(onFailure, DestinationKind.OnFailure, ev, condition, functionArn);
        }

        if (f.DeadLetterArn is { } deadLetter)
        {
            recorded |= Deliver(deadLetter, DestinationKind.DeadLetter, ev, condition, functionArn);
        }

        if (!recorded)
        {
            NotifyDiscarded(ev, condition);
        }
    }

    /// <summary>Tells the observers that a failed event left no record anywhere (no failure target took it).</summary>
    private void NotifyDiscarded(AsyncEvent ev, AsyncCondition condition)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var e = new AsyncEventDiscarded(ToTime(_nowTicks), ev.Function.Name, ev.RequestId, condition, ev.Payload, ev.IsDuplicate);
        foreach (var o in _observers)
        {
            o.OnAsyncEventDiscarded(in e);
        }
    }

    /// <summary>Hands a record or DLQ message to its target; true when the target took it.</summary>
    private bool Deliver(string targetArn, DestinationKind kind, AsyncEvent ev, AsyncCondition condition, string functionArn)
    {
        var timestamp = ToTime(_nowTicks);
        string body;
        IReadOnlyDictionary<string, string> attributes;
        if (kind == DestinationKind.DeadLetter)
        {
            // A DLQ gets the raw event plus RequestID, ErrorCode (HTTP status) and ErrorMessage (first 1 KB) [S12] (§4).
            body = Encoding.UTF8.GetString(ev.Payload.Span);
            var message = ev.LastResult?.ErrorMessage ?? (condition == AsyncCondition.EventAgeExceeded ? "Event age exceeded" : "Rate Exceeded.");
            attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["RequestID"] = ev.RequestId,
                ["ErrorCode"] = (ev.LastResult is null ? ev.LastRefusalStatus ?? 429 : 200).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ErrorMessage"] = message.Length > 1024 ? message[..1024] : message,
            };
        }
        else
        {
            body = InvocationRecord.Build(timestamp, ev.RequestId, functionArn, condition, ev.InvokeCount, ev.Payload, ev.LastResult, ev.LastRefusalStatus);
            attributes = EmptyAttributes;
        }

        var delivery = new DestinationDelivery
        {
            TargetArn = targetArn,
            Kind = kind,
            FunctionName = ev.Function.Name,
            RequestId = ev.RequestId,
            Condition = condition,
            ApproximateInvokeCount = ev.InvokeCount,
            Body = body,
            Attributes = attributes,
            Timestamp = timestamp,
        };

        bool delivered;
        if (FunctionReference.TryParse(targetArn, out var reference) && targetArn.Contains(":function:", StringComparison.Ordinal) && _functions.ContainsKey(reference.Name))
        {
            // A destination function in the model is invoked asynchronously with the record as its event [S12].
            delivered = InvokeAsyncLocked(reference.Name, reference.Qualifier, Encoding.UTF8.GetBytes(body), null).IsAccepted;
        }
        else if (TryDeliverToQueueLocked(targetArn, body, attributes))
        {
            // A queue of the model receives the record (or the DLQ message) as a message (issue 5).
            delivered = true;
        }
        else
        {
            delivered = _sink?.TryDeliver(delivery) ?? false;
        }

        foreach (var o in _observers)
        {
            o.OnDestinationDelivered(delivery, delivered);
        }

        return delivered;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyAttributes = new Dictionary<string, string>();
}
