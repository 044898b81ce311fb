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

return await CliApp.Create().RunAsync(args, stop.Token);
