using System.Text.Json;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Emulator;
using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// The delivery ledger on a real cluster in one process: a coordinator and three agents on loopback ports send sync,
/// async and queue invocations to an in-process emulator (over its Lambda and SQS APIs); one agent's node crashes
/// mid-run. The coordinator reads receipts, DLQs and the failure destination through SQS, and accounts for every id.
/// </summary>
public sealed class ClusterLedgerTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("lambdastorm-cluster-ledger-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private const string Yaml = """
        name: cluster-ledger
        target:
          type: emulator
          account:
            asyncRetryDelays: [1s, 1s]
          functions:
            worker:
              duration: 20ms
              poisonMarker: POISON
              async: { onFailure: failed-events }
          queues:
            orders: { visibilityTimeout: 3s, deadLetter: orders-dlq, maxReceiveCount: 2 }
            orders-dlq: {}
            failed-events: {}
          eventSourceMappings:
            - { queue: orders, function: worker, batchSize: 10, window: 1s, reportBatchItemFailures: true }
        paths: { sync: 2, async: 1, queue: 1 }
        queue: orders
        seed: 11
        maxInFlight: 500
        gracefulStop: 3s
        load:
          - inject: { rate: 120, during: 14s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 50, marker: POISON }
        settle: 60s
        """;

    [Fact]
    public async Task A_crashed_agent_leaves_only_its_gap_ids_unknown_and_every_other_id_is_classified()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioLoader.Load(Yaml, "cluster-ledger.yaml").GetOrThrow();
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Model = ((TargetSpec.Emulator)scenario.Target).Model, Port = 0 }, ct);
        var coordinatorRun = new RunOptions(Path.Combine(_results, "coordinator"));
        await using var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []),
            b => b.WithCoordinator(CoordinatorSettings.For(coordinatorRun, TimeProvider.System)), ct);
        string[] seeds = [coordinator.Address];
        var agents = new List<ClusterNode>();
        foreach (var name in new[] { "agent-a", "agent-b", "agent-c" })
        {
            agents.Add(await ClusterSetup.StartAsync(new NodeOptions("agent", "127.0.0.1", 0, seeds), b => b.WithAgent(name, TimeProvider.System), ct));
        }

        await using var _ = new InProcessClusterTests.AsyncDisposables(agents);
        var observer = new InProcessClusterTests.Intervals();
        var run = ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 3, emulator.BaseAddress.ToString()), new RunOptions(Path.Combine(_results, "client")), observer, TextWriter.Null, ct);
        while (observer.Count < 5 && !run.IsCompleted)
        {
            await Task.Delay(100, ct);
        }

        await agents[2].CrashAsync(); // agent-c's actor system goes away mid-run
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(3), ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var journalPath = Path.Combine(outcome.ResultsPath, "journal.jsonl");
        var journal = JournalReader.Read(journalPath);
        Assert.Contains(journal.Marks, m => m.Kind == "agent-lost" && m.Agent == "agent-c");
        var lost = journal.Marks.First(m => m.Kind == "agent-lost" && m.Agent == "agent-c");
        var resplit = journal.Marks.First(m => m.Kind == "resplit");
        var from = resplit.Arrivals!.Value;

        var ledger = outcome.Summary.Ledger;
        Assert.NotNull(ledger);
        var detail = JsonSerializer.Serialize(ledger.Classes) + "\n" + string.Join("\n", journal.Marks.Select(m => $"{m.At:0.00} {m.Kind} {m.Agent} {m.Detail}"));

        // Every async and queue arrival of the schedule is in the ledger (fired by agent-c before it died, by the
        // survivors after the re-split, or unknown), and every one has a class: nothing lost, nothing left in flight.
        var factory = new InvocationFactory(scenario, journal.Header.RunId);
        var schedule = LoadSchedule.Create(scenario.Load);
        var ledgerArrivals = Enumerable.Range(0, (int)schedule.TotalArrivals).Where(i => factory.PathOf(i) is InvocationPath.Async or InvocationPath.Queue).ToList();
        Assert.Equal(ledgerArrivals.Count, ledger.Sent);
        Assert.Equal(ledger.Sent, ledger.Classes.Values.Sum());
        Assert.True(ledger.Count(DeliveryClass.Lost) == 0, detail);
        Assert.True(ledger.Count(DeliveryClass.InFlight) == 0, detail);
        Assert.True(ledger.Count(DeliveryClass.Rejected) == 0, detail);
        Assert.True(ledger.Processed > ledger.Sent / 2, detail); // how many agent-c takes with it depends on how soon the cluster notices; checked exactly below
        Assert.True(ledger.Count(DeliveryClass.DeadLettered) > 0, detail); // the pills, through the DLQ and the failure destination
        Assert.Equal(0, ledger.GoodDeadLettered);

        // The ids marked unknown are agent-c's (slot 2 of 3) async and queue arrivals between its last report and the
        // re-split, and no others.
        var unknown = UnknownIds(journalPath);
        var lastEnd = lost.Sequence is { } s && s >= 0 ? s + 1.0 : 0;
        var gapIds = ledgerArrivals.Where(i => i % 3 == 2 && i < from && i >= schedule.ArrivalsBefore(Math.Max(0, lastEnd - 1))).Select(i => factory.IdOf(i)).ToHashSet();
        Assert.True(unknown.Count > 0, detail);
        Assert.Subset(gapIds, unknown.ToHashSet());
        Assert.True(ledger.Count(DeliveryClass.Unknown) <= unknown.Count, detail);
        var arrivalOf = ledgerArrivals.ToDictionary(i => factory.IdOf(i));
        Assert.All(unknown, id => Assert.True(arrivalOf[id] % 3 == 2 && arrivalOf[id] < from, $"{id} (arrival {arrivalOf[id]}) is not one of agent-c's before the re-split at {from}"));

        // 'lambdastorm report' rebuilds the same classes from the journal.
        Assert.Equal(ledger.Classes, journal.Ledger!.Report.Classes);
        Assert.Contains(outcome.Summary.Warnings, w => w.Contains("generator that died", StringComparison.Ordinal) || ledger.Count(DeliveryClass.Unknown) == 0);
    }

    private static List<string> UnknownIds(string journal)
        => [.. File.ReadLines(journal).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.GetProperty("type").GetString() == "ledger" && r.TryGetProperty("unknown", out _))
            .SelectMany(r => r.GetProperty("unknown").EnumerateArray().Select(x => x.GetString()!))];
}
