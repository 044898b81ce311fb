using System.ComponentModel;
using LambdaStorm.Cli.Views;
using LambdaStorm.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary><c>lambdastorm report DIR</c>: rebuilds summary.json, junit.xml and report.html from the journal.</summary>
internal sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RESULTS_DIR>")]
        [Description("A results folder holding journal.jsonl")]
        public string Directory { get; set; } = string.Empty;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var journal = Path.Combine(settings.Directory, ResultsFolder.JournalFile);
        if (VariantRuns.IsCombined(settings.Directory))
        {
            try
            {
                var combined = await VariantRuns.ReportAsync(settings.Directory, Reporting.ResultsArtifacts.Instance, cancellationToken);
                VariantsView.Print(AnsiConsole.Console, combined);
                return combined.Summary.ExitCode;
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ExitCodes.BadInput;
            }
        }

        if (!File.Exists(journal))
        {
            Console.Error.WriteLine($"{settings.Directory}: no {ResultsFolder.JournalFile} here; give a folder written by 'lambdastorm run' (or the combined folder of a scenario with variants)");
            return ExitCodes.BadInput;
        }

        try
        {
            var outcome = await ScenarioRunner.ReportAsync(settings.Directory, cancellationToken, Reporting.ResultsArtifacts.Instance);
            SummaryView.Print(AnsiConsole.Console, outcome.Summary, outcome.ResultsPath);
            return outcome.ExitCode;
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitCodes.BadInput;
        }
    }
}
