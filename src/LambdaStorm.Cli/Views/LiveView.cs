using System.Globalization;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LambdaStorm.Cli.Views;

/// <summary>
/// The live view of a run: elapsed time and phase, target versus achieved rate, in flight, dropped, outcomes so far
/// and the last interval's percentiles, and on a game day the chaos timeline (actions requested, applied, effective,
/// reverted or failed; steady-state verdicts; the abort) with the faults active now. On a terminal it is redrawn in
/// place; otherwise it prints one plain line every few seconds, and one line per chaos event as it happens.
/// </summary>
internal sealed class LiveView : IRunObserver, Chaos.IChaosObserver
{
    /// <summary>How many recent chaos events the terminal view shows.</summary>
    private const int RecentChaos = 5;

    private readonly Lock _lock = new();
    private readonly TextWriter? _output;
    private readonly List<Chaos.ChaosEvent> _chaos = [];
    private readonly Dictionary<string, ActiveFault> _active = new(StringComparer.Ordinal);
    private string? _abort;
    private readonly long[] _outcomes = new long[Outcomes.All.Length];
    private RunStarted? _run;
    private IntervalSnapshot? _last;
    private string? _generatorLimited;
    private long _started;
    private long _dropped;
    private double _lastPlainLine = double.NegativeInfinity;

    /// <param name="interactive">Redraw in place on a terminal, or print plain lines.</param>
    /// <param name="plainInterval">How often the plain progress line is printed.</param>
    /// <param name="output">Where plain lines go (the console when null).</param>
    public LiveView(bool interactive, TimeSpan plainInterval, TextWriter? output = null)
    {
        Interactive = interactive;
        PlainInterval = plainInterval;
        _output = output;
    }

    private TextWriter Out => _output ?? Console.Out;

    public bool Interactive { get; }

    public TimeSpan PlainInterval { get; }

    public void OnStarted(RunStarted run)
    {
        lock (_lock)
        {
            _run = run;
        }

        if (!Interactive)
        {
            Out.WriteLine($"run {run.RunId}: '{run.Scenario.Name}' against {run.Target}, {ValueParsers.FormatDuration(TimeSpan.FromSeconds(run.Schedule.Duration))} of load, results in {run.ResultsPath}");
        }
    }

    public void OnInterval(IntervalSnapshot snapshot)
    {
        lock (_lock)
        {
            _last = snapshot;
            _started += snapshot.Started;
            _dropped += snapshot.Dropped;
            foreach (var s in snapshot.Series)
            {
                _outcomes[(int)s.Key.Outcome] += s.Count;
            }
        }

        if (!Interactive && (snapshot.End - _lastPlainLine >= PlainInterval.TotalSeconds || snapshot.Phase == "drain"))
        {
            _lastPlainLine = snapshot.End;
            Out.WriteLine(PlainLine());
        }
    }

    /// <summary>Shows that the generator could not keep the schedule: the target did not get the load asked for.</summary>
    public void OnMark(Results.JournalMark mark)
    {
        ArgumentNullException.ThrowIfNull(mark);
        if (mark.Kind != "generator-limited")
        {
            return;
        }

        lock (_lock)
        {
            _generatorLimited = mark.Agent is null ? mark.Detail : $"{mark.Agent}: {mark.Detail}";
        }

        if (!Interactive)
        {
            Out.WriteLine($"GENERATOR-LIMITED ({_generatorLimited}): the target is not getting the load that was asked for");
        }
    }

    /// <summary>One chaos event: kept for the terminal view (and the active faults), printed at once in plain mode.</summary>
    public void OnChaos(Chaos.ChaosEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_lock)
        {
            _chaos.Add(e);
            if (_chaos.Count > 100)
            {
                _chaos.RemoveRange(0, _chaos.Count - 100);
            }

            if (e.Action is { } action)
            {
                switch (e.Kind)
                {
                    case "applied":
                        _active[action] = new ActiveFault(e.ActionKind is null ? action : $"{e.ActionKind} {e.Target}", e.At, null);
                        break;
                    case "effective" when _active.TryGetValue(action, out var a):
                        _active[action] = a with { EffectiveAt = e.At };
                        break;
                    case "reverted" or "failed":
                        _active.Remove(action);
                        break;
                }
            }
            else if (e.Kind == "abort")
            {
                _abort = $"{e.Detail} at {FormatClock(e.At)}";
            }
        }

