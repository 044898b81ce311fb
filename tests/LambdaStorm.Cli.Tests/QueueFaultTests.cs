using System.Globalization;
using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// The fault test of the queue path (issue 5): <c>lambdastorm run</c> sends to a separate <c>lambdastorm emulator</c>
/// process (<c>target.endpoint</c>) on a free loopback port, and that process is killed with SIGKILL mid-run. The harness
/// must neither hang nor crash: it writes its journal and summary and accounts for every id honestly (sends after the
/// kill are rejected, ids the emulator held are in flight because the source cannot be asked, none is called lost), and
/// <c>lambdastorm report</c> rebuilds the same ledger from the folder.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class QueueFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-fault-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string EmulatorConfig = """
        functions:
          worker: { duration: 20ms, poisonMarker: POISON }
        queues:
          orders: { visibilityTimeout: 1s, deadLetter: orders-dlq, maxReceiveCount: 3 }
          orders-dlq: {}
        eventSourceMappings:
          - { queue: orders, function: worker, batchSize: 10, reportBatchItemFailures: true }
        """;

    private static string Scenario(int port) => $$$"""
        name: queue-fault
        path: queue
        queue: orders
        function: worker
        maxInFlight: 100
        target:
          type: emulator
          endpoint: http://127.0.0.1:{{{port}}}
        load:
          - inject: { rate: 50, during: 12s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 20, marker: POISON }
        settle: 10s
        thresholds:
          - lost == 0
        """;

    [Fact]
    public async Task Killing_the_emulator_mid_run_leaves_a_complete_honest_ledger_and_no_hang()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "emulator.yaml"), EmulatorConfig, TestContext.Current.CancellationToken);
        var port = PrometheusServer.FreePort();
        await File.WriteAllTextAsync(Path.Combine(_dir, "fault.yaml"), Scenario(port), TestContext.Current.CancellationToken);
        using var emulator = CliProcess.Start(_dir, "emulator", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", "emulator.yaml");
        await emulator.WaitForOutputAsync("emulator listening", TimeSpan.FromSeconds(60));

        var results = Path.Combine(_dir, "results");
        using var run = CliProcess.Start(_dir, "run", "fault.yaml", "--results", results, "--plain", "--progress-interval", "1s", "--metrics-port", "0");
        await run.WaitForOutputAsync("[0:04]", TimeSpan.FromSeconds(60)); // a third of the load has gone out
        emulator.Signal("KILL");
        Assert.NotEqual(0, await emulator.WaitAsync(TimeSpan.FromSeconds(30)));
        var code = await run.WaitAsync(TimeSpan.FromMinutes(2)); // throws (and kills it) if the harness hangs

        Assert.True(code == 0, $"exit {code}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("the queues stopped answering", run.StdOut + run.StdErr, StringComparison.Ordinal);
        var folder = Assert.Single(Directory.GetDirectories(results));
        var journal = (await File.ReadAllLinesAsync(Path.Combine(folder, "journal.jsonl"), TestContext.Current.CancellationToken))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("end", journal[^1].GetProperty("type").GetString());
        Assert.Contains(journal, l => l.GetProperty("type").GetString() == "ledgerEnd" && l.GetProperty("source").GetString() == "unreachable");

        var summaryFile = Path.Combine(folder, "summary.json");
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement.Clone();
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        var ledger = summary.GetProperty("ledger");
        var classes = ledger.GetProperty("classes").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetInt64());
        var sent = ledger.GetProperty("sent").GetInt64();
        Assert.Equal(600, sent);
        Assert.Equal(sent, classes.Values.Sum());                 // every id in exactly one class
        Assert.Equal("unreachable", ledger.GetProperty("source").GetString());
        Assert.Equal(0, classes["lost"]);                         // the source could not be asked: nothing is called lost
        Assert.True(classes["rejected"] > 0, "sends after the kill failed and are rejected");
        Assert.True(classes["first_attempt"] > 0, "messages before the kill were processed");
        Assert.True(classes["in_flight"] > 0, "what the dead emulator held has no outcome: in flight");
        var failedSends = summary.GetProperty("totals").GetProperty("completed").GetInt64() - OkCount(summary);
        Assert.Equal(classes["rejected"], failedSends);           // exactly the failed sends, none of the accepted ones

        var (reportCode, stdout, stderr) = await CliProcess.RunAsync(_dir, "report", folder);

        Assert.True(reportCode == 0, stdout + stderr);
        var rebuilt = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement.GetProperty("ledger");
        Assert.Equal(ledger.GetProperty("classes").GetRawText(), rebuilt.GetProperty("classes").GetRawText());
        Assert.Equal("unreachable", rebuilt.GetProperty("source").GetString());
    }

    private static long OkCount(JsonElement summary) =>
        summary.GetProperty("outcomes").EnumerateArray().Where(o => o.GetProperty("outcome").GetString() == "ok").Sum(o => o.GetProperty("count").GetInt64());
}
