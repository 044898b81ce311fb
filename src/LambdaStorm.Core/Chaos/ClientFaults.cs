using System.Globalization;
using LambdaStorm.Targets;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;
using EngineOutcome = LambdaStorm.Engine.Outcome;

namespace LambdaStorm.Chaos;

/// <summary>
/// A target wrapper that records calls a caller-side fault stopped before they were sent, so that the delivery ledger
/// accounts for them (an async or queue id whose send failed is <c>rejected</c>). Part of internal API.
/// </summary>
internal interface IUnsentCalls
{
    /// <summary>The call was not sent: <paramref name="result"/> is what the caller saw instead.</summary>
    void NotSent(InvocationRequest request, InvocationResult result);
}

/// <summary>
/// The <c>client-faults</c> chaos action: Polly.Core's chaos strategies (Simmy) in front of the run's target. One
/// pipeline on the run's <see cref="TimeProvider"/> holds, in this order, <c>AddChaosLatency</c> (added latency, so it
/// shows in the latency the engine measures from the intended time), <c>AddChaosFault</c> (a send that fails before it
/// leaves; the caller records it as <c>client_error</c> with reason <see cref="Reason"/>) and <c>AddChaosOutcome</c> (a
/// throttle answered at the caller: <c>throttled</c>, reason <see cref="Reason"/>). Each strategy's
/// <c>EnabledGenerator</c> and <c>InjectionRateGenerator</c> read the action applied right now, so
/// <see cref="Apply"/> and <see cref="Revert"/> only flip a field: nothing outside this process changes, nothing needs
/// rolling back after a crash. Independent of where it runs (the one-process run, a cluster agent). Part of internal API.
/// </summary>
internal sealed class ClientFaultInjector
{
    /// <summary>The reason label of a call a client fault failed or throttled (it was never sent).</summary>
    public const string Reason = "client_fault";

    private static readonly ResiliencePropertyKey<ChaosAction.ClientFaults> ActiveKey = new("lambdastorm.client-faults");
    private static readonly ResiliencePropertyKey<bool> NotSentKey = new("lambdastorm.client-faults.not-sent");

    private readonly ResiliencePipeline<InvocationResult> _pipeline;
    private readonly Action<ChaosAction.ClientFaults, string>? _injected;
    private ChaosAction.ClientFaults? _active;

    /// <param name="time">The run's clock: added latency waits on it.</param>
    /// <param name="injected">Called on every injection with the action and what was injected (marks it effective).</param>
    /// <param name="randomizer">Draws in [0, 1) that decide each injection; Polly's default when null (tests pass a seeded one).</param>
    public ClientFaultInjector(TimeProvider time, Action<ChaosAction.ClientFaults, string>? injected = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _injected = injected;
        var builder = new ResiliencePipelineBuilder<InvocationResult> { Name = "lambdastorm-client-faults", TimeProvider = time };
        var latency = new ChaosLatencyStrategyOptions
        {
            EnabledGenerator = a => Enabled(a.Context, f => f.Latency > TimeSpan.Zero && f.LatencyRate > 0),
            InjectionRateGenerator = a => Rate(a.Context, f => f.LatencyRate),
            LatencyGenerator = a => ValueTask.FromResult(Active(a.Context).Latency),
            OnLatencyInjected = a => Injected(a.Context, string.Create(CultureInfo.InvariantCulture, $"{a.Latency.TotalMilliseconds:0} ms added at the caller")),
        };
        var fault = new ChaosFaultStrategyOptions
        {
            EnabledGenerator = a => Enabled(a.Context, f => f.FailRate > 0),
            InjectionRateGenerator = a => Rate(a.Context, f => f.FailRate),
            FaultGenerator = _ => ValueTask.FromResult<Exception?>(new ClientFaultException()),
            OnFaultInjected = a => Injected(a.Context, "a send failed at the caller"),
        };
        var outcome = new ChaosOutcomeStrategyOptions<InvocationResult>
        {
            EnabledGenerator = a => Enabled(a.Context, f => f.ThrottleRate > 0),
            InjectionRateGenerator = a => Rate(a.Context, f => f.ThrottleRate),
            OutcomeGenerator = _ => ValueTask.FromResult<Outcome<InvocationResult>?>(Outcome.FromResult(new InvocationResult(EngineOutcome.Throttled, Reason))),
            OnOutcomeInjected = a =>
            {
                a.Context.Properties.Set(NotSentKey, true);
                return Injected(a.Context, "a call throttled at the caller");
            },
        };
        if (randomizer is not null)
        {
            latency.Randomizer = fault.Randomizer = outcome.Randomizer = randomizer;
        }

        _pipeline = builder.AddChaosLatency(latency).AddChaosFault(fault).AddChaosOutcome(outcome).Build();
    }

    /// <summary>The action applied right now, or null.</summary>
    public ChaosAction.ClientFaults? Current => Volatile.Read(ref _active);

    /// <summary>Starts injecting <paramref name="action"/>'s faults into the calls that follow.</summary>
    public void Apply(ChaosAction.ClientFaults action) => Volatile.Write(ref _active, action);

    /// <summary>Stops injecting <paramref name="action"/>'s faults (calls already delayed finish their delay).</summary>
    public void Revert(ChaosAction.ClientFaults action) => Interlocked.CompareExchange(ref _active, null, action);

    /// <summary>Puts the injector in front of <paramref name="inner"/>.</summary>
    public IInvocationTarget Wrap(IInvocationTarget inner) => new Target(inner, this);

    private async ValueTask<InvocationResult> InvokeAsync(IInvocationTarget inner, InvocationRequest request, CancellationToken cancellationToken)
    {
        var active = Volatile.Read(ref _active);
        if (active is null || !active.Paths.Contains(request.Path))
        {
            return await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ActiveKey, active);
        try
        {
            var result = await _pipeline.ExecuteAsync(
                static (ctx, state) => state.inner.InvokeAsync(state.request, ctx.CancellationToken),
                context,
                (inner, request)).ConfigureAwait(false);
            if (context.Properties.TryGetValue(NotSentKey, out var notSent) && notSent)
            {
                (inner as IUnsentCalls)?.NotSent(request, result);
            }

            return result;
        }
        catch (ClientFaultException)
        {
            var failed = new InvocationResult(EngineOutcome.ClientError, Reason);
            (inner as IUnsentCalls)?.NotSent(request, failed);
            return failed;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ChaosAction.ClientFaults Active(ResilienceContext context) => context.Properties.GetValue(ActiveKey, null!);

    private static ValueTask<bool> Enabled(ResilienceContext context, Func<ChaosAction.ClientFaults, bool> enabled)
        => ValueTask.FromResult(context.Properties.TryGetValue(ActiveKey, out var a) && a is not null && enabled(a));

    private static ValueTask<double> Rate(ResilienceContext context, Func<ChaosAction.ClientFaults, double> rate) => ValueTask.FromResult(rate(Active(context)));

    private ValueTask Injected(ResilienceContext context, string what)
    {
        _injected?.Invoke(Active(context), what);
        return ValueTask.CompletedTask;
    }

    /// <summary>The exception <c>AddChaosFault</c> injects; caught by the wrapper and recorded as a failed send.</summary>
    private sealed class ClientFaultException() : Exception("a send failed by a client-faults chaos action");

    private sealed class Target(IInvocationTarget inner, ClientFaultInjector injector) : IInvocationTarget
    {
        public string Describe => inner.Describe;

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) => injector.InvokeAsync(inner, request, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
