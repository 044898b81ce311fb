using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Lambda;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Chaos;

/// <summary>
/// Runs a scenario's game day on a <see cref="TimeProvider"/>: applies each chaos action at its <c>at</c> through one
/// <see cref="IChaosControlPlane"/>, reverts it after its <c>for</c>, and rolls everything back at the end, on abort and
/// on Ctrl-C (a rollback journal covers a crash). It is a component the central recorder feeds: every merged interval
/// goes to <see cref="OnInterval"/>, which checks the steady state once the warm-up is over (the faults do not start
/// when it fails) and evaluates the abort conditions every second; when one fires it asks for a stop through
/// <see cref="StopRequested"/>. Invocations seen through <see cref="Wrap"/> mark each action's effective moment.
/// Part of internal API.
/// </summary>
internal sealed class ChaosController : IAsyncDisposable, Telemetry.ILedgerObserver
{
    private readonly ChaosPlan _plan;
    private readonly IChaosControlPlane _plane;
    private readonly TimeProvider _time;
    private readonly RollbackJournal? _rollback;
    private readonly Action<ChaosEvent>? _journal;
    private readonly string? _observedFunction;
    private readonly CallerChaos _caller;
    private readonly Dictionary<ChaosAction, (double At, string Detail)> _reported = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _planeLock = new(1, 1);
    private readonly List<ChaosEvent> _events = [];
    private readonly List<IntervalSnapshot> _intervals = [];
    private readonly RunAggregate _total = new();
    private readonly Dictionary<ChaosAction, ActionState> _states = [];
    private readonly List<ChaosAction> _waiting = [];
    private readonly List<ITimer> _timers = [];
    private readonly List<Task> _work = [];
    private readonly Dictionary<AbortRule, double> _heldSince = [];
    private readonly Dictionary<string, double> _agentsLost = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _start;
    private bool _started;
    private bool _closed;
    private bool? _before;
    private int _awaitingEffect;
    private bool _rolledBack;
    private bool _journalComplete;
    private Ledger.LedgerReport? _ledger;

    /// <param name="plan">The plan.</param>
    /// <param name="plane">Where the actions are applied.</param>
    /// <param name="time">The run's clock.</param>
    /// <param name="rollback">The rollback journal, or null (in-process runs, whose model dies with them).</param>
    /// <param name="journal">Called with every chaos event (the results journal, the live view), or null.</param>
    /// <param name="observedFunction">The function the sync path invokes: its invocations can show a function fault.</param>
    /// <param name="clientFaultRandomizer">Draws that decide each client-fault injection (tests pass a seeded one), or null for Polly's.</param>
    public ChaosController(ChaosPlan plan, IChaosControlPlane plane, TimeProvider time, RollbackJournal? rollback, Action<ChaosEvent>? journal, string? observedFunction, Func<double>? clientFaultRandomizer = null)
    {
        _plan = plan;
        _plane = plane;
        _time = time;
        _rollback = rollback;
        _journal = journal;
        _observedFunction = observedFunction;
        _caller = new CallerChaos(plan.Actions, observedFunction, time, OnShown, clientFaultRandomizer);
        foreach (var a in plan.Actions)
        {
            _states[a] = new ActionState();
        }
    }

    /// <summary>Cancelled when the run must stop: an abort condition fired, or the steady state failed before the faults.</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>The abort that fired, for people, or null.</summary>
    public string? AbortReason { get; private set; }

    /// <summary>True when the steady state did not hold over the warm-up, so no fault was started.</summary>
    public bool SteadyStateFailedBefore => _before == false;

    /// <summary>The summary warning for how the game day ended the run (an abort, or the steady state failing before the faults), or null.</summary>
    public string? EndWarning => AbortReason is { } abort
        ? $"aborted: {abort}"
        : SteadyStateFailedBefore ? "the steady state did not hold over the warm-up, so no fault was started and the run stopped" : null;

    /// <summary>Every chaos event so far.</summary>
    public ImmutableArray<ChaosEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Actions currently applied and not reverted, by label (the <c>lambdastorm_chaos_active</c> gauge).</summary>
    public IReadOnlyList<string> Active
    {
        get
        {
            lock (_gate)
            {
                return [.. _states.Where(kv => kv.Value.Applied && !kv.Value.Reverted).Select(kv => kv.Key.Label)];
            }
        }
    }

