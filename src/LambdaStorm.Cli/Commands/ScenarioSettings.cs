using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary>Settings shared by the commands that run a scenario (<c>run</c>, <c>simulate</c>).</summary>
internal abstract class ScenarioSettings : CommandSettings
{
    [CommandArgument(0, "<SCENARIO>")]
    [Description("Scenario YAML file")]
    public string Scenario { get; set; } = string.Empty;

    [CommandOption("--results <DIR>")]
    [Description("Folder under which the results folder is created. Default: results")]
    [DefaultValue("results")]
    public string Results { get; set; } = "results";

    /// <summary>Time between plain progress lines, as written on the command line.</summary>
    public abstract string ProgressInterval { get; set; }

    /// <summary>The parsed progress interval.</summary>
    public TimeSpan ProgressEvery => Scenarios.ValueParsers.TryParseDuration(ProgressInterval, out var d) ? d : TimeSpan.FromSeconds(5);

    public override ValidationResult Validate()
        => Scenarios.ValueParsers.TryParseDuration(ProgressInterval, out var d) && d > TimeSpan.Zero
            ? ValidationResult.Success()
            : ValidationResult.Error($"--progress-interval must be a duration such as 5s or 1m, not '{ProgressInterval}'");
}
