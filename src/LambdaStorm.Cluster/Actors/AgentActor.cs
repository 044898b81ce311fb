using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Actors;

/// <summary>
/// An agent: registers with the coordinator singleton (through its proxy) and keeps registering, so that a coordinator
/// that moved finds it again; prepares the target when asked and answers with its clock; runs its share with
/// <see cref="AgentRun"/> from the common start; applies re-splits; sends every interval snapshot to the coordinator.
/// When the coordinator's node becomes unreachable or its actor stops, the agent stops its load at once instead of
/// running on. Part of internal API.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The stop source is disposed when the load finishes or the actor stops.")]
internal sealed class AgentActor : ReceiveActor, IWithTimers
{
    private readonly string _name;
    private readonly IActorRef _coordinatorProxy;
    private readonly TimeProvider _time;
    private readonly Action<SnapshotReport>? _onSnapshot;
    private readonly IRunObserver? _observer;
    private readonly Targets.IInvocationTarget? _local;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _coordinator;
    private AgentRun? _current;
    private CancellationTokenSource? _stop;
    private long _lastSequence = -1;

    // Set while a chaos agent action cuts this agent off (read on the engine's snapshot thread).
    private volatile bool _cutOff;
    private bool _rejoinPending;

    /// <param name="name">Agent name.</param>
    /// <param name="coordinatorProxy">The coordinator singleton's proxy.</param>
    /// <param name="time">Clock.</param>
    /// <param name="onSnapshot">Also called with every snapshot sent (the agent's generator health), or null.</param>
    /// <param name="observer">Watches this agent's share as measured (the agent's own /metrics), or null.</param>
    /// <param name="local">The target of a one-node cluster (built by the process that runs it), or null.</param>
    public AgentActor(string name, IActorRef coordinatorProxy, TimeProvider time, Action<SnapshotReport>? onSnapshot, IRunObserver? observer, Targets.IInvocationTarget? local)
    {
        _local = local;
        _observer = observer;
        _name = name;
        _coordinatorProxy = coordinatorProxy;
        _time = time;
        _onSnapshot = onSnapshot;
        Receive<RegisterTick>(_ =>
        {
            // Cut off, nothing reaches the coordinator; back from a cut, it registers again once its old load is over.
            if (!_cutOff && !(_rejoinPending && _current is not null))
            {
                _coordinatorProxy.Tell(new RegisterAgent(_name));
            }
        });
        Receive<AgentRegistered>(_ => _rejoinPending = false);
        Receive<AgentCut>(OnCut);
        Receive<AgentRestore>(m =>
        {
            _log.Warning("{0}: the cut of {1} is over; registering again", _name, m.Action);
            Timers.Cancel("cut-noticed");
            _cutOff = false;
            _rejoinPending = true;

            // The coordinator may have re-split this agent's share meanwhile: whatever still runs stops; a share comes back at the next re-split.
            StopLoad(m.RunId, "back from a cut; the coordinator re-splits");
        });
        Receive<CutNoticed>(m => StopLoad(m.RunId, $"the coordinator is unreachable ({m.Reason})"));
        Receive<AgentChaos>(OnChaos);
        ReceiveAsync<PrepareRun>(m => _cutOff ? Task.CompletedTask : OnPrepareAsync(m));
        Receive<StartLoad>(m =>
        {
            if (!_cutOff)
            {
                OnStart(m);
            }
        });
        Receive<Reshare>(m =>
        {
            if (!_cutOff && _current?.RunId == m.RunId)
            {
                _current.Reshare(m.Share);
            }
        });
        Receive<StopLoad>(m =>
        {
            if (!_cutOff)
            {
                StopLoad(m.RunId, m.Reason);
            }
        });
        ReceiveAsync<LoadFinished>(OnFinishedAsync);
        Receive<Terminated>(m =>
        {
            if (m.ActorRef.Equals(_coordinator))
            {
                StopLoad(_current?.RunId, "the coordinator stopped");
            }
        });
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (_coordinator is not null && m.Member.Address.Equals(_coordinator.Path.Address))
            {
                StopLoad(_current?.RunId, "the coordinator's node is unreachable");
            }
        });
        Receive<ClusterEvent.IReachabilityEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of an agent.</summary>
    public static Props Props(string name, IActorRef coordinatorProxy, TimeProvider time, Action<SnapshotReport>? onSnapshot = null, IRunObserver? observer = null,
        Targets.IInvocationTarget? local = null)
        => Akka.Actor.Props.Create(() => new AgentActor(name, coordinatorProxy, time, onSnapshot, observer, local));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("register", RegisterTick.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _stop?.Cancel();
        _stop?.Dispose();
    }

    private async Task OnPrepareAsync(PrepareRun m)
    {
        var sender = Sender;
        var received = _time.GetUtcNow().UtcTicks;
        if (_current is not null)
        {
            sender.Tell(new AgentReady(m.RunId, _name, m.SentAtUtcTicks, received, _time.GetUtcNow().UtcTicks, $"{_name} is still busy with run {_current.RunId}"));
            return;
        }

        var load = ScenarioLoader.Load(m.ScenarioText, m.ScenarioPath);
        if (!load.Success)
        {
            sender.Tell(new AgentReady(m.RunId, _name, m.SentAtUtcTicks, received, _time.GetUtcNow().UtcTicks, string.Join("; ", load.Errors)));
            return;
        }

        try
        {
            // Until StartLoad says otherwise the agent owns nothing: a joiner gets its share from the re-split.
            _current = await AgentRun.PrepareAsync(load.Scenario!, m.RunId, _name, new ShareEpoch(0, -1, 1), m.EmulatorEndpoint, _time, CancellationToken.None, _local);
        }
        catch (Exception e)
        {
            sender.Tell(new AgentReady(m.RunId, _name, m.SentAtUtcTicks, received, _time.GetUtcNow().UtcTicks, e.Message));
            return;
        }

        _coordinator = sender;
        Context.Watch(sender);
        var coordinator = sender;
        _lastSequence = -1;
        _current.Snapshot += report =>
        {
            Interlocked.Exchange(ref _lastSequence, report.Sequence);
            if (!_cutOff)
            {
                coordinator.Tell(report);
            }

            _onSnapshot?.Invoke(report);
        };
        var run = _current;
        _current.ChaosShown += (label, at, detail) =>
        {
            if (!_cutOff)
            {
                coordinator.Tell(new ChaosEffect(m.RunId, _name, label, at, detail));
            }

            ChaosEvent(run, at, "effective", label, $"{detail} (on {_name})");
        };
        sender.Tell(new AgentReady(m.RunId, _name, m.SentAtUtcTicks, received, _time.GetUtcNow().UtcTicks, null));
    }

    private void OnStart(StartLoad m)
    {
        if (_current is not { } run || run.RunId != m.RunId || _stop is not null)
        {
            return;
        }

        run.Reshare(m.Share);
        if (_observer is not null)
        {
            _observer.OnStarted(new RunStarted(run.Scenario, run.Schedule, $"agent {_name} of run {run.RunId}", "", run.RunId));
            run.Measured += _observer.OnInterval;
        }

        _stop = new CancellationTokenSource();
        var startAt = new DateTimeOffset(m.StartAtUtcTicks, TimeSpan.Zero);
        _log.Info("{0}: run {1} starts at {2:O}, slot {3} of {4} from arrival {5}", _name, m.RunId, startAt, m.Share.Slot, m.Share.Slots, m.Share.FromArrival);
        run.RunAsync(startAt, _stop.Token).PipeTo(Self, success: r => new LoadFinished(m.RunId, r, null), failure: e => new LoadFinished(m.RunId, null, e.Message));
    }

    private void StopLoad(string? runId, string reason)
    {
        if (_current is null || (runId is not null && runId != _current.RunId))
        {
            return;
        }

        _log.Warning("{0}: stopping the load of run {1}: {2}", _name, _current.RunId, reason);
        DropChaos(_current, reason);
        if (_stop is null)
        {
            // Prepared but not started: nothing runs; let go of the target.
            var run = _current;
            _current = null;
            _ = run.DisposeAsync().AsTask();
            return;
        }

        _current.Stop();
    }

    private async Task OnFinishedAsync(LoadFinished m)
    {
        if (_current is not { } run || run.RunId != m.RunId)
        {
            return;
        }

        if (!_cutOff)
        {
            _coordinator?.Tell(new AgentDone(m.RunId, _name, Interlocked.Read(ref _lastSequence), m.Result?.Interrupted ?? 0, m.Error));
        }

        if (_coordinator is not null)
        {
            Context.Unwatch(_coordinator);
        }

        _current = null;
        _stop?.Dispose();
        _stop = null;
        await run.DisposeAsync();
    }

    /// <summary>
    /// A chaos agent action cut this agent off (<see cref="AgentCut"/>): from now on it sends the coordinator nothing and
    /// ignores it until <see cref="AgentRestore"/>. A kill stops the load at once; with a partition the load runs on until
    /// the agent notices, as it would notice a real one through the failure detector.
    /// </summary>
    private void OnCut(AgentCut m)
    {
        _log.Warning("{0}: cut off from the coordinator by {1} ({2})", _name, m.Reason, m.Kind);
        _cutOff = true;
        if (m.Kind == "kill-agent")
        {
            StopLoad(m.RunId, $"killed by {m.Reason}");
        }
        else
        {
            Timers.StartSingleTimer("cut-noticed", new CutNoticed(m.RunId, m.Reason), TimeSpan.FromSeconds(Math.Max(0, m.DetectAfterSeconds)));
        }
    }

    /// <summary>
    /// The coordinator applied or reverted a chaos action that acts where the calls are made (<see cref="AgentChaos"/>):
    /// this agent's run injects it (client faults) and watches for the first invocation that shows it, or stops.
    /// </summary>
    private void OnChaos(AgentChaos m)
    {
        if (_cutOff || _current is not { } run || run.RunId != m.RunId)
        {
            return;
        }

        if (run.OnChaos(m.Action, m.Applied) is not { } action)
        {
            _log.Warning("{0}: chaos action {1} of run {2} is not one this agent can inject or watch; ignored", _name, m.Action, m.RunId);
            return;
        }

        _log.Info("{0}: chaos action {1} {2}", _name, m.Action, m.Applied ? "applied here: " + action.Describe : "reverted here");
        ChaosEvent(run, Elapsed(run), m.Applied ? "applied" : "reverted", m.Action, m.Applied ? $"{action.Describe} (on {_name})" : $"stopped on {_name}");
    }

    /// <summary>The load stops or the coordinator is gone: whatever client fault still runs here stops now (never left injecting).</summary>
    private void DropChaos(AgentRun run, string reason)
    {
        foreach (var a in run.DropChaos())
        {
            _log.Warning("{0}: chaos action {1} stopped here: {2}", _name, a.Label, reason);
            ChaosEvent(run, Elapsed(run), "reverted", a.Label, $"stopped on {_name}: {reason}");
        }
    }

    /// <summary>This agent's chaos timeline, for its own observer (its /metrics show <c>lambdastorm_chaos_active</c>).</summary>
    private void ChaosEvent(AgentRun run, double at, string kind, string label, string detail)
    {
        if (_observer is Chaos.IChaosObserver chaos && run.Scenario.Chaos.Actions.FirstOrDefault(a => a.Label == label) is { } action)
        {
            chaos.OnChaos(Chaos.ChaosController.Event(at, kind, action, detail));
        }
    }

    private double Elapsed(AgentRun run) => run.StartedAt is { } start ? (_time.GetUtcNow() - start).TotalSeconds : 0;

    private sealed record CutNoticed(string RunId, string Reason);

    private sealed class RegisterTick
    {
        public static readonly RegisterTick Instance = new();
    }

    private sealed record LoadFinished(string RunId, EngineResult? Result, string? Error);
}
