using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Runs;

/// <summary>
/// What a run needs in the process that records it, besides the engine: the target (the embedded emulator started
/// for an emulator target, the in-process model when simulating, a running emulator named by <c>target.endpoint</c>,
/// or noop, HTTP and the guarded aws client), warmed up and wrapped by the delivery ledger when the scenario has one;
/// and, after the load, the model's settle and summary and the ledger's settle and report. <see cref="ScenarioRunner"/>
/// (simulate) and the one-node cluster of <c>run</c> both build their run from this class, so the two cannot drift.
/// Part of internal API.
/// </summary>
internal sealed class RunResources : IAsyncDisposable
{
    private readonly Scenario _scenario;
    private readonly RunOptions _options;
    private readonly TimeProvider _time;
    private readonly IEmbeddedEmulator? _embedded;
    private readonly ModelHost? _host;
    private readonly IInvocationTarget _target;
    private readonly LedgerSession? _ledger;
    private readonly Lambda.ModelStatistics? _statistics;

    private RunResources(Scenario scenario, RunOptions options, TimeProvider time, IEmbeddedEmulator? embedded, ModelHost? host, IInvocationTarget target, LedgerSession? ledger)
    {
        _scenario = scenario;
        _options = options;
        _time = time;
        _embedded = embedded;
        _host = host;
        _target = target;
        _ledger = ledger;

        // Statistics subscribe to the model's events: they must exist before the first invocation.
        _statistics = embedded is not null ? new Lambda.ModelStatistics(embedded.Model) : host?.Statistics;
        Invoked = ledger?.Wrap(target) ?? target;
    }

    /// <summary>The target as the engine calls it (wrapped by the ledger when there is one).</summary>
    public IInvocationTarget Invoked { get; }

    /// <summary>The Lambda model the run invokes (embedded emulator or in-process), or null.</summary>
    public Lambda.LambdaModel? Model => _embedded?.Model ?? _host?.Model;

    /// <summary>The embedded emulator's address, or null.</summary>
    public Uri? EmbeddedAddress => _embedded?.BaseAddress;

    /// <summary>The running emulator named by <c>target.endpoint</c>, or null.</summary>
    public Uri? External => (_scenario.Target as TargetSpec.Emulator)?.Endpoint;

    /// <summary>The target's description, for the journal header.</summary>
    public string Describe => _target.Describe;

    /// <summary>Builds and warms up the scenario's target.</summary>
    /// <exception cref="InvalidOperationException">When simulating a scenario that names a running emulator.</exception>
    public static async Task<RunResources> CreateAsync(Scenario scenario, RunOptions options, TimeProvider time, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        var emulatorTarget = scenario.Target as TargetSpec.Emulator;
        var external = emulatorTarget?.Endpoint; // a running 'lambdastorm emulator' (target.endpoint)
        if (external is not null && options.Simulated)
        {
            throw new InvalidOperationException("simulate runs the scenario's own model; a scenario with 'target.endpoint' can only be run");
        }

        IEmbeddedEmulator? embedded = null;
        ModelHost? host = null;
        IInvocationTarget? target = null;
        try
        {
            embedded = emulatorTarget is not null && external is null && !options.Simulated && options.EmulatorLauncher is { } launcher
                ? await launcher.StartAsync(emulatorTarget.Model, time, stop).ConfigureAwait(false)
                : null;
            host = emulatorTarget is not null && external is null && embedded is null ? new ModelHost(emulatorTarget.Model, time) : null;
            var model = embedded?.Model ?? host?.Model;
            target = embedded is not null || external is not null
                ? new LambdaHttpTarget(ScenarioRunner.HttpEndpoint(embedded?.BaseAddress ?? external!, model?.Account.Region ?? emulatorTarget!.Model.Account.Region, scenario), scenario.MaxInFlight)
                : host is not null ? new ModelTarget(host, scenario.Function!) : ScenarioRunner.CreateTarget(scenario, time, options);
            if (target is LambdaHttpTarget lambdaClient)
            {
                await lambdaClient.WarmUpAsync(scenario.MaxInFlight, stop).ConfigureAwait(false);
            }

            var ledger = LedgerSession.Create(scenario, host, embedded?.BaseAddress ?? external, embedded?.Model, time);
            return new RunResources(scenario, options, time, embedded, host, target, ledger);
        }
        catch
        {
            if (target is not null)
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }

            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Hooks the ledger's journal lines to the recorder (written after every interval) and its snapshots to the observer (metrics).</summary>
    public void Attach(RunRecorder recorder, IRunObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        if (_ledger is not null)
        {
            recorder.AfterInterval = _ledger.WriteTo;
            _ledger.Observer = observer as Telemetry.ILedgerObserver;
        }
    }

    /// <summary>The reconciled delivery ledger for the chaos findings' per-fault counts (after <see cref="FinishAsync"/>), or null without one.</summary>
    public Chaos.ChaosLedgerSource? ChaosLedger => _ledger?.ChaosLedger;

    /// <summary>
    /// Also shows the ledger's live snapshots to <paramref name="extra"/> (the chaos controller, whose abort conditions
    /// read <c>dlq_depth</c>); call after <see cref="Attach"/>. Nothing happens without a ledger.
    /// </summary>
    public void ObserveLedger(Telemetry.ILedgerObserver extra) => _ledger?.AddObserver(extra);

    /// <summary>The load starts now (the ledger's origin).</summary>
    public void Started(DateTimeOffset at) => _ledger?.Start(at);

    /// <summary>
    /// After the load: lets the model finish queued async retries (a live run waits no longer than the graceful stop),
    /// journals the model's summary, settles and journals the ledger. Returns the lambda summary, the ledger report and
    /// the warnings for the summary (the run's own notes first, e.g. the aws guard's).
    /// </summary>
    public async Task<(LambdaSummary? Lambda, LedgerReport? Ledger, List<string> Warnings)> FinishAsync(RunRecorder recorder, DateTimeOffset loadEnded, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _ledger?.LoadEnded(loadEnded);
        var warnings = new List<string>(_options.SummaryNotes?.Invoke() ?? []);
        LambdaSummary? lambda = null;
        var model = _embedded?.Model ?? _host?.Model;
        var statistics = _statistics;
        if (model is not null && statistics is not null)
        {
            var limit = _options.Simulated ? RunOptions.SimulatedSettleLimit : _scenario.GracefulStop;
            var pending = await ModelHost.SettleAsync(model, _time, limit, _host is null ? null : _host.Flush, stop).ConfigureAwait(false);
            if (pending > 0)
            {
                warnings.Add($"{pending} async events were still queued in the model when the run ended");
            }

            lambda = LambdaSummary.From(model, statistics, _scenario.Function!);
            recorder.Model(lambda);
        }

        LedgerReport? report = null;
        if (_ledger is not null)
        {
            var settle = _scenario.Settle ?? (_options.Simulated ? RunOptions.SimulatedSettleLimit : LedgerSession.DefaultLiveSettle);
            var (ledgerReport, warning) = await _ledger.FinishAsync(recorder.Journal, settle, stop).ConfigureAwait(false);
            report = ledgerReport;
            if (warning is not null)
            {
                warnings.Add(warning);
            }
        }

        return (lambda, report, warnings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ledger is not null)
        {
            await _ledger.DisposeAsync().ConfigureAwait(false);
        }

        await _target.DisposeAsync().ConfigureAwait(false);
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_embedded is not null)
        {
            await _embedded.DisposeAsync().ConfigureAwait(false);
        }
    }
}
