using LambdaStorm.Cli.Commands;
using LambdaStorm.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli;

/// <summary>Builds the <c>lambdastorm</c> command tree.</summary>
internal static class CliApp
{
    public static CommandApp Create(IAnsiConsole? console = null)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName("lambdastorm");
            c.Settings.StrictParsing = true;
            if (console is not null)
            {
                c.ConfigureConsole(console);
            }

            c.SetExceptionHandler((ex, _) =>
            {
                switch (ex)
                {
                    case CommandParseException or CommandRuntimeException:
                        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                        return ExitCodes.BadInput;
                    default:
                        AnsiConsole.MarkupLineInterpolated($"[red]internal error:[/] {ex.GetType().Name}: {ex.Message}");
                        Console.Error.WriteLine(ex);
                        return ExitCodes.InternalError;
                }
            });

            c.AddCommand<RunCommand>("run")
                .WithDescription("Run a scenario and watch it live; writes results/<scenario>-<timestamp>/")
                .WithExample("run", "scenarios/quickstart.yaml")
                .WithExample("run", "scenarios/spike.yaml", "--cluster", "akka.tcp://lambdastorm@127.0.0.1:4053", "--min-agents", "3");
            c.AddCommand<CoordinatorCommand>("coordinator")
                .WithDescription("Start a cluster node hosting the coordinator singleton (loopback by default); agents join it, runs are submitted to it")
                .WithExample("coordinator", "--port", "4053");
            c.AddCommand<AgentCommand>("agent")
                .WithDescription("Start a load agent that joins the cluster and fires its share of every run")
                .WithExample("agent", "--seed", "akka.tcp://lambdastorm@127.0.0.1:4053", "--name", "agent-1");
            c.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Run a scenario in virtual time against the Lambda model: an hour of traffic in seconds, deterministic for a seed")
                .WithExample("simulate", "scenarios/burst-probe.yaml");
            c.AddCommand<EmulatorCommand>("emulator")
                .WithDescription("Serve the Lambda model in real time behind AWS's Lambda API and /metrics on 127.0.0.1, for any AWS SDK")
                .WithExample("emulator", "--port", "9001", "--config", "emulator.yaml");
            c.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check a scenario file and report every error with file, line and column")
                .WithExample("validate", "scenarios/quickstart.yaml");
            c.AddCommand<PreflightCommand>("preflight")
                .WithDescription("Check the invoked function's configuration against the checklist, graded by what each finding risks under the scenario's load")
                .WithExample("preflight", "scenarios/spike.yaml");
            c.AddCommand<RollbackCommand>("rollback")
                .WithDescription("Undo the chaos actions a killed run left applied, from its results folder's rollback journal (every start does this for results/)")
                .WithExample("rollback", "results/game-day-20261127T140501Z");
            c.AddCommand<ReportCommand>("report")
                .WithDescription("Rebuild summary.json, junit.xml and report.html from a results folder's journal (also after a crash)")
                .WithExample("report", "results/quickstart-20261127T140501Z");
        });
        return app;
    }
}
