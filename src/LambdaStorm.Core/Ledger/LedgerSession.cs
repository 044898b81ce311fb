using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Ledger;

/// <summary>
/// The delivery ledger's part of one run: records every id the load sends on the async and queue paths, reads
/// receipts, dead-letter and destination messages and queue depth during the run (every second) and after it (until
/// every id has an outcome, the source goes quiet, or the settle time runs out), journals all of it, and reconciles.
/// <see cref="Runs.RunResources"/> drives it for a one-process run (wrapping the target); a cluster coordinator drives
/// it with the sends its agents report (<see cref="Input"/>). Part of internal API.
/// </summary>
internal sealed class LedgerSession : IAsyncDisposable
{
    /// <summary>How often depth is sampled and queues are read during the run.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Default settle time of a live run.</summary>
    public static readonly TimeSpan DefaultLiveSettle = TimeSpan.FromMinutes(1);

    private readonly ILedgerReader _reader;
    private readonly IInvocationTarget? _queueTarget;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private LedgerJournal? _journal;
    private Task _loop = Task.CompletedTask;
    private SourceState _lastState = SourceState.Busy;
    private string? _failure;
    private int _depthObserved;
    private DateTimeOffset _origin;

    public LedgerSession(ILedgerReader reader, IInvocationTarget? queueTarget, TimeProvider time)
    {
        _reader = reader;
        _queueTarget = queueTarget;
        _time = time;
    }

    /// <summary>
    /// The session for a scenario that sends on the async or queue path to an emulator target, or null. With a model
    /// host (simulate, in-process) it reads the model's queues directly and sends to them; otherwise it goes through
    /// SQS's API at <paramref name="endpoint"/> (the embedded emulator, or the running one of <c>target.endpoint</c>),
    /// asking <paramref name="model"/> for queued async events when the emulator runs in this process (and the
    /// emulator's <c>/metrics</c> when it runs elsewhere). With <paramref name="sendsQueue"/> false the session only
    /// reads (a cluster coordinator: its agents send).
    /// </summary>
    public static LedgerSession? Create(Scenario scenario, ModelHost? host, Uri? endpoint, Lambda.LambdaModel? model, TimeProvider time, bool sendsQueue = true)
    {
        if (scenario.UsesLedger && scenario.Target is TargetSpec.Aws aws)
        {
            return ForAws(scenario, aws, time);
        }

        if (!scenario.UsesLedger || scenario.Target is not TargetSpec.Emulator emulator)
        {
            return null;
        }

        var async = scenario.Paths.Entries.Any(e => e.Path == InvocationPath.Async);
        var plan = emulator.Endpoint is null
            ? LedgerPlan.ForModel(emulator.Model, scenario.Queue, async)
            : new LedgerPlan(scenario.Queue, emulator.ReceiptsQueue is { } r ? [r] : [], [], async);
        plan = plan with { Function = scenario.Function };
        if (host is not null)
        {
            return new LedgerSession(new ModelLedgerReader(host.Model, plan, host.Flush), scenario.Queue is { } q ? new ModelQueueTarget(host, q) : null, time);
        }

        if (endpoint is null)
        {
            return null;
        }

        var region = model?.Account.Region ?? emulator.Model.Account.Region;
        var queueTarget = sendsQueue ? QueueTargetOf(scenario, endpoint, region) : null;
        var reader = new SqsLedgerReader(SqsClients.Create(endpoint, region), plan, time, model)
        {
            EmulatorMetrics = model is null ? new Uri(endpoint, "/metrics") : null,
            CountsLost = scenario.Chaos.Abort.Any(a => a.Condition.Metric.Name == "lost"),
        };
        return new LedgerSession(reader, queueTarget, time);
    }

    /// <summary>
    /// The SQS sender of a scenario's queue path at an emulator's endpoint (in the region of <paramref name="region"/>,
    /// or of the scenario's emulator target), or null when it has no queue path.
    /// </summary>
    public static IInvocationTarget? QueueTargetOf(Scenario scenario, Uri endpoint, string? region = null)
        => scenario.Queue is { } queue
            ? new SqsQueueTarget(SqsClients.Create(endpoint, region ?? (scenario.Target as TargetSpec.Emulator)?.Model.Account.Region ?? "us-east-1"), queue, Math.Min(scenario.MaxInFlight, 32))
            : null;

