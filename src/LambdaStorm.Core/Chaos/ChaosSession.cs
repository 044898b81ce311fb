using LambdaStorm.Aws;
using LambdaStorm.Lambda;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Chaos;

/// <summary>
/// A run's game day: the controller, its control plane and its rollback journal, built from the scenario and the
/// target the run talks to. Disposing rolls back whatever is still applied. Part of internal API.
/// </summary>
internal sealed class ChaosSession : IAsyncDisposable
{
    private readonly IChaosControlPlane _plane;
    private readonly RollbackJournal? _rollback;

    private ChaosSession(ChaosController controller, IChaosControlPlane plane, RollbackJournal? rollback)
    {
        Controller = controller;
        _plane = plane;
        _rollback = rollback;
    }

    /// <summary>The controller.</summary>
    public ChaosController Controller { get; }

    /// <summary>The session of a scenario with game-day sections, or null without them.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="recorder">The central recorder: chaos events go into its journal, the rollback journal into its folder.</param>
    /// <param name="time">The run's clock.</param>
    /// <param name="model">The in-process model (simulate, or a run without HTTP), or the embedded emulator's.</param>
    /// <param name="embedded">The embedded emulator's address, or null.</param>
    /// <param name="external">A running emulator's address (<c>target.endpoint</c>), or null.</param>
    /// <param name="observer">Gets every chaos event as well (the metrics exporter, the live view), or null.</param>
    /// <param name="effectFromIntervals">True when the load runs on agents elsewhere (see <see cref="ChaosController.EffectFromIntervals"/>).</param>
    /// <param name="agents">The cluster side of agent actions (the coordinator), or null (they are then not applicable).</param>
    public static ChaosSession? Create(Scenario scenario, RunRecorder recorder, TimeProvider time, LambdaModel? model, Uri? embedded, Uri? external, IChaosObserver? observer,
        bool effectFromIntervals = false, IChaosAgents? agents = null)
    {
        if (scenario.Chaos.IsEmpty)
        {
            return null;
        }

        var (plane, info) = PlaneFor(scenario, model, embedded, external);
        var rollback = scenario.Chaos.Actions.IsEmpty ? null : new RollbackJournal(recorder.Folder.Path, info);
        var controller = new ChaosController(scenario.Chaos, plane, time, rollback, e =>
        {
            recorder.Journal.WriteRaw(ChaosController.JournalLine(e));
            observer?.OnChaos(e);
        }, scenario.Function)
        {
            EffectFromIntervals = effectFromIntervals,
            Agents = agents,
        };
        return new ChaosSession(controller, plane, rollback);
    }

    private static (IChaosControlPlane Plane, ChaosPlaneInfo Info) PlaneFor(Scenario scenario, LambdaModel? model, Uri? embedded, Uri? external)
    {
        switch (scenario.Target)
        {
            case TargetSpec.Aws aws:
            {
                var credentials = AwsSession.ResolveCredentials(aws.Profile);
                return (new HttpControlPlane(aws.LambdaEndpoint, aws.Endpoint, aws.Region, credentials),
                    new ChaosPlaneInfo("http", aws.LambdaEndpoint.ToString(), aws.Endpoint?.ToString(), aws.Region, aws.Profile, Aws: true));
            }

            case TargetSpec.Emulator em when (embedded ?? external) is { } address:
                return (new HttpControlPlane(address, address, em.Model.Account.Region, EmulatorCredentials),
                    new ChaosPlaneInfo(external is not null ? "http" : "embedded", address.ToString(), address.ToString(), em.Model.Account.Region, null, Aws: false));
            case TargetSpec.Emulator em when model is not null:
                return (new ModelControlPlane(model), new ChaosPlaneInfo("in-process", null, null, em.Model.Account.Region, null, Aws: false));
            default:
                // noop and http targets: the loader lets no action through, only steady state and abort conditions.
                return (new NoControlPlane(scenario.Target.Kind), new ChaosPlaneInfo("in-process", null, null, "us-east-1", null, Aws: false));
        }
    }

    /// <summary>The static credentials the emulator accepts (it verifies signatures only with --require-auth).</summary>
    internal static readonly Amazon.Runtime.BasicAWSCredentials EmulatorCredentials = new("lambdastorm", "lambdastorm");

