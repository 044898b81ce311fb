using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Chaos;

/// <summary>
/// The chaos of a process that invokes: the <c>client-faults</c> injector (<see cref="ClientFaultInjector"/>) in front
/// of its target, and the watch for the first invocation that shows each applied action (its effective moment). One
/// piece of code serves the one-process run (the <see cref="ChaosController"/> owns one and wraps the run's target) and
/// every agent of a real cluster (the agent owns one, applies and reverts what the coordinator tells it, and reports
/// the first invocation that showed an action to the coordinator). An action that no invocation can show (see
/// <see cref="Observable"/>) is not watched. Part of internal API.
/// </summary>
internal sealed class CallerChaos
{
    private readonly ClientFaultInjector? _client;
    private readonly string? _observedFunction;
    private readonly TimeProvider _time;
    private readonly Action<ChaosAction, string> _effective;
    private readonly Lock _gate = new();
    private readonly List<ChaosAction> _watched = [];
    private readonly List<ChaosAction.ClientFaults> _injecting = [];
    private int _watching;

    /// <param name="actions">The plan's actions (an injector is built only when one of them is <c>client-faults</c>).</param>
    /// <param name="observedFunction">The function the sync path invokes: its invocations can show a function fault.</param>
    /// <param name="time">The run's clock (added latency waits on it; invocation latencies are measured on it).</param>
    /// <param name="effective">
    /// Called once per applied action, with what showed it, right after the first invocation that showed it (on that
    /// invocation's thread, holding no lock of this object).
    /// </param>
    /// <param name="clientFaultRandomizer">Draws that decide each client-fault injection (tests pass a seeded one), or null for Polly's.</param>
    public CallerChaos(IEnumerable<ChaosAction> actions, string? observedFunction, TimeProvider time, Action<ChaosAction, string> effective, Func<double>? clientFaultRandomizer = null)
    {
        ArgumentNullException.ThrowIfNull(actions);
        _observedFunction = observedFunction;
        _time = time;
        _effective = effective;
        _client = actions.Any(a => a is ChaosAction.ClientFaults) ? new ClientFaultInjector(time, OnClientFault, clientFaultRandomizer) : null;
    }

    /// <summary>The <c>client-faults</c> action injecting right now, or null.</summary>
    public ChaosAction.ClientFaults? Injecting => _client?.Current;

    /// <summary>
    /// True when an invocation of the sync path can show <paramref name="a"/> (so that its effective moment is that
    /// invocation): client faults, and a cut to zero or a function fault on <paramref name="observedFunction"/>.
    /// </summary>
    public static bool Observable(ChaosAction a, string? observedFunction) => a is ChaosAction.ClientFaults || (a.Target == observedFunction && a switch
    {
        ChaosAction.ReservedConcurrency r => r.Value == 0,
        ChaosAction.FunctionErrors or ChaosAction.FunctionLatency or ChaosAction.FunctionTimeout => true,
        _ => false,
    });

    /// <summary>True when an invocation of this process can show <paramref name="a"/>.</summary>
    public bool Shows(ChaosAction a) => Observable(a, _observedFunction);

    /// <summary>
    /// <paramref name="a"/> was applied: a <c>client-faults</c> action starts injecting into the calls that follow, and
    /// an action an invocation can show is watched until the first one does. Others are ignored.
    /// </summary>
    public void Apply(ChaosAction a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!Shows(a))
        {
            return;
        }

