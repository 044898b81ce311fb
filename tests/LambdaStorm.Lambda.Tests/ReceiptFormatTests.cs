using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>The receipt body and where its id comes from (CONTRACTS-queue.md §2).</summary>
public sealed class ReceiptFormatTests
{
    [Fact]
    public void A_receipt_is_the_contract_JSON()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 1, 5, TimeSpan.Zero);
        var receipt = new Receipt("id-1", 3, "req", ReceiptPath.Queue, Receipt.Error, true, "msg-1", start, start.AddMilliseconds(250));
        Assert.Equal(
            "{\"id\":\"id-1\",\"attempt\":3,\"requestId\":\"req\",\"path\":\"queue\",\"outcome\":\"error\",\"coldStart\":true,\"messageId\":\"msg-1\",\"startedAt\":\"2026-01-01T00:00:01.005Z\",\"finishedAt\":\"2026-01-01T00:00:01.255Z\"}",
            receipt.ToJson());

        using var sync = JsonDocument.Parse((receipt with { Path = ReceiptPath.Sync, MessageId = null }).ToJson());
        Assert.Equal("sync", sync.RootElement.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, sync.RootElement.GetProperty("messageId").ValueKind);
        Assert.Equal("async", JsonDocument.Parse((receipt with { Path = ReceiptPath.Async }).ToJson()).RootElement.GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("{\"id\":\"abc\",\"x\":1}", "abc")]
    [InlineData("{\"x\":{\"id\":\"nested\"},\"id\":42}", "42")]
    [InlineData("{\"x\":[{\"id\":1}],\"y\":\"id\"}", null)]
    [InlineData("{\"id\":\"\"}", null)]
    [InlineData("{\"id\":null}", null)]
    [InlineData("{\"id\":{\"a\":1}}", null)]
    [InlineData("[{\"id\":1}]", null)]
    [InlineData("not json", null)]
    [InlineData("", null)]
    public void The_id_is_the_payload_top_level_id(string payload, string? id) =>
        Assert.Equal(id, Receipt.IdFromPayload(Encoding.UTF8.GetBytes(payload)));
}
