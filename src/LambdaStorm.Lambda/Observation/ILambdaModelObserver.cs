namespace LambdaStorm.Lambda;

/// <summary>
/// Receives everything that happens inside a <see cref="LambdaModel"/>. Every method has an empty default, so an
/// observer implements only what it needs. Methods are called synchronously, in model-time order, <b>under the model
/// lock</b>: they must be quick, must not block, and must not call back into the model. Hosts turn these events into
/// Prometheus metrics (the emulator), statistics (<see cref="ModelStatistics"/>) or journals (simulate).
/// </summary>
internal interface ILambdaModelObserver
{
    /// <summary>An invocation (sync, or an async attempt) was admitted and an environment assigned.</summary>
    void OnInvocationAdmitted(in InvocationAdmitted e)
    {
    }

    /// <summary>An invocation was throttled (sync: a 429 to the caller; async: the event backs off).</summary>
    void OnThrottled(in InvocationThrottled e)
    {
    }

    /// <summary>An invocation was rejected with a non-throttle error (unknown function or qualifier, payload too large).</summary>
    void OnRejected(in InvocationRejected e)
    {
    }

    /// <summary>An admitted invocation needed a new environment and will run an init phase first.</summary>
    void OnColdStart(in ColdStartObserved e)
    {
    }

    /// <summary>An execution ended (success, function error or timeout).</summary>
    void OnInvocationCompleted(ExecutionResult result)
    {
    }

    /// <summary>An async event was accepted into a function's queue (also for duplicates and destination re-invocations).</summary>
    void OnAsyncEventQueued(in AsyncEventQueued e)
    {
    }

    /// <summary>An async event will be attempted again (after a function error or a throttle).</summary>
    void OnAsyncEventRetryScheduled(in AsyncEventRetryScheduled e)
    {
    }

    /// <summary>
    /// An async event reached its final state. <see cref="AsyncCondition.RetriesExhausted"/> and
    /// <see cref="AsyncCondition.EventAgeExceeded"/> are what AWS counts as <c>AsyncEventsDropped</c> [S3].
    /// </summary>
    void OnAsyncEventFinished(in AsyncEventFinished e)
    {
    }

    /// <summary>A failed async event was discarded leaving no record (no failure destination or DLQ took it).</summary>
    void OnAsyncEventDiscarded(in AsyncEventDiscarded e)
    {
    }

    /// <summary>An SQS message nobody held was removed by <c>PurgeQueue</c> or retention expiry, without a dead-letter queue.</summary>
    void OnQueueMessageDiscarded(in QueueMessageDiscarded e)
    {
    }

    /// <summary>A destination or DLQ message was handed over (<paramref name="delivered"/> false: no such target — AWS's <c>DestinationDeliveryFailures</c>).</summary>
    void OnDestinationDelivered(DestinationDelivery delivery, bool delivered)
    {
    }

    /// <summary>An execution environment was created (on demand for a cold start, or provisioned).</summary>
    void OnEnvironmentCreated(in EnvironmentCreated e)
    {
    }

    /// <summary>An execution environment was destroyed.</summary>
    void OnEnvironmentDestroyed(in EnvironmentDestroyed e)
    {
    }

    /// <summary>The number of running executions of a function (and so of the account) changed.</summary>
    void OnConcurrencyChanged(in ConcurrencyChanged e)
    {
    }

    /// <summary>An event source mapping's function finished a batch (success, partial failure, or a whole-batch failure).</summary>
    void OnEventSourceBatchCompleted(in EventSourceBatchCompleted e)
    {
    }

    /// <summary>An event source mapping's batch was throttled by the function and is held at the source.</summary>
    void OnEventSourceBatchThrottled(in EventSourceBatchThrottled e)
    {
    }

    /// <summary>An event source mapping's poller concurrency changed (scale-up, scale-down on empty, throttle).</summary>
    void OnPollerConcurrencyChanged(in PollerConcurrencyChanged e)
    {
    }

    /// <summary>The function wrote a receipt for an attempt (see <see cref="FunctionOptions.ReceiptsQueue"/>).</summary>
    void OnReceiptWritten(in ReceiptWritten e)
    {
    }
}
