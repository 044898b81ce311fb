using System.Diagnostics;
using LambdaStorm.Chaos;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Cluster;

/// <summary>
/// The agent side of a run, without any transport: builds the scenario's target, runs the ordinary
/// <see cref="LoadEngine"/> on this agent's share of the one global schedule, and hands every interval snapshot, with
/// the generator's health, to <see cref="Snapshot"/>. The agent actor drives it; nothing here knows about Akka.
/// Part of internal API.
/// </summary>
internal sealed class AgentRun : IAsyncDisposable
{
    private readonly Scenario _scenario;
    private readonly string _agent;
    private readonly TimeProvider _time;
    private readonly IInvocationTarget _target;
    private readonly bool _ownsTarget;
    private readonly LoadEngine _engine;
    private readonly Ledger.SendLog? _sends;
    private readonly CallerChaos? _chaos;
    private DateTimeOffset _startAt;
    private readonly CancellationTokenSource _stop = new();
    private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private long _lastCpuTs;

    private AgentRun(Scenario scenario, string runId, string agent, ShareEpoch share, IInvocationTarget target, TimeProvider time, bool ownsTarget = true, IInvocationTarget? queue = null)
    {
        _ownsTarget = ownsTarget;
        _scenario = scenario;
        _agent = agent;
        _time = time;
        RunId = runId;
        Schedule = LoadSchedule.Create(scenario.Load);
        if (ownsTarget && scenario.UsesLedger && scenario.Target is TargetSpec.Emulator)
        {
            // The coordinator runs the delivery ledger: this agent records its async and queue sends and ships them
            // with every snapshot; the queue path goes to SQS at the emulator.
            _sends = new Ledger.SendLog(Schedule.TotalArrivals);
            target = new Ledger.SendRecordingTarget(_sends, target, queue, ownsTargets: true);
        }

        if (ownsTarget && scenario.Chaos.Actions.Any(a => CallerChaos.Observable(a, scenario.Function)))
        {
            // The coordinator's game day reaches this agent's calls (AgentChaos): client faults in front of the
            // target, and the watch that reports the first invocation showing an action. The same code as in one process.
            _chaos = new CallerChaos(scenario.Chaos.Actions, scenario.Function, time, OnShown);
            target = _chaos.Wrap(target);
        }

        _target = target;
        var settings = EngineSettings.For(scenario, time) with { ShareOffset = share.Offset, ShareStride = share.Stride, Source = agent };
        _engine = new LoadEngine(Schedule, new InvocationFactory(scenario, runId), _ => target, settings, time);
        _engine.Snapshot += s =>
        {
            Measured?.Invoke(s);
            Snapshot?.Invoke(SnapshotWire.ToReport(runId, agent, s, Health(s)) with { Sends = _sends?.Take() });
        };
        _lastCpuTs = time.GetTimestamp();
    }

    /// <summary>Run id.</summary>
    public string RunId { get; }

    /// <summary>The whole run's schedule (this agent fires a share of it).</summary>
    public LoadSchedule Schedule { get; }

    /// <summary>Every interval this agent measured, as measured (for the agent's own /metrics).</summary>
    public event Action<IntervalSnapshot>? Measured;

    /// <summary>The scenario.</summary>
    public Scenario Scenario => _scenario;

    /// <summary>Every interval this agent measured, ready to send. Called on the engine's snapshot thread.</summary>
    public event Action<SnapshotReport>? Snapshot;

    /// <summary>
    /// The first of this agent's invocations that showed an applied chaos action: the action's label, when that
    /// invocation ended (seconds since the start, in this agent's clock), what showed it. Called on the invocation's thread.
    /// </summary>
    public event Action<string, double, string>? ChaosShown;

    /// <summary>
    /// The coordinator applied (<paramref name="applied"/>) or reverted the chaos action labelled
    /// <paramref name="label"/>: a <c>client-faults</c> action starts or stops injecting into this agent's calls, and
    /// the action is watched (or no longer) for the first invocation that shows it.
    /// </summary>
    /// <returns>The action, or null when the scenario has none by that label that this agent's calls can inject or show.</returns>
    public ChaosAction? OnChaos(string label, bool applied)
    {
        if (_chaos is null || _scenario.Chaos.Actions.FirstOrDefault(a => a.Label == label) is not { } action || !_chaos.Shows(action))
        {
            return null;
        }

        if (applied)
        {
            _chaos.Apply(action);
        }
        else
        {
            _chaos.Revert(action);
        }

        return action;
    }

    /// <summary>Stops every client fault and watch (the load stops, the coordinator is gone): this agent injects nothing any more.</summary>
    /// <returns>The client-faults actions that were injecting.</returns>
    public IReadOnlyList<ChaosAction> DropChaos() => _chaos?.RevertAll() ?? [];

