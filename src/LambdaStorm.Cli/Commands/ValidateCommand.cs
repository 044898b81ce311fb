using System.ComponentModel;
using LambdaStorm.Engine;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary><c>lambdastorm validate FILE</c>.</summary>
internal sealed class ValidateCommand : Command<ValidateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SCENARIO>")]
        [Description("Scenario YAML file")]
        public string Scenario { get; set; } = string.Empty;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = ScenarioFiles.LoadOrReport(settings.Scenario);
        if (scenario is null)
        {
            return ExitCodes.BadInput;
        }

        var schedule = LoadSchedule.Create(scenario.Load);
        AnsiConsole.MarkupLineInterpolated(
            $"[green]ok[/] {settings.Scenario}: '{scenario.Name}', {scenario.Load.Length} phases over {ValueParsers.FormatDuration(TimeSpan.FromSeconds(schedule.Duration))}, {schedule.TotalArrivals:N0} scheduled arrivals, target {scenario.Target.Kind}, {scenario.Thresholds.Length} thresholds");
        foreach (var v in scenario.Variants)
        {
            var vs = LoadSchedule.Create(v.Scenario.Load);
            AnsiConsole.MarkupLineInterpolated(
                $"  variant '{v.Name}': {v.Scenario.Load.Length} phases, {vs.TotalArrivals:N0} scheduled arrivals, {v.Scenario.Thresholds.Length} thresholds{(v.Description is { } d ? " - " + d : "")}");
        }

        return ExitCodes.Ok;
    }
}

/// <summary>Loading scenario files for commands, with errors printed compiler-style.</summary>
internal static class ScenarioFiles
{
    public static Scenario? LoadOrReport(string path)
    {
        var result = ScenarioLoader.LoadFile(path);
        if (result.Success)
        {
            return result.Scenario;
        }

        foreach (var e in result.Errors)
        {
            Console.Error.WriteLine(e.ToString());
        }

        Console.Error.WriteLine($"{result.Errors.Length} error{(result.Errors.Length == 1 ? string.Empty : "s")} in {path}");
        return null;
    }
}
