namespace LambdaStorm.Lambda;

/// <summary>What happened to a synchronous invoke at the moment it was made.</summary>
internal enum InvokeStatus
{
    /// <summary>Admitted: an execution is running; its result arrives through <see cref="InvokeResponse.Completion"/> and observers.</summary>
    Admitted,

    /// <summary>Throttled: 429 <c>TooManyRequestsException</c> with a reason and Retry-After.</summary>
    Throttled,

    /// <summary>Rejected with another error (unknown function or qualifier, payload too large).</summary>
    Rejected,
}

/// <summary>
/// The immediate answer of <see cref="LambdaModel.InvokeSync(string, string?, ReadOnlyMemory{byte}, string?, Action{ExecutionResult}?)"/>:
/// admitted (with a task that completes when the execution ends in model time), throttled, or rejected.
/// </summary>
internal sealed class InvokeResponse
{
    private readonly LambdaModel? _model;
    private readonly Execution? _execution;

    private InvokeResponse(InvokeStatus status, string requestId, LambdaError? error, LambdaModel? model, Execution? execution)
    {
        Status = status;
        RequestId = requestId;
        Error = error;
        _model = model;
        _execution = execution;
    }

    /// <summary>Admitted, throttled or rejected.</summary>
    public InvokeStatus Status { get; }

    /// <summary>AWS request id (also set on throttles and rejections, as AWS sets <c>x-amzn-RequestId</c>).</summary>
    public string RequestId { get; }

    /// <summary>The error for <see cref="InvokeStatus.Throttled"/> (a <c>TooManyRequestsException</c>) and <see cref="InvokeStatus.Rejected"/>.</summary>
    public LambdaError? Error { get; }

    /// <summary>The throttle reason, when throttled.</summary>
    public ThrottleReason? ThrottleReason => Error?.Reason;

    /// <summary>Retry-After seconds, when throttled.</summary>
    public int? RetryAfterSeconds => Error?.RetryAfterSeconds;

    /// <summary>True when admitted.</summary>
    public bool IsAdmitted => Status == InvokeStatus.Admitted;

    /// <summary>True when the execution began with a cold start (known at admission).</summary>
    public bool ColdStart => _execution?.ColdStart ?? false;

    /// <summary>
    /// Completes with the execution's result when the model processes its end (continuations run asynchronously,
    /// never under the model lock). Null unless admitted. The task is created on first use, so simulations that
    /// observe results through <see cref="ILambdaModelObserver"/> pay nothing for it.
    /// </summary>
    public Task<ExecutionResult>? Completion => _execution is null ? null : _model!.GetCompletion(_execution);

    internal static InvokeResponse Admitted(LambdaModel model, Execution execution) =>
        new(InvokeStatus.Admitted, execution.RequestId, null, model, execution);

    internal static InvokeResponse Throttled(string requestId, LambdaError error) => new(InvokeStatus.Throttled, requestId, error, null, null);

    internal static InvokeResponse Rejected(string requestId, LambdaError error) => new(InvokeStatus.Rejected, requestId, error, null, null);

    /// <inheritdoc/>
    public override string ToString() => Status == InvokeStatus.Admitted ? $"Admitted {RequestId}" : $"{Status} {RequestId}: {Error}";
}

/// <summary>The immediate answer of an asynchronous invoke: accepted (202) or rejected.</summary>
/// <param name="RequestId">AWS request id of the event (shared by all its attempts).</param>
/// <param name="Error">Null when accepted.</param>
internal sealed record AsyncInvokeResponse(string RequestId, LambdaError? Error)
{
    /// <summary>True when the event was queued (HTTP 202).</summary>
    public bool IsAccepted => Error is null;
}
