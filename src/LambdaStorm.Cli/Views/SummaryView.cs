using System.Globalization;
using LambdaStorm.Results;
using Spectre.Console;

namespace LambdaStorm.Cli.Views;

/// <summary>Prints a run summary and the threshold verdicts.</summary>
internal static class SummaryView
{
    public static void Print(IAnsiConsole console, RunSummary s, string resultsPath)
    {
        var status = s.Status switch
        {
            "completed" => "[green]completed[/]",
            "stopped" => "[yellow]stopped early[/]",
            _ => $"[red]{Markup.Escape(s.Status)}[/]",
        };
        console.MarkupLine($"[bold]{Markup.Escape(s.Scenario)}[/] {status} in {s.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s  (run {s.RunId}{(s.Simulated ? ", simulated" : string.Empty)})");

        var totals = new Table().Border(TableBorder.Rounded).Title("totals");
        totals.AddColumns("scheduled", "started", "dropped", "completed", "interrupted", "target avg", "achieved", "error rate", "throttle rate");
        totals.AddRow(
            N(s.Totals.ScheduledArrivals), N(s.Totals.Started), s.Totals.Dropped > 0 ? $"[red]{N(s.Totals.Dropped)}[/]" : N(s.Totals.Dropped), N(s.Totals.Completed), N(s.Totals.Interrupted),
            $"{s.Rates.TargetAverage.ToString("0.#", CultureInfo.InvariantCulture)}/s", $"{s.Rates.Achieved.ToString("0.#", CultureInfo.InvariantCulture)}/s", Pct(s.Rates.ErrorRate), Pct(s.Rates.ThrottleRate));
        console.Write(totals);

        var latency = new Table().Border(TableBorder.Rounded).Title("latency from intended start");
        latency.AddColumns("series", "count", "p50", "p90", "p95", "p99", "p99.9", "p99.99", "max");
        void Row(string name, LatencyStats l) => latency.AddRow(Markup.Escape(name), N(l.Count), Ms(l.P50), Ms(l.P90), Ms(l.P95), Ms(l.P99), Ms(l.P999), Ms(l.P9999), Ms(l.Max));
        Row("all", s.LatencyMs);
        foreach (var o in s.Outcomes)
        {
            Row($"{o.Path} {o.Outcome}{(o.Reason is null ? string.Empty : $" ({o.Reason})")}", o.LatencyMs);
        }

        if (s.LatenessMs.Count > 0)
        {
            Row("lateness", s.LatenessMs);
        }

        console.Write(latency);

        if (s.Thresholds.Length > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title("thresholds");
            t.AddColumns("", "threshold", "actual");
            foreach (var v in s.Thresholds)
            {
                t.AddRow(v.Passed ? "[green]PASS[/]" : "[red]FAIL[/]", Markup.Escape(v.Expression), Markup.Escape(v.Note is null ? v.ActualText : $"{v.ActualText} ({v.Note})"));
            }

            console.Write(t);
        }

        foreach (var w in s.Warnings)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
        }

        console.MarkupLineInterpolated($"results: {resultsPath}");
        if (s.Thresholds.Length > 0)
        {
            console.MarkupLine(s.Passed ? "[green]all thresholds passed[/]" : $"[red]{s.Thresholds.Count(v => !v.Passed)} of {s.Thresholds.Length} thresholds failed[/]");
        }
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Pct(double r) => (r * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double ms) => LiveView.FormatMs(ms);
}
