using System.Security.Cryptography;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Runs;

/// <summary>What a live view needs to know when a run starts.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Schedule">Its compiled schedule.</param>
/// <param name="Target">Target description.</param>
/// <param name="ResultsPath">The results folder.</param>
/// <param name="RunId">Run id.</param>
public sealed record RunStarted(Scenario Scenario, LoadSchedule Schedule, string Target, string ResultsPath, string RunId);

/// <summary>Watches a run as it goes (live view, progress lines). Calls come from the engine; keep them quick.</summary>
public interface IRunObserver
{
    /// <summary>The run has started.</summary>
    void OnStarted(RunStarted run);

    /// <summary>One interval has been measured and journaled.</summary>
    void OnInterval(IntervalSnapshot snapshot);

    /// <summary>A cluster mark was journaled (an agent lost, a gap, the run became generator-limited, …).</summary>
    void OnMark(JournalMark mark)
    {
    }
}

/// <summary>The result of <see cref="ScenarioRunner.RunAsync"/>.</summary>
/// <param name="Summary">The summary, as written to summary.json.</param>
/// <param name="ResultsPath">The results folder.</param>
/// <param name="ExitCode">The process exit code this run deserves.</param>
public sealed record RunOutcome(RunSummary Summary, string ResultsPath, int ExitCode);

/// <summary>Which variant of which scenario a run is (see <see cref="RunOptions.Variant"/>).</summary>
/// <param name="Base">The base scenario's source, <c>variants:</c> included.</param>
/// <param name="Name">The variant's name.</param>
public sealed record VariantOf(ScenarioSource Base, string Name);

/// <summary>Options of a run that are not part of the scenario.</summary>
/// <param name="ResultsRoot">Folder under which the results folder is created.</param>
/// <param name="Simulated">True for <c>simulate</c>: virtual time, results labelled as simulated.</param>
public sealed record RunOptions(string ResultsRoot, bool Simulated = false)
{
    /// <summary>
    /// Starts the embedded emulator for live runs against an emulator target; without one (or when simulating) the
    /// model is called in process.
    /// </summary>
    internal IEmulatorLauncher? EmulatorLauncher { get; init; }

    /// <summary>
    /// The results folder's exact name under <see cref="ResultsRoot"/> (a variant's subfolder), or null for the usual
    /// <c>&lt;scenario&gt;-&lt;UTC timestamp&gt;</c>.
    /// </summary>
    public string? FolderName { get; init; }

    /// <summary>Writes junit.xml and report.html at the end of the run; without one, only journal and summary are written.</summary>
    public IResultsArtifacts? Artifacts { get; init; }

    /// <summary>Builds the target of an aws scenario (the guarded Lambda client; see <c>Aws.AwsSession</c>).</summary>
    internal Func<Scenario, TimeProvider, IInvocationTarget>? AwsTargetFactory { get; init; }

    /// <summary>
    /// For one variant's run (<see cref="VariantRuns"/>): the base scenario's source and the variant's name, so that a
    /// cluster coordinator, which loads a scenario from its text, applies the same override; null otherwise.
    /// </summary>
    public VariantOf? Variant { get; init; }

    /// <summary>Lines added to the summary's warnings when the run ends (e.g. the aws guard's stop reason and cost).</summary>
    internal Func<IEnumerable<string>>? SummaryNotes { get; init; }

    /// <summary>How long a simulation lets the model finish async retries after the load (the maximum event age, 6 h).</summary>
    public static readonly TimeSpan SimulatedSettleLimit = TimeSpan.FromHours(6);

    /// <summary>Default options: <c>results/</c> under the current directory.</summary>
    public static readonly RunOptions Default = new("results");
}

