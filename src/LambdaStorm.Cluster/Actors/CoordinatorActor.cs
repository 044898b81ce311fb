using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Actors;

/// <summary>Settings of the coordinator.</summary>
/// <param name="Run">Results root and artifacts (the coordinator keeps its own copy of every run's results).</param>
/// <param name="Time">Clock (the system clock in production).</param>
/// <param name="StartLead">How far in the future the common start is set, so that every agent is ready. Default 2 s.</param>
/// <param name="ResplitLead">How far ahead of now a re-split takes effect. Default 0.5 s.</param>
/// <param name="MaxClockOffset">Agents whose clock differs more than this are refused, with the reason. Default 100 ms.</param>
/// <param name="SnapshotGrace">How long an interval waits for late agents before it is merged without them. Default 3 s.</param>
/// <param name="ReadyTimeout">How long agents get to build and warm their targets. Default 60 s.</param>
/// <param name="AgentWait">How long a run waits for <c>--min-agents</c>. Default 60 s.</param>
/// <param name="Limits">Generator-health bounds for every run, or null for each scenario's own (its <c>generator:</c> section or the defaults).</param>
/// <param name="Observer">Metrics and other watchers of the merged run, or null.</param>
/// <param name="Metrics">The coordinator's own series (agents, shares, gaps, exact merged percentiles), or null.</param>
/// <param name="Local">The one-node cluster of <c>run</c>: the process's target, ledger and model, or null on a real cluster.</param>
/// <param name="PartitionDetection">
/// How long after a <c>partition-agent</c> cut the coordinator marks the agent lost and the agent stops its load: what
/// the failure detector's acceptable heartbeat pause (3 s, ClusterSetup) takes with a real partition. Default 3 s.
/// </param>
internal sealed record CoordinatorSettings(
    RunOptions Run,
    TimeProvider Time,
    TimeSpan StartLead,
    TimeSpan ResplitLead,
    TimeSpan MaxClockOffset,
    TimeSpan SnapshotGrace,
    TimeSpan ReadyTimeout,
    TimeSpan AgentWait,
    GeneratorLimits? Limits,
    IRunObserver? Observer = null,
    ClusterMetrics? Metrics = null,
    LocalRun? Local = null,
    TimeSpan? PartitionDetection = null)
{
    /// <summary>The effective <see cref="PartitionDetection"/>.</summary>
    public TimeSpan PartitionDetectionAfter => PartitionDetection ?? TimeSpan.FromSeconds(3);

    /// <summary>Defaults around a results root.</summary>
    public static CoordinatorSettings For(RunOptions run, TimeProvider time, IRunObserver? observer = null, ClusterMetrics? metrics = null) => new(
        run, time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(0.5), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3),
        TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), null, observer, metrics);
}

/// <summary>The one-node cluster of <c>run</c>: what the process built for the run, and its stop (Ctrl-C, the aws guard).</summary>
/// <param name="Resources">Target, ledger and model of the run.</param>
/// <param name="Stop">Cuts the model's and the ledger's settle short.</param>
/// <param name="Target">The target the local agent invokes, which the run's chaos controller observes, or null.</param>
internal sealed record LocalRun(RunResources Resources, CancellationToken Stop, ObservedTarget? Target = null);

