using System.ComponentModel;
using LambdaStorm.Chaos;
using LambdaStorm.Runs;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary>
/// <c>lambdastorm rollback DIR</c>: replays a results folder's rollback journal, undoing every chaos action that a run
/// applied and could not roll back itself (it was killed). Every <c>lambdastorm</c> start does the same for the folders
/// under <c>results/</c> (see <see cref="StartupRollback"/>).
/// </summary>
internal sealed class RollbackCommand : AsyncCommand<RollbackCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RESULTS_DIR>")]
        [Description("A results folder holding rollback.jsonl (written by a run with a chaos section)")]
        public string Directory { get; set; } = string.Empty;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(settings.Directory))
        {
            await Console.Error.WriteLineAsync($"{settings.Directory}: no such folder; give a results folder written by 'lambdastorm run'");
            return ExitCodes.BadInput;
        }

        try
        {
            var (lines, ok) = await ChaosSession.ReplayAsync(settings.Directory, cancellationToken);
            foreach (var line in lines)
            {
                Console.WriteLine(line);
            }

            return ok ? ExitCodes.Ok : ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or Amazon.Runtime.AmazonClientException)
        {
            await Console.Error.WriteLineAsync($"{settings.Directory}: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }
}

/// <summary>
/// Replays, at every <c>lambdastorm</c> start, the rollback journals left by runs that were killed mid-game-day (SIGKILL,
/// a crash): those under <c>results/</c> and those registered in the per-user state folder (<see cref="RollbackRegistry"/>,
/// which covers <c>--results</c> anywhere), so a fault never outlives its run for longer than it takes to start the tool
/// again. Journals of runs still going (their process is alive) are left alone.
/// </summary>
internal static class StartupRollback
{
    /// <summary>
    /// Replays what is pending under <paramref name="resultsRoot"/> and what the per-user state folder lists (runs with
    /// <c>--results</c> elsewhere); prints one line per restored action to stderr.
    /// </summary>
    public static async Task RunAsync(string resultsRoot, CancellationToken ct)
    {
        var missing = new List<string>();
        var folders = ChaosSession.Unfinished(resultsRoot, missing);
        foreach (var gone in missing)
        {
            await Console.Error.WriteLineAsync($"warning: the rollback journal {gone} registered in {RollbackRegistry.Folder} is gone (its results folder was deleted); its faults cannot be replayed, check what it changed by hand");
        }

        foreach (var folder in folders)
        {
            try
            {
                await Console.Error.WriteLineAsync($"rolling back chaos left behind by an interrupted run in {folder}");
                var (lines, _) = await ChaosSession.ReplayAsync(folder, ct);
                foreach (var line in lines)
                {
                    await Console.Error.WriteLineAsync("  " + line);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or Amazon.Runtime.AmazonClientException)
            {
                await Console.Error.WriteLineAsync($"  {folder}: cannot roll back ({ex.Message}); run 'lambdastorm rollback {folder}'");
            }
        }
    }
}