/// <summary>
/// Runs one scenario in this process without the cluster: builds the schedule, the <see cref="RunResources"/> and the
/// engine, journals every interval through <see cref="RunRecorder"/> as it is measured, and writes the summary at the
/// end (also when stopped). <c>simulate</c> runs here on its virtual clock; <c>run</c> goes through the one-node
/// cluster (<c>LambdaStorm.Cluster.LocalClusterRun</c>), which uses the same resources and recorder. Part of internal API.
/// </summary>
internal static class ScenarioRunner
{
    public static async Task<RunOutcome> RunAsync(Scenario scenario, RunOptions options, TimeProvider time, IRunObserver? observer, CancellationToken stop)
    {
        var schedule = LoadSchedule.Create(scenario.Load);
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var factory = new InvocationFactory(scenario, runId);
        await using var resources = await RunResources.CreateAsync(scenario, options, time, stop).ConfigureAwait(false);
        var header = new JournalHeader(runId, scenario.Name, time.GetUtcNow(), options.Simulated, resources.Describe, schedule.Duration, schedule.TotalArrivals, scenario.Source);
        using var recorder = new RunRecorder(scenario, options, header, observer);
        var observed = resources.Invoked;
        using var engine = new LoadEngine(schedule, factory, _ => observed, EngineSettings.For(scenario, time), time);
        resources.Attach(recorder, observer);
        engine.Snapshot += recorder.Interval;

        // The game day: a component the recorder's merged intervals feed, which can ask for a stop (docs/chaos.md).
        await using var chaos = Chaos.ChaosSession.Create(scenario, recorder, time, resources.Model, resources.EmbeddedAddress, resources.External, observer as Chaos.IChaosObserver);
        if (chaos is not null)
        {
            engine.Snapshot += chaos.Controller.OnInterval;
            observed = chaos.Controller.Wrap(resources.Invoked);
            resources.ObserveLedger(chaos.Controller);
        }

        using var runStop = CancellationTokenSource.CreateLinkedTokenSource(stop, chaos?.Controller.StopRequested ?? CancellationToken.None);
        recorder.Started(new RunStarted(scenario, schedule, resources.Invoked.Describe, recorder.Folder.Path, runId));
        resources.Started(time.GetUtcNow());
        chaos?.Controller.Start();
        var result = await engine.RunAsync(runStop.Token).ConfigureAwait(false);
        var chaosReport = chaos is null ? null : await chaos.Controller.FinishAsync(CancellationToken.None).ConfigureAwait(false);
        var (lambda, ledger, warnings) = await resources.FinishAsync(recorder, result.StartedAt + TimeSpan.FromSeconds(Math.Min(schedule.Duration, result.Elapsed.TotalSeconds)), stop).ConfigureAwait(false);
        chaosReport = chaosReport?.WithLedger(resources.ChaosLedger, result.Elapsed.TotalSeconds);
        recorder.StartedAt(result.StartedAt);
        var status = chaos?.Controller.AbortReason is not null ? "aborted" : result.Stopped ? "stopped" : "completed";
        var end = new JournalEnd(time.GetUtcNow(), status, result.Elapsed.TotalSeconds, result.Interrupted);
        chaos?.Controller.AddWarnings(warnings);

        return await recorder.FinishAsync(end, warnings, lambda, ledger, chaosReport).ConfigureAwait(false);
    }

    /// <summary>
    /// Rebuilds summary.json (and, given <paramref name="artifacts"/>, junit.xml and report.html) from a results
    /// folder's journal, also one cut short by a crash.
    /// </summary>
    public static async Task<RunOutcome> ReportAsync(string resultsPath, CancellationToken ct, IResultsArtifacts? artifacts = null)
    {
        var folder = new ResultsFolder(resultsPath);
        var contents = JournalReader.Read(folder.Journal);
        var aggregate = new RunAggregate();
        foreach (var interval in contents.Intervals)
        {
            aggregate.Add(interval);
        }

        var warnings = contents.Warnings.ToList();
        var load = ScenarioLoader.Load(contents.Header.Source.Text, contents.Header.Source.Path);
        if (!load.Success)
        {
            warnings.Add("the scenario echoed in the journal no longer loads, so thresholds were not evaluated: " + string.Join("; ", load.Errors));
        }

        var summary = RunSummary.Build(contents.Header, aggregate, contents.End, load.Scenario, warnings, contents.Lambda, contents.Ledger?.Report,
            ClusterSummary.From(contents.Marks.IsDefault ? [] : contents.Marks, contents.Intervals)) with
        {
            Chaos = load.Scenario is { Chaos.IsEmpty: false } s ? Chaos.ChaosReport.Build(s.Chaos, contents.Chaos, contents.Intervals, contents.Ledger?.Chaos) : null,
        };
        await File.WriteAllTextAsync(folder.Summary, summary.ToJson(), ct).ConfigureAwait(false);
        if (artifacts is not null)
        {
            await artifacts.WriteAsync(folder.Path, summary, contents, ct).ConfigureAwait(false);
        }
        return new RunOutcome(summary, folder.Path, ExitCodes.Of(summary));
    }

