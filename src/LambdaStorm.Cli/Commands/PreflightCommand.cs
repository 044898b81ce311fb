using System.ComponentModel;
using LambdaStorm.Preflight;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary>
/// <c>lambdastorm preflight SCENARIO [--allow-aws]</c>: reads the invoked function's configuration (from the emulator
/// target's configuration, or from the Lambda API of an aws target) and grades it against the checklist under this
/// scenario's load. Exit 0 without high findings, 2 with any, 1 for bad input or a configuration that cannot be read.
/// </summary>
internal sealed class PreflightCommand : AsyncCommand<PreflightCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SCENARIO>")]
        [Description("Scenario YAML file")]
        public string Scenario { get; set; } = string.Empty;

        [CommandOption("--allow-aws")]
        [Description("Allow reading the configuration of an aws target's function from AWS (read-only calls)")]
        public bool AllowAws { get; set; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = ScenarioFiles.LoadOrReport(settings.Scenario);
        if (scenario is null)
        {
            return ExitCodes.BadInput;
        }

        PreflightFacts facts;
        var notes = new List<string>();
        switch (scenario.Target)
        {
            case TargetSpec.Emulator emulator:
                facts = PreflightFacts.FromModel(emulator.Model, scenario.Function!);
                break;
            case TargetSpec.Aws aws:
                if (!settings.AllowAws)
                {
                    await Console.Error.WriteLineAsync($"error: scenario '{scenario.Name}' targets AWS ({aws.Region}); preflight reads its function's configuration from there only with --allow-aws (read-only calls, no invocations).");
                    return ExitCodes.BadInput;
                }

                var (read, readNotes, error) = await PreflightApiReader.ReadAsync(scenario, aws, cancellationToken);
                if (read is null)
                {
                    await Console.Error.WriteLineAsync($"error: {error}");
                    return ExitCodes.BadInput;
                }

                facts = read;
                notes.AddRange(readNotes);
                break;
            default:
                await Console.Error.WriteLineAsync($"error: preflight checks Lambda functions; scenario '{scenario.Name}' targets '{scenario.Target.Kind}'. Use an emulator or aws target.");
                return ExitCodes.BadInput;
        }

        var findings = PreflightChecks.Run(scenario, facts);
        Console.Out.WriteLine(PreflightChecks.Render(scenario, facts, findings, notes));
        return findings.Any(f => f.Severity == Severity.High) ? ExitCodes.ThresholdFailed : ExitCodes.Ok;
    }
}
