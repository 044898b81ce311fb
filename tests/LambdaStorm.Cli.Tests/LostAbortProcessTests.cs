using System.Text.Json;
using System.Text.RegularExpressions;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// <c>lambdastorm run</c> on the embedded emulator (a real process, real time) aborts on <c>lost</c>: the emulator's
/// model names each async event it drops with nowhere to go, the ledger counts the id lost at once, and the final
/// ledger holds at least the count the abort read; <c>report</c> rebuilds the same classes from the journal.
/// </summary>
public sealed partial class LostAbortProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-lost-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_aborts_on_lost_when_failed_events_have_nowhere_to_go()
    {
        var file = Path.Combine(_dir, "lost.yaml");
        await File.WriteAllTextAsync(file, """
            name: lost-abort
            function: worker
            path: async
            seed: 5
            gracefulStop: 2s
            target:
              type: emulator
              functions:
                worker: { duration: 10ms, async: { maximumRetryAttempts: 0 } }
            load:
              - inject: { rate: 20, during: 30s }
            settle: 20s
            abort:
              - lost > 10
            chaos:
              - { at: 2s, for: 25s, function-errors: { function: worker, rate: 100% } }
            """);
        var results = Path.Combine(_dir, "results");

        var (code, stdout, stderr) = await CliProcess.RunAsync(_dir, "run", file, "--results", results, "--metrics-port", "0", "--plain");

        Assert.True(code == 3, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("ABORT: abort condition 'lost > 10' fired (lost = ", stdout, StringComparison.Ordinal);
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        var aborted = summary.GetProperty("chaos").GetProperty("aborted").GetString()!;
        var live = long.Parse(LostCount().Match(aborted).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(live > 10, aborted);
        Assert.True(summary.GetProperty("chaos").GetProperty("rolledBack").GetBoolean());
        var classes = summary.GetProperty("ledger").GetProperty("classes");
        Assert.True(classes.GetProperty("lost").GetInt64() >= live, classes.ToString());
        Assert.Equal(0, classes.GetProperty("dlq").GetInt64());

        var (reportCode, _, reportErr) = await CliProcess.RunAsync(_dir, "report", folder);
        Assert.True(reportCode == 3, $"report exited {reportCode}, not 3 as run did\n{reportErr}");
        var rebuilt = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        Assert.Equal(classes.ToString(), rebuilt.GetProperty("ledger").GetProperty("classes").ToString());
    }

    [GeneratedRegex(@"\(lost = (\d+)\)")]
    private static partial Regex LostCount();
}
