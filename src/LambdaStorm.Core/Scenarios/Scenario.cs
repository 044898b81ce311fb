using System.Collections.Immutable;

namespace LambdaStorm.Scenarios;

/// <summary>
/// A validated scenario: what to call, how hard, with what payload, and what counts as a pass.
/// Built only by <see cref="ScenarioLoader"/>, which reports every problem with its file position.
/// </summary>
/// <param name="Name">Scenario name; also names the results folder.</param>
/// <param name="Description">Free text shown in reports.</param>
/// <param name="Target">Where invocations go.</param>
/// <param name="Paths">The invocation path, or a weighted mix of paths.</param>
/// <param name="Function">The function name used by Lambda paths (sync, async, queue).</param>
/// <param name="Load">The ordered load phases.</param>
/// <param name="Payload">The payload template and poison-pill policy.</param>
/// <param name="Thresholds">Pass/fail rules evaluated on the whole run.</param>
/// <param name="MaxInFlight">The in-flight cap; arrivals beyond it are dropped and counted.</param>
/// <param name="Seed">Seed for everything random (path mix, poison pills, simulated latency).</param>
/// <param name="GracefulStop">How long in-flight invocations may finish after the load ends or is stopped.</param>
/// <param name="Source">The scenario file as loaded, echoed into every result.</param>
/// <param name="LogTailSample">Share of sync Lambda invocations that ask for the log tail, whose REPORT line tells cold starts.</param>
public sealed record Scenario(
    string Name,
    string? Description,
    TargetSpec Target,
    PathMix Paths,
    string? Function,
    ImmutableArray<LoadPhase> Load,
    PayloadSpec Payload,
    ImmutableArray<Threshold> Thresholds,
    int MaxInFlight,
    int Seed,
    TimeSpan GracefulStop,
    ScenarioSource Source,
    double LogTailSample = 1.0)
{
    /// <summary>Default in-flight cap when a scenario sets none.</summary>
    public const int DefaultMaxInFlight = 10_000;

    /// <summary>Default time in-flight invocations get to finish at the end of a run.</summary>
    public static readonly TimeSpan DefaultGracefulStop = TimeSpan.FromSeconds(30);

    /// <summary>The queue the <c>queue</c> path sends to (name or URL), or null when the scenario does not use it.</summary>
    public string? Queue { get; init; }

    /// <summary>
    /// How long the delivery ledger keeps draining receipts and dead-letter queues after the load, waiting for every
    /// sent id to reach an outcome (or for the source to go quiet). Null: the default (a minute live, six virtual hours
    /// in <c>simulate</c>).
    /// </summary>
    public TimeSpan? Settle { get; init; }

    /// <summary>The game-day sections: chaos timeline, steady-state hypothesis and abort conditions (empty when absent).</summary>
    public Chaos.ChaosPlan Chaos { get; init; } = LambdaStorm.Chaos.ChaosPlan.None;

    /// <summary>
    /// The scenario's <c>variants:</c>, each the scenario with a small override, run one after the other into one
    /// results folder and compared side by side; empty when the scenario has none (it then runs as it is).
    /// </summary>
    public ImmutableArray<ScenarioVariant> Variants { get; init; } = [];

    /// <summary>When a load generator counts as overloaded (the <c>generator:</c> section); the defaults when absent.</summary>
    public GeneratorBounds Generator { get; init; } = GeneratorBounds.Default;

    /// <summary>True when the scenario sends on a path whose outcome arrives later (async, queue): the delivery ledger tracks it.</summary>
    public bool UsesLedger => Paths.Entries.Any(e => e.Path is InvocationPath.Async or InvocationPath.Queue);
}

/// <summary>
/// Bounds beyond which a load generator (an agent, or the one agent of <c>run</c>) counts as overloaded: the target then
/// did not get the load that was asked for, and the run is marked generator-limited.
/// </summary>
/// <param name="MaxLatenessP99">An interval whose arrival lateness p99 is above this is overloaded. Default 50 ms.</param>
/// <param name="MaxDropRate">An interval that dropped more than this share of its arrivals is overloaded. Default 1%.</param>
/// <param name="Sustained">Consecutive overloaded intervals that make the run generator-limited. Default 3.</param>
public sealed record GeneratorBounds(TimeSpan MaxLatenessP99, double MaxDropRate, int Sustained)
{
    /// <summary>The defaults: lateness p99 50 ms, drops 1%, 3 intervals in a row.</summary>
    public static readonly GeneratorBounds Default = new(TimeSpan.FromMilliseconds(50), 0.01, 3);
}

