using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// The delivery ledger on a cluster: what an agent records (<see cref="SendLog"/> behind <see cref="SendRecordingTarget"/>),
/// how the coordinator feeds it to the ledger, and which ids a lost agent leaves unknown.
/// </summary>
public sealed class CoordinatorLedgerTests : IDisposable
{
    private const string Yaml = """
        name: ledger-on-a-cluster
        target:
          type: emulator
          functions:
            f: { duration: 10ms, poisonMarker: POISON }
        paths: { sync: 1, async: 1 }
        seed: 5
        load:
          - inject: { rate: 100, during: 2s }
        payload:
          poisonPills: { every: 7, marker: POISON }
        """;

    private readonly string _results = Directory.CreateTempSubdirectory("lambdastorm-ledger-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 1, 0, 0, TimeSpan.Zero));
    private readonly Scenario _scenario = ScenarioLoader.Load(Yaml, "ledger.yaml").GetOrThrow();
    private readonly InvocationFactory _factory;
    private readonly LoadSchedule _schedule;

    public CoordinatorLedgerTests()
    {
        _factory = new InvocationFactory(_scenario, "run1");
        _schedule = LoadSchedule.Create(_scenario.Load);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private InvocationRequest Request(long index) => _factory.Create(index, _factory.PathOf(index), _time.GetUtcNow());

    private long[] AsyncOwned(int slot, int slots, long from, long to)
        => [.. Enumerable.Range((int)from, (int)(to - from)).Select(i => (long)i).Where(i => i % slots == slot && _factory.PathOf(i) == InvocationPath.Async)];

    [Fact]
    public async Task An_agent_records_async_and_queue_sends_in_order_with_failures_sends_in_flight_and_its_frontier()
    {
        var lambda = new ControlledTarget("lambda");
        var queue = new ControlledTarget("sqs");
        var log = new SendLog(_schedule.TotalArrivals);
        await using var target = new SendRecordingTarget(log, lambda, queue);
        var ids = Enumerable.Range(0, 12).Select(i => (long)i).ToList();
        var asyncIds = ids.Where(i => _factory.PathOf(i) == InvocationPath.Async).ToList();
        var syncIds = ids.Where(i => _factory.PathOf(i) == InvocationPath.Sync).ToList();
        Assert.True(asyncIds.Count >= 3 && syncIds.Count >= 1, "the seed gives both paths among the first arrivals");

        var calls = ids.ToDictionary(i => i, i => target.InvokeAsync(Request(i), CancellationToken.None));
        lambda.Complete(asyncIds[1], InvocationResult.Ok);
        lambda.Complete(asyncIds[2], new InvocationResult(Outcome.Throttled, "TooManyRequestsException"));
        foreach (var i in syncIds)
        {
            lambda.Complete(i, InvocationResult.Ok);
        }

        var first = log.Take();
        Assert.Equal(asyncIds, first.Sent); // only async and queue sends, in the order they were fired
        Assert.Empty(first.Closed);
        var failed = Assert.Single(first.Failed);
        Assert.Equal("throttled", failed.Outcome);
        Assert.Equal([asyncIds[2]], failed.Indices);
        Assert.Equal(asyncIds.Except([asyncIds[1], asyncIds[2]]), first.InFlight);
        Assert.Equal(asyncIds[^1] + 1, first.Frontier);

        foreach (var i in asyncIds.Except([asyncIds[1], asyncIds[2]]))
        {
            lambda.Complete(i, InvocationResult.Ok);
        }

        await Task.WhenAll(calls.Values.Select(c => c.AsTask()));
        var second = log.Take();
        Assert.True(second.IsEmpty);
        Assert.Empty(second.InFlight);
        Assert.Equal(first.Frontier, second.Frontier);
        Assert.Equal(0, queue.Calls); // no queue path in this scenario

        // The queue path goes to the queue target; a closed-model call (past the open arrivals) travels with its intended time.
        log.StartedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(3);
        var q = new InvocationRequest("run1-fa", 250, InvocationPath.Queue, _time.GetUtcNow(), false, "{}");
        var call = target.InvokeAsync(q, CancellationToken.None);
        queue.Complete(250, InvocationResult.Ok);
        await call;
        Assert.Equal(1, queue.Calls);
        var third = log.Take();
        Assert.Empty(third.Sent);
        Assert.Equal([250L, 3_000_000L], third.Closed);
        Assert.Equal(first.Frontier, third.Frontier);
    }

    [Fact]
    public async Task A_lost_agent_leaves_exactly_its_unreported_async_ids_unknown_and_the_journal_rebuilds_the_same_classes()
    {
        var startAt = _time.GetUtcNow();
        var header = new JournalHeader("run1", _scenario.Name, startAt, false, "cluster", _schedule.Duration, _schedule.TotalArrivals, _scenario.Source);
        using var recorder = new RunRecorder(_scenario, new RunOptions(_results), header, null);
        var session = new LedgerSession(new QuietReader(), null, _time);
        var ledger = new CoordinatorLedger(session, _scenario, "run1", _schedule);
        ledger.Start(recorder, startAt, null);

        // Two agents: a fires the even arrivals, b the odd ones. b reports up to arrival 41 with one send in flight, then dies;
        // the re-split takes over from arrival 120.
        var logs = new[] { new SendLog(_schedule.TotalArrivals), new SendLog(_schedule.TotalArrivals) };
        foreach (var i in Enumerable.Range(0, 200).Select(i => (long)i).Where(i => _factory.PathOf(i) == InvocationPath.Async))
        {
            var agent = (int)(i % 2);
            if (agent == 1 && i > 41)
            {
                continue;
            }

            var r = Request(i);
            logs[agent].Sending(r);
            if (!(agent == 1 && i == AsyncOwned(1, 2, 0, 42)[^1]))
            {
                logs[agent].Sent(r, InvocationResult.Ok);
            }
        }

        ledger.Record("a", logs[0].Take());
        var lastOfB = logs[1].Take();
        ledger.Record("b", lastOfB);
        recorder.AfterInterval!(recorder.Journal);
        Assert.Equal(AsyncOwned(1, 2, 0, 42)[^1] + 1, ledger.FrontierOf("b"));

        var cursor = new ShareCursor(new ShareEpoch(0, 1, 2));
        var owned = CoordinatorLedger.Owned(cursor, Math.Min(30, ledger.FrontierOf("b")!.Value), 120);
        Assert.Equal(Enumerable.Range(30, 90).Select(i => (long)i).Where(i => i % 2 == 1), owned);
        var unknown = ledger.AgentLost("b", owned);

        // Unknown: the send in flight at b's last snapshot, and b's async arrivals from its frontier to the re-split.
        var expected = new[] { AsyncOwned(1, 2, 0, 42)[^1] }.Concat(AsyncOwned(1, 2, 42, 120)).Select(_factory.IdOf).ToList();
        Assert.Equal(expected.Order(), unknown.Order());
        Assert.DoesNotContain(unknown, id => AsyncOwned(0, 2, 0, 200).Select(_factory.IdOf).Contains(id));
        Assert.Equal(expected.Count, ledger.Ledger.Reconcile(SourceState.Quiescent).Count(DeliveryClass.Unknown));

        // A receipt that turns up for an unknown id makes it processed; the others stay unknown, none is lost.
        session.Input.RecordReceipt(new Receipt(expected[3], 1, null, InvocationPath.Async, ReceiptOutcome.Ok, false, null, _time.GetUtcNow(), _time.GetUtcNow()));
        foreach (var i in AsyncOwned(0, 2, 0, 200).Concat(AsyncOwned(1, 2, 0, 42).SkipLast(1)))
        {
            session.Input.RecordReceipt(new Receipt(_factory.IdOf(i), 1, null, InvocationPath.Async, ReceiptOutcome.Ok, false, null, _time.GetUtcNow(), _time.GetUtcNow()));
        }

        var (report, warning) = await ledger.FinishAsync(recorder, startAt + TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Null(warning);
        Assert.Equal(expected.Count - 1, report.Count(DeliveryClass.Unknown));
        Assert.Equal(0, report.Count(DeliveryClass.Lost));
        Assert.Equal(report.Sent, report.Count(DeliveryClass.FirstAttempt) + report.Count(DeliveryClass.Unknown));
        Assert.Equal(AsyncOwned(0, 2, 0, 200).Length + AsyncOwned(1, 2, 0, 120).Length, report.Sent);
        Assert.Equal(AsyncOwned(0, 2, 0, 200).Concat(AsyncOwned(1, 2, 0, 120)).Count(_factory.IsPoisoned), report.Poisoned);

        await ledger.DisposeAsync();
        var outcome = await recorder.FinishAsync(new JournalEnd(_time.GetUtcNow(), "completed", 2, 0), [], null, ledger: report);
        var rebuilt = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl")).Ledger!.Report;
        Assert.Equal(report.Classes, rebuilt.Classes);
        Assert.Equal(report.Sent, rebuilt.Sent);
    }

    /// <summary>A target whose calls end when the test says so.</summary>
    private sealed class ControlledTarget(string name) : IInvocationTarget
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource<InvocationResult>> _calls = new();
        private int _count;

        public int Calls => _count;

        public string Describe => name;

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return new ValueTask<InvocationResult>(_calls.GetOrAdd(request.Index, _ => new()).Task);
        }

        public void Complete(long index, InvocationResult result) => _calls.GetOrAdd(index, _ => new()).SetResult(result);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Queues with nothing on them: the evidence in these specs is fed by hand.</summary>
    private sealed class QuietReader : ILedgerReader
    {
        public Task<int> DrainAsync(ILedgerInput ledger, CancellationToken ct) => Task.FromResult(0);

        public Task<SourceState> SampleAsync(ILedgerInput ledger, CancellationToken ct) => Task.FromResult(SourceState.Quiescent);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