    /// <summary>
    /// Wraps the run's target so that each invocation's outcome can mark an action effective; with <c>client-faults</c>
    /// in the plan, the caller-side fault injector (<see cref="ClientFaultInjector"/>) goes in front of the target too
    /// (both through <see cref="CallerChaos"/>, the same code a cluster agent runs).
    /// </summary>
    public IInvocationTarget Wrap(IInvocationTarget target) => _caller.Wrap(target);

    /// <summary>Starts the timeline; call when the load starts.</summary>
    public void Start() => Start(TimeSpan.Zero);

    /// <summary>
    /// Starts the timeline with its origin <paramref name="loadStartsIn"/> from now: the cluster coordinator fixes the
    /// common start a little in the future, and every <c>at</c> (and the journal's times) counts from that start.
    /// </summary>
    public void Start(TimeSpan loadStartsIn)
    {
        var lead = loadStartsIn < TimeSpan.Zero ? TimeSpan.Zero : loadStartsIn;
        lock (_gate)
        {
            _start = _time.GetTimestamp() + (long)(lead.TotalSeconds * _time.TimestampFrequency);
            _started = true;
            foreach (var a in _plan.Actions)
            {
                _timers.Add(_time.CreateTimer(_ => Due(a), null, lead + a.At, Timeout.InfiniteTimeSpan));
            }
        }
    }

    /// <summary>
    /// True when no invocation passes through <see cref="Wrap"/> (the load runs on agents elsewhere): an action's
    /// effective moment is the earliest invocation the agents report (<see cref="EffectReported"/>), and when none
    /// reports one, the first merged interval that shows it, at interval resolution.
    /// </summary>
    public bool EffectFromIntervals { get; init; }

    /// <summary>The cluster side of agent actions (the coordinator), or null: agent actions are then not applicable.</summary>
    public IChaosAgents? Agents { get; init; }

    /// <summary>
    /// The processes that invoke, when they are elsewhere (the agents of a real cluster), or null: every action an
    /// invocation can show (and every <c>client-faults</c> action) is passed on when it is applied and when it is
    /// reverted, and the agents report the first invocation that showed it (<see cref="EffectReported"/>). Set before
    /// <see cref="Start()"/>.
    /// </summary>
    public IChaosInvokers? Invokers { get; set; }

    /// <summary>
    /// An agent reports the first of its invocations that showed <paramref name="label"/>, at <paramref name="at"/>
    /// (seconds since the start, in the run's timeline). The earliest report of an action is its effective moment,
    /// settled by the first merged interval that ends at or after it (by then every agent's report of an earlier
    /// invocation has come: an agent reports before it sends that interval's snapshot).
    /// </summary>
    public void EffectReported(string label, double at, string detail)
    {
        lock (_gate)
        {
            if (_plan.Actions.FirstOrDefault(a => a.Label == label) is not { } a || _states[a] is not { Applied: true, Effective: false })
            {
                return;
            }

            if (!_reported.TryGetValue(a, out var earlier) || at < earlier.At)
            {
                _reported[a] = (at, detail);
            }
        }
    }

    /// <summary>
    /// The coordinator marked <paramref name="agent"/> lost at <paramref name="at"/> (seconds since the start): the
    /// effective moment of an agent action that cut it off.
    /// </summary>
    public void AgentLost(string agent, double at)
    {
        lock (_gate)
        {
            _agentsLost[agent] = at;
            foreach (var (a, s) in _states)
            {
                if (a is ChaosAction.AgentAction && s.Applied && !s.Effective && !s.Reverted && s.Agent == agent)
                {
                    MarkAgentEffectiveLocked(a, s, at);
                }
            }
        }
    }

    /// <summary>Adds the summary warnings of the game day: agent actions that could not apply, and how it ended the run.</summary>
    public void AddWarnings(List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        lock (_gate)
        {
            warnings.AddRange(_events.Where(e => e.Kind == "not-applicable").Select(e => $"chaos action {e.Action} was not applied: {e.Detail}"));
        }

        if (EndWarning is { } end)
        {
            warnings.Add(end);
        }

        if (_rollback?.RegistrationError is { } unregistered)
        {
            warnings.Add($"the rollback journal {_rollback.Path} could not be registered in the state folder ({unregistered}): after a crash, replay it with 'lambdastorm rollback {Path.GetDirectoryName(_rollback.Path)}'");
        }
    }

