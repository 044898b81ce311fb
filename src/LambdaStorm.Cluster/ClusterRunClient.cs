using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster;

/// <summary>What <c>run --cluster</c> asks for.</summary>
/// <param name="Seeds">Seed node addresses of the running cluster.</param>
/// <param name="MinAgents">Agents to wait for.</param>
/// <param name="EmulatorEndpoint">The emulator the agents invoke, for emulator targets.</param>
/// <param name="Host">Address this client node binds to.</param>
internal sealed record ClusterRunRequest(IReadOnlyList<string> Seeds, int MinAgents, string? EmulatorEndpoint, string Host = "127.0.0.1");

/// <summary>
/// <c>run SCENARIO --cluster ADDRESS</c>: joins the cluster as a <c>client</c> node, submits the scenario to the
/// coordinator singleton, and writes the results folder <b>where the user ran the command</b> (under
/// <see cref="RunOptions.ResultsRoot"/>) from the journal lines the coordinator streams: the local journal is a line
/// for line copy of the coordinator's, summary.json is the coordinator's, and junit.xml and report.html are drawn from
/// the local journal. The live view sees every merged interval as it arrives. Part of internal API.
/// </summary>
internal static class ClusterRunClient
{
    /// <summary>Why an aws target does not run on a cluster (the client and the coordinator both refuse it).</summary>
    public const string AwsRefusal =
        "an aws target does not run on a cluster: its invocation and cost caps (maxInvocations, maxCostUsd) and the stop at the first rejected credential are enforced by one process's guard, which agents on other machines would not share; run it without --cluster";

    public static async Task<RunOutcome> RunAsync(Scenario scenario, ClusterRunRequest request, RunOptions options, IRunObserver? observer, TextWriter messages, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(request);
        await using var node = await ClusterSetup.StartAsync(new NodeOptions("client", request.Host, 0, request.Seeds), _ => { }, stop).ConfigureAwait(false);
        var proxy = node.Registry.Get<CoordinatorKey>();
        var stream = new LocalCopy(scenario, options, observer);
        var done = new TaskCompletionSource<SubmittedRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var submitter = node.System.ActorOf(SubmitterActor.Props(proxy, Submission(scenario, options, request.MinAgents, request.EmulatorEndpoint), stream, done), "submit");
        await using var onStop = stop.Register(() => submitter.Tell(SubmitterActor.Stop.Instance));
        var result = await done.Task.ConfigureAwait(false);
        stream.Dispose();
        if (result.Ended is { } ended)
        {
            var summary = JsonSerializer.Deserialize<RunSummary>(ended.SummaryJson, RunSummary.JsonOptions)!;
            var folder = stream.Folder ?? throw new InvalidOperationException("the coordinator ended the run without streaming its journal");
            await File.WriteAllTextAsync(folder.Summary, ended.SummaryJson, CancellationToken.None).ConfigureAwait(false);
            if (options.Artifacts is { } artifacts)
            {
                await artifacts.WriteAsync(folder.Path, summary, JournalReader.Read(folder.Journal), CancellationToken.None).ConfigureAwait(false);
            }

            await messages.WriteLineAsync($"the coordinator kept its own copy in {ended.CoordinatorResultsPath}").ConfigureAwait(false);
            return new RunOutcome(summary, folder.Path, ended.ExitCode);
        }

        if (stream.Folder is { } partial)
        {
            // The coordinator was lost mid-run: the local journal has what was streamed; end it as aborted so that the
            // summary (rebuilt from it) says so, and 'lambdastorm report' reads it like any other.
            stream.AppendEnd(new JournalEnd(TimeProvider.System.GetUtcNow(), "aborted", 0, 0));
            var rebuilt = await ScenarioRunner.ReportAsync(partial.Path, CancellationToken.None, options.Artifacts).ConfigureAwait(false);
            await messages.WriteLineAsync($"run aborted: {result.Reason}").ConfigureAwait(false);
            return rebuilt with { ExitCode = result.ExitCode };
        }

        throw new ClusterRunRejectedException(result.Reason ?? "the run did not start", result.ExitCode);
    }

    /// <summary>
    /// The submission of a run: the scenario's text, or for one variant's run (<see cref="RunOptions.Variant"/>) the
    /// base scenario's text and the variant's name, so that the coordinator applies the same override.
    /// </summary>
    internal static SubmitRun Submission(Scenario scenario, RunOptions options, int minAgents, string? emulatorEndpoint)
        => options.Variant is { } v
            ? new SubmitRun(v.Base.Path, v.Base.Text, minAgents, emulatorEndpoint, v.Name)
            : new SubmitRun(scenario.Source.Path, scenario.Source.Text, minAgents, emulatorEndpoint);

    /// <summary>Writes the streamed journal into a local results folder and feeds the live view.</summary>
    private sealed class LocalCopy(Scenario scenario, RunOptions options, IRunObserver? observer) : IRunStream, IDisposable
    {
        private readonly Lock _gate = new();
        private JournalWriter? _journal;

        public ResultsFolder? Folder { get; private set; }

        public void Accepted(RunAccepted accepted)
        {
        }

        public void Lines(IReadOnlyList<string> lines)
        {
            lock (_gate)
            {
                foreach (var line in lines)
                {
                    if (_journal is null)
                    {
                        var header = JournalReader.TryReadHeader(line) ?? throw new InvalidDataException("the coordinator's journal stream did not start with its header");
                        Folder = options.FolderName is { } exact ? ResultsFolder.CreateExact(options.ResultsRoot, exact) : ResultsFolder.Create(options.ResultsRoot, scenario.Name, header.StartedAt);
                        _journal = new JournalWriter(Folder.Journal);
                        observer?.OnStarted(new RunStarted(scenario, LoadSchedule.Create(scenario.Load), header.Target, Folder.Path, header.RunId));
                    }

                    _journal.WriteRaw(line);
                    if (line.Contains("\"type\":\"interval\"", StringComparison.Ordinal) && JournalReader.TryReadInterval(line) is { } interval)
                    {
                        observer?.OnInterval(interval);
                    }
                    else if (line.Contains("\"type\":\"mark\"", StringComparison.Ordinal) && JournalReader.TryReadMark(line) is { } mark)
                    {
                        observer?.OnMark(mark);
                    }
                    else if (observer is Chaos.IChaosObserver chaos && line.Contains("\"type\":\"chaos\"", StringComparison.Ordinal) && JournalReader.TryReadChaos(line) is { } e)
                    {
                        chaos.OnChaos(e);
                    }
                }
            }
        }

        public void AppendEnd(JournalEnd end)
        {
            lock (_gate)
            {
                if (Folder is null)
                {
                    return;
                }

                using var journal = new JournalWriter(Folder.Journal + ".tmp");
                journal.WriteEnd(end);
                journal.Dispose();
                File.AppendAllText(Folder.Journal, File.ReadAllText(Folder.Journal + ".tmp"));
                File.Delete(Folder.Journal + ".tmp");
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _journal?.Dispose();
                _journal = null;
            }
        }
    }
}

/// <summary>The coordinator refused the run; the message says why.</summary>
internal sealed class ClusterRunRejectedException(string message, int exitCode) : Exception(message)
{
    /// <summary>Exit code for the client.</summary>
    public int ExitCode { get; } = exitCode;
}
