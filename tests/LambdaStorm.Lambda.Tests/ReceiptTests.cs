using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>Receipts: one per processed attempt, sync, async and each queue record (CONTRACTS-queue.md §2).</summary>
public sealed class ReceiptTests
{
    private static TestModel Model(Action<FunctionOptions>? function = null, Action<AccountOptions>? account = null) => TestModel.Create(o =>
    {
        var f = new FunctionOptions { Name = "fn", InitDurationMs = 50, DurationMs = 100, ReceiptsQueue = "receipts", PoisonMarker = "POISON" };
        function?.Invoke(f);
        o.Functions.Add(f);
        o.Queues.Add(new QueueOptions { Name = "receipts" });
        account?.Invoke(o.Account);
    });

    private static List<JsonElement> Receipts(TestModel t, string queue = "receipts") =>
        [.. EventSourceMappingTests.Drain(t, queue).Select(m => JsonDocument.Parse(m.Body).RootElement)];

    [Fact]
    public void A_sync_invoke_writes_one_receipt_when_it_ends()
    {
        var t = Model();
        var response = t.Model.InvokeSync("fn", null, "{\"id\":\"s1\",\"n\":2}");
        t.Advance(TimeSpan.FromMilliseconds(149));
        Assert.Equal(0, EventSourceMappingTests.Counters(t, "receipts").Total);
        t.Advance(TimeSpan.FromMilliseconds(1));

        var r = Assert.Single(Receipts(t));
        Assert.Equal(
            ["id", "attempt", "requestId", "path", "outcome", "coldStart", "messageId", "startedAt", "finishedAt"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("s1", r.GetProperty("id").GetString());
        Assert.Equal(1, r.GetProperty("attempt").GetInt32());
        Assert.Equal(response.RequestId, r.GetProperty("requestId").GetString());
        Assert.Equal("sync", r.GetProperty("path").GetString());
        Assert.Equal("ok", r.GetProperty("outcome").GetString());
        Assert.True(r.GetProperty("coldStart").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("messageId").ValueKind);
        Assert.Equal("2026-01-01T00:00:00.000Z", r.GetProperty("startedAt").GetString());
        Assert.Equal("2026-01-01T00:00:00.150Z", r.GetProperty("finishedAt").GetString());

        t.Model.InvokeSync("fn", null, "{\"id\":7}");               // warm, numeric id
        t.Model.InvokeSync("fn", null, "{\"noid\":1}");             // no id: no receipt
        t.Model.InvokeSync("fn", null, "{\"id\":\"p\",\"x\":\"POISON\"}");
        t.Advance(TimeSpan.FromSeconds(1));
        var more = Receipts(t);
        Assert.Equal(["7", "p"], more.Select(x => x.GetProperty("id").GetString()));
        Assert.Equal(["ok", "error"], more.Select(x => x.GetProperty("outcome").GetString()));
    }

    [Fact]
    public void A_timeout_is_its_own_outcome()
    {
        var t = Model(f =>
        {
            f.DurationMs = 5000;
            f.TimeoutSeconds = 1;
        });
        t.Model.InvokeSync("fn", null, "{\"id\":\"slow\"}");
        t.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("timeout", Assert.Single(Receipts(t)).GetProperty("outcome").GetString());
    }

    [Fact]
    public void Every_async_attempt_writes_a_receipt_with_its_attempt_number()
    {
        var t = Model(f => f.ErrorRate = 1, a => a.AsyncRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        var accepted = t.Model.InvokeAsync("fn", null, "{\"id\":\"a1\"}");
        t.Advance(TimeSpan.FromSeconds(10));

        var receipts = Receipts(t);
        Assert.Equal([1, 2, 3], receipts.Select(r => r.GetProperty("attempt").GetInt32()));
        Assert.All(receipts, r =>
        {
            Assert.Equal("a1", r.GetProperty("id").GetString());
            Assert.Equal("async", r.GetProperty("path").GetString());
            Assert.Equal("error", r.GetProperty("outcome").GetString());
            Assert.Equal(accepted.RequestId, r.GetProperty("requestId").GetString());
        });
        Assert.Equal([true, false, false], receipts.Select(r => r.GetProperty("coldStart").GetBoolean()));
    }

    [Fact]
    public void Each_queue_record_writes_a_receipt_with_its_receive_count_and_own_outcome()
    {
        var (t, esm, _) = EventSourceMappingTests.Setup(
            f => f.ReceiptsQueue = "receipts",
            m => m.ReportBatchItemFailures = true,
            visibility: TimeSpan.FromSeconds(10));
        var pill = t.Model.SendMessage("q", "{\"id\":\"body-id\",\"x\":\"POISON\"}", new Dictionary<string, MessageAttribute> { ["LambdaStormId"] = MessageAttribute.String("attr-id") }).GetValueOrThrow();
        t.Model.SendMessage("q", "{\"id\":\"good\"}");               // no attribute: the body's id
        t.Model.SendMessage("q", "{\"other\":1}");                   // neither: no receipt
        t.Advance(TimeSpan.FromSeconds(1));
        t.AdvanceTo(TimeSpan.FromSeconds(12));                       // the pill comes back once

        var receipts = Receipts(t);
        Assert.Equal(["attr-id", "good", "attr-id"], receipts.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal([1, 1, 2], receipts.Select(r => r.GetProperty("attempt").GetInt32()));
        Assert.Equal(["error", "ok", "error"], receipts.Select(r => r.GetProperty("outcome").GetString()));
        Assert.All(receipts, r => Assert.Equal("queue", r.GetProperty("path").GetString()));
        Assert.Equal(pill.MessageId, receipts[0].GetProperty("messageId").GetString());
        Assert.Equal(receipts[0].GetProperty("requestId").GetString(), receipts[1].GetProperty("requestId").GetString());
        Assert.NotEqual(receipts[0].GetProperty("requestId").GetString(), receipts[2].GetProperty("requestId").GetString());
        Assert.Equal(2, esm.Completed.Count);
    }

    [Fact]
    public void A_good_record_in_a_batch_that_failed_as_a_whole_is_an_error()
    {
        var (t, _, _) = EventSourceMappingTests.Setup(f => f.ReceiptsQueue = "receipts", visibility: TimeSpan.FromSeconds(10));
        EventSourceMappingTests.Send(t, 2, i => i == 0 ? "{\"x\":\"POISON\"}" : "{}");
        t.Advance(TimeSpan.FromSeconds(1));
        var receipts = Receipts(t);
        Assert.Equal(["m0", "m1"], receipts.Select(r => r.GetProperty("id").GetString()));
        Assert.All(receipts, r => Assert.Equal("error", r.GetProperty("outcome").GetString()));
    }

    [Fact]
    public void A_missing_receipts_queue_is_reported_not_thrown()
    {
        var t = Model(f => f.ReceiptsQueue = "nowhere");
        var esm = new EsmRecorder();
        t.Model.AddObserver(esm);
        t.Model.InvokeSync("fn", null, "{\"id\":\"s\"}");
        t.Advance(TimeSpan.FromSeconds(1));
        var written = Assert.Single(esm.Receipts);
        Assert.False(written.Delivered);
        Assert.Equal("nowhere", written.Queue);
        Assert.Equal("s", written.Receipt.Id);
    }
}
