using LambdaStorm.Engine;
using LambdaStorm.Lambda;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>
/// Invokes a function of the hosted Lambda model directly, without HTTP: <c>sync</c> is <c>Invoke</c> with
/// <c>RequestResponse</c> (throttles come back with their <c>Reason</c>), <c>async</c> is <c>Invoke</c> with
/// <c>Event</c> (202 once queued). Part of internal API.
/// </summary>
internal sealed class ModelTarget(ModelHost host, string function) : IInvocationTarget
{
    public string Describe => $"emulator model ({function})";

    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return request.Path switch
            {
                InvocationPath.Async => new ValueTask<InvocationResult>(InvokeEvent(request)),
                _ => InvokeRequestResponse(request, cancellationToken),
            };
        }
        finally
        {
            host.Flush();
        }
    }

    private ValueTask<InvocationResult> InvokeRequestResponse(InvocationRequest request, CancellationToken cancellationToken)
    {
        var completion = host.NewCompletion();
        var response = host.Model.InvokeSync(function, null, request.Payload, null, r => host.Complete(completion, Map(r)));
        return response.Status switch
        {
            InvokeStatus.Admitted => new ValueTask<InvocationResult>(WithCancellation(completion, cancellationToken)),
            InvokeStatus.Throttled => new ValueTask<InvocationResult>(new InvocationResult(Outcome.Throttled, response.ThrottleReason?.ToString() ?? LambdaErrors.TooManyRequests)),
            _ => new ValueTask<InvocationResult>(Rejected(response.Error)),
        };
    }

    private InvocationResult InvokeEvent(InvocationRequest request)
    {
        var response = host.Model.InvokeAsync(function, null, request.Payload, null);
        return response.IsAccepted ? InvocationResult.Ok : Rejected(response.Error);
    }

    /// <summary>The engine gives up on a call (graceful stop ran out): the caller stops waiting, as a client would.</summary>
    private static Task<InvocationResult> WithCancellation(TaskCompletionSource<InvocationResult> completion, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
            completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return completion.Task;
    }

    /// <summary>Classifies an execution result: timeouts, function errors, success.</summary>
    internal static InvocationResult Map(ExecutionResult r) => (r switch
    {
        { TimedOut: true } => new InvocationResult(Outcome.Timeout, ExecutionResult.TimeoutErrorType),
        { FunctionError: { } kind } => new InvocationResult(Outcome.FunctionError, kind),
        _ => InvocationResult.Ok,
    }) with { Sampled = true, ColdStart = r.ColdStart }; // the model knows every invocation's cold start

    private static InvocationResult Rejected(LambdaError? error) => error switch
    {
        { StatusCode: >= 500 } => new InvocationResult(Outcome.ServerError, error.ExceptionName),
        { StatusCode: 429 } => new InvocationResult(Outcome.Throttled, error.Reason?.ToString() ?? error.ExceptionName),
        _ => new InvocationResult(Outcome.ClientError, error?.ExceptionName ?? "Rejected"),
    };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
