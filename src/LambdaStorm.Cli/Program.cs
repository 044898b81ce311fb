using System.Runtime.InteropServices;
using LambdaStorm.Cli;

// First Ctrl-C (or SIGTERM) stops the load gracefully and still writes the summary; a second one exits at once.
using var stop = new CancellationTokenSource();
var presses = 0;
Console.CancelKeyPress += (_, e) =>
{
    if (Interlocked.Increment(ref presses) == 1)
    {
        e.Cancel = true;
        Console.Error.WriteLine("stopping: finishing in-flight invocations and writing the summary (Ctrl-C again to quit at once)");
        stop.Cancel();
    }
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    stop.Cancel();
});

if (Console.IsOutputRedirected)
{
    // Logs and CI output are not limited to 80 columns; keep the summary tables readable there.
    Spectre.Console.AnsiConsole.Profile.Width = 160;
}

// A run killed mid-game-day leaves its rollback journal behind: undo its faults before anything else (docs/chaos.md).
if (args.Length > 0 && args[0] is not ("rollback" or "emulator" or "--help" or "-h" or "--version"))
{
    await LambdaStorm.Cli.Commands.StartupRollback.RunAsync("results", stop.Token);
}

return await CliApp.Create().RunAsync(args, stop.Token);
