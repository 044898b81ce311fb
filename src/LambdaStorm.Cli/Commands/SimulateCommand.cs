using System.ComponentModel;
using LambdaStorm.Cli.Views;
using LambdaStorm.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary><c>lambdastorm simulate SCENARIO</c>: the same run in virtual time against the Lambda model.</summary>
internal sealed class SimulateCommand : AsyncCommand<SimulateCommand.Settings>
{
    public sealed class Settings : ScenarioSettings
    {
        [CommandOption("--progress-interval <DURATION>")]
        [Description("Virtual time between progress lines. Default: 1m")]
        [DefaultValue("1m")]
        public override string ProgressInterval { get; set; } = "1m";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = ScenarioFiles.LoadOrReport(settings.Scenario);
        if (scenario is null)
        {
            return ExitCodes.BadInput;
        }

        if (scenario.Target is not Scenarios.TargetSpec.Emulator)
        {
            Console.Error.WriteLine($"{settings.Scenario}: simulate drives LambdaStorm's Lambda model, so the target must be the emulator (target: emulator, or type: emulator), not {scenario.Target.Kind}");
            return ExitCodes.BadInput;
        }

        var view = new LiveView(interactive: false, settings.ProgressEvery);
        var options = new RunOptions(settings.Results) { Artifacts = Reporting.ResultsArtifacts.Instance };
        async Task<RunOutcome> SimulateOne(Scenarios.Scenario s, RunOptions o)
        {
            var single = await ScenarioRunner.SimulateAsync(s, o, view, cancellationToken);
            SummaryView.Print(AnsiConsole.Console, single.Summary, single.ResultsPath);
            return single;
        }

        if (!scenario.Variants.IsEmpty)
        {
            var combined = await VariantRuns.RunAsync(scenario, options, SimulateOne, (v, i) => VariantsView.Starting(AnsiConsole.Console, scenario, v, i), cancellationToken);
            VariantsView.Print(AnsiConsole.Console, combined);
            return combined.Summary.ExitCode;
        }

        return (await SimulateOne(scenario, options)).ExitCode;
    }
}
