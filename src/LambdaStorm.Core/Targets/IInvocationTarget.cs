using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>One invocation as the engine hands it to a target.</summary>
/// <param name="Id">Unique invocation id, also in the payload; the ledger reconciles by it.</param>
/// <param name="Index">Arrival index in the global schedule (closed model: an iteration number past the open arrivals).</param>
/// <param name="Path">The invocation path.</param>
/// <param name="IntendedTime">When the schedule wanted it sent.</param>
/// <param name="Poisoned">Whether the payload carries the poison marker.</param>
/// <param name="Payload">The rendered payload.</param>
public readonly record struct InvocationRequest(string Id, long Index, InvocationPath Path, DateTimeOffset IntendedTime, bool Poisoned, string Payload);

/// <summary>How an invocation ended.</summary>
/// <param name="Outcome">Outcome class.</param>
/// <param name="Reason">A reason label (the throttle <c>Reason</c>, an HTTP status), or null.</param>
/// <param name="Sampled">True when the call asked for the log tail, so <paramref name="ColdStart"/> is known.</param>
/// <param name="ColdStart">For sampled calls: whether the REPORT line showed an init phase (a cold start).</param>
public readonly record struct InvocationResult(Outcome Outcome, string? Reason = null, bool Sampled = false, bool ColdStart = false)
{
    /// <summary>A plain success.</summary>
    public static readonly InvocationResult Ok = new(Outcome.Ok);
}

/// <summary>
/// Something the engine can invoke: the noop target, an HTTP endpoint, and later Lambda and SQS clients.
/// Implementations must be safe to call concurrently and must never throw for a failed call: failures are outcomes.
/// </summary>
public interface IInvocationTarget : IAsyncDisposable
{
    /// <summary>Short name for reports (e.g. <c>noop</c>, <c>http://127.0.0.1:8080/</c>).</summary>
    string Describe { get; }

    /// <summary>Sends one invocation and classifies how it ended.</summary>
    ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}
