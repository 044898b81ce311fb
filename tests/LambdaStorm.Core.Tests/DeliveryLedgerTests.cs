using LambdaStorm.Ledger;
using LambdaStorm.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests;

public sealed class DeliveryLedgerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    private Receipt ReceiptOf(string id, int attempt, ReceiptOutcome outcome, InvocationPath path = InvocationPath.Queue)
    {
        var start = Now;
        _time.Advance(TimeSpan.FromMilliseconds(10));
        return new Receipt(id, attempt, "req-" + id + "-" + attempt, path, outcome, attempt == 1, null, start, Now);
    }

    /// <summary>One id in every class, each reached through the evidence that decides it.</summary>
    private DeliveryLedger EveryClass()
    {
        var ledger = new DeliveryLedger();
        foreach (var id in new[] { "first", "retry", "dlq", "expired", "pending", "unknown", "rejected", "dup" })
        {
            ledger.RecordSent(id, id == "expired" ? InvocationPath.Async : InvocationPath.Queue, Now, poisoned: id == "dlq");
        }

        _time.Advance(TimeSpan.FromMilliseconds(100));
        ledger.RecordReceipt(ReceiptOf("first", 1, ReceiptOutcome.Ok));
        ledger.RecordReceipt(ReceiptOf("retry", 1, ReceiptOutcome.Error));
        _time.Advance(TimeSpan.FromSeconds(2));
        ledger.RecordReceipt(ReceiptOf("retry", 2, ReceiptOutcome.Ok));
        ledger.RecordReceipt(ReceiptOf("dlq", 1, ReceiptOutcome.Error));
        ledger.RecordReceipt(ReceiptOf("dlq", 2, ReceiptOutcome.Error));
        ledger.RecordDeadLetter("orders-dlq", new DeadLetterEvidence("dlq", null, 0), Now);
        ledger.RecordDeadLetter("failures", new DeadLetterEvidence("expired", "EventAgeExceeded", 1), Now);
        ledger.RecordReceipt(ReceiptOf("pending", 1, ReceiptOutcome.Timeout));
        ledger.MarkUnknown("unknown");
        ledger.RecordSendFailed("rejected", "throttled");
        ledger.RecordReceipt(ReceiptOf("dup", 1, ReceiptOutcome.Ok));
        ledger.RecordReceipt(ReceiptOf("dup", 1, ReceiptOutcome.Ok));
        ledger.RecordReceipt(ReceiptOf("dup", 2, ReceiptOutcome.Ok));
        return ledger;
    }

    [Fact]
    public void Every_sent_id_lands_in_exactly_one_class()
    {
        var report = EveryClass().Reconcile(SourceState.Busy);

        Assert.Equal(8, report.Sent);
        Assert.Equal(report.Sent, report.Classes.Values.Sum());
        Assert.Equal(2, report.Count(DeliveryClass.FirstAttempt)); // first, dup
        Assert.Equal(1, report.Count(DeliveryClass.AfterRetry));
        Assert.Equal(1, report.Count(DeliveryClass.DeadLettered));
        Assert.Equal(1, report.Count(DeliveryClass.Expired));
        Assert.Equal(1, report.Count(DeliveryClass.InFlight)); // the source still has work: not lost yet
        Assert.Equal(0, report.Count(DeliveryClass.Lost));
        Assert.Equal(1, report.Count(DeliveryClass.Unknown));
        Assert.Equal(1, report.Count(DeliveryClass.Rejected));
        Assert.Equal("busy", report.Source);
    }

    [Fact]
    public void Unaccounted_ids_are_lost_only_once_the_source_is_quiescent()
    {
        var ledger = EveryClass();

        Assert.Equal(1, ledger.Reconcile(SourceState.Unreachable).Count(DeliveryClass.InFlight));
        var quiet = ledger.Reconcile(SourceState.Quiescent);
        Assert.Equal(1, quiet.Count(DeliveryClass.Lost));
        Assert.Equal(0, quiet.Count(DeliveryClass.InFlight));
        Assert.Equal(quiet.Sent, quiet.Classes.Values.Sum());
    }

    [Fact]
    public void Counts_duplicates_attempts_and_redeliveries()
    {
        var report = EveryClass().Reconcile(SourceState.Quiescent);

        Assert.Equal(2, report.Duplicates); // "dup" was processed three times
        Assert.Equal(1, report.DuplicatedIds);
        Assert.Equal(9, report.Attempts);
        Assert.Equal(4, report.FailedAttempts);
        Assert.Equal(3, report.Redeliveries); // attempts numbered above 1
        Assert.Equal(2, report.ProcessedByAttempt["1"]);
        Assert.Equal(1, report.ProcessedByAttempt["2"]);
        Assert.Equal(3, report.Processed);
        Assert.Equal(2, report.DeadLetterArrivals);
        Assert.Equal(1, report.Poisoned);
        Assert.Equal(1, report.PoisonedDeadLettered);
        Assert.Equal(0, report.GoodDeadLettered);
    }

    [Fact]
    public void End_to_end_latency_runs_from_the_intended_send_to_the_first_success()
    {
        var ledger = new DeliveryLedger();
        var sent = Now;
        ledger.RecordSent("a", InvocationPath.Queue, sent, poisoned: false);
        ledger.RecordSent("b", InvocationPath.Queue, sent, poisoned: false);
        ledger.RecordReceipt(new Receipt("a", 1, null, InvocationPath.Queue, ReceiptOutcome.Ok, false, null, sent, sent.AddMilliseconds(250)));
        ledger.RecordReceipt(new Receipt("b", 1, null, InvocationPath.Queue, ReceiptOutcome.Error, false, null, sent, sent.AddMilliseconds(300)));
        ledger.RecordReceipt(new Receipt("b", 2, null, InvocationPath.Queue, ReceiptOutcome.Ok, false, null, sent.AddSeconds(30), sent.AddSeconds(31)));
        ledger.RecordReceipt(new Receipt("b", 3, null, InvocationPath.Queue, ReceiptOutcome.Ok, false, null, sent.AddSeconds(60), sent.AddSeconds(61)));

        var report = ledger.Reconcile(SourceState.Quiescent);

        Assert.Equal(2, report.EndToEndMs.Count);
        Assert.InRange(report.EndToEndMs.Min, 249.5, 250.5);
        Assert.InRange(report.EndToEndMs.Max, 30_950, 31_050); // the first success counts, not the duplicate
        Assert.Equal(1, report.DelayedGood);
        Assert.InRange(report.DelayedGoodMs.P50, 30_950, 31_050);
    }

    [Fact]
    public void Evidence_may_arrive_before_the_send_is_recorded()
    {
        var ledger = new DeliveryLedger();
        ledger.RecordReceipt(new Receipt("late", 1, null, null, ReceiptOutcome.Ok, false, null, Now, Now));
        ledger.RecordReceipt(new Receipt("stranger", 1, null, null, ReceiptOutcome.Ok, false, null, Now, Now));
        Assert.Equal(2, ledger.Reconcile(SourceState.Quiescent).Unmatched);

        ledger.RecordSent("late", InvocationPath.Queue, Now, poisoned: false);
        var report = ledger.Reconcile(SourceState.Quiescent);

        Assert.Equal(1, report.Count(DeliveryClass.FirstAttempt));
        Assert.Equal(1, report.Unmatched); // "stranger" was never sent by this run
    }

    [Fact]
    public void Receipts_of_sync_calls_are_not_the_ledgers_business_and_are_not_strays()
    {
        // A function on a mixed sync/async scenario writes a receipt for every attempt, sync ones included; the caller
        // measures those itself, so they must not show up as another run's leftovers.
        var ledger = new DeliveryLedger();
        ledger.RecordSent("async-1", InvocationPath.Async, Now, poisoned: false);
        ledger.RecordReceipt(new Receipt("sync-1", 1, null, InvocationPath.Sync, ReceiptOutcome.Ok, false, null, Now, Now));
        ledger.RecordReceipt(new Receipt("async-1", 1, null, InvocationPath.Async, ReceiptOutcome.Ok, false, null, Now, Now));

        var report = ledger.Reconcile(SourceState.Quiescent);

        Assert.Equal(0, report.Unmatched);
        Assert.Equal(1, report.Count(DeliveryClass.FirstAttempt));
        Assert.Equal(1, report.Sent);
    }

    [Fact]
    public void A_failed_send_that_left_a_trace_went_through_after_all()
    {
        var ledger = new DeliveryLedger();
        ledger.RecordSent("timeout", InvocationPath.Async, Now, poisoned: false);
        ledger.RecordSendFailed("timeout", "timeout");
        ledger.RecordReceipt(new Receipt("timeout", 1, null, InvocationPath.Async, ReceiptOutcome.Ok, false, null, Now, Now));

        Assert.Equal(1, ledger.Reconcile(SourceState.Quiescent).Count(DeliveryClass.FirstAttempt));
    }

    [Fact]
    public void Async_destination_records_decide_success_dlq_and_expiry_without_receipts()
    {
        var ledger = new DeliveryLedger();
        foreach (var id in new[] { "s", "r", "e" })
        {
            ledger.RecordSent(id, InvocationPath.Async, Now, poisoned: false);
        }

        ledger.RecordDeadLetter("on-success", new DeadLetterEvidence("s", "Success", 2), Now.AddSeconds(70));
        ledger.RecordDeadLetter("on-failure", new DeadLetterEvidence("r", "RetriesExhausted", 3), Now);
        ledger.RecordDeadLetter("on-failure", new DeadLetterEvidence("e", "EventAgeExceeded", 1), Now);

        var report = ledger.Reconcile(SourceState.Quiescent);

        Assert.Equal(1, report.Count(DeliveryClass.AfterRetry));
        Assert.Equal(1, report.Count(DeliveryClass.DeadLettered));
        Assert.Equal(1, report.Count(DeliveryClass.Expired));
        Assert.Equal(2, report.DeadLetterArrivals);
        Assert.Equal(1, report.ClassesByPath["async"]["after_retry"]);
    }

    [Fact]
    public void Drain_time_counts_from_the_end_of_the_load_to_the_first_empty_round()
    {
        var ledger = new DeliveryLedger();
        var start = Now;
        ledger.RecordQueueDepth(new QueueDepthSample(start, "orders", QueueRole.Source, 50, 10, 0));
        ledger.RecordLoadEnded(start.AddSeconds(1));
        ledger.RecordQueueDepth(new QueueDepthSample(start.AddSeconds(2), "orders", QueueRole.Source, 5, 10, 0));
        ledger.RecordQueueDepth(new QueueDepthSample(start.AddSeconds(2), "orders-dlq", QueueRole.DeadLetter, 1, 0, 0));
        ledger.RecordQueueDepth(new QueueDepthSample(start.AddSeconds(4.5), "orders", QueueRole.Source, 0, 0, 0));
        ledger.RecordQueueDepth(new QueueDepthSample(start.AddSeconds(5), "orders", QueueRole.Source, 0, 0, 0));

        var report = ledger.Reconcile(SourceState.Quiescent);

        Assert.Equal(3.5, report.DrainSeconds);
        var orders = Assert.Single(report.Queues, q => q.Queue == "orders");
        Assert.Equal(60, orders.Peak);
        Assert.Equal(0, orders.Last);
        Assert.Null(new DeliveryLedger().Reconcile(SourceState.Quiescent).DrainSeconds);
    }

    [Fact]
    public void Counts_over_time_follow_the_evidence_times()
    {
        var ledger = new DeliveryLedger();
        var t0 = Now;
        ledger.RecordSent("a", InvocationPath.Queue, t0, poisoned: false);
        ledger.RecordSent("b", InvocationPath.Queue, t0.AddSeconds(1), poisoned: false);
        ledger.RecordReceipt(new Receipt("a", 1, null, null, ReceiptOutcome.Ok, false, null, t0, t0.AddSeconds(2)));
        ledger.RecordDeadLetter("dlq", new DeadLetterEvidence("b", null, 0), t0.AddSeconds(5));

        Assert.Equal(new LedgerCounts(0, 0, 0, 0, 1), ledger.CountsAt(t0.AddSeconds(0.5)));
        Assert.Equal(new LedgerCounts(1, 0, 0, 0, 1), ledger.CountsAt(t0.AddSeconds(3)));
        Assert.Equal(new LedgerCounts(1, 0, 1, 0, 0), ledger.CountsAt(t0.AddSeconds(6)));

        // An id the source reported discarding is lost from that moment (outstanding before it).
        ledger.RecordSent("c", InvocationPath.Async, t0.AddSeconds(6), poisoned: false);
        ledger.RecordLost("c", "no-destination", t0.AddSeconds(8));
        Assert.Equal(new LedgerCounts(1, 0, 1, 0, 1), ledger.CountsAt(t0.AddSeconds(7)));
        Assert.Equal(new LedgerCounts(1, 0, 1, 0, 0, Lost: 1), ledger.CountsAt(t0.AddSeconds(9)));
    }

    [Theory]
    [InlineData("""{"id":"r1-a","attempt":2,"requestId":"x","path":"queue","outcome":"error","coldStart":true,"messageId":"m","startedAt":"2026-11-27T12:00:00Z","finishedAt":"2026-11-27T12:00:01Z"}""", true)]
    [InlineData("""{"id":"r1-a","outcome":"ok","finishedAt":"2026-11-27T12:00:01Z"}""", true)]
    [InlineData("""{"id":"r1-a","outcome":"maybe","finishedAt":"2026-11-27T12:00:01Z"}""", false)]
    [InlineData("""{"outcome":"ok","finishedAt":"2026-11-27T12:00:01Z"}""", false)]
    [InlineData("not json", false)]
    public void Parses_receipts_of_the_contract(string body, bool valid)
    {
        Assert.Equal(valid, Receipt.TryParse(body, out var r));
        if (body.Contains("\"attempt\":2", StringComparison.Ordinal))
        {
            Assert.Equal(2, r!.Attempt);
            Assert.Equal(ReceiptOutcome.Error, r.Outcome);
            Assert.Equal(InvocationPath.Queue, r.Path);
            Assert.True(r.ColdStart);
        }
    }

    [Theory]
    [InlineData("""{"id":"x"}""", "attr-id", "attr-id", null)]
    [InlineData("""{"id":"x","marker":""}""", null, "x", null)]
    [InlineData("""{"version":"1.0","requestContext":{"condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{"id":"y"}}""", null, "y", "RetriesExhausted")]
    [InlineData("""{"requestContext":{"condition":"EventAgeExceeded"},"requestPayload":"{\"id\":\"z\"}"}""", null, "z", "EventAgeExceeded")]
    public void Reads_ids_from_dead_letter_and_destination_messages(string body, string? attribute, string id, string? condition)
    {
        Assert.True(DeadLetterEvidence.TryParse(body, attribute, out var e));
        Assert.Equal(id, e!.Id);
        Assert.Equal(condition, e.Condition);
    }

    [Fact]
    public void Messages_without_an_id_are_not_evidence()
    {
        Assert.False(DeadLetterEvidence.TryParse("""{"hello":1}""", null, out _));
        Assert.False(DeadLetterEvidence.TryParse("plain text", null, out _));
    }
}

