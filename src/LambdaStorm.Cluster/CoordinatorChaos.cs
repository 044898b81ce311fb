using System.Collections.Concurrent;
using Akka.Actor;
using LambdaStorm.Chaos;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Cluster;

/// <summary>
/// The target the agent of a one-node cluster invokes: the run's own (ledger-wrapped) target, seen through the
/// coordinator's chaos controller while a run with a game day is on, so that the first invocation that shows a fault
/// marks it effective. The process's <see cref="RunResources"/> own and dispose the target. Part of internal API.
/// </summary>
internal sealed class ObservedTarget : IInvocationTarget
{
    private readonly IInvocationTarget _inner;
    private IInvocationTarget _current;

    /// <param name="inner">The run's target.</param>
    public ObservedTarget(IInvocationTarget inner)
    {
        _inner = inner;
        _current = inner;
    }

    /// <inheritdoc />
    public string Describe => _inner.Describe;

    /// <summary>Sees every invocation through <paramref name="controller"/> from now on, or stops doing so (null).</summary>
    public void ObserveWith(ChaosController? controller) => Volatile.Write(ref _current, controller is null ? _inner : controller.Wrap(_inner));

    /// <inheritdoc />
    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        => Volatile.Read(ref _current).InvokeAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The game day of a run, driven by the coordinator (docs/chaos.md, docs/cluster.md): the run's
/// <see cref="ChaosSession"/> is created when the run starts, with the control plane the run talks to (the one-node
/// run's embedded emulator, model or <c>target.endpoint</c>; on a real cluster the emulator the agents invoke, given by
/// <c>run --cluster … --emulator</c>); its timeline counts from the common start; every merged interval feeds the
/// steady-state checks and the abort conditions; a stop it asks for becomes a stop of every agent; at the end it rolls
/// back and returns the findings. Actions are marked effective by the first invocation that shows them: in a one-node
/// run its agent invokes through <see cref="ObservedTarget"/>; on a real cluster it is the cluster side of the
/// processes that invoke (<see cref="IChaosInvokers"/>): what acts or shows at the agents goes to every agent
/// (<see cref="AgentChaos"/>, through the coordinator actor), each agent reports the first of its invocations that
/// showed an action (<see cref="ChaosEffect"/>) and the earliest report is the effective moment (the first merged
/// interval that shows it is the fallback when none comes). It is also the cluster side of the agent actions
/// (<see cref="IChaosAgents"/>): a cut asks the coordinator actor to cut the agent off and re-split; a restore only lets
/// the agent back (it rejoins through the ordinary registration and takes a share at the next re-split), so the end of
/// the run can restore agents while the actor is busy finishing. Part of internal API.
/// </summary>
internal sealed class CoordinatorChaos : IAsyncDisposable, IChaosAgents, IChaosInvokers
{
    /// <summary>How long the controller waits for the coordinator actor to cut an agent off.</summary>
    private static readonly TimeSpan CutTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, IActorRef> _cut = new(StringComparer.Ordinal);
    private IActorRef _coordinator = ActorRefs.Nobody;
    private string _runId = "";
    private bool _oneProcess;

    /// <summary>How long a coordinator that stops mid-run (its node leaves or shuts down) waits for the rollback.</summary>
    public static readonly TimeSpan RollbackOnStopLimit = TimeSpan.FromSeconds(30);

    private readonly ChaosSession _session;
    private readonly ObservedTarget? _observed;
    private readonly CancellationTokenRegistration _onStop;
    private int _disposed;

    private CoordinatorChaos(ChaosSession session, ObservedTarget? observed, Action stopRequested)
    {
        _session = session;
        _observed = observed;
        _observed?.ObserveWith(session.Controller);
        _onStop = session.Controller.StopRequested.Register(stopRequested);
    }

    /// <summary>The controller.</summary>
    public ChaosController Controller => _session.Controller;

    /// <summary>The game day of a run whose scenario has one, or null.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="recorder">The coordinator's recorder (chaos lines go into its journal, and so to the client).</param>
    /// <param name="time">The coordinator's clock.</param>
    /// <param name="local">The one-node cluster's resources and target, or null on a real cluster.</param>
    /// <param name="emulatorEndpoint">On a real cluster, the emulator the agents invoke (<c>--emulator</c>), or null.</param>
    /// <param name="observer">Gets every chaos event (live view, metrics), or null.</param>
    /// <param name="coordinator">The coordinator actor: agent cuts go through it, and a stop the game day asks for goes to it.</param>
    /// <param name="runId">The run.</param>
    public static CoordinatorChaos? Create(Scenario scenario, RunRecorder recorder, TimeProvider time, LocalRun? local, string? emulatorEndpoint, IChaosObserver? observer,
        IActorRef coordinator, string runId)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var agents = new AgentsProxy();
        ChaosSession? session;
        if (local is not null)
        {
            var r = local.Resources;
            session = ChaosSession.Create(scenario, recorder, time, r.Model, r.EmbeddedAddress, r.External, observer, agents: agents);
            if (session is not null)
            {
                r.ObserveLedger(session.Controller); // abort conditions on dlq_depth read the ledger's snapshot after every interval
            }
        }
        else
        {
            var external = emulatorEndpoint is not null && Uri.TryCreate(emulatorEndpoint, UriKind.Absolute, out var e) ? e : (scenario.Target as TargetSpec.Emulator)?.Endpoint;
            session = ChaosSession.Create(scenario, recorder, time, null, null, external, observer, effectFromIntervals: true, agents: agents);
        }

        if (session is null)
        {
            return null;
        }