/// <summary>The text a scenario was loaded from, and where it came from.</summary>
/// <param name="Path">File path as given, or a label such as <c>&lt;inline&gt;</c>.</param>
/// <param name="Text">The full YAML text.</param>
public sealed record ScenarioSource(string Path, string Text);

/// <summary>The invocation paths LambdaStorm knows.</summary>
public enum InvocationPath
{
    /// <summary>Plain HTTP request to any endpoint (API Gateway, Function URL, any service).</summary>
    Http,
    /// <summary>Lambda <c>Invoke</c> with <c>RequestResponse</c>.</summary>
    Sync,
    /// <summary>Lambda <c>Invoke</c> with <c>Event</c>.</summary>
    Async,
    /// <summary>SQS <c>SendMessage</c> to a queue drained by an event source mapping.</summary>
    Queue,
}

/// <summary>Wire names of <see cref="InvocationPath"/>, shared by YAML, journal, metrics and reports.</summary>
public static class InvocationPaths
{
    /// <summary>All paths in a stable order.</summary>
    public static readonly ImmutableArray<InvocationPath> All = [InvocationPath.Http, InvocationPath.Sync, InvocationPath.Async, InvocationPath.Queue];

    /// <summary>The lower-case wire name of a path.</summary>
    public static string Name(this InvocationPath path) => path switch
    {
        InvocationPath.Http => "http",
        InvocationPath.Sync => "sync",
        InvocationPath.Async => "async",
        InvocationPath.Queue => "queue",
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    /// <summary>Parses a wire name; returns false when unknown.</summary>
    public static bool TryParse(string? name, out InvocationPath path)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name(), name, StringComparison.Ordinal))
            {
                path = p;
                return true;
            }
        }

        path = default;
        return false;
    }
}

/// <summary>A weighted mix of invocation paths; a single path is a mix with one entry.</summary>
/// <param name="Entries">Paths and their positive weights.</param>
public sealed record PathMix(ImmutableArray<PathWeight> Entries)
{
    /// <summary>A mix holding only <paramref name="path"/>.</summary>
    public static PathMix Single(InvocationPath path) => new([new PathWeight(path, 1)]);

    /// <summary>Total of all weights.</summary>
    public double TotalWeight => Entries.Sum(e => e.Weight);
}

/// <summary>One path in a <see cref="PathMix"/>.</summary>
/// <param name="Path">The path.</param>
/// <param name="Weight">Its relative weight (&gt; 0).</param>
public sealed record PathWeight(InvocationPath Path, double Weight);

/// <summary>The payload sent with every invocation.</summary>
/// <param name="Template">
/// Text with placeholders: <c>{{id}}</c> (unique invocation id), <c>{{intendedTime}}</c> (ISO-8601 intended send time),
/// <c>{{index}}</c> (arrival index), <c>{{path}}</c>, and <c>{{marker}}</c> (the poison marker, empty for healthy payloads).
/// </param>
/// <param name="PoisonPills">Optional poison-pill policy.</param>
public sealed record PayloadSpec(string Template, PoisonPillSpec? PoisonPills)
{
    /// <summary>The template used when a scenario sets none.</summary>
    public const string DefaultTemplate = """{"id":"{{id}}","sentAt":"{{intendedTime}}","marker":"{{marker}}"}""";

    /// <summary>Default payload: id, intended time and marker.</summary>
    public static readonly PayloadSpec Default = new(DefaultTemplate, null);
}

/// <summary>Which invocations carry a poison marker: every Nth, or each with a probability.</summary>
/// <param name="Every">Every Nth arrival is poisoned (arrivals N-1, 2N-1, …), or null.</param>
/// <param name="Probability">Each arrival is poisoned with this probability in [0,1], or null.</param>
/// <param name="Marker">The marker text put into <c>{{marker}}</c>.</param>
public sealed record PoisonPillSpec(long? Every, double? Probability, string Marker)
{
    /// <summary>Default marker text.</summary>
    public const string DefaultMarker = "LAMBDASTORM_POISON_PILL";
}
