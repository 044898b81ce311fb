using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Runs;

/// <summary>
/// The coordinator side of a run, without any transport: creates the results folder, journals every (merged)
/// interval and cluster mark as it arrives, folds intervals into the run aggregate, and at the end writes the end
/// line, evaluates the thresholds centrally on the merged data and writes <c>summary.json</c> (plus junit.xml and
/// report.html through <see cref="RunOptions.Artifacts"/>). A single-process run, <c>simulate</c> and the cluster
/// coordinator actor all record through this class. Not thread-safe: one caller at a time (the engine's snapshot
/// lock, or the actor's mailbox). Part of internal API.
/// </summary>
internal sealed class RunRecorder : IDisposable
{
    private readonly Scenario _scenario;
    private readonly RunOptions _options;
    private readonly IRunObserver? _observer;
    private readonly JournalWriter _journal;
    private readonly List<JournalMark> _marks = [];
    private readonly List<IntervalSnapshot> _intervals = [];
    private JournalHeader _header;
    private bool _finished;

    /// <param name="scenario">The scenario.</param>
    /// <param name="options">Results root, simulated flag, artifacts.</param>
    /// <param name="header">The journal header (written at once).</param>
    /// <param name="observer">Live view and metrics, or null.</param>
    /// <param name="lineWritten">Called with every journal line as written, or null.</param>
    public RunRecorder(Scenario scenario, RunOptions options, JournalHeader header, IRunObserver? observer, Action<string>? lineWritten = null)
    {
        _scenario = scenario;
        _options = options;
        _observer = observer;
        _header = header;
        Folder = options.FolderName is { } exact ? ResultsFolder.CreateExact(options.ResultsRoot, exact) : ResultsFolder.Create(options.ResultsRoot, scenario.Name, header.StartedAt);
        _journal = new JournalWriter(Folder.Journal, lineWritten);
        _journal.WriteHeader(header);
    }

    /// <summary>The results folder.</summary>
    public ResultsFolder Folder { get; }

    /// <summary>Everything folded in so far.</summary>
    public RunAggregate Aggregate { get; } = new();

    /// <summary>The journal (for writers that add their own lines, such as the delivery ledger).</summary>
    public JournalWriter Journal => _journal;

    /// <summary>Called after every interval is journaled (the ledger writes its lines there), or null.</summary>
    public Action<JournalWriter>? AfterInterval { get; set; }

    /// <summary>The marks written so far.</summary>
    public IReadOnlyList<JournalMark> Marks => _marks;

    /// <summary>Tells the observer that the run started.</summary>
    public void Started(RunStarted run) => _observer?.OnStarted(run);

    /// <summary>Journals one interval, folds it in and shows it.</summary>
    public void Interval(IntervalSnapshot snapshot)
    {
        _journal.WriteInterval(snapshot);
        AfterInterval?.Invoke(_journal);
        Aggregate.Add(snapshot);
        _intervals.Add(snapshot);
        _observer?.OnInterval(snapshot);
    }

    /// <summary>Journals a cluster mark.</summary>
    public void Mark(JournalMark mark)
    {
        _marks.Add(mark);
        _journal.WriteMark(mark);
        _observer?.OnMark(mark);
    }

    /// <summary>Journals what the Lambda model saw (emulator targets).</summary>
    public void Model(LambdaSummary lambda) => _journal.WriteModel(lambda);

    /// <summary>Sets the wall-clock start once the load really started (the header was written with a provisional one).</summary>
    public void StartedAt(DateTimeOffset startedAt) => _header = _header with { StartedAt = startedAt };

    /// <summary>Writes the end line, then the summary and the other artifacts; returns the outcome.</summary>
    public async Task<RunOutcome> FinishAsync(JournalEnd end, IEnumerable<string> warnings, LambdaSummary? lambda, Ledger.LedgerReport? ledger = null, Chaos.ChaosReport? chaos = null)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        _journal.WriteEnd(end);
        _journal.Dispose();
        var summary = RunSummary.Build(_header, Aggregate, end, _scenario, warnings, lambda, ledger, ClusterSummary.From(_marks, _intervals)) with { Chaos = chaos };
        await File.WriteAllTextAsync(Folder.Summary, summary.ToJson(), CancellationToken.None).ConfigureAwait(false);
        if (_options.Artifacts is { } artifacts)
        {
            // The report is drawn from the journal alone, exactly as 'lambdastorm report' redraws it later.
            await artifacts.WriteAsync(Folder.Path, summary, JournalReader.Read(Folder.Journal), CancellationToken.None).ConfigureAwait(false);
        }

        return new RunOutcome(summary, Folder.Path, ExitCodes.Of(summary));
    }

    public void Dispose() => _journal.Dispose();
}