        var chaos = new CoordinatorChaos(session, local?.Target, () => coordinator.Tell(new ChaosStop(runId), ActorRefs.NoSender))
        {
            _coordinator = coordinator,
            _runId = runId,
            _oneProcess = local is not null,
        };
        agents.Inner = chaos;
        if (local is null)
        {
            // The calls are made on the agents: what acts there (client faults) or shows there (the first invocation) goes to them.
            session.Controller.Invokers = chaos;
        }

        return chaos;
    }

    /// <inheritdoc />
    public string? NotApplicable => _oneProcess
        ? $"this run is one process: its one agent ('{LocalClusterRun.AgentName}') fires the whole schedule and there is no other to take its share"
        : null;

    /// <inheritdoc />
    public async Task<string> CutAsync(ChaosAction.AgentAction action, CancellationToken ct)
    {
        CutResult result;
        try
        {
            result = await _coordinator.Ask<CutResult>(new CutAgent(_runId, action), CutTimeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            // The coordinator is busy finishing the run (or gone): the action fails, it is never half applied.
            throw new ChaosControlPlaneException($"the coordinator did not answer within {CutTimeout.TotalSeconds:0} s ({e.GetType().Name})");
        }

        return result.Agent ?? throw new ChaosControlPlaneException(result.Error ?? "the coordinator did not cut the agent off");
    }

    /// <inheritdoc />
    public Task RestoreAsync(ChaosAction.AgentAction action, string agent, CancellationToken ct)
    {
        if (_cut.TryRemove(agent, out var agentRef))
        {
            agentRef.Tell(new AgentRestore(_runId, action.Label), ActorRefs.NoSender);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public string Describe => "every agent of the cluster";

    /// <inheritdoc />
    public void Applied(ChaosAction action) => _coordinator.Tell(new ForAgents(_runId, action.Label, true), ActorRefs.NoSender);

    /// <inheritdoc />
    public void Reverted(ChaosAction action) => _coordinator.Tell(new ForAgents(_runId, action.Label, false), ActorRefs.NoSender);

    /// <summary>An agent's first invocation that showed an action (the coordinator takes the earliest across agents).</summary>
    public void EffectReported(ChaosEffect m) => Controller.EffectReported(m.Action, m.At, $"{m.Detail}, on {m.Agent}");

    /// <summary>True while <paramref name="agent"/> is cut off by an agent action: the coordinator ignores what it sends.</summary>
    public bool IsCutOff(string agent) => _cut.ContainsKey(agent);

    /// <summary>Records that the coordinator cut <paramref name="agent"/> off (called by the actor, before it tells the agent).</summary>
    public void CutOff(string agent, IActorRef agentRef) => _cut[agent] = agentRef;

    /// <summary>The coordinator marked an agent lost (the effective moment of an agent action that cut it off).</summary>
    public void AgentLost(string agent, double at) => Controller.AgentLost(agent, at);

    /// <summary>Starts the timeline; its origin is the run's common start.</summary>
    public void Start(DateTimeOffset startAt, TimeProvider time) => Controller.Start(startAt - time.GetUtcNow());

    /// <summary>One merged interval, after it was journaled.</summary>
    public void OnInterval(IntervalSnapshot merged) => Controller.OnInterval(merged);

    /// <summary>The journal's end status: <c>aborted</c> when an abort condition fired, else the coordinator's own.</summary>
    public string Status(string status) => Controller.AbortReason is not null ? "aborted" : status;

    /// <summary>Rolls back what is still applied, stops observing, adds the end warning and returns the findings.</summary>
    public async Task<ChaosReport> FinishAsync(List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var report = await Controller.FinishAsync(CancellationToken.None).ConfigureAwait(false);
        _observed?.ObserveWith(null);
        Controller.AddWarnings(warnings);
        return report;
    }

    /// <summary>
    /// The coordinator stops with the run still on (its node leaves, Ctrl-C on the coordinator process): rolls back
    /// now, waiting at most <see cref="RollbackOnStopLimit"/> (an actor's PostStop cannot await). What is not rolled back
    /// by then stays in the rollback journal, which the next start or <c>lambdastorm rollback</c> replays.
    /// </summary>
    /// <returns>True when the rollback finished in time.</returns>
    public bool RollBackNow() => DisposeAsync().AsTask().Wait(RollbackOnStopLimit);

    /// <summary>Controller → coordinator actor: cut the agent of this action off (answered with <see cref="CutResult"/>).</summary>
    internal sealed record CutAgent(string RunId, ChaosAction.AgentAction Action);

    /// <summary>The agent cut off, or why none was.</summary>
    internal sealed record CutResult(string? Agent, string? Error);

    /// <summary>Controller → coordinator actor: tell every agent of the run that the action was applied or reverted (<see cref="AgentChaos"/>).</summary>
    internal sealed record ForAgents(string RunId, string Action, bool Applied);

    /// <summary>The game day asks the coordinator actor to stop the run.</summary>
    internal sealed record ChaosStop(string RunId);

    /// <summary>Lets the controller be built before the object it calls back exists.</summary>
    private sealed class AgentsProxy : IChaosAgents
    {
        public IChaosAgents? Inner { get; set; }

        public string? NotApplicable => Inner!.NotApplicable;

        public Task<string> CutAsync(ChaosAction.AgentAction action, CancellationToken ct) => Inner!.CutAsync(action, ct);

        public Task RestoreAsync(ChaosAction.AgentAction action, string agent, CancellationToken ct) => Inner!.RestoreAsync(action, agent, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _onStop.DisposeAsync().ConfigureAwait(false);
        _observed?.ObserveWith(null);
        await _session.DisposeAsync().ConfigureAwait(false);
    }
}