public sealed class LedgerJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-ledger-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_journal_replays_into_the_same_reconciliation(bool complete)
    {
        var t0 = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var path = Path.Combine(_dir, "journal.jsonl");
        var live = new LedgerJournal(new DeliveryLedger(), t0);
        using (var journal = new LambdaStorm.Results.JournalWriter(path))
        {
            journal.WriteHeader(new LambdaStorm.Results.JournalHeader("r1", "ledgered", t0, true, "model", 10, 4, new ScenarioSource("s.yaml", "name: s")));
            live.RecordSent("a", InvocationPath.Queue, t0, poisoned: false);
            live.RecordSent("b", InvocationPath.Queue, t0.AddMilliseconds(1), poisoned: true);
            live.RecordSent("c", InvocationPath.Async, t0.AddMilliseconds(2), poisoned: false);
            live.RecordSent("d", InvocationPath.Async, t0.AddMilliseconds(3), poisoned: false);
            live.RecordSendFailed("d", "throttled");
            journal.WriteLedger(live);
            journal.WriteLedger(live); // nothing new: no line
            live.RecordReceipt(new Receipt("a", 1, "x", InvocationPath.Queue, ReceiptOutcome.Ok, true, "m1", t0, t0.AddMilliseconds(40)));
            live.RecordReceipt(new Receipt("b", 1, "y", InvocationPath.Queue, ReceiptOutcome.Error, false, "m2", t0, t0.AddMilliseconds(50)));
            live.RecordDeadLetter("orders-dlq", new DeadLetterEvidence("b", null, 0), t0.AddSeconds(3));
            live.RecordQueueDepth(new QueueDepthSample(t0.AddSeconds(1), "orders", QueueRole.Source, 3, 1, 0));
            live.RecordLoadEnded(t0.AddSeconds(2));
            live.RecordQueueDepth(new QueueDepthSample(t0.AddSeconds(4), "orders", QueueRole.Source, 0, 0, 0));
            journal.WriteLedger(live);
            if (complete)
            {
                journal.WriteLedgerEnd(SourceState.Quiescent);
            }
        }

        var contents = LambdaStorm.Results.JournalReader.Read(path);
        var expected = live.Ledger.Reconcile(complete ? SourceState.Quiescent : SourceState.Unreachable);

        Assert.Equal(2, File.ReadAllLines(path).Count(l => l.Contains("\"type\":\"ledger\"", StringComparison.Ordinal)));
        var replayed = contents.Ledger!.Report;
        Assert.Equal(expected.Classes, replayed.Classes);
        Assert.Equal(complete ? 1 : 0, replayed.Count(DeliveryClass.Lost)); // "c" is lost only when the source said it was done
        Assert.Equal(complete ? 0 : 1, replayed.Count(DeliveryClass.InFlight));
        Assert.Equal(1, replayed.Count(DeliveryClass.Rejected));
        Assert.Equal(expected.EndToEndMs, replayed.EndToEndMs);
        Assert.Equal(2.0, replayed.DrainSeconds);
        Assert.Equal(2, contents.Ledger.Depth.Length);
        Assert.Equal(1, contents.Ledger.Points[^1].Counts.DeadLettered);
        Assert.True(contents.Ledger.Points.Length >= 4);
    }
}
