using LambdaStorm.Lambda;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Telemetry;

namespace LambdaStorm.Tests.Chaos;

/// <summary>
/// <c>lost</c> as a live abort condition: the loader accepts it on emulator targets and refuses it on aws (and without
/// an async or queue path) with file:line:column; the model's discards (an async event dropped with no failure target,
/// a purged message) reach the ledger per id during the run, so a simulated game day aborts on them with exit code 3;
/// the live count never exceeds the final <c>lost</c>; and <c>report</c> rebuilds the same classes from the journal.
/// </summary>
public sealed class LostAbortTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gameday-lost-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Async invokes of a function with no retries and nowhere to send a failed event.</summary>
    private const string Async = """
        name: lost-async
        function: worker
        path: async
        seed: 5
        target:
          type: emulator
          functions:
            worker:
              duration: 20ms
              initDuration: 0ms
              async: { maximumRetryAttempts: 0 }
        load:
          - inject: { rate: 20, during: 40s }
        settle: 20s

        """;

    /// <summary>Sends to a queue nobody polls: every message waits there, visible.</summary>
    private const string Queue = """
        name: lost-queue
        function: worker
        path: queue
        queue: orders
        seed: 5
        target:
          type: emulator
          functions:
            worker: { duration: 20ms }
          queues:
            orders: {}
        load:
          - inject: { rate: 20, during: 30s }
        settle: 5s

        """;

    private const string Aws = """
        name: a
        function: probe
        path: async
        target:
          type: aws
          region: us-east-1
          maxInvocations: 100
          maxCostUsd: 1
          functions:
            probe: { probe: true }
        load: [ { inject: { rate: 1, during: 1m } } ]

        """;

    [Fact]
    public void The_loader_accepts_lost_on_emulator_targets_and_refuses_it_on_aws_and_without_a_ledger_naming_file_line_and_column()
    {
        var ok = ScenarioLoader.Load(Async + "abort:\n  - lost > 0\n", "gd.yaml").GetOrThrow();
        Assert.Equal("lost", Assert.Single(ok.Chaos.Abort).Condition.Metric.Name);
        Assert.Equal("lost", Assert.Single(ScenarioLoader.Load(Queue + "abort:\n  - lost > 10 for 2s\n", "q.yaml").GetOrThrow().Chaos.Abort).Condition.Metric.Name);

        var aws = ScenarioLoader.Load(Aws + "abort:\n  - errors > 10\n  - 'lost > 0'\n", "aws.yaml");
        var error = Assert.Single(aws.Errors);
        Assert.Equal(("aws.yaml", 14, 6), (error.File, error.Line, error.Column));
        Assert.Contains("abort condition 'lost > 0' reads 'lost', which an aws target cannot give during the run", error.Message);
        Assert.Contains("AWS reports no per-id evidence", error.Message);
        Assert.Contains("abort on dlq_depth", error.Message);
        Assert.Contains("put 'lost' in 'thresholds'", error.Message);

        var sync = ScenarioLoader.Load(Async.Replace("path: async", "path: sync", StringComparison.Ordinal) + "abort:\n  - lost > 0\n", "s.yaml");
        error = Assert.Single(sync.Errors);
        Assert.Equal(("s.yaml", 16, 5), (error.File, error.Line, error.Column));
        Assert.Contains("abort condition 'lost > 0' reads 'lost', which the delivery ledger measures on the async and queue paths; this scenario sends on neither", error.Message);
    }

    [Fact]
    public async Task A_simulated_game_day_aborts_on_lost_when_failed_events_have_nowhere_to_go_and_report_rebuilds_the_same_classes()
    {
        var yaml = Async + """
            abort:
              - lost > 5
            chaos:
              - { at: 10s, for: 20s, function-errors: { function: worker, rate: 100% } }
            """;
        var watch = new LedgerWatch();
        var outcome = await ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "gd.yaml").GetOrThrow(), new RunOptions(_root), watch, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var chaos = outcome.Summary.Chaos!;
        Assert.StartsWith("abort condition 'lost > 5' fired (lost = ", chaos.Aborted);
        var liveAtAbort = LostIn(chaos.Aborted!);
        Assert.True(liveAtAbort > 5, chaos.Aborted);
        Assert.True(chaos.RolledBack);
        Assert.Equal("aborted", outcome.Summary.Status);
        Assert.InRange(outcome.Summary.DurationSeconds, 10, 14); // 20 dropped events a second from 10 s: past 5 at once

        // Before the fault nothing was lost; the live count only grew; and it never exceeded the final lost.
        var ledger = outcome.Summary.Ledger!;
        var finalLost = ledger.Count(DeliveryClass.Lost);
        Assert.True(watch.Live.Count > 10);
        Assert.Equal(watch.Live.Order(), watch.Live);
        Assert.All(watch.Live, n => Assert.InRange(n, 0, finalLost));
        Assert.True(finalLost >= liveAtAbort, $"final lost {finalLost} < live {liveAtAbort}");
        Assert.Equal(finalLost, watch.Final);
        Assert.Equal(0, ledger.Count(DeliveryClass.DeadLettered)); // nowhere to go: lost, not dead-lettered

        // The journal holds the per-id evidence, and `report` rebuilds the same classes from it.
        var journal = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Contains("\"lost\":[[", journal, StringComparison.Ordinal);
        Assert.Contains("\"retries_exhausted\"", journal, StringComparison.Ordinal);
        var rebuilt = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None);
        Assert.Equal(ledger.Classes, rebuilt.Summary.Ledger!.Classes);
        Assert.Equal(chaos.Aborted, rebuilt.Summary.Chaos!.Aborted);
    }

    [Fact]
    public async Task A_purge_queue_counts_the_purged_ids_lost_at_once_though_the_queue_stays_busy()
    {
        var yaml = Queue + """
            abort:
              - lost > 100 for 3s
            chaos:
              - { at: 12s, purge-queue: { queue: orders } }
            """;
        var watch = new LedgerWatch();
        var outcome = await ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "q.yaml").GetOrThrow(), new RunOptions(_root), watch, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var aborted = outcome.Summary.Chaos!.Aborted!;
        Assert.StartsWith("abort condition 'lost > 100 for 3s' fired (lost = ", aborted);
        var liveAtAbort = LostIn(aborted);
        Assert.InRange(liveAtAbort, 235, 245); // the ~240 messages sent in the first 12 s, all waiting when purged
        Assert.InRange(outcome.Summary.DurationSeconds, 13, 16); // held for 3 s (whole intervals, from the one that showed it)

        // Nobody polls the queue: what was sent after the purge is still there at the end (in flight, not lost); the
        // purged ids are lost although the source never went quiet — the model named them.
        var ledger = outcome.Summary.Ledger!;
        Assert.Equal("busy", ledger.Source);
        Assert.Equal(liveAtAbort, ledger.Count(DeliveryClass.Lost));
        Assert.Equal(ledger.Sent - liveAtAbort, ledger.Count(DeliveryClass.InFlight));
        Assert.InRange(ledger.Count(DeliveryClass.InFlight), 20, 80); // the seconds of sends after the purge
        Assert.All(watch.Live, n => Assert.InRange(n, 0, liveAtAbort));
        Assert.Contains("\"purged\"", await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, "journal.jsonl")), StringComparison.Ordinal);

        var rebuilt = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None);
        Assert.Equal(ledger.Classes, rebuilt.Summary.Ledger!.Classes);
    }

    [Fact]
    public void An_async_request_is_lost_only_when_its_last_delivery_is_discarded_and_none_succeeded_or_reached_a_failure_target()
    {
        var lost = new List<LostWork>();
        ILambdaModelObserver tracker = new LostWorkTracker(lost.Add);
        var t = DateTimeOffset.UnixEpoch;
        var payload = """{"id":"ls-1"}"""u8.ToArray();
        void Queued(string rid, bool dup) => tracker.OnAsyncEventQueued(new AsyncEventQueued(t, "worker", "$LATEST", rid, dup));
        void Finished(string rid, AsyncCondition c, bool dup) => tracker.OnAsyncEventFinished(new AsyncEventFinished(t, "worker", "$LATEST", rid, c, 1, TimeSpan.Zero, dup));
        void Discarded(string rid, bool dup) => tracker.OnAsyncEventDiscarded(new AsyncEventDiscarded(t, "worker", rid, AsyncCondition.RetriesExhausted, payload, dup));

        // A duplicate delivery is still pending when the original is dropped; it then succeeds: not lost.
        Queued("r1", false);
        Queued("r1", true);
        Finished("r1", AsyncCondition.RetriesExhausted, false);
        Discarded("r1", false);
        Finished("r1", AsyncCondition.Success, true);
        Assert.Empty(lost);

        // The original went to the DLQ; the duplicate is dropped later: the id has its record (dlq), not lost.
        Queued("r2", false);
        Queued("r2", true);
        Finished("r2", AsyncCondition.RetriesExhausted, false);
        tracker.OnDestinationDelivered(new DestinationDelivery { TargetArn = "arn:aws:sqs:us-east-1:000000000000:dlq", Kind = DestinationKind.DeadLetter, FunctionName = "worker", RequestId = "r2", Condition = AsyncCondition.RetriesExhausted, ApproximateInvokeCount = 1, Body = "{}", Attributes = new Dictionary<string, string>(), Timestamp = t }, delivered: true);
        Finished("r2", AsyncCondition.EventAgeExceeded, true);
        Discarded("r2", true);
        Assert.Empty(lost);

        // Both deliveries dropped with nowhere to go: lost once, when the last one goes.
        Queued("r3", false);
        Queued("r3", true);
        Finished("r3", AsyncCondition.RetriesExhausted, false);
        Discarded("r3", false);
        Assert.Empty(lost);
        Finished("r3", AsyncCondition.RetriesExhausted, true);
        Discarded("r3", true);
        var w = Assert.Single(lost);
        Assert.Equal(("worker", (string?)null, "retries_exhausted", "ls-1"), (w.Function, w.Queue, w.Reason, w.Id));
    }

    /// <summary>The live count an abort message gives: "… fired (lost = N) at T".</summary>
    private static long LostIn(string aborted)
        => long.Parse(System.Text.RegularExpressions.Regex.Match(aborted, @"\(lost = (\d+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Keeps the live <c>lost</c> of every ledger snapshot, and the final one.</summary>
    private sealed class LedgerWatch : IRunObserver, ILedgerObserver
    {
        public List<long> Live { get; } = [];

        public long? Final { get; private set; }

        public void OnStarted(RunStarted run)
        {
        }

        public void OnInterval(IntervalSnapshot snapshot)
        {
        }

        public void OnLedger(LedgerSnapshot snapshot)
        {
            lock (Live)
            {
                if (snapshot.Final)
                {
                    Final = snapshot.Report.Count(DeliveryClass.Lost);
                }
                else
                {
                    Live.Add(snapshot.Report.LostSoFar());
                }
            }
        }
    }
}