        lock (_gate)
        {
            if (!_watched.Contains(a))
            {
                _watched.Add(a);
                _watching = _watched.Count;
            }

            if (a is ChaosAction.ClientFaults c && _client is not null)
            {
                _injecting.Remove(c);
                _injecting.Add(c);
                _client.Apply(c);
            }
        }
    }

    /// <summary><paramref name="a"/> was reverted: its faults stop and it is no longer watched.</summary>
    public void Revert(ChaosAction a)
    {
        ArgumentNullException.ThrowIfNull(a);
        lock (_gate)
        {
            RevertLocked(a);
        }
    }

    /// <summary>Reverts every applied action (the load stopped, the coordinator is gone): nothing is injected any more.</summary>
    /// <returns>The client-faults actions that were injecting.</returns>
    public IReadOnlyList<ChaosAction> RevertAll()
    {
        lock (_gate)
        {
            var injecting = _injecting.ToList<ChaosAction>();
            foreach (var a in _watched.Concat(injecting).Distinct().ToList())
            {
                RevertLocked(a);
            }

            return injecting;
        }
    }

    /// <summary>Puts the client-fault injector (when the plan has client faults) and the watch in front of <paramref name="target"/>.</summary>
    public IInvocationTarget Wrap(IInvocationTarget target) => new ObservingTarget(_client?.Wrap(target) ?? target, this, _time);

    private void RevertLocked(ChaosAction a)
    {
        _watched.Remove(a);
        _watching = _watched.Count;
        if (a is ChaosAction.ClientFaults c && _injecting.Remove(c))
        {
            // Another client-faults action applied earlier and still on takes over (their windows may overlap).
            _client!.Revert(c);
            if (_injecting.Count > 0 && _client.Current is null)
            {
                _client.Apply(_injecting[^1]);
            }
        }
    }

    /// <summary>Takes <paramref name="a"/> off the watch when it is still on it; true when this call did.</summary>
    private bool Unwatch(ChaosAction a)
    {
        lock (_gate)
        {
            if (!_watched.Remove(a))
            {
                return false;
            }

            _watching = _watched.Count;
            return true;
        }
    }

    /// <summary>A client fault was injected: the first injection of an applied action is its effective moment.</summary>
    private void OnClientFault(ChaosAction.ClientFaults a, string what)
    {
        if (Unwatch(a))
        {
            _effective(a, $"first call showing it: {what}");
        }
    }

    private void Observe(InvocationPath path, InvocationResult result, double latencyMs)
    {
        if (Volatile.Read(ref _watching) == 0 || path != InvocationPath.Sync)
        {
            return;
        }

        List<ChaosAction>? shown = null;
        lock (_gate)
        {
            foreach (var a in _watched)
            {
                var shows = a switch
                {
                    ChaosAction.ReservedConcurrency => result.Outcome == Outcome.Throttled,
                    ChaosAction.FunctionErrors => result.Outcome == Outcome.FunctionError,
                    ChaosAction.FunctionLatency l => latencyMs >= l.Latency.TotalMilliseconds,
                    ChaosAction.FunctionTimeout => result.Outcome == Outcome.Timeout,
                    _ => false,
                };
                if (shows)
                {
                    (shown ??= []).Add(a);
                }
            }

            foreach (var a in shown ?? [])
            {
                _watched.Remove(a);
            }

            _watching = _watched.Count;
        }

        foreach (var a in shown ?? [])
        {
            _effective(a, $"first invocation showing it: {result.Outcome.Name()}{(result.Reason is null ? string.Empty : " " + result.Reason)}, {latencyMs:0} ms");
        }
    }

    private sealed class ObservingTarget(IInvocationTarget inner, CallerChaos chaos, TimeProvider time) : IInvocationTarget
    {
        public string Describe => inner.Describe;

        public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            var started = time.GetTimestamp();
            var result = await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            chaos.Observe(request.Path, result, time.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>
/// The processes that invoke, when they are not the controller's own (the agents of a real cluster, reached through the
/// coordinator): each runs a <see cref="CallerChaos"/> and is told when an action it can inject or show is applied and
/// reverted. Calls come from the controller's timers and must not block. Part of internal API.
/// </summary>
internal interface IChaosInvokers
{
    /// <summary>Where the calls are made, for the journal (e.g. "every agent of the cluster").</summary>
    string Describe { get; }

    /// <summary><paramref name="action"/> was applied: every invoker injects it (client faults) and watches for it.</summary>
    void Applied(ChaosAction action);

    /// <summary><paramref name="action"/> was reverted: every invoker stops injecting and watching it.</summary>
    void Reverted(ChaosAction action);
}
