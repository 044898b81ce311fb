using System.Globalization;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Spectre.Console;

namespace LambdaStorm.Cli.Views;

/// <summary>Console output of a scenario with variants: a line as each starts, and the combined verdicts at the end.</summary>
internal static class VariantsView
{
    /// <summary>The line printed before a variant runs.</summary>
    public static void Starting(IAnsiConsole console, Scenario scenario, ScenarioVariant variant, int index)
        => console.MarkupLine($"[bold]variant {index + 1} of {scenario.Variants.Length}:[/] {Markup.Escape(variant.Name)}{(variant.Description is { } d ? " - " + Markup.Escape(d) : string.Empty)}");

    /// <summary>The combined verdicts and where the files are.</summary>
    public static void Print(IAnsiConsole console, VariantsOutcome outcome)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(outcome.Summary.Scenario)}: {outcome.Summary.Variants.Length} variants");
        table.AddColumns("variant", "status", "thresholds", "sent", "dlq", "lost", "delayed good", "waited p50 / max", "failed attempts", "invocations", "exit code");
        foreach (var v in outcome.Summary.Variants)
        {
            var s = v.Summary;
            var l = s.Ledger;
            table.AddRow(
                Markup.Escape(v.Name),
                Markup.Escape(s.Status),
                s.Thresholds.Length == 0 ? "-" : $"{(s.Passed ? "[green]" : "[red]")}{s.Thresholds.Count(t => t.Passed)} of {s.Thresholds.Length} passed[/]",
                N(l?.Sent),
                N(l?.Count(Ledger.DeliveryClass.DeadLettered)),
                N(l?.Count(Ledger.DeliveryClass.Lost)),
                N(l?.DelayedGood),
                l is null || l.DelayedGood == 0 ? "-" : $"{Reporting.Findings.Ms(l.DelayedGoodMs.P50)} / {Reporting.Findings.Ms(l.DelayedGoodMs.Max)}",
                N(l?.FailedAttempts),
                N(s.Lambda?.Invocations),
                v.ExitCode.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.MarkupLine($"{(outcome.Summary.Passed ? "[green]all variants passed[/]" : "[red]not every variant passed[/]")}; combined results: {Markup.Escape(outcome.ResultsPath)}");
    }

    private static string N(long? v) => v is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "-";
}