        if (!Interactive)
        {
            Out.WriteLine(ChaosLine(e));
            if (e.Action is not null && e.Kind is "applied" or "reverted" or "failed")
            {
                Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{FormatClock(e.At)}] active faults: {ActiveText()}"));
            }
        }
    }

    /// <summary>A chaos event as one plain line: <c>[0:15] CHAOS applied 1-reserved-concurrency-hello: …</c>.</summary>
    internal static string ChaosLine(Chaos.ChaosEvent e) => e.Kind switch
    {
        "abort" => $"[{FormatClock(e.At)}] ABORT: {e.Detail}",
        "steady-state" => $"[{FormatClock(e.At)}] STEADY STATE {e.Detail}",
        _ => $"[{FormatClock(e.At)}] CHAOS {e.Kind}{(e.Action is null ? string.Empty : " " + e.Action)}: {e.Detail}",
    };

    /// <summary>The faults applied and not reverted, with when they were applied and became effective, or <c>none</c>.</summary>
    internal string ActiveText()
    {
        lock (_lock)
        {
            return _active.Count == 0
                ? "none"
                : string.Join("; ", _active.Values.Select(a => $"{a.Label} since {FormatClock(a.AppliedAt)}{(a.EffectiveAt is { } ef ? $" (effective {FormatClock(ef)})" : " (not effective yet)")}"));
        }
    }

    /// <summary>Runs <paramref name="work"/> while redrawing the live view in place.</summary>
    public async Task<T> ShowWhileAsync<T>(Func<Task<T>> work)
    {
        if (!Interactive)
        {
            return await work();
        }

        T result = default!;
        await AnsiConsole.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            var task = work();
            while (!task.IsCompleted)
            {
                await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, CancellationToken.None));
                ctx.UpdateTarget(Render());
            }

            result = await task;
            ctx.UpdateTarget(Render());
        });
        return result;
    }

    internal string PlainLine()
    {
        lock (_lock)
        {
            var s = _last;
            if (s is null)
            {
                return "starting";
            }

            var h = s.MergedLatency();
            var interval = Math.Max(1e-9, s.End - s.Start);
            return string.Create(CultureInfo.InvariantCulture,
                $"[{FormatClock(s.End)}] {s.Phase,-22} target {Rate(s)} achieved {s.Started / interval:0.#}/s  in-flight {s.InFlight}  dropped {_dropped}  {OutcomeText()}  p50 {Ms(h, 50)} p95 {Ms(h, 95)} p99 {Ms(h, 99)}");
        }
    }

    internal IRenderable Render()
    {
        lock (_lock)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            var run = _run;
            var s = _last;
            var duration = run?.Schedule.Duration ?? 0;
            grid.AddRow(new Markup("[bold]scenario[/]"), new Markup(Markup.Escape(run is null ? "…" : $"{run.Scenario.Name}  →  {run.Target}")));
            grid.AddRow(new Markup("[bold]elapsed[/]"), new Markup(Markup.Escape(s is null ? "0:00" : $"{FormatClock(s.End)} / {FormatClock(duration)}   phase {s.Phase}")));
            if (s is not null)
            {
                var interval = Math.Max(1e-9, s.End - s.Start);
                var h = s.MergedLatency();
                grid.AddRow(new Markup("[bold]rate[/]"), new Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"target {Rate(s)}   achieved {s.Started / interval:0.#}/s"))));
                grid.AddRow(new Markup("[bold]in flight[/]"), new Markup(string.Create(CultureInfo.InvariantCulture, $"{s.InFlight}   dropped [{(_dropped > 0 ? "red" : "green")}]{_dropped}[/]   started {_started:N0}")));
                grid.AddRow(new Markup("[bold]outcomes[/]"), new Markup(Markup.Escape(OutcomeText())));
                grid.AddRow(new Markup("[bold]last 1s[/]"), new Markup(Markup.Escape($"p50 {Ms(h, 50)}   p95 {Ms(h, 95)}   p99 {Ms(h, 99)}   lateness p99 {LatenessP99(s)}")));
            }

            if (_chaos.Count > 0)
            {
                grid.AddRow(new Markup("[bold]active faults[/]"), new Markup(_active.Count == 0 ? "[green]none[/]" : "[red]" + Markup.Escape(ActiveText()) + "[/]"));
                var recent = _chaos.Skip(Math.Max(0, _chaos.Count - RecentChaos)).Select(e => Markup.Escape(ChaosLine(e)));
                grid.AddRow(new Markup("[bold]chaos[/]"), new Markup(string.Join("\n", recent)));
            }

            if (_abort is { } abort)
            {
                grid.AddRow(new Markup("[bold]abort[/]"), new Markup("[red]ABORTED[/] " + Markup.Escape(abort)));
            }

            if (_generatorLimited is { } limited)
            {
                grid.AddRow(new Markup("[bold]generator[/]"), new Markup("[red]LIMITED[/] " + Markup.Escape($"({limited}): the target is not getting the load that was asked for")));
            }

            return new Panel(grid).Header("LambdaStorm").Expand();
        }
    }

    private string OutcomeText()
    {
        var parts = Outcomes.All.Where(o => _outcomes[(int)o] > 0).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name()} {_outcomes[(int)o]:N0}")).ToList();
        return parts.Count == 0 ? "none yet" : string.Join("  ", parts);
    }

    private static string Rate(IntervalSnapshot s) => s.TargetCopies > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{s.TargetCopies} copies")
        : string.Create(CultureInfo.InvariantCulture, $"{s.TargetRate:0.#}/s");

    private static string LatenessP99(IntervalSnapshot s)
    {
        var h = HistogramCodec.NewHistogram();
        foreach (var p in s.Paths)
        {
            h.Add(p.Lateness);
        }

        return h.TotalCount == 0 ? "-" : FormatMs(HistogramCodec.PercentileMs(h, 99));
    }

    private static string Ms(HdrHistogram.HistogramBase h, double p) => h.TotalCount == 0 ? "-" : FormatMs(HistogramCodec.PercentileMs(h, p));

    internal static string FormatMs(double ms) => ms >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.00}s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0.0}ms");

    private sealed record ActiveFault(string Label, double AppliedAt, double? EffectiveAt);

    private static string FormatClock(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