    /// <summary>
    /// The session of an aws target with a receipts queue: reads the real receipts queue and the dead-letter queues
    /// (the URLs of <c>target.queues</c> after the source) and samples the source's depth, through AWSSDK.SQS with the
    /// region, the standard credential chain (or the profile) and the optional endpoint. Queue sends are not routed here:
    /// the aws target itself sends them, behind the cost and invocation caps.
    /// </summary>
    private static LedgerSession? ForAws(Scenario scenario, TargetSpec.Aws aws, TimeProvider time)
    {
        if (aws.ReceiptsQueue is not { } receipts)
        {
            return null;
        }

        var async = scenario.Paths.Entries.Any(e => e.Path == InvocationPath.Async);
        var plan = new LedgerPlan(scenario.Queue, [receipts], [.. aws.Queues.Where(q => q != scenario.Queue && q != receipts)], async);
        var sqs = SqsClients.Create(aws.Endpoint, aws.Region, Aws.AwsSession.ResolveCredentials(aws.Profile));
        return new LedgerSession(new SqsLedgerReader(sqs, plan, time, null), null, time);
    }

    /// <summary>The reconciled ledger as the chaos findings read it (set by <see cref="FinishAsync"/>), or null before.</summary>
    public Chaos.ChaosLedgerSource? ChaosLedger { get; private set; }

    /// <summary>The ledger (valid after <see cref="Start"/>).</summary>
    public DeliveryLedger Ledger => Journal.Ledger;

    private LedgerJournal Journal => _journal ?? throw new InvalidOperationException("the ledger session has not started");

    /// <summary>Wraps the run's target: records every async and queue send, and routes the queue path to the queue target.</summary>
    public IInvocationTarget Wrap(IInvocationTarget target) => new SendRecordingTarget(new JournalRecorder(this), target, _queueTarget);

    /// <summary>
    /// The ledger's input (valid after <see cref="Start"/>), for sends recorded elsewhere: a cluster coordinator feeds
    /// it what its agents report, and marks a dead agent's in-flight ids unknown. Everything fed is journaled.
    /// </summary>
    public ILedgerInput Input => Journal;

    /// <summary>Starts recording; <paramref name="origin"/> is the run's start (the charts' zero).</summary>
    public void Start(DateTimeOffset origin)
    {
        // As the journal stores it, so the findings' per-fault windows hold the same ids live as in `report`.
        _origin = LedgerJournal.AtJournalPrecision(origin);
        _journal = new LedgerJournal(new DeliveryLedger(), origin);
        _loop = LoopAsync(_stop.Token);
    }

    /// <summary>The load ended at <paramref name="at"/> (its last arrival was due); the drain time counts from here.</summary>
    public void LoadEnded(DateTimeOffset at) => Journal.RecordLoadEnded(at);

    /// <summary>Gets the ledger live (metrics): a snapshot after every journaled step and the final reconciliation, or null.</summary>
    public Telemetry.ILedgerObserver? Observer { get; set; }

    /// <summary>
    /// Also shows the live snapshots to <paramref name="extra"/> (the chaos controller, whose abort conditions read
    /// <c>dlq_depth</c>), after the observer already set.
    /// </summary>
    public void AddObserver(Telemetry.ILedgerObserver extra)
        => Observer = Observer is { } first ? new LedgerObservers(first, extra) : extra;

    /// <summary>Two ledger observers in turn.</summary>
    private sealed class LedgerObservers(Telemetry.ILedgerObserver first, Telemetry.ILedgerObserver second) : Telemetry.ILedgerObserver
    {
        public void OnLedger(Telemetry.LedgerSnapshot snapshot)
        {
            first.OnLedger(snapshot);
            second.OnLedger(snapshot);
        }
    }

    /// <summary>Journals what the ledger recorded since the last call (call after each interval line), and shows it to the observer.</summary>
    public void WriteTo(JournalWriter journal)
    {
        journal.WriteLedger(Journal);
        if (Observer is not null)
        {
            Publish(Ledger.Reconcile(SourceState.Busy) with { SourceCountedLost = Ledger.SourceLost }, final: false);
        }
    }

