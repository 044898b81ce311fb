using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>
/// Sends queue-path arrivals to <paramref name="queue"/> (SQS) and every other arrival to <paramref name="lambda"/>, so
/// one target (and one guard in front of it) serves a scenario that mixes paths. Part of internal API.
/// </summary>
internal sealed class PathRoutingTarget(IInvocationTarget lambda, IInvocationTarget queue) : IInvocationTarget
{
    /// <inheritdoc />
    public string Describe => $"{lambda.Describe}; {queue.Describe}";

    /// <inheritdoc />
    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) =>
        (request.Path == InvocationPath.Queue ? queue : lambda).InvokeAsync(request, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await lambda.DisposeAsync().ConfigureAwait(false);
        await queue.DisposeAsync().ConfigureAwait(false);
    }
}