    /// <summary>The run's start in this agent's clock, once <see cref="RunAsync"/> was called.</summary>
    public DateTimeOffset? StartedAt => _startAt == default ? null : _startAt;

    /// <summary>The <c>client-faults</c> action this agent injects right now, or null.</summary>
    public ChaosAction.ClientFaults? InjectingClientFaults => _chaos?.Injecting;

    /// <summary>
    /// Builds the target and warms it up. Emulator targets need <paramref name="emulatorEndpoint"/>: the model lives
    /// in the emulator the agents share, never in an agent.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the scenario cannot run on an agent; the message says why.</exception>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runId">Run id.</param>
    /// <param name="agent">This agent's name.</param>
    /// <param name="share">The share to start with.</param>
    /// <param name="emulatorEndpoint">The shared emulator, for emulator targets.</param>
    /// <param name="time">Clock.</param>
    /// <param name="ct">Cancels the warm-up.</param>
    /// <param name="local">The target of a one-node cluster, built by the process that runs it (<see cref="RunResources"/>), or null.</param>
    public static async Task<AgentRun> PrepareAsync(Scenario scenario, string runId, string agent, ShareEpoch share, string? emulatorEndpoint, TimeProvider time, CancellationToken ct,
        IInvocationTarget? local = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (local is not null)
        {
            // The one-node cluster of 'run': the process built and warmed the target (embedded emulator, ledger, aws
            // guard) and owns it.
            return new AgentRun(scenario, runId, agent, share, local, time, ownsTarget: false);
        }

        IInvocationTarget target;
        if (scenario.Target is TargetSpec.Emulator)
        {
            if (emulatorEndpoint is null || !Uri.TryCreate(emulatorEndpoint, UriKind.Absolute, out var baseAddress))
            {
                throw new InvalidOperationException(
                    "the scenario targets the emulator: on a cluster, start one ('lambdastorm emulator --config FILE') and pass its address with 'run --cluster … --emulator http://HOST:PORT'");
            }

            var lambda = new LambdaHttpTarget(ScenarioRunner.EmulatorEndpoint(baseAddress, scenario), scenario.MaxInFlight);
            await lambda.WarmUpAsync(scenario.MaxInFlight, ct).ConfigureAwait(false);
            return new AgentRun(scenario, runId, agent, share, lambda, time, queue: Ledger.LedgerSession.QueueTargetOf(scenario, baseAddress));
        }

        target = ScenarioRunner.CreateTarget(scenario, time);
        return new AgentRun(scenario, runId, agent, share, target, time);
    }

    /// <summary>Waits for the common start (in this agent's clock), then runs the share; a late start keeps the run's time base.</summary>
    public async Task<EngineResult> RunAsync(DateTimeOffset startAt, CancellationToken ct)
    {
        _startAt = startAt;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        var wait = startAt - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return new EngineResult(startAt, TimeSpan.Zero, true, 0);
            }
        }

        _lastCpuTs = _time.GetTimestamp();
        _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _sends?.StartedAt = startAt;
        return await _engine.RunAsync(_time.GetUtcNow() - startAt, linked.Token).ConfigureAwait(false);
    }

    /// <summary>Applies a re-split from its first arrival on.</summary>
    public void Reshare(ShareAssignment share) => _engine.Reshare(ToEpoch(share));

    /// <summary>Stops the load (graceful stop follows).</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>A share message as an engine epoch.</summary>
    public static ShareEpoch ToEpoch(ShareAssignment share) => new(share.FromArrival, share.Slot, Math.Max(1, share.Slots));

    private void OnShown(ChaosAction action, string detail)
        => ChaosShown?.Invoke(action.Label, Math.Round((_time.GetUtcNow() - _startAt).TotalSeconds, 3), detail);

    private AgentHealth Health(IntervalSnapshot s)
    {
        var now = _time.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = _time.GetElapsedTime(_lastCpuTs, now).TotalSeconds;
        var percent = wall <= 0 ? 0 : (cpu - _lastCpu).TotalSeconds / wall * 100;
        _lastCpu = cpu;
        _lastCpuTs = now;
        var lateness = HistogramCodec.NewHistogram();
        foreach (var p in s.Paths)
        {
            lateness.Add(p.Lateness);
        }

        return new AgentHealth(Math.Round(percent, 1), HistogramCodec.PercentileMs(lateness, 99), s.Dropped, s.Paths.Sum(p => p.Offered));
    }

    public async ValueTask DisposeAsync()
    {
        DropChaos();
        _engine.Dispose();
        if (_ownsTarget)
        {
            await _target.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>The agent's name, as on its snapshots.</summary>
    public override string ToString() => $"{_agent} ({_scenario.Name}, run {RunId})";
}