/// <summary>
/// The coordinator, a cluster singleton: keeps the agents, accepts one run at a time, fixes the common start, gives
/// agent k of n the arrivals k, k+n, … of the one schedule, merges their interval snapshots exactly, journals them
/// (and every late or missing snapshot, lost agent, re-split and gap) through <see cref="RunRecorder"/>, evaluates the
/// thresholds on the merged data, and streams the journal to the client that submitted the run. When an agent becomes
/// unreachable or leaves, the rest of the schedule is re-split among the survivors. Part of internal API.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly CoordinatorSettings _settings;
    private readonly Dictionary<string, AgentEntry> _agents = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ActiveRun? _run;

    public CoordinatorActor(CoordinatorSettings settings)
    {
        _settings = settings;
        Receive<RegisterAgent>(OnRegister);
        Receive<SubmitRun>(OnSubmit);
        Receive<AgentReady>(OnReady);
        Receive<SnapshotReport>(OnSnapshot);
        Receive<AgentDone>(OnAgentDone);
        Receive<StopRun>(m => StopCurrent(m.RunId, "stopped by the client", "stopped"));
        Receive<CoordinatorChaos.ChaosStop>(OnChaosStop);
        Receive<CoordinatorChaos.CutAgent>(OnCutAgent);
        Receive<CoordinatorChaos.ForAgents>(OnChaosForAgents);
        Receive<ChaosEffect>(m =>
        {
            if (_run?.Chaos is { } chaos && _run.RunId == m.RunId && _run.Participants.ContainsKey(m.Agent) && !chaos.IsCutOff(m.Agent))
            {
                chaos.EffectReported(m);
            }
        });
        Receive<PartitionDetected>(OnPartitionDetected);
        Receive<Tick>(_ => OnTick());
        Receive<Timeout>(OnTimeout);
        Receive<ClusterEvent.UnreachableMember>(m => OnNodeLost(m.Member.Address, "unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => OnNodeLost(m.Member.Address, "removed from the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Terminated>(OnTerminated);
        ReceiveAsync<Finish>(OnFinishAsync);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the singleton.</summary>
    public static Props Props(CoordinatorSettings settings) => Akka.Actor.Props.Create(() => new CoordinatorActor(settings));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromMilliseconds(250));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        if (_run?.Chaos is { } chaos && !chaos.RollBackNow())
        {
            _log.Warning("run {0}: the chaos rollback did not finish within {1}; 'lambdastorm rollback' replays its journal", _run.RunId, CoordinatorChaos.RollbackOnStopLimit);
        }

        _run?.Recorder?.Dispose();
        _ = _run?.Ledger?.DisposeAsync().AsTask();
    }

    private double Now => _settings.Time.GetUtcNow().UtcTicks / (double)TimeSpan.TicksPerSecond;

    private void OnRegister(RegisterAgent m)
    {
        if (_run?.Chaos?.IsCutOff(m.Name) == true)
        {
            return; // cut off by a chaos action: nothing it sends reaches the coordinator
        }

        var known = _agents.TryGetValue(m.Name, out var entry) && entry.Ref.Equals(Sender);
        if (!known)
        {
            _agents[m.Name] = new AgentEntry(m.Name, Sender);
            Context.Watch(Sender);
            _log.Info("agent {0} registered ({1} agents)", m.Name, _agents.Count);
        }

        Sender.Tell(new AgentRegistered(_agents.Count));
        if (known || _run is null)
        {
            return;
        }

        if (_run.Phase == RunPhase.Waiting && _agents.Count >= _run.MinAgents)
        {
            Prepare(_run);
        }
        else if (_run.Phase == RunPhase.Running && (!_run.Participants.TryGetValue(m.Name, out var before) || !before.Alive))
        {
            // A newcomer, or an agent the run lost that is back (after a kill-agent or partition-agent, or a network blip).
            // A joiner prepares now and takes a share at the next re-split (done as soon as it is ready).
            _run.Joining.Add(m.Name);
            Sender.Tell(new PrepareRun(_run.RunId, _run.Source.Path, _run.Source.Text, _run.EmulatorEndpoint, _settings.Time.GetUtcNow().UtcTicks));
        }
    }

    private void OnSubmit(SubmitRun m)
    {
        if (_run is not null)
        {
            Sender.Tell(new RunRejected($"the coordinator is busy with run {_run.RunId} ({_run.Scenario.Name}); one run at a time", ExitCodes.BadInput));
            return;
        }

        var load = ScenarioLoader.Load(m.ScenarioText, m.ScenarioPath);
        if (!load.Success)
        {
            Sender.Tell(new RunRejected(string.Join(Environment.NewLine, load.Errors), ExitCodes.BadInput));
            return;
        }

        var scenario = load.Scenario!;
        if (m.Variant is { } variantName)
        {
            // The same override the client applied: the variant's scenario echoes the merged YAML, which the agents load.
            if (scenario.Variants.FirstOrDefault(v => v.Name == variantName) is not { } variant)
            {
                Sender.Tell(new RunRejected($"the scenario has no variant '{variantName}' (variants: {string.Join(", ", scenario.Variants.Select(v => v.Name))})", ExitCodes.BadInput));
                return;
            }

            scenario = variant.Scenario;
        }

        if (scenario.Target is TargetSpec.Aws && _settings.Local is null)
        {
            Sender.Tell(new RunRejected(ClusterRunClient.AwsRefusal, ExitCodes.BadInput));
            return;
        }

        var runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        _run = new ActiveRun(runId, scenario, scenario.Source, Sender, Math.Max(1, m.MinAgents), m.EmulatorEndpoint,
            LoadSchedule.Create(scenario.Load), new SnapshotMerger(_settings.SnapshotGrace), new GeneratorHealthMonitor(_settings.Limits ?? GeneratorLimits.Of(scenario.Generator)));
        Context.Watch(Sender);
        if (_agents.Count >= _run.MinAgents)
        {
            Prepare(_run);
        }
        else
        {
            _log.Info("run {0} waits for {1} agents ({2} registered)", runId, _run.MinAgents, _agents.Count);
            Timers.StartSingleTimer("wait", new Timeout(runId, RunPhase.Waiting), _settings.AgentWait);
        }
    }

    private void Prepare(ActiveRun run)
    {
        run.Phase = RunPhase.Preparing;
        Timers.Cancel("wait");
        foreach (var a in _agents.Values)
        {
            run.Preparing.Add(a.Name);
            a.Ref.Tell(new PrepareRun(run.RunId, run.Source.Path, run.Source.Text, run.EmulatorEndpoint, _settings.Time.GetUtcNow().UtcTicks));
        }

        Timers.StartSingleTimer("ready", new Timeout(run.RunId, RunPhase.Preparing), _settings.ReadyTimeout);
    }

    private void OnTimeout(Timeout m)
    {
        if (_run is null || _run.RunId != m.RunId || _run.Phase != m.Phase)
        {
            return;
        }

        var reason = m.Phase == RunPhase.Waiting
            ? $"only {_agents.Count} agent(s) joined within {_settings.AgentWait.TotalSeconds:0}s; the run asked for --min-agents {_run.MinAgents}"
            : $"agent(s) {string.Join(", ", _run.Preparing.Except(_run.Ready.Keys))} did not get ready within {_settings.ReadyTimeout.TotalSeconds:0}s";
        Reject(reason);
    }

    private void Reject(string reason)
    {
        if (_run is null)
        {
            return;
        }

        _log.Warning("run {0} refused: {1}", _run.RunId, reason);
        _run.Client.Tell(new RunRejected(reason, ExitCodes.BadInput));
        Context.Unwatch(_run.Client);
        _run = null;
    }

    private void OnReady(AgentReady m)
    {
        if (_run is null || _run.RunId != m.RunId)
        {
            return;
        }

        var now = _settings.Time.GetUtcNow().UtcTicks;
        var offset = m.ClockOffset(now);
        var uncertainty = m.ClockUncertainty(now);

        // Refuse only when the clock is surely beyond the bound: a slow round trip makes the estimate uncertain, not wrong.
        var beyond = offset.Duration() - uncertainty > _settings.MaxClockOffset;
        if (_run.Phase == RunPhase.Running && _run.Joining.Remove(m.Agent))
        {
            if (m.Error is null && !beyond && _agents.TryGetValue(m.Agent, out var joiner))
            {
                _run.Ready[m.Agent] = offset;
                Resplit($"{m.Agent} joined", joiner);
            }
            else
            {
                _run.Recorder!.Mark(new JournalMark(Elapsed(_run), "agent-refused", m.Agent, m.Error ?? $"clock offset {offset.TotalMilliseconds:0} ms (± {uncertainty.TotalMilliseconds:0} ms) is beyond the bound of {_settings.MaxClockOffset.TotalMilliseconds:0} ms"));
            }

            return;
        }

        if (_run.Phase != RunPhase.Preparing || !_run.Preparing.Contains(m.Agent))
        {
            return;
        }

        if (m.Error is not null)
        {
            Reject($"agent {m.Agent} cannot run the scenario: {m.Error}");
            return;
        }

        if (beyond)
        {
            Reject($"agent {m.Agent}'s clock differs from the coordinator's by {offset.TotalMilliseconds:0} ms (± {uncertainty.TotalMilliseconds:0} ms), beyond the bound of {_settings.MaxClockOffset.TotalMilliseconds:0} ms: synchronise the clocks (NTP) and submit again");
            return;
        }

        _run.Ready[m.Agent] = offset;
        if (_run.Preparing.All(_run.Ready.ContainsKey))
        {
            Start(_run);
        }
    }

    private void Start(ActiveRun run)
    {
        Timers.Cancel("ready");
        run.Phase = RunPhase.Running;
        var startAt = _settings.Time.GetUtcNow() + _settings.StartLead;
        run.StartAt = startAt;
        var names = run.Ready.Keys.Order(StringComparer.Ordinal).ToList();
        var local = _settings.Local?.Resources;
        var header = new JournalHeader(run.RunId, run.Scenario.Name, startAt, false,
            local?.Describe ?? $"cluster of {names.Count} agent(s): {string.Join(", ", names)}; {TargetOf(run)}",
            run.Schedule.Duration, run.Schedule.TotalArrivals, run.Source);

        // The one-node cluster of 'run' writes the results itself; a client elsewhere gets the journal streamed.
        run.Recorder = new RunRecorder(run.Scenario, _settings.Run, header, _settings.Observer, local is null ? run.AddLine : null);
        local?.Attach(run.Recorder, _settings.Observer);
        run.Ledger = local is null ? CoordinatorLedger.Create(run.Scenario, run.RunId, run.Schedule, run.EmulatorEndpoint, _settings.Time) : null;
        run.Ledger?.Start(run.Recorder, startAt, _settings.Observer);
        run.Recorder.Started(new RunStarted(run.Scenario, run.Schedule, local?.Invoked.Describe ?? header.Target, run.Recorder.Folder.Path, run.RunId));
        local?.Started(startAt);

        // The game day (chaos, steady state, abort) is driven from here, on the merged data (docs/chaos.md).
        run.FirstSplit.AddRange(names);
        run.Chaos = CoordinatorChaos.Create(run.Scenario, run.Recorder, _settings.Time, _settings.Local, run.EmulatorEndpoint, _settings.Observer as Chaos.IChaosObserver, Self, run.RunId);
        run.Chaos?.Start(startAt, _settings.Time);
        if (run.Chaos is { } game && run.Ledger is { } ledgerOfRun)
        {
            ledgerOfRun.ObserveLedger(game.Controller); // dlq_depth abort conditions on the cluster's ledger, as in one process
        }

        for (var k = 0; k < names.Count; k++)
        {
            var entry = _agents[names[k]];
            var share = new ShareAssignment(0, k, names.Count);
            run.Participants[entry.Name] = new Participant(entry, new ShareCursor(AgentRun.ToEpoch(share)));
            entry.Ref.Tell(new StartLoad(run.RunId, (startAt + run.Ready[entry.Name]).UtcTicks, share));
            if (local is null)
            {
                run.Recorder.Mark(new JournalMark(0, "agent-joined", entry.Name, $"{entry.Name} fires arrivals {k}, {k + names.Count}, … (slot {k} of {names.Count})"));
            }
        }

        _settings.Metrics?.Shares(run.Scenario.Name, names, []);
        run.Client.Tell(new RunAccepted(run.RunId, [.. names], _settings.StartLead.TotalSeconds));
        _log.Info("run {0} starts at {1:O} on {2} agents", run.RunId, startAt, names.Count);
    }

    private static string TargetOf(ActiveRun run) => run.Scenario.Target switch
    {
        TargetSpec.Emulator => $"emulator {run.EmulatorEndpoint}",
        var t => t.Kind,
    };

    private double Elapsed(ActiveRun run) => (_settings.Time.GetUtcNow() - run.StartAt).TotalSeconds;

    private void OnSnapshot(SnapshotReport m)
    {
        if (_run?.Recorder is not { } recorder || _run.RunId != m.RunId || !_run.Participants.TryGetValue(m.Agent, out var p) || _run.Chaos?.IsCutOff(m.Agent) == true)
        {
            return;
        }

        _run.Ledger?.Record(m.Agent, m.Sends);
        var snapshot = SnapshotWire.ToSnapshot(m);
        p.LastSequence = Math.Max(p.LastSequence, m.Sequence);
        p.LastEnd = Math.Max(p.LastEnd, m.End);
        if (_run.Health.Observe(m.Agent, m.Health) is { } overloaded)
        {
            recorder.Mark(new JournalMark(m.End, "generator-limited", m.Agent, overloaded, m.Sequence));
        }

        if (_run.Health.LastOverloaded)
        {
            _settings.Metrics?.Overloaded(_run.Scenario.Name, m.Agent);
        }

        var expected = _run.Participants.Values.Where(x => x.Alive && !x.Done).Select(x => x.Entry.Name).ToList();
        if (_run.Merger.Add(snapshot, expected, Now))
        {
            recorder.Mark(new JournalMark(m.End, "snapshot-late", m.Agent, $"{m.Agent}'s snapshot of interval {m.Sequence} came after the interval was merged; journaled on its own line and counted", m.Sequence));
            recorder.Interval(snapshot);
        }
    }

    private void OnAgentDone(AgentDone m)
    {
        if (_run is null || _run.RunId != m.RunId || !_run.Participants.TryGetValue(m.Agent, out var p) || _run.Chaos?.IsCutOff(m.Agent) == true)
        {
            return;
        }

        p.Done = true;
        p.Interrupted = m.Interrupted;
        _run.Merger.Forget(m.Agent, m.LastSequence);
        if (m.Error is not null)
        {
            _run.Recorder!.Mark(new JournalMark(Elapsed(_run), "agent-error", m.Agent, m.Error));
        }
    }

    private void OnTick()
    {
        if (_run?.Recorder is not { } recorder || _run.Phase is not (RunPhase.Running or RunPhase.Stopping))
        {
            return;
        }

        var over = _run.Participants.Values.All(p => p.Done || !p.Alive);
        foreach (var merged in _run.Merger.Release(Now, flushAll: over))
        {
            foreach (var missing in merged.Missing)
            {
                recorder.Mark(SnapshotMerger.MissingMark(merged.Merged, missing));
                _settings.Metrics?.Gap(_run.Scenario.Name, missing);
            }

            recorder.Interval(merged.Merged);
            _run.Chaos?.OnInterval(merged.Merged);
            _settings.Metrics?.Merged(_run.Scenario, recorder.Aggregate);
        }

        FlushLines(_run);
        if (over)
        {
            _run.Phase = RunPhase.Finishing;
            Self.Tell(new Finish(_run.RunId, _run.Participants.Values.Any(p => p.Alive) ? _run.Status : "aborted"));
        }
    }

    private static void FlushLines(ActiveRun run)
    {
        // Chaos lines are written from the controller's timers, so the buffer is shared with other threads. Sent in
        // messages of about 1 MB at most (a frame holds 4 MiB): the ledger's lines of a long settle come at once.
        lock (run.Lines)
        {
            var from = 0;
            long size = 0;
            for (var i = 0; i < run.Lines.Count; i++)
            {
                size += run.Lines[i].Length;
                if (size >= 1_000_000 || i == run.Lines.Count - 1)
                {
                    run.Client.Tell(new JournalLines(run.RunId, [.. run.Lines.Skip(from).Take(i + 1 - from)]));
                    from = i + 1;
                    size = 0;
                }
            }

            run.Lines.Clear();
        }
    }

    /// <summary>
    /// A <c>kill-agent</c> or <c>partition-agent</c> action: resolves the agent (by name, or by its slot in the first
    /// split), records the cut (from now on nothing it sends is taken), tells the agent, and for a kill marks it lost at
    /// once (re-split); a partition is noticed after <see cref="CoordinatorSettings.PartitionDetectionAfter"/>, as the
    /// failure detector would.
    /// </summary>
    private void OnCutAgent(CoordinatorChaos.CutAgent m)
    {
        if (_run?.Chaos is not { } chaos || _run.RunId != m.RunId || _run.Phase != RunPhase.Running)
        {
            Sender.Tell(new CoordinatorChaos.CutResult(null, "the run is not running any more"));
            return;
        }

        var action = m.Action;
        var name = action.Agent ?? (action.Slot is int k && k < _run.FirstSplit.Count ? _run.FirstSplit[k] : null);
        if (name is null || !_run.Participants.TryGetValue(name, out var p) || !p.Alive || p.Done)
        {
            var alive = _run.Participants.Values.Where(x => x.Alive && !x.Done).Select(x => x.Entry.Name).Order(StringComparer.Ordinal).ToList();
            var first = string.Join(", ", _run.FirstSplit.Select((n, i) => $"{i}: {n}"));
            Sender.Tell(new CoordinatorChaos.CutResult(null, $"no live agent {(name is null ? action.Who : name)} in this run (live: {(alive.Count == 0 ? "none" : string.Join(", ", alive))}; first split {first})"));
            return;
        }

        var reason = $"chaos action {action.Label}";
        chaos.CutOff(name, p.Entry.Ref);
        p.Entry.Ref.Tell(new AgentCut(_run.RunId, action.Kind, reason, _settings.PartitionDetectionAfter.TotalSeconds));
        if (action is Chaos.ChaosAction.KillAgent)
        {
            AgentLost(p.Entry, $"killed by {reason}");
        }
        else
        {
            Timers.StartSingleTimer($"partition-{name}", new PartitionDetected(_run.RunId, name, action.Label), _settings.PartitionDetectionAfter);
        }

        Sender.Tell(new CoordinatorChaos.CutResult(name, null));
    }

    private void OnPartitionDetected(PartitionDetected m)
    {
        if (_run?.Chaos is { } chaos && _run.RunId == m.RunId && chaos.IsCutOff(m.Agent) && _agents.TryGetValue(m.Agent, out var entry))
        {
            AgentLost(entry, $"unreachable: cut off from the coordinator by chaos action {m.Action} (application-level partition)");
        }
    }

    /// <summary>
    /// The game day applied or reverted an action that acts where the calls are made: every agent of the run hears it
    /// (an agent that joins later gets the active ones with its start), so client faults act on every agent's calls and
    /// every agent watches for the first invocation that shows the action.
    /// </summary>
    private void OnChaosForAgents(CoordinatorChaos.ForAgents m)
    {
        if (_run is not { } run || run.RunId != m.RunId)
        {
            return;
        }

        run.ActiveChaos.Remove(m.Action);
        if (m.Applied)
        {
            run.ActiveChaos.Add(m.Action);
        }

        // A revert goes to every participant (one lost meanwhile may still run); an apply to those taking part now.
        foreach (var p in run.Participants.Values.Where(p => !m.Applied || (p.Alive && !p.Done)))
        {
            p.Entry.Ref.Tell(new AgentChaos(run.RunId, m.Action, m.Applied));
        }
    }

    /// <summary>The game day asked for a stop: an abort condition fired, or the steady state failed before the faults.</summary>
    private void OnChaosStop(CoordinatorChaos.ChaosStop m)
    {
        if (_run?.Chaos is not { } chaos || _run.RunId != m.RunId || _run.Phase != RunPhase.Running)
        {
            return;
        }

        var why = chaos.Controller.AbortReason ?? chaos.Controller.EndWarning ?? "the game day asked for a stop";
        StopCurrent(m.RunId, why, chaos.Status("stopped"));
    }

    private void StopCurrent(string runId, string reason, string status)
    {
        if (_run is null || _run.RunId != runId)
        {
            return;
        }

        if (_run.Phase is RunPhase.Waiting or RunPhase.Preparing)
        {
            Reject(reason);
            return;
        }

        _run.Status = status;
        _run.Phase = RunPhase.Stopping;
        foreach (var p in _run.Participants.Values.Where(p => p.Alive))
        {
            p.Entry.Ref.Tell(new StopLoad(runId, reason));
        }
    }

    private void OnTerminated(Terminated m)
    {
        if (_run is not null && m.ActorRef.Equals(_run.Client))
        {
            StopCurrent(_run.RunId, "the client that submitted the run went away", "stopped");
            return;
        }

        var agent = _agents.Values.FirstOrDefault(a => a.Ref.Equals(m.ActorRef));
        if (agent is not null)
        {
            AgentLost(agent, "its actor stopped");
        }
    }

    private void OnNodeLost(Address address, string how)
    {
        foreach (var agent in _agents.Values.Where(a => a.Ref.Path.Address.Equals(address)).ToList())
        {
            AgentLost(agent, $"its node is {how}");
        }
    }

    private void AgentLost(AgentEntry agent, string why)
    {
        _agents.Remove(agent.Name);
        if (_run is null)
        {
            return;
        }

        if (_run.Phase is RunPhase.Waiting or RunPhase.Preparing && _run.Preparing.Contains(agent.Name))
        {
            Reject($"agent {agent.Name} was lost while preparing ({why})");
            return;
        }

        if (_run.Recorder is not { } recorder || !_run.Participants.TryGetValue(agent.Name, out var p) || !p.Alive || p.Done)
        {
            return;
        }

        p.Alive = false;
        agent.Ref.Tell(new StopLoad(_run.RunId, "the coordinator lost this agent and re-split its share")); // in case it comes back
        _run.Merger.Forget(agent.Name, p.LastSequence);
        recorder.Mark(new JournalMark(Elapsed(_run), "agent-lost", agent.Name, $"{agent.Name} lost: {why}; its last snapshot was interval {p.LastSequence}", p.LastSequence));
        _run.Chaos?.AgentLost(agent.Name, Elapsed(_run));
        if (_run.Phase == RunPhase.Running)
        {
            Resplit($"{agent.Name} lost", null, p);
        }
        else
        {
            _run.Ledger?.AgentLost(agent.Name, CoordinatorLedger.Owned(p.Cursor, _run.Ledger.FrontierOf(agent.Name) ?? 0, _run.Schedule.ArrivalsBefore(Elapsed(_run))));
        }
    }

    /// <summary>Re-splits the rest of the schedule among the live participants (plus a joiner).</summary>
    private void Resplit(string why, AgentEntry? joiner, Participant? lost = null)
    {
        var run = _run!;
        var recorder = run.Recorder!;
        var at = Elapsed(run) + _settings.ResplitLead.TotalSeconds;
        var from = run.Schedule.ArrivalsBefore(at);
        if (joiner is not null && (!run.Participants.TryGetValue(joiner.Name, out var earlier) || !earlier.Alive))
        {
            // A fresh participant (a lost agent that came back starts over: its earlier share is history).
            run.Participants[joiner.Name] = new Participant(joiner, new ShareCursor(new ShareEpoch(0, -1, 1)));
            recorder.Mark(new JournalMark(Elapsed(run), "agent-joined", joiner.Name, $"{joiner.Name} joined the running run; it takes a share from arrival {from}", Arrivals: from));
        }

        if (lost is not null)
        {
            // What the lost agent owned between its last reported interval and the re-split: nobody fired those (or
            // their results never arrived). An upper bound, marked as the gap.
            // The ledger marks its async and queue ids unknown, from its last reported send on.
            var fromGap = run.Schedule.ArrivalsBefore(lost.LastEnd);
            var owned = CoordinatorLedger.Owned(lost.Cursor, Math.Min(fromGap, run.Ledger?.FrontierOf(lost.Entry.Name) ?? fromGap), from);
            long gap = owned.Count(i => i >= fromGap);
            var unknown = run.Ledger?.AgentLost(lost.Entry.Name, owned).Count;
            recorder.Mark(new JournalMark(Elapsed(run), "gap", lost.Entry.Name,
                $"arrivals of {lost.Entry.Name} between {lost.LastEnd:0.###}s and the re-split at {at:0.###}s were not fired (or not reported)"
                + (unknown is { } u ? $"; the delivery ledger marks {u} of its async and queue ids unknown" : ""), lost.LastSequence, gap));
        }

        var survivors = run.Participants.Values.Where(p => p.Alive && !p.Done).OrderBy(p => p.Entry.Name, StringComparer.Ordinal).ToList();
        if (survivors.Count == 0)
        {
            recorder.Mark(new JournalMark(Elapsed(run), "resplit", null, $"{why}: no agent left to take the schedule; the run ends", Arrivals: from));
            run.Status = "aborted";
            return;
        }

        for (var k = 0; k < survivors.Count; k++)
        {
            var share = new ShareAssignment(from, k, survivors.Count);
            survivors[k].Cursor.Add(AgentRun.ToEpoch(share));
            if (joiner is not null && survivors[k].Entry == joiner)
            {
                joiner.Ref.Tell(new StartLoad(run.RunId, (run.StartAt + run.Ready[joiner.Name]).UtcTicks, share));
                foreach (var label in run.ActiveChaos)
                {
                    joiner.Ref.Tell(new AgentChaos(run.RunId, label, true)); // the client faults on now act on its calls too
                }
            }
            else
            {
                survivors[k].Entry.Ref.Tell(new Reshare(run.RunId, share));
            }
        }

        _settings.Metrics?.Shares(run.Scenario.Name, [.. survivors.Select(x => x.Entry.Name)], run.Participants.Values.Where(x => !x.Alive).Select(x => x.Entry.Name));
        recorder.Mark(new JournalMark(Elapsed(run), "resplit", null,
            $"{why}: from arrival {from} ({at:0.###}s) the schedule is split among {survivors.Count} agent(s): {string.Join(", ", survivors.Select(s => s.Entry.Name))}", Arrivals: from));
    }

    private async Task OnFinishAsync(Finish m)
    {
        if (_run is null || _run.RunId != m.RunId || _run.Recorder is not { } recorder)
        {
            return;
        }

        var run = _run;
        _run = null;
        try
        {
            var outcome = await FinishRunAsync(run, recorder, run.Chaos?.Status(m.Status) ?? m.Status);
            FlushLines(run);
            run.Client.Tell(new RunEnded(run.RunId, outcome.Summary.ToJson(), outcome.ExitCode, outcome.ResultsPath));
            _log.Info("run {0} ended: {1}, exit code {2}, results in {3}", run.RunId, m.Status, outcome.ExitCode, outcome.ResultsPath);
        }
        catch (Exception e)
        {
            // Never leave the client waiting: it hears why, and the journal written so far stays readable.
            _log.Error(e, "run {0} could not be finished", run.RunId);
            FlushLines(run);
            run.Client.Tell(new RunRejected($"the coordinator could not finish run {run.RunId}: {e.Message}", ExitCodes.InternalError));
        }
        finally
        {
            if (run.Chaos is { } chaos)
            {
                await chaos.DisposeAsync();
            }
        }

        Context.Unwatch(run.Client);
    }

    private async Task<RunOutcome> FinishRunAsync(ActiveRun run, RunRecorder recorder, string status)
    {
        var elapsed = Elapsed(run);
        LambdaStorm.Results.LambdaSummary? lambda = null;
        Ledger.LedgerReport? ledger = null;
        List<string> warnings = [];

        // As in a single process: the faults roll back before the model and the ledger settle.
        var chaosReport = run.Chaos is { } chaos ? await chaos.FinishAsync(warnings) : null;
        var loadEnded = run.StartAt + TimeSpan.FromSeconds(Math.Min(run.Schedule.Duration, Math.Max(0, elapsed)));
        if (_settings.Local is { } local)
        {
            // The model's and the ledger's settle run here, in the process that owns them (the actor waits).
            List<string> settled;
            (lambda, ledger, settled) = await local.Resources.FinishAsync(recorder, loadEnded, local.Stop);
            warnings = [.. settled, .. warnings];
            chaosReport = chaosReport?.WithLedger(local.Resources.ChaosLedger, elapsed); // per-fault lost/duplicated/DLQ counts
        }
        else if (run.Ledger is { } clusterLedger)
        {
            // The cluster's ledger settles here too (the actor waits), then lets go of its SQS clients.
            await using (clusterLedger)
            {
                var (report, warning) = await clusterLedger.FinishAsync(recorder, loadEnded, CancellationToken.None);
                ledger = report;
                warnings.AddRange(warning is null ? [] : [warning]);
                chaosReport = chaosReport?.WithLedger(clusterLedger.ChaosLedger, elapsed); // per-fault lost/duplicated/DLQ counts
            }
        }

        var end = new JournalEnd(_settings.Time.GetUtcNow(), status, elapsed, run.Participants.Values.Sum(p => p.Interrupted));
        return await recorder.FinishAsync(end, warnings, lambda, ledger, chaosReport);
    }

    private enum RunPhase
    {
        Waiting,
        Preparing,
        Running,
        Stopping,
        Finishing,
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Timeout(string RunId, RunPhase Phase);

    private sealed record Finish(string RunId, string Status);

    private sealed record PartitionDetected(string RunId, string Agent, string Action);

    private sealed record AgentEntry(string Name, IActorRef Ref);

    private sealed class Participant(AgentEntry entry, ShareCursor cursor)
    {
        public AgentEntry Entry { get; } = entry;

        public ShareCursor Cursor { get; } = cursor;

        public bool Alive { get; set; } = true;

        public bool Done { get; set; }

        public long LastSequence { get; set; } = -1;

        public double LastEnd { get; set; }

        public long Interrupted { get; set; }
    }

    private sealed class ActiveRun(
        string runId, Scenario scenario, ScenarioSource source, IActorRef client, int minAgents, string? emulatorEndpoint,
        LoadSchedule schedule, SnapshotMerger merger, GeneratorHealthMonitor health)
    {
        public string RunId { get; } = runId;

        public Scenario Scenario { get; } = scenario;

        public ScenarioSource Source { get; } = source;

        public IActorRef Client { get; } = client;

        public int MinAgents { get; } = minAgents;

        public string? EmulatorEndpoint { get; } = emulatorEndpoint;

        public LoadSchedule Schedule { get; } = schedule;

        public SnapshotMerger Merger { get; } = merger;

        public GeneratorHealthMonitor Health { get; } = health;

        public RunPhase Phase { get; set; } = RunPhase.Waiting;

        public string Status { get; set; } = "completed";

        public DateTimeOffset StartAt { get; set; }

        public HashSet<string> Preparing { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Joining { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, TimeSpan> Ready { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Participant> Participants { get; } = new(StringComparer.Ordinal);

        public RunRecorder? Recorder { get; set; }

        public CoordinatorLedger? Ledger { get; set; }

        public List<string> Lines { get; } = [];

        /// <summary>The agents of the first split, in slot order (agent actions may name an agent by its slot).</summary>
        public List<string> FirstSplit { get; } = [];

        /// <summary>The run's game day, or null.</summary>
        public CoordinatorChaos? Chaos { get; set; }

        /// <summary>Labels of the actions applied on the agents and not reverted (<see cref="AgentChaos"/>), in the order applied.</summary>
        public List<string> ActiveChaos { get; } = [];

        /// <summary>Buffers a journal line for the client (called under the journal's lock, from any thread).</summary>
        public void AddLine(string line)
        {
            lock (Lines)
            {
                Lines.Add(line);
            }
        }
    }
}