    /// <summary>Passes the observer the report and what arrived since the last snapshot.</summary>
    private void Publish(LedgerReport report, bool final)
    {
        System.Collections.Immutable.ImmutableArray<QueueDepthSample> depth;
        lock (_gate)
        {
            var all = Ledger.DepthSamples();
            depth = all[Math.Min(_depthObserved, all.Length)..];
            _depthObserved = all.Length;
        }

        Observer!.OnLedger(new Telemetry.LedgerSnapshot(report, depth, [.. Ledger.TakeNewlyProcessed()], final));
    }

    /// <summary>
    /// Ends the run's part: the load has ended; keeps reading until every sent id has an outcome, the source reports
    /// nothing left, it stops answering, or <paramref name="limit"/> runs out; journals the rest and reconciles.
    /// </summary>
    public async Task<(LedgerReport Report, string? Warning)> FinishAsync(JournalWriter journal, TimeSpan limit, CancellationToken ct)
    {
        // Synchronous on purpose: on a virtual clock nothing may run on another thread while the clock moves on.
        _stop.Cancel();
        await _loop.ConfigureAwait(false);

        var deadline = _time.GetUtcNow() + limit;
        var unreachable = 0;
        var state = SourceState.Busy;
        while (!ct.IsCancellationRequested)
        {
            state = await StepAsync(ct).ConfigureAwait(false);
            WriteTo(journal);
            unreachable = state == SourceState.Unreachable ? unreachable + 1 : 0;
            if (Ledger.Outstanding == 0 && state != SourceState.Busy)
            {
                break; // every id has an outcome and nothing more is coming
            }

            if (state == SourceState.Quiescent || unreachable >= 3 || _time.GetUtcNow() >= deadline)
            {
                break;
            }

            try
            {
                await _time.DelayAsync(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (state == SourceState.Quiescent)
        {
            // The source is empty; a last read picks up receipts written as its last work ended.
            state = await StepAsync(ct).ConfigureAwait(false) is SourceState.Unreachable ? SourceState.Unreachable : SourceState.Quiescent;
        }

        WriteTo(journal);
        journal.WriteLedgerEnd(state);
        string? warning;
        lock (_gate)
        {
            warning = _failure is null ? null : $"delivery ledger: the queues stopped answering ({_failure}); ids without an outcome are counted in flight";
            warning = _reader.Warning is { } w ? (warning is null ? w : warning + "; " + w) : warning;
        }

        var final = Ledger.Reconcile(state);
        ChaosLedger = new Chaos.ChaosLedgerSource(Ledger, _origin, state);
        if (Observer is not null)
        {
            Publish(final, final: true);
        }

        return (final, warning);
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await StepAsync(ct).ConfigureAwait(false);
            try
            {
                await _time.DelayAsync(Interval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One read of every queue and one depth sample; never throws for an unreachable source.</summary>
    private async Task<SourceState> StepAsync(CancellationToken ct)
    {
        try
        {
            await _reader.DrainAsync(Journal, ct).ConfigureAwait(false);
            var state = await _reader.SampleAsync(Journal, ct).ConfigureAwait(false);
            if (state == SourceState.Busy || state == SourceState.Quiescent)
            {
                // Receipts may have landed between the read and the sample: the next step reads them.
                _lastState = state;
            }

            return state;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return _lastState;
        }
        catch (Exception ex) when (SqsLedgerReader.IsUnreachable(ex) || ex is Amazon.Runtime.AmazonServiceException)
        {
            lock (_gate)
            {
                _failure ??= ex.Message.Split('\n')[0];
            }

            return SourceState.Unreachable;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_queueTarget is not null)
        {
            await _queueTarget.DisposeAsync().ConfigureAwait(false);
        }

        await _reader.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Records each async and queue send, and a failed send, in the ledger's journal.</summary>
    private sealed class JournalRecorder(LedgerSession session) : ISendRecorder
    {
        public void Sending(in InvocationRequest request)
            => session.Journal.RecordSent(request.Id, request.Path, request.IntendedTime, request.Poisoned);

        public void Sent(in InvocationRequest request, in InvocationResult result)
        {
            if (result.Outcome != Outcome.Ok)
            {
                session.Journal.RecordSendFailed(request.Id, result.Outcome.Name());
            }
        }
    }
}
