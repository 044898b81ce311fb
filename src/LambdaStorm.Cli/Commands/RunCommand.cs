using System.ComponentModel;
using LambdaStorm.Cli.Views;
using LambdaStorm.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary><c>lambdastorm run SCENARIO</c>: runs in this process with a live view.</summary>
internal sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : ScenarioSettings
    {
        [CommandOption("--plain")]
        [Description("Print a plain progress line every few seconds instead of the live view (automatic when output is not a terminal)")]
        public bool Plain { get; set; }

        [CommandOption("--progress-interval <DURATION>")]
        [Description("How often the plain progress line is printed. Default: 5s")]
        [DefaultValue("5s")]
        public override string ProgressInterval { get; set; } = "5s";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = ScenarioFiles.LoadOrReport(settings.Scenario);
        if (scenario is null)
        {
            return ExitCodes.BadInput;
        }

        var interactive = !settings.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var view = new LiveView(interactive, settings.ProgressEvery);
        var options = new RunOptions(settings.Results) { EmulatorLauncher = EmbeddedEmulatorLauncher.Instance };
        var outcome = await view.ShowWhileAsync(() => ScenarioRunner.RunAsync(scenario, options, TimeProvider.System, view, cancellationToken));
        SummaryView.Print(AnsiConsole.Console, outcome.Summary, outcome.ResultsPath);
        return outcome.ExitCode;
    }
}
