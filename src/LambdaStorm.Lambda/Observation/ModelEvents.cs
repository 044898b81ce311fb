namespace LambdaStorm.Lambda;

/// <summary>An invocation was admitted.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Qualifier">Qualifier used ($LATEST when unqualified).</param>
/// <param name="ExecutedVersion">Version that will run.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="InvocationType">Sync or async.</param>
/// <param name="ColdStart">True when a new environment initialises first.</param>
/// <param name="Provisioned">True when a provisioned environment serves it.</param>
/// <param name="Attempt">Attempt number (async), 1 for sync.</param>
internal readonly record struct InvocationAdmitted(
    DateTimeOffset Time, string FunctionName, string Qualifier, string ExecutedVersion, string RequestId,
    InvocationType InvocationType, bool ColdStart, bool Provisioned, int Attempt);

/// <summary>An invocation was throttled.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Qualifier">Qualifier used.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="InvocationType">Sync or async.</param>
/// <param name="Reason">AWS throttle reason.</param>
/// <param name="RetryAfterSeconds">Retry-After sent to a sync caller.</param>
internal readonly record struct InvocationThrottled(
    DateTimeOffset Time, string FunctionName, string Qualifier, string RequestId, InvocationType InvocationType,
    ThrottleReason Reason, int RetryAfterSeconds);

/// <summary>An invocation was rejected with a non-throttle error.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function name as given.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="InvocationType">Sync or async.</param>
/// <param name="Error">The AWS error.</param>
internal readonly record struct InvocationRejected(DateTimeOffset Time, string FunctionName, string RequestId, InvocationType InvocationType, LambdaError Error);

/// <summary>A cold start began.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Version">Version being initialised.</param>
/// <param name="RequestId">The request that triggered it.</param>
/// <param name="EnvironmentId">New environment id.</param>
/// <param name="InitDuration">Sampled init duration.</param>
internal readonly record struct ColdStartObserved(DateTimeOffset Time, string FunctionName, string Version, string RequestId, long EnvironmentId, TimeSpan InitDuration);

/// <summary>An async event was queued.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Qualifier">Qualifier.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="IsDuplicate">True for a duplicate delivery.</param>
internal readonly record struct AsyncEventQueued(DateTimeOffset Time, string FunctionName, string Qualifier, string RequestId, bool IsDuplicate);

/// <summary>Why an async event will be attempted again.</summary>
internal enum AsyncRetryCause
{
    /// <summary>The last attempt failed (counts against <c>MaximumRetryAttempts</c>).</summary>
    FunctionError,

    /// <summary>The last attempt was throttled (does not count; exponential back-off) [S11].</summary>
    Throttled,
}

/// <summary>An async event retry was scheduled.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="Cause">Function error or throttle.</param>
/// <param name="AttemptsSoFar">Attempts that ran so far.</param>
/// <param name="DueTime">When the next attempt happens (or the event expires, if earlier).</param>
/// <param name="IsDuplicate">True for a duplicate delivery.</param>
internal readonly record struct AsyncEventRetryScheduled(DateTimeOffset Time, string FunctionName, string RequestId, AsyncRetryCause Cause, int AttemptsSoFar, DateTimeOffset DueTime, bool IsDuplicate);

/// <summary>An async event reached its final state.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Qualifier">Qualifier.</param>
/// <param name="RequestId">Request id.</param>
/// <param name="Condition">How it ended.</param>
/// <param name="InvokeCount">Attempts that ran (AWS's approximateInvokeCount).</param>
/// <param name="Age">Time from queueing to the end.</param>
/// <param name="IsDuplicate">True for a duplicate delivery.</param>
internal readonly record struct AsyncEventFinished(DateTimeOffset Time, string FunctionName, string Qualifier, string RequestId, AsyncCondition Condition, int InvokeCount, TimeSpan Age, bool IsDuplicate);

/// <summary>An execution environment was created.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Version">Version it runs.</param>
/// <param name="EnvironmentId">Environment id.</param>
/// <param name="Provisioned">True for a provisioned environment.</param>
internal readonly record struct EnvironmentCreated(DateTimeOffset Time, string FunctionName, string Version, long EnvironmentId, bool Provisioned);

/// <summary>Why an environment was destroyed.</summary>
internal enum EnvironmentEndReason
{
    /// <summary>Idle longer than the reap time (about 10 min [S31]).</summary>
    Idle,

    /// <summary>Older than the maximum lifetime (about 2 h [S31]).</summary>
    Lifetime,

    /// <summary>Its configuration changed (UpdateFunctionConfiguration, alias retarget).</summary>
    Stale,

    /// <summary>Provisioned concurrency was lowered or removed.</summary>
    ProvisionedRemoved,

    /// <summary>The function was deleted.</summary>
    FunctionDeleted,
}

/// <summary>An execution environment was destroyed.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="Version">Version it ran.</param>
/// <param name="EnvironmentId">Environment id.</param>
/// <param name="Provisioned">True for a provisioned environment.</param>
/// <param name="Reason">Why.</param>
internal readonly record struct EnvironmentDestroyed(DateTimeOffset Time, string FunctionName, string Version, long EnvironmentId, bool Provisioned, EnvironmentEndReason Reason);

/// <summary>Running executions changed.</summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function whose count changed.</param>
/// <param name="FunctionConcurrency">Its running executions now.</param>
/// <param name="AccountConcurrency">Running executions of the account now.</param>
internal readonly record struct ConcurrencyChanged(DateTimeOffset Time, string FunctionName, int FunctionConcurrency, int AccountConcurrency);

/// <summary>
/// A failed async event was discarded leaving no record: no on-failure destination or DLQ took it (none configured, or
/// the delivery failed), or its function was deleted. Fired after <see cref="ILambdaModelObserver.OnAsyncEventFinished"/>
/// and the destination deliveries of the same event.
/// </summary>
/// <param name="Time">Model time.</param>
/// <param name="FunctionName">Function.</param>
/// <param name="RequestId">Request id (shared by a duplicate delivery and its original).</param>
/// <param name="Condition">Why it ended: retries exhausted, event age exceeded or function deleted.</param>
/// <param name="Payload">The event payload.</param>
/// <param name="IsDuplicate">True for a duplicate delivery.</param>
internal readonly record struct AsyncEventDiscarded(DateTimeOffset Time, string FunctionName, string RequestId, AsyncCondition Condition, ReadOnlyMemory<byte> Payload, bool IsDuplicate);

/// <summary>Why the model removed an SQS message that nobody processed.</summary>
internal enum QueueDiscardReason
{
    /// <summary><c>PurgeQueue</c>.</summary>
    Purged,

    /// <summary>It outlived the queue's <c>MessageRetentionPeriod</c>.</summary>
    RetentionExpired,
}

/// <summary>
/// An SQS message was removed while no consumer held it (visible or delayed, not in flight) and without going to a
/// dead-letter queue: nobody can process it any more. Messages removed while in flight are not reported (the consumer
/// holding one may still finish it).
/// </summary>
/// <param name="Time">Model time.</param>
/// <param name="QueueName">The queue.</param>
/// <param name="MessageId">SQS message id.</param>
/// <param name="Reason">Purged or retention expired.</param>
/// <param name="Body">Message body.</param>
/// <param name="LambdaStormId">The <c>LambdaStormId</c> message attribute, if present.</param>
internal readonly record struct QueueMessageDiscarded(DateTimeOffset Time, string QueueName, string MessageId, QueueDiscardReason Reason, string Body, string? LambdaStormId);
