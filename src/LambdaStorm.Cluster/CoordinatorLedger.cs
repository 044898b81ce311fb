using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster;

/// <summary>
/// The delivery ledger of a run on a real cluster, kept by the coordinator. The agents record their async and queue
/// sends (<see cref="SendLog"/>) and ship them with every snapshot; this class feeds them to the same
/// <see cref="LedgerSession"/> a one-process run uses, which reads receipts, dead-letter and destination queues and
/// queue depth through SQS at the run's emulator, journals a <c>ledger</c> line after every merged interval, and
/// settles after the load. When an agent is lost, every async or queue arrival it may have sent without reporting it
/// — the sends in flight at its last snapshot, and the arrivals it owned from its last reported frontier up to the
/// re-split — is marked <c>unknown</c> (a receipt that turns up later still makes such an id processed). The one-node
/// cluster of <c>run</c> keeps the ledger of <see cref="RunResources"/> instead. Part of internal API.
/// </summary>
internal sealed class CoordinatorLedger : IAsyncDisposable
{
    private readonly LedgerSession _session;
    private readonly Scenario _scenario;
    private readonly InvocationFactory _factory;
    private readonly LoadSchedule _schedule;
    private readonly Dictionary<string, SendBatch> _last = new(StringComparer.Ordinal);
    private DateTimeOffset _startAt;

    /// <summary>The ledger of run <paramref name="runId"/> over a session (<see cref="Create"/> builds the session that reads SQS).</summary>
    internal CoordinatorLedger(LedgerSession session, Scenario scenario, string runId, LoadSchedule schedule)
    {
        _session = session;
        _scenario = scenario;
        _factory = new InvocationFactory(scenario, runId);
        _schedule = schedule;
    }

    /// <summary>
    /// The ledger of a cluster run whose scenario sends on the async or queue path to the emulator at
    /// <paramref name="emulatorEndpoint"/>, or null when the scenario has no ledger.
    /// </summary>
    public static CoordinatorLedger? Create(Scenario scenario, string runId, LoadSchedule schedule, string? emulatorEndpoint, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (!scenario.UsesLedger || scenario.Target is not TargetSpec.Emulator || !Uri.TryCreate(emulatorEndpoint, UriKind.Absolute, out var endpoint))
        {
            return null;
        }

        var session = LedgerSession.Create(scenario, null, endpoint, null, time, sendsQueue: false);
        return session is null ? null : new CoordinatorLedger(session, scenario, runId, schedule);
    }

    /// <summary>The ledger itself (valid after <see cref="Start"/>).</summary>
    public DeliveryLedger Ledger => _session.Ledger;

    /// <summary>
    /// Starts reading; <paramref name="startAt"/> is the run's common start in the coordinator's clock (the charts'
    /// zero and the time base of every intended time). Journals the ledger after every merged interval and shows its
    /// snapshots to <paramref name="observer"/> when it watches the ledger (the coordinator's metrics).
    /// </summary>
    public void Start(RunRecorder recorder, DateTimeOffset startAt, IRunObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _startAt = startAt;
        _session.Start(startAt);
        recorder.AfterInterval = _session.WriteTo;
        _session.Observer = observer as Telemetry.ILedgerObserver;
    }

    /// <summary>Also shows the live snapshots to <paramref name="extra"/> (the chaos controller's <c>dlq_depth</c> abort conditions); call after <see cref="Start"/>.</summary>
    public void ObserveLedger(Telemetry.ILedgerObserver extra) => _session.AddObserver(extra);

    /// <summary>The reconciled ledger for the chaos findings' per-fault counts (after <see cref="FinishAsync"/>).</summary>
    public Chaos.ChaosLedgerSource? ChaosLedger => _session.ChaosLedger;

    /// <summary>Records the sends an agent reported with a snapshot.</summary>
    public void Record(string agent, SendBatch? sends)
    {
        if (sends is null)
        {
            return;
        }

        sends.RecordIn(_session.Input, _factory, _schedule, _startAt);
        _last[agent] = sends;
    }

    /// <summary>The agent's last reported frontier (every async or queue arrival of it below was reported), or null.</summary>
    public long? FrontierOf(string agent) => _last.TryGetValue(agent, out var b) ? b.Frontier : null;

    /// <summary>
    /// An agent was lost. <paramref name="owned"/> are the arrivals it owned up to the re-split (at least from its
    /// last frontier on): each async or queue one at or above the frontier, and each send in flight at its last
    /// snapshot, is marked unknown (an arrival never reported is recorded first, with its intended time: it may have
    /// been sent). Returns the ids marked.
    /// </summary>
    public IReadOnlyList<string> AgentLost(string agent, IEnumerable<long> owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        var input = _session.Input;
        var marked = new List<string>();
        _last.TryGetValue(agent, out var last);
        foreach (var i in last?.InFlight ?? [])
        {
            var id = _factory.IdOf(i);
            input.MarkUnknown(id);
            marked.Add(id);
        }

        var frontier = last?.Frontier ?? 0;
        foreach (var i in owned)
        {
            if (i < frontier || _factory.PathOf(i) is not (InvocationPath.Async or InvocationPath.Queue))
            {
                continue;
            }

            var id = _factory.IdOf(i);
            input.RecordSent(id, _factory.PathOf(i), _startAt + TimeSpan.FromSeconds(_schedule.ArrivalTime(i) ?? 0), _factory.IsPoisoned(i));
            input.MarkUnknown(id);
            marked.Add(id);
        }

        _last.Remove(agent);
        return marked;
    }

    /// <summary>The open-model arrivals <paramref name="cursor"/> owns in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static List<long> Owned(ShareCursor cursor, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var owned = new List<long>();
        for (var i = cursor.Next(from); i < to; i = cursor.Next(i + 1))
        {
            owned.Add(i);
        }

        return owned;
    }

    /// <summary>
    /// After the load (which ended at <paramref name="loadEnded"/>): reads until every id has an outcome, the source
    /// goes quiet or the scenario's settle time (default a minute) runs out; journals the rest and reconciles.
    /// </summary>
    public Task<(LedgerReport Report, string? Warning)> FinishAsync(RunRecorder recorder, DateTimeOffset loadEnded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _session.LoadEnded(loadEnded);
        return _session.FinishAsync(recorder.Journal, _scenario.Settle ?? LedgerSession.DefaultLiveSettle, ct);
    }

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