    /// <summary>One merged interval: steady-state check after the warm-up, and the abort conditions.</summary>
    public void OnInterval(IntervalSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _intervals.Add(snapshot);
            _total.Add(snapshot);
            SettleReportedLocked(snapshot.End);
            if (EffectFromIntervals && Volatile.Read(ref _awaitingEffect) > 0)
            {
                ObserveIntervalLocked(snapshot);
            }

            if (_plan.SteadyState is { } steady && _before is null && snapshot.End >= steady.WarmUp.TotalSeconds - 1e-6)
            {
                var verdict = ChaosReport.Check(steady, _intervals, 0, steady.WarmUp.TotalSeconds);
                _before = verdict.Held;
                var text = string.Join(", ", verdict.Rules.Select(r => $"{r.Expression}: {r.ActualText}{(r.Passed ? string.Empty : " FAILED")}"));
                RecordLocked(snapshot.End, "steady-state", null, verdict.Held ? $"held over the warm-up ({text}); faults start" : $"did not hold over the warm-up ({text}); no fault is started and the run stops");
                if (verdict.Held)
                {
                    foreach (var a in _waiting)
                    {
                        Launch(ApplyAsync(a));
                    }
                }
                else
                {
                    _stop.Cancel();
                }

                _waiting.Clear();
            }

            if (AbortReason is null)
            {
                EvaluateAbortLocked(snapshot);
            }
        }
    }

    /// <summary>
    /// The delivery ledger as it stands (its snapshot after every interval): abort conditions on <c>dlq_depth</c> and <c>lost</c> read
    /// it. The single-process run passes the ledger session's snapshots here (<c>RunResources.ObserveLedger</c>); a
    /// coordinator that keeps the ledger calls it the same way, before the interval's <see cref="OnInterval"/>.
    /// </summary>
    public void OnLedger(Telemetry.LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            _ledger = snapshot.Report;
        }
    }

    /// <summary>Rolls back everything still applied (the end of the run, Ctrl-C), waits for work in flight, and returns the findings.</summary>
    public async Task<ChaosReport> FinishAsync(CancellationToken ct = default)
    {
        await RollbackAllAsync("the run ended", ct).ConfigureAwait(false);
        lock (_gate)
        {
            SettleReportedLocked(double.MaxValue);
            _closed = true;
            return ChaosReport.Build(_plan, _events, _intervals);
        }
    }

    /// <summary>Reverts every applied action, newest first; marks the rollback journal complete when all succeeded.</summary>
    public async Task RollbackAllAsync(string why, CancellationToken ct = default)
    {
        Task[] work;
        List<ChaosAction> applied;
        lock (_gate)
        {
            _waiting.Clear();
            foreach (var t in _timers)
            {
                t.Dispose();
            }

            _timers.Clear();
            _closed = _closed || why != "abort";
            work = [.. _work];
            applied = [.. _plan.Actions.Reverse()];
        }

        // Actions being applied right now finish first, so that their undo is known.
        await Task.WhenAll(work).ConfigureAwait(false);
        lock (_gate)
        {
            // No new action may start from here on.
            foreach (var s in _states.Values)
            {
                s.Cancelled = true;
            }
        }

        var failures = 0;
        foreach (var a in applied)
        {
            if (!await RevertAsync(a, ct).ConfigureAwait(false))
            {
                failures++;
            }
        }

        lock (_gate)
        {
            var any = _states.Values.Any(s => s.Applied);
            if (failures == 0)
            {
                if (!_journalComplete)
                {
                    // Once: the end of the run and disposal both roll back.
                    _journalComplete = true;
                    _rollback?.Complete();
                }

                if (any && !_rolledBack)
                {
                    _rolledBack = true;
                    RecordLocked(Now, "rolled-back", null, $"every fault rolled back ({why})");
                }
            }
            else
            {
                RecordLocked(Now, "rollback-failed", null, $"{failures} fault(s) could not be rolled back ({why}); run 'lambdastorm rollback' on the results folder");
            }
        }
    }

    /// <summary>Waits until no action is being applied or reverted (tests under fake time advance the clock, then settle).</summary>
    internal async Task SettleAsync()
    {
        while (true)
        {
            Task[] work;
            lock (_gate)
            {
                work = [.. _work.Where(t => !t.IsCompleted)];
            }

            if (work.Length == 0)
            {
                return;
            }

            await Task.WhenAll(work).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RollbackAllAsync("the run ended").ConfigureAwait(false);
        _stop.Dispose();
        _planeLock.Dispose();
    }

    private double Now => _started ? _time.GetElapsedTime(_start).TotalSeconds : 0;

    private void Due(ChaosAction a)
    {
        lock (_gate)
        {
            if (_closed || _states[a].Cancelled || _before == false || AbortReason is not null)
            {
                return;
            }

            if (_plan.SteadyState is not null && _before is null)
            {
                // The warm-up verdict has not come yet: the action waits for it.
                _waiting.Add(a);
                return;
            }

            Launch(ApplyAsync(a));
        }
    }

    private void Launch(Task task)
    {
        _work.RemoveAll(t => t.IsCompleted);
        _work.Add(task);
    }

    private async Task ApplyAsync(ChaosAction a)
    {
        var state = _states[a];
        Record(a, "requested", a.Describe);
        if (a is ChaosAction.AgentAction agentAction)
        {
            await ApplyToAgentAsync(agentAction, state).ConfigureAwait(false);
            return;
        }

        await _planeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (state.Cancelled)
                {
                    RecordLocked(Now, "failed", a.Label, "not applied: the run was already ending");
                    return;
                }
            }

            var undo = await ApplyCoreAsync(a).ConfigureAwait(false);
            lock (_gate)
            {
                state.Undo = undo;
                state.Applied = true;
                state.AppliedAt = Now;
                RecordLocked(Now, "applied", a.Label, a is ChaosAction.ClientFaults && Invokers is { } invokers
                    ? $"{a.Describe} (at {invokers.Describe})"
                    : $"{a.Describe} (through {_plane.Describe})");
                if (_caller.Shows(a))
                {
                    Interlocked.Increment(ref _awaitingEffect);
                    _caller.Apply(a);
                    Invokers?.Applied(a);
                }
                else
                {
                    state.Effective = true;
                    RecordLocked(Now, "effective", a.Label, "control plane accepted the change");
                }

                if (a.Until is { } until)
                {
                    var due = TimeSpan.FromSeconds(Math.Max(0, until.TotalSeconds - Now));
                    _timers.Add(_time.CreateTimer(_ => { lock (_gate) { Launch(RevertAsync(a, CancellationToken.None)); } }, null, due, Timeout.InfiniteTimeSpan));
                }
            }
        }
        catch (ChaosControlPlaneException ex)
        {
            Record(a, "failed", ex.Message);
        }
        finally
        {
            _planeLock.Release();
        }
    }

    /// <summary>
    /// Applies an agent action through the coordinator. Nothing is written to the rollback journal: a cut-off agent is
    /// state of the running cluster, which a later process cannot (and need not) restore. Effective is the coordinator's
    /// agent-lost mark (<see cref="AgentLost"/>).
    /// </summary>
    private async Task ApplyToAgentAsync(ChaosAction.AgentAction a, ActionState state)
    {
        if ((Agents is null ? "this run has no cluster agents" : Agents.NotApplicable) is { } why)
        {
            Record(a, "not-applicable", $"{a.Kind} acts on cluster agents only, and {why}; the action was not applied (run it with 'run --cluster' on a cluster of agents)");
            return;
        }

        double requestedAt;
        lock (_gate)
        {
            requestedAt = Now;
            if (state.Cancelled)
            {
                RecordLocked(Now, "failed", a.Label, "not applied: the run was already ending");
                return;
            }
        }

        try
        {
            var agent = await Agents!.CutAsync(a, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                state.Agent = agent;
                state.Applied = true;
                state.AppliedAt = Now;
                Interlocked.Increment(ref _awaitingEffect);
                RecordLocked(Now, "applied", a.Label, $"{a.Describe}: {agent} (through the coordinator)");
                if (_agentsLost.TryGetValue(agent, out var lostAt) && lostAt >= requestedAt - 1e-6)
                {
                    MarkAgentEffectiveLocked(a, state, lostAt);
                }

                if (a.Until is { } until)
                {
                    var due = TimeSpan.FromSeconds(Math.Max(0, until.TotalSeconds - Now));
                    _timers.Add(_time.CreateTimer(_ => { lock (_gate) { Launch(RevertAsync(a, CancellationToken.None)); } }, null, due, Timeout.InfiniteTimeSpan));
                }
            }
        }
        catch (ChaosControlPlaneException ex)
        {
            Record(a, "failed", ex.Message);
        }
    }

    private void MarkAgentEffectiveLocked(ChaosAction a, ActionState s, double at) => MarkEffectiveLocked(a, s, at, $"the coordinator marked {s.Agent} lost");

    /// <summary>Applies an action; the undo is journaled before the change is made, so a crash in between still rolls back.</summary>
    private async Task<ChaosUndo?> ApplyCoreAsync(ChaosAction a)
    {
        var ct = CancellationToken.None;
        switch (a)
        {
            case ChaosAction.ReservedConcurrency r:
            {
                var undo = new ChaosUndo(a.Label, "reserved", r.Target, Value: await _plane.GetReservedConcurrencyAsync(r.Target, ct).ConfigureAwait(false));
                _rollback?.Applied(undo);
                await _plane.SetReservedConcurrencyAsync(r.Target, r.Value, ct).ConfigureAwait(false);
                return undo;
            }

            case ChaosAction.ProvisionedConcurrency p:
            {
                var undo = new ChaosUndo(a.Label, "provisioned", p.Target, p.Qualifier, await _plane.GetProvisionedConcurrencyAsync(p.Target, p.Qualifier, ct).ConfigureAwait(false));
                if (p.Value is null && undo.Value is null)
                {
                    return null;
                }

                _rollback?.Applied(undo);
                await _plane.SetProvisionedConcurrencyAsync(p.Target, p.Qualifier, p.Value, ct).ConfigureAwait(false);
                return undo;
            }

            case ChaosAction.QueueVisibilityTimeout v:
            {
                var undo = new ChaosUndo(a.Label, "visibility", v.Target, Value: await _plane.GetVisibilityTimeoutAsync(v.Target, ct).ConfigureAwait(false));
                _rollback?.Applied(undo);
                await _plane.SetVisibilityTimeoutAsync(v.Target, (int)v.Value.TotalSeconds, ct).ConfigureAwait(false);
                return undo;
            }

            case ChaosAction.PurgeQueue q:
                await _plane.PurgeQueueAsync(q.Target, ct).ConfigureAwait(false);
                return null;
            case ChaosAction.ClientFaults:
                // A state the wrapper reads, in the processes that invoke (applied once the action is marked applied):
                // nothing to journal for a replay.
                return null;
            default:
            {
                // The environment is read first; the undo journals the fault variables' previous values, if any.
                var variables = FaultVariables(a);
                var env = (await _plane.GetEnvironmentAsync(a.Target, ct).ConfigureAwait(false)).ToDictionary(StringComparer.Ordinal);
                var previous = variables.Keys.Where(env.ContainsKey).ToDictionary(k => k, k => env[k], StringComparer.Ordinal);
                var undo = new ChaosUndo(a.Label, "remove-variables", a.Target, Variables: [.. variables.Keys], Previous: previous.Count == 0 ? null : previous);
                _rollback?.Applied(undo);
                foreach (var (k, v) in variables)
                {
                    env[k] = v;
                }

                await _plane.SetEnvironmentAsync(a.Target, env, ct).ConfigureAwait(false);
                return undo;
            }
        }
    }

    /// <summary>The <c>LAMBDASTORM_FAULT_*</c> variables of a function fault (read by the model and the probe function).</summary>
    internal static Dictionary<string, string> FaultVariables(ChaosAction a)
    {
        static string N(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        return a switch
        {
            ChaosAction.FunctionErrors e => new() { [FunctionFaults.ErrorRateVariable] = N(e.Rate), [FunctionFaults.PreventExecutionVariable] = e.PreventExecution ? "true" : "false" },
            ChaosAction.FunctionLatency l => new() { [FunctionFaults.LatencyMsVariable] = N(l.Latency.TotalMilliseconds), [FunctionFaults.LatencyShareVariable] = N(l.Percentage) },
            ChaosAction.FunctionTimeout t => new() { [FunctionFaults.TimeoutShareVariable] = N(t.Percentage) },
            ChaosAction.DownstreamLimit d => new() { [FunctionFaults.DownstreamLimitVariable] = d.Limit.ToString(CultureInfo.InvariantCulture) },
            _ => throw new ArgumentOutOfRangeException(nameof(a), a.Kind, "not a function fault"),
        };
    }

    private async Task<bool> RevertAsync(ChaosAction a, CancellationToken ct)
    {
        var state = _states[a];
        lock (_gate)
        {
            if (!state.Applied || state.Reverted || state.Reverting)
            {
                return true;
            }

            state.Reverting = true;
        }

        await _planeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (a is ChaosAction.AgentAction agentAction && Agents is not null && state.Agent is { } agent)
            {
                await Agents.RestoreAsync(agentAction, agent, ct).ConfigureAwait(false);
            }
            else if (state.Undo is { } undo)
            {
                await undo.ApplyAsync(_plane, ct).ConfigureAwait(false);
                _rollback?.Undone(a.Label);
            }

            if (_caller.Shows(a))
            {
                _caller.Revert(a);
                Invokers?.Reverted(a);
            }

            lock (_gate)
            {
                state.Reverted = true;
                if (!state.Effective)
                {
                    Interlocked.Decrement(ref _awaitingEffect);
                }

                RecordLocked(Now, "reverted", a.Label, a is ChaosAction.AgentAction
                    ? $"{state.Agent} may rejoin; it takes a share at the next re-split"
                    : state.Undo?.Describe ?? (a is ChaosAction.ClientFaults ? "client faults stopped" : "nothing to restore"));
            }

            return true;
        }
        catch (ChaosControlPlaneException ex)
        {
            lock (_gate)
            {
                state.Reverting = false;
                RecordLocked(Now, "failed", a.Label, "revert failed: " + ex.Message);
            }

            return false;
        }
        finally
        {
            _planeLock.Release();
        }
    }

    /// <summary>
    /// The watch of this process's invocations (<see cref="CallerChaos"/>) saw the first one that shows
    /// <paramref name="a"/>: its effective moment, now.
    /// </summary>
    private void OnShown(ChaosAction a, string detail)
    {
        lock (_gate)
        {
            if (_states.TryGetValue(a, out var s) && s.Applied && !s.Effective && !s.Reverted)
            {
                MarkEffectiveLocked(a, s, Now, detail);
            }
        }
    }

    /// <summary>Marks effective every action whose earliest agent report is at or before <paramref name="upTo"/>.</summary>
    private void SettleReportedLocked(double upTo)
    {
        foreach (var (a, (at, detail)) in _reported.Where(kv => kv.Value.At <= upTo).ToList())
        {
            _reported.Remove(a);
            var s = _states[a];
            if (s.Applied && !s.Effective)
            {
                MarkEffectiveLocked(a, s, Math.Max(s.AppliedAt, at), detail);
            }
        }
    }

    private void MarkEffectiveLocked(ChaosAction a, ActionState s, double at, string detail)
    {
        s.Effective = true;
        if (!s.Reverted)
        {
            // A reverted action no longer counts as awaiting (an agent's report may settle after the revert).
            Interlocked.Decrement(ref _awaitingEffect);
        }

        RecordLocked(at, "effective", a.Label, detail);
    }

    /// <summary>
    /// Marks effective every applied action that a merged interval ending after it was applied shows on the sync path
    /// (interval resolution: the effective moment is the later of the interval's start and the apply).
    /// </summary>
    private void ObserveIntervalLocked(IntervalSnapshot snapshot)
    {
        long Count(Outcome outcome) => snapshot.Series.Where(x => x.Key.Path == InvocationPath.Sync && x.Key.Outcome == outcome).Sum(x => x.Count);
        foreach (var (a, s) in _states)
        {
            if (!s.Applied || s.Effective || s.Reverted || !_caller.Shows(a) || snapshot.End <= s.AppliedAt)
            {
                continue;
            }

            var shows = a switch
            {
                ChaosAction.ReservedConcurrency => Count(Outcome.Throttled) is var n && n > 0 ? $"{n} throttle(s)" : null,
                ChaosAction.FunctionErrors => Count(Outcome.FunctionError) is var n && n > 0 ? $"{n} function error(s)" : null,
                ChaosAction.FunctionTimeout => Count(Outcome.Timeout) is var n && n > 0 ? $"{n} timeout(s)" : null,
                ChaosAction.FunctionLatency l => snapshot.Series.Where(x => x.Key.Path == InvocationPath.Sync && x.Count > 0).Select(x => x.Histogram.GetMaxValue()).DefaultIfEmpty(0).Max() is var max
                    && max >= l.Latency.TotalMilliseconds * 1000 ? $"a sync call of {max / 1000.0:0} ms" : null,
                _ => null,
            };
            if (shows is not null)
            {
                MarkEffectiveLocked(a, s, Math.Max(s.AppliedAt, snapshot.Start),
                    $"first merged interval showing it ({snapshot.Start:0.###}-{snapshot.End:0.###}s: {shows}; interval resolution: no agent reported the invocation that showed it)");
            }
        }
    }

    private void EvaluateAbortLocked(IntervalSnapshot snapshot)
    {
        var single = new RunAggregate();
        single.Add(snapshot);
        foreach (var rule in _plan.Abort)
        {
            // Counts accumulate over the run so far; rates and latencies are read on the last second; ledger metrics
            // (dlq_depth, lost) on the ledger's latest snapshot (no value before the first one).
            var data = rule.Condition.Metric.Unit == MetricUnit.Count ? _total : single;
            var seconds = rule.Condition.Metric.Unit == MetricUnit.Count ? Math.Max(1e-9, snapshot.End) : Math.Max(1e-9, snapshot.End - snapshot.Start);
            var value = ThresholdEvaluator.Measure(rule.Condition, data, seconds, _ledger);
            if (value is not { } v || double.IsNaN(v) || !rule.Condition.Holds(v))
            {
                _heldSince.Remove(rule);
                continue;
            }

            if (!_heldSince.TryGetValue(rule, out var since))
            {
                _heldSince[rule] = since = snapshot.Start;
            }

            if (snapshot.End - since >= rule.For.TotalSeconds - 1e-6)
            {
                AbortReason = $"abort condition '{rule.Expression}' fired ({rule.Condition.Metric.Name} = {rule.Condition.Format(v)})";
                RecordLocked(snapshot.End, "abort", null, AbortReason);
                _stop.Cancel();
                Launch(RollbackAllAsync("abort"));
                return;
            }
        }
    }

    private void Record(ChaosAction a, string kind, string detail)
    {
        lock (_gate)
        {
            RecordLocked(Now, kind, a.Label, detail);
        }
    }

    private void RecordLocked(double at, string kind, string? action, string detail)
    {
        var a = action is null ? null : _plan.Actions.FirstOrDefault(x => x.Label == action);
        var e = Event(at, kind, a, detail) with { Action = action };
        _events.Add(e);
        _journal?.Invoke(e);
    }

    /// <summary>A timeline event of <paramref name="a"/> (or a run-wide one), with its metrics labels.</summary>
    internal static ChaosEvent Event(double at, string kind, ChaosAction? a, string detail) => new(Math.Round(at, 3), kind, a?.Label, detail)
    {
        ActionKind = a?.Kind,
        Target = a?.TargetKind == ChaosTargetKind.Client ? null : a?.Target, // no function or queue label for the caller
        OnQueue = a?.TargetKind == ChaosTargetKind.Queue,
    };

    /// <summary>A chaos event as one journal line (type <c>chaos</c>).</summary>
    internal static string JournalLine(ChaosEvent e) => JsonSerializer.Serialize(new { type = "chaos", at = e.At, kind = e.Kind, action = e.Action, detail = e.Detail }, RollbackJournal.Json);

    private sealed class ActionState
    {
        public bool Applied;
        public double AppliedAt;
        public string? Agent;
        public bool Effective;
        public bool Reverting;
        public bool Reverted;
        public bool Cancelled;
        public ChaosUndo? Undo;
    }
}