    /// <summary>
    /// Runs a scenario in virtual time: the same engine, model and journal as <see cref="RunAsync"/>, on a
    /// <see cref="VirtualClock"/> that jumps from one timer to the next. Deterministic for a seed.
    /// </summary>
    public static Task<RunOutcome> SimulateAsync(Scenario scenario, RunOptions options, IRunObserver? observer, CancellationToken stop)
    {
        // From a whole millisecond: every time the journal stores (microseconds) is then exact, as is the run's result.
        var now = TimeProvider.System.GetUtcNow();
        return SimulateAsync(scenario, options, observer, now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMillisecond)), stop);
    }

    /// <summary>As <see cref="SimulateAsync(Scenario, RunOptions, IRunObserver?, CancellationToken)"/>, with the virtual clock starting at <paramref name="start"/>.</summary>
    internal static async Task<RunOutcome> SimulateAsync(Scenario scenario, RunOptions options, IRunObserver? observer, DateTimeOffset start, CancellationToken stop)
    {
        var clock = new VirtualClock(start);
        using var virtualStop = new CancellationTokenSource();
        var run = RunAsync(scenario, options with { Simulated = true }, clock, observer, virtualStop.Token);

        // Everything runs on this thread; a stop request from another thread (Ctrl-C) is passed on here, between timers.
        while (!run.IsCompleted && clock.RunNext())
        {
            if (stop.IsCancellationRequested && !virtualStop.IsCancellationRequested)
            {
                virtualStop.Cancel();
            }
        }

        return await run.ConfigureAwait(false);
    }

    /// <summary>The Lambda endpoint of an emulator at <paramref name="baseAddress"/> serving the scenario's emulator target.</summary>
    internal static LambdaEndpoint EmulatorEndpoint(Uri baseAddress, Scenario scenario)
        => HttpEndpoint(baseAddress, ((TargetSpec.Emulator)scenario.Target).Model.Account.Region, scenario);

    /// <summary>Static test credentials: the emulator accepts any signature unless told to verify.</summary>
    internal static LambdaEndpoint HttpEndpoint(Uri baseAddress, string region, Scenario scenario) => new(
        baseAddress,
        scenario.Function!,
        null,
        Amazon.RegionEndpoint.GetBySystemName(region),
        new Amazon.Runtime.BasicAWSCredentials("lambdastorm", "lambdastorm"),
        scenario.LogTailSample,
        scenario.Seed);

    /// <summary>The target of a scenario that needs neither the model nor an emulator (noop, HTTP, and AWS given the run's factory).</summary>
    internal static IInvocationTarget CreateTarget(Scenario scenario, TimeProvider time, RunOptions? options = null) => scenario.Target switch
    {
        TargetSpec.Noop noop => new NoopTarget(noop, scenario.Seed, time),
        TargetSpec.Http http => new HttpTarget(http, scenario.MaxInFlight),
        TargetSpec.Aws when options?.AwsTargetFactory is { } aws => aws(scenario, time),
        TargetSpec.Aws => throw new NotSupportedException("an aws target runs only through 'lambdastorm run --allow-aws', after its plan"),
        _ => throw new NotSupportedException($"target kind '{scenario.Target.Kind}' is not supported here"),
    };
}