    /// <summary>Replays a results folder's rollback journal: undoes, newest first, every action applied and not undone.</summary>
    /// <returns>Lines for people, and whether everything is rolled back now.</returns>
    public static async Task<(List<string> Lines, bool Ok)> ReplayAsync(string folder, CancellationToken ct)
    {
        var path = Path.Combine(folder, RollbackJournal.FileName);
        var lines = new List<string>();
        if (!File.Exists(path))
        {
            lines.Add($"{folder}: no {RollbackJournal.FileName}, nothing to roll back");
            return (lines, true);
        }

        var contents = RollbackJournal.Read(path);
        if (contents.Complete)
        {
            RollbackRegistry.Unregister(path);
            lines.Add($"{folder}: already rolled back");
            return (lines, true);
        }

        if (contents.Plane.OwnerAlive)
        {
            lines.Add($"{folder}: the run that applied these faults (process {contents.Plane.Pid}) is still running; it rolls them back itself when it ends");
            return (lines, false);
        }

        if (contents.Plane.Kind != "http")
        {
            lines.Add($"{folder}: the faults were applied to {(contents.Plane.Kind == "embedded" ? "the run's embedded emulator" : "the in-process model")}, which ended with the run; nothing to restore");
            RollbackJournal.Append(path, new { type = "complete", by = "replay" });
            RollbackRegistry.Unregister(path);
            return (lines, true);
        }

        var credentials = contents.Plane.Aws ? AwsSession.ResolveCredentials(contents.Plane.Profile) : EmulatorCredentials;
        await using var plane = new HttpControlPlane(new Uri(contents.Plane.LambdaEndpoint!), contents.Plane.SqsEndpoint is null ? null : new Uri(contents.Plane.SqsEndpoint), contents.Plane.Region, credentials);
        var ok = true;
        foreach (var undo in contents.Pending)
        {
            try
            {
                await undo.ApplyAsync(plane, ct).ConfigureAwait(false);
                RollbackJournal.Append(path, new { type = "undone", action = undo.Action, by = "replay" });
                lines.Add($"{folder}: {undo.Action}: {undo.Describe}");
            }
            catch (ChaosControlPlaneException ex)
            {
                ok = false;
                lines.Add($"{folder}: {undo.Action}: FAILED to restore ({undo.Describe}): {ex.Message}");
            }
        }

        if (ok)
        {
            RollbackJournal.Append(path, new { type = "complete", by = "replay" });
            RollbackRegistry.Unregister(path);
        }

        return (lines, ok);
    }

    /// <summary>
    /// Folders whose rollback journal is incomplete and whose process is gone (a run that crashed mid-game-day): those
    /// under <paramref name="resultsRoot"/>, and those registered in the per-user state folder wherever they are
    /// (<see cref="RollbackRegistry"/>). A registered journal that is complete is taken off the list; one whose file
    /// is gone is reported in <paramref name="missing"/> and taken off too.
    /// </summary>
    public static IReadOnlyList<string> Unfinished(string resultsRoot, List<string>? missing = null)
    {
        var files = Directory.Exists(resultsRoot)
            ? Directory.EnumerateFiles(resultsRoot, RollbackJournal.FileName, SearchOption.AllDirectories).Select(Path.GetFullPath).ToList()
            : [];
        foreach (var registered in RollbackRegistry.Journals())
        {
            if (!File.Exists(registered))
            {
                missing?.Add(registered);
                RollbackRegistry.Unregister(registered);
            }
            else if (!files.Contains(registered, StringComparer.Ordinal))
            {
                files.Add(registered);
            }
        }

        return [.. UnfinishedOf(files)];
    }

    private static IEnumerable<string> UnfinishedOf(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            RollbackJournal.Contents? contents = null;
            try
            {
                contents = RollbackJournal.Read(file);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
            }

            if (contents is { Complete: false, Plane.OwnerAlive: false })
            {
                yield return Path.GetDirectoryName(file)!;
            }
            else if (contents is { Complete: true })
            {
                RollbackRegistry.Unregister(file);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Controller.DisposeAsync().ConfigureAwait(false);
        await _plane.DisposeAsync().ConfigureAwait(false);
        _rollback?.Dispose();
    }

    /// <summary>The control plane of a target that has none (noop, http): every call fails.</summary>
    internal sealed class NoControlPlane(string kind) : IChaosControlPlane
    {
        public string Describe => $"no control plane ({kind} target)";

        public Task<int?> GetReservedConcurrencyAsync(string function, CancellationToken ct) => throw Fail();

        public Task SetReservedConcurrencyAsync(string function, int? value, CancellationToken ct) => throw Fail();

        public Task<int?> GetProvisionedConcurrencyAsync(string function, string qualifier, CancellationToken ct) => throw Fail();

        public Task SetProvisionedConcurrencyAsync(string function, string qualifier, int? value, CancellationToken ct) => throw Fail();

        public Task<IReadOnlyDictionary<string, string>> GetEnvironmentAsync(string function, CancellationToken ct) => throw Fail();

        public Task SetEnvironmentAsync(string function, IReadOnlyDictionary<string, string> environment, CancellationToken ct) => throw Fail();

        public Task<int> GetVisibilityTimeoutAsync(string queue, CancellationToken ct) => throw Fail();

        public Task SetVisibilityTimeoutAsync(string queue, int seconds, CancellationToken ct) => throw Fail();

        public Task PurgeQueueAsync(string queue, CancellationToken ct) => throw Fail();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private ChaosControlPlaneException Fail() => new($"a {kind} target has no control plane");
    }
}
