using System.Runtime.InteropServices;
using LambdaStorm.Cli;

// First Ctrl-C (or SIGTERM) stops the load gracefully, rolls back every chaos fault and still writes the summary. A
// second one does not abandon a rollback: it says what is in progress and what quitting would leave. Only a third (or
// the stop taking longer than StopPatience) quits at once; the rollback journal then stays, registered, for the next
// start or 'lambdastorm rollback DIR' (docs/chaos.md).
using var stop = new CancellationTokenSource();
var presses = 0;
Console.CancelKeyPress += (_, e) =>
{
    switch (Interlocked.Increment(ref presses))
    {
        case 1:
            e.Cancel = true;
            Console.Error.WriteLine("stopping: finishing in-flight invocations, rolling back chaos faults and writing the summary (Ctrl-C again for what is left)");
            stop.Cancel();
            _ = QuitIfStuckAsync();
            break;
        case 2:
            e.Cancel = true;
            Console.Error.WriteLine(SecondPress(LambdaStorm.Chaos.RollbackJournal.Pending));
            break;
        default:
            // The third press: the runtime ends the process now.
            Console.Error.WriteLine(LambdaStorm.Chaos.RollbackJournal.Pending.Count > 0 ? "quitting: the rollback journal stays for the next lambdastorm start" : "quitting");
            break;
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

// What a second Ctrl-C says: the rollback in progress and what quitting now would leave, or only that it is stopping.
static string SecondPress(IReadOnlyList<string> journals) => journals.Count == 0
    ? "still stopping (no chaos fault to roll back); Ctrl-C once more to quit at once"
    : $"rollback in progress: the load is stopping and the chaos faults this run applied are being restored; Ctrl-C once more to quit without waiting. "
      + $"What is not restored yet stays in {string.Join(", ", journals)}: the next lambdastorm start replays it, "
      + $"or run 'lambdastorm rollback {string.Join(" ", journals.Select(j => Path.GetDirectoryName(j)))}' yourself";

// A stop that takes longer than this is abandoned, as a third Ctrl-C would; the rollback journal stays for the next start.
static async Task QuitIfStuckAsync()
{
    var patience = TimeSpan.FromMinutes(5);
    await Task.Delay(patience, TimeProvider.System).ConfigureAwait(false);
    Console.Error.WriteLine($"still stopping after {patience.TotalMinutes:0} minutes: quitting; {SecondPress(LambdaStorm.Chaos.RollbackJournal.Pending)}");
    Environment.Exit(LambdaStorm.Runs.ExitCodes.InternalError);
}
