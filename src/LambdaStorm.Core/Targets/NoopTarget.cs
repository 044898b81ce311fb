using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>
/// The built-in in-process target: answers without a network, optionally after a simulated latency, and fails a
/// deterministic share of calls (by a hash of seed and index) so runs are reproducible. Poison pills always fail.
/// </summary>
internal sealed class NoopTarget(TargetSpec.Noop spec, int seed, TimeProvider time) : IInvocationTarget
{
    private static readonly InvocationResult ErrorResult = new(Outcome.FunctionError, "Unhandled");

    public string Describe => "noop";

    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var failed = request.Poisoned || (spec.ErrorRate > 0 && StableRandom.Unit(seed, request.Index, 0x4e00) < spec.ErrorRate);
        var delay = spec.Latency;
        if (spec.Jitter > TimeSpan.Zero)
        {
            delay += TimeSpan.FromTicks((long)(spec.Jitter.Ticks * StableRandom.Unit(seed, request.Index, 0x7177)));
        }

        if (delay <= TimeSpan.Zero)
        {
            return new ValueTask<InvocationResult>(failed ? ErrorResult : InvocationResult.Ok);
        }

        return DelayedAsync(delay, failed, cancellationToken);
    }

    private async ValueTask<InvocationResult> DelayedAsync(TimeSpan delay, bool failed, CancellationToken cancellationToken)
    {
        await time.DelayAsync(delay, cancellationToken).ConfigureAwait(false);
        return failed ? ErrorResult : InvocationResult.Ok;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
