using System.Net;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>SQS through AWS's own .NET client (AWSSDK.SQS, AWS JSON 1.0): every action, the SDK's MD5 checks, long polling, visibility and redrive.</summary>
public sealed class SqsSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Queues_are_created_found_listed_paged_configured_and_deleted()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var sqs = SqsTestClient.Create(emulator);

        var created = await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = "orders",
            Attributes = new() { ["VisibilityTimeout"] = "45", ["DelaySeconds"] = "2" },
        }, Ct);
        Assert.Equal($"{emulator.Host.BaseAddress}000000000000/orders", created.QueueUrl);
        Assert.Equal(created.QueueUrl, (await sqs.CreateQueueAsync("orders", Ct)).QueueUrl); // same name, no conflicting attributes
        await sqs.CreateQueueAsync("orders-dlq", Ct);
        await sqs.CreateQueueAsync("payments", Ct);

        Assert.Equal(created.QueueUrl, (await sqs.GetQueueUrlAsync("orders", Ct)).QueueUrl);
        Assert.Equal(["orders", "orders-dlq"], (await sqs.ListQueuesAsync("orders", Ct)).QueueUrls.Select(u => u.Split('/')[^1]));
        var page1 = await sqs.ListQueuesAsync(new ListQueuesRequest { MaxResults = 2 }, Ct);
        var page2 = await sqs.ListQueuesAsync(new ListQueuesRequest { MaxResults = 2, NextToken = page1.NextToken }, Ct);
        Assert.Equal(["orders", "orders-dlq"], page1.QueueUrls.Select(u => u.Split('/')[^1]));
        Assert.Equal(["payments"], page2.QueueUrls.Select(u => u.Split('/')[^1]));
        Assert.Null(page2.NextToken);

        await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
        {
            QueueUrl = created.QueueUrl,
            Attributes = new()
            {
                ["MessageRetentionPeriod"] = "120",
                ["ReceiveMessageWaitTimeSeconds"] = "3",
                ["RedrivePolicy"] = """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"4"}""",
            },
        }, Ct);
        var all = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = created.QueueUrl, AttributeNames = ["All"] }, Ct)).Attributes;
        Assert.Equal("45", all["VisibilityTimeout"]);
        Assert.Equal("2", all["DelaySeconds"]);
        Assert.Equal("120", all["MessageRetentionPeriod"]);
        Assert.Equal("3", all["ReceiveMessageWaitTimeSeconds"]);
        Assert.Equal("1048576", all["MaximumMessageSize"]);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:orders", all["QueueArn"]);
        Assert.Equal("""{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":4}""", all["RedrivePolicy"]);
        Assert.Equal("0", all["ApproximateNumberOfMessages"]);
        Assert.True(long.Parse(all["CreatedTimestamp"], System.Globalization.CultureInfo.InvariantCulture) > 1_600_000_000);
        var some = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = created.QueueUrl, AttributeNames = ["QueueArn", "ApproximateNumberOfMessagesDelayed"] }, Ct);
        Assert.Equal(["ApproximateNumberOfMessagesDelayed", "QueueArn"], some.Attributes.Keys.Order());

        await sqs.DeleteQueueAsync(created.QueueUrl, Ct);
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => sqs.GetQueueUrlAsync("orders", Ct));
        Assert.Equal(["orders-dlq", "payments"], (await sqs.ListQueuesAsync(new ListQueuesRequest(), Ct)).QueueUrls.Select(u => u.Split('/')[^1]));
    }

    [Fact]
    public async Task Messages_round_trip_with_attributes_system_attributes_and_digests_the_SDK_accepts()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }));
        using var sqs = SqsTestClient.Create(emulator);
        var url = (await sqs.GetQueueUrlAsync("q", Ct)).QueueUrl;

        var sent = await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = """{"id":"inv-1","text":"grüße 🙂"}""",
            MessageAttributes = new()
            {
                ["LambdaStormId"] = new MessageAttributeValue { DataType = "String", StringValue = "inv-1" },
                ["LambdaStormIntendedTime"] = new MessageAttributeValue { DataType = "String", StringValue = "2026-11-27T17:00:00.000Z" },
                ["meta.weight"] = new MessageAttributeValue { DataType = "Number.float", StringValue = "1.5" },
                ["meta.blob"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream([1, 2, 3, 255]) },
            },
            MessageSystemAttributes = new()
            {
                ["AWSTraceHeader"] = new MessageSystemAttributeValue { DataType = "String", StringValue = "Root=1-5759e988-bd862e3fe1be46a994272793" },
            },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, sent.HttpStatusCode);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", sent.MessageId);
        Assert.NotNull(sent.MD5OfMessageAttributes); // the SDK compared all three digests with its own before returning
        Assert.NotNull(sent.MD5OfMessageSystemAttributes);

        var batch = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = url,
            Entries =
            [
                new SendMessageBatchRequestEntry { Id = "a", MessageBody = "first", MessageAttributes = new() { ["LambdaStormId"] = new MessageAttributeValue { DataType = "String", StringValue = "inv-2" } } },
                new SendMessageBatchRequestEntry { Id = "b", MessageBody = "second", DelaySeconds = 0 },
                new SendMessageBatchRequestEntry { Id = "bad", MessageBody = "x", MessageAttributes = new() { ["n"] = new MessageAttributeValue { DataType = "Number", StringValue = "NaN-ish" } } },
            ],
        }, Ct);
        Assert.Equal(["a", "b"], batch.Successful.Select(s => s.Id));
        var failed = Assert.Single(batch.Failed);
        Assert.Equal(("bad", true, "InvalidParameterValue"), (failed.Id, failed.SenderFault, failed.Code));

        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = 10,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        }, Ct);
        Assert.Equal(3, received.Messages.Count);
        var first = received.Messages.Single(m => m.MessageId == sent.MessageId);
        Assert.Equal("""{"id":"inv-1","text":"grüße 🙂"}""", first.Body);
        Assert.Equal("1", first.Attributes["ApproximateReceiveCount"]);
        Assert.Equal("000000000000", first.Attributes["SenderId"]);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", first.Attributes["AWSTraceHeader"]);
        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(first.Attributes["SentTimestamp"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(sentAt, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        Assert.True(long.Parse(first.Attributes["ApproximateFirstReceiveTimestamp"], System.Globalization.CultureInfo.InvariantCulture) >= sentAt.ToUnixTimeMilliseconds());
        Assert.Equal("inv-1", first.MessageAttributes["LambdaStormId"].StringValue);
        Assert.Equal("Number.float", first.MessageAttributes["meta.weight"].DataType);
        Assert.Equal([1, 2, 3, 255], first.MessageAttributes["meta.blob"].BinaryValue.ToArray());
        Assert.Equal(sent.MD5OfMessageAttributes, first.MD5OfMessageAttributes);

        // Only the attributes asked for, and a digest over just those (the SDK checks it).
        var again = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 0 }, Ct);
        Assert.Empty(again.Messages ?? []);
        foreach (var m in received.Messages)
        {
            await sqs.ChangeMessageVisibilityAsync(url, m.ReceiptHandle, 0, Ct);
        }

        // Received together, they come back in separate receives (SQS keeps no batch membership; see lambda-model.md).
        var filter = new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = 10,
            MessageAttributeNames = ["LambdaStormId", "meta.*"],
            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
        };
        var back = new List<Message>();
        for (var i = 0; i < received.Messages.Count; i++)
        {
            var one = (await sqs.ReceiveMessageAsync(filter, Ct)).Messages;
            Assert.Single(one);
            back.AddRange(one);
        }

        var mine = back.Single(m => m.MessageId == sent.MessageId);
        Assert.Equal(["LambdaStormId", "meta.blob", "meta.weight"], mine.MessageAttributes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ApproximateReceiveCount"], mine.Attributes.Keys);
        Assert.Equal("2", mine.Attributes["ApproximateReceiveCount"]);
        Assert.NotEqual(sent.MD5OfMessageAttributes, mine.MD5OfMessageAttributes);
        Assert.Null(back.Single(m => m.Body == "second").MD5OfMessageAttributes);
    }

    [Fact]
    public async Task The_SDK_checks_the_digests_so_a_tampered_digest_fails_the_call()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }));
        using var honest = SqsTestClient.Create(emulator);
        using var tampered = SqsTestClient.Create(emulator, httpClientFactory: new TamperingFactory());
        var url = (await honest.GetQueueUrlAsync("q", Ct)).QueueUrl;

        await honest.SendMessageAsync(url, "hello", Ct);
        var error = await Assert.ThrowsAsync<AmazonSQSException>(() => tampered.SendMessageAsync(url, "hello", Ct));
        Assert.Contains("MD5", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_a_message_arrives_not_when_the_wait_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }), time);
        using var sqs = SqsTestClient.Create(emulator);
        var url = (await sqs.GetQueueUrlAsync("q", Ct)).QueueUrl;
        var start = time.GetUtcNow();

        var receive = sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 20 }, Ct);
        WaitUntilPolling(emulator, "q");
        Assert.False(receive.IsCompleted);
        await sqs.SendMessageAsync(url, "wake up", Ct);

        var response = await receive.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal("wake up", Assert.Single(response.Messages).Body);
        Assert.Equal(start, time.GetUtcNow()); // the model's clock never moved: the receive did not wait out its 20 s
    }

    [Fact]
    public async Task A_long_poll_uses_the_queues_default_wait_and_returns_empty_when_the_wait_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q", ReceiveMessageWaitTime = TimeSpan.FromSeconds(5) }), time);
        using var sqs = SqsTestClient.Create(emulator);
        var url = (await sqs.GetQueueUrlAsync("q", Ct)).QueueUrl;

        var receive = sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url }, Ct);
        WaitUntilPolling(emulator, "q");
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(receive.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var response = await receive.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Empty(response.Messages ?? []);

        // A delayed message wakes a waiting receive when its delay passes on the model's clock.
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "later", DelaySeconds = 3 }, Ct);
        var waiting = sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 20 }, Ct);
        WaitUntilPolling(emulator, "q");
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("later", Assert.Single((await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Messages).Body);
    }

    [Fact]
    public async Task Visibility_timeouts_hide_messages_until_they_pass_and_batches_change_and_delete_them()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }), time);
        using var sqs = SqsTestClient.Create(emulator);
        var url = (await sqs.GetQueueUrlAsync("q", Ct)).QueueUrl;
        await sqs.SendMessageAsync(url, "one", Ct);
        await sqs.SendMessageAsync(url, "two", Ct);

        var first = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 30 }, Ct);
        Assert.Equal(2, first.Messages.Count);
        Assert.Empty((await sqs.ReceiveMessageAsync(url, Ct)).Messages ?? []);
        var counts = (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"], Ct)).Attributes;
        Assert.Equal(("0", "2"), (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]));

        var changed = await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
        {
            QueueUrl = url,
            Entries =
            [
                new ChangeMessageVisibilityBatchRequestEntry { Id = "one", ReceiptHandle = first.Messages[0].ReceiptHandle, VisibilityTimeout = 120 },
                new ChangeMessageVisibilityBatchRequestEntry { Id = "bogus", ReceiptHandle = "garbage", VisibilityTimeout = 120 },
            ],
        }, Ct);
        Assert.Equal(["one"], changed.Successful.Select(s => s.Id));
        Assert.Equal(("bogus", "ReceiptHandleIsInvalid"), (changed.Failed.Single().Id, changed.Failed.Single().Code));

        time.Advance(TimeSpan.FromSeconds(30));
        var back = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MessageSystemAttributeNames = ["ApproximateReceiveCount"] }, Ct)).Messages);
        Assert.Equal(first.Messages[1].MessageId, back.MessageId); // "one" was extended to 120 s
        Assert.Equal("2", back.Attributes["ApproximateReceiveCount"]);

        var deleted = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = url,
            Entries =
            [
                new DeleteMessageBatchRequestEntry { Id = "one", ReceiptHandle = first.Messages[0].ReceiptHandle },
                new DeleteMessageBatchRequestEntry { Id = "two", ReceiptHandle = back.ReceiptHandle },
                new DeleteMessageBatchRequestEntry { Id = "bad", ReceiptHandle = "not-a-handle" },
            ],
        }, Ct);
        Assert.Equal(["one", "two"], deleted.Successful.Select(s => s.Id));
        var bad = Assert.Single(deleted.Failed);
        Assert.Equal(("bad", true, "ReceiptHandleIsInvalid"), (bad.Id, bad.SenderFault, bad.Code));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("0", (await sqs.GetQueueAttributesAsync(url, ["All"], Ct)).Attributes["ApproximateNumberOfMessagesNotVisible"]);
        Assert.Empty((await sqs.ReceiveMessageAsync(url, Ct)).Messages ?? []);

        await sqs.SendMessageAsync(url, "three", Ct);
        var three = Assert.Single((await sqs.ReceiveMessageAsync(url, Ct)).Messages);
        await sqs.ChangeMessageVisibilityAsync(url, three.ReceiptHandle, 0, Ct);
        await Assert.ThrowsAsync<MessageNotInflightException>(() => sqs.ChangeMessageVisibilityAsync(url, three.ReceiptHandle, 10, Ct));
        await sqs.DeleteMessageAsync(url, Assert.Single((await sqs.ReceiveMessageAsync(url, Ct)).Messages).ReceiptHandle, Ct);
        await sqs.PurgeQueueAsync(url, Ct);
        await Assert.ThrowsAsync<PurgeQueueInProgressException>(() => sqs.PurgeQueueAsync(url, Ct));
    }

    [Fact]
    public async Task After_maxReceiveCount_receives_a_message_moves_to_the_dead_letter_queue_with_its_source_arn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await TestEmulator.StartAsync(time: time);
        using var sqs = SqsTestClient.Create(emulator);
        var dlq = (await sqs.CreateQueueAsync("work-dlq", Ct)).QueueUrl;
        var url = (await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = "work",
            Attributes = new()
            {
                ["VisibilityTimeout"] = "10",
                ["RedrivePolicy"] = """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:work-dlq","maxReceiveCount":2}""",
            },
        }, Ct)).QueueUrl;
        var sent = await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "poison",
            MessageAttributes = new() { ["LambdaStormId"] = new MessageAttributeValue { DataType = "String", StringValue = "p-1" } },
        }, Ct);

        for (var i = 1; i <= 2; i++)
        {
            var m = Assert.Single((await sqs.ReceiveMessageAsync(url, Ct)).Messages);
            Assert.Equal(sent.MessageId, m.MessageId);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Empty((await sqs.ReceiveMessageAsync(url, Ct)).Messages ?? []);
        var dead = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = dlq,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        }, Ct)).Messages);
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("poison", dead.Body);
        Assert.Equal("p-1", dead.MessageAttributes["LambdaStormId"].StringValue);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:work", dead.Attributes["DeadLetterQueueSourceArn"]);
    }

    [Fact]
    public async Task Errors_map_to_the_SDKs_exception_types_and_codes()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }));
        using var sqs = SqsTestClient.Create(emulator);
        var url = (await sqs.GetQueueUrlAsync("q", Ct)).QueueUrl;

        var missing = await Assert.ThrowsAsync<QueueDoesNotExistException>(() => sqs.SendMessageAsync(url + "-nope", "x", Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "AWS.SimpleQueueService.NonExistentQueue"), (missing.StatusCode, missing.ErrorCode));
        Assert.Equal("The specified queue does not exist.", missing.Message);
        Assert.False(string.IsNullOrEmpty(missing.RequestId));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => sqs.ReceiveMessageAsync("http://127.0.0.1/000000000000/nope", Ct));
        await Assert.ThrowsAsync<QueueNameExistsException>(() => sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "q", Attributes = new() { ["DelaySeconds"] = "5" } }, Ct));
        var fifo = await Assert.ThrowsAsync<UnsupportedOperationException>(() => sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "jobs.fifo", Attributes = new() { ["FifoQueue"] = "true" } }, Ct));
        Assert.Contains("FIFO queues are not modelled", fifo.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidAttributeNameException>(() => sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "x", Attributes = new() { ["Colour"] = "blue" } }, Ct));
        await Assert.ThrowsAsync<InvalidAttributeValueException>(() => sqs.SetQueueAttributesAsync(url, new() { ["VisibilityTimeout"] = "43201" }, Ct));

        var tooBig = await Assert.ThrowsAsync<AmazonSQSException>(() => sqs.SendMessageAsync(url, new string('x', 1_048_577), Ct));
        Assert.Equal(("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."), (tooBig.ErrorCode, tooBig.Message));
        var badMax = await Assert.ThrowsAsync<AmazonSQSException>(() => sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 11 }, Ct));
        Assert.Equal("InvalidParameterValue", badMax.ErrorCode);
        var badWait = await Assert.ThrowsAsync<AmazonSQSException>(() => sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 21 }, Ct));
        Assert.Contains("WaitTimeSeconds", badWait.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidMessageContentsException>(() => sqs.SendMessageAsync(url, "bell\u0007", Ct));

        static SendMessageBatchRequestEntry E(string id, string body = "b") => new() { Id = id, MessageBody = body };
        await Assert.ThrowsAsync<TooManyEntriesInBatchRequestException>(() => sqs.SendMessageBatchAsync(url, [.. Enumerable.Range(0, 11).Select(i => E($"e{i}"))], Ct));
        await Assert.ThrowsAsync<EmptyBatchRequestException>(() => sqs.SendMessageBatchAsync(url, [], Ct));
        await Assert.ThrowsAsync<BatchEntryIdsNotDistinctException>(() => sqs.SendMessageBatchAsync(url, [E("a"), E("a")], Ct));
        await Assert.ThrowsAsync<InvalidBatchEntryIdException>(() => sqs.SendMessageBatchAsync(url, [E("not ok!")], Ct));
        var tooLong = await Assert.ThrowsAsync<BatchRequestTooLongException>(() => sqs.SendMessageBatchAsync(url, [E("a", new string('x', 600_000)), E("b", new string('y', 600_000))], Ct));
        Assert.Equal("Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.", tooLong.Message);
        await Assert.ThrowsAsync<ReceiptHandleIsInvalidException>(() => sqs.DeleteMessageAsync(url, "garbage", Ct));
        Assert.Equal("0", (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"], Ct)).Attributes["ApproximateNumberOfMessages"]);
    }

    [Fact]
    public async Task With_require_auth_signed_SQS_requests_pass_and_wrong_keys_or_a_lambda_scope_are_refused()
    {
        const string Key = "AKIDSQSTEST";
        const string Secret = "sqs-secret";
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }), credentials: new EmulatorCredentials(Key, Secret));
        using var good = SqsTestClient.Create(emulator, Key, Secret);
        using var wrong = SqsTestClient.Create(emulator, Key, "not-the-secret");

        var url = (await good.GetQueueUrlAsync("q", Ct)).QueueUrl;
        await good.SendMessageAsync(url, "signed", Ct);
        Assert.Equal("signed", Assert.Single((await good.ReceiveMessageAsync(url, Ct)).Messages).Body);

        var refused = await Assert.ThrowsAsync<AmazonSQSException>(() => wrong.SendMessageAsync(url, "x", Ct));
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (refused.StatusCode, refused.ErrorCode));

        // A signature scoped to another service (here lambda, by AWSSDK.Core's signer) is refused for SQS.
        using var lambdaSigned = AwsSdkSigner.Create(
            emulator.Host.BaseAddress, "POST", "/", null, null, """{"QueueName":"q"}"""u8.ToArray(), Key, Secret,
            headers: new Dictionary<string, string> { ["X-Amz-Target"] = "AmazonSQS.GetQueueUrl" });
        using var response = await emulator.Client.SendAsync(lambdaSigned, Ct);
        var body = await response.BodyAsync();
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidSignatureException;Sender", response.Header("x-amzn-query-error"));
        Assert.Contains("Credential should be scoped to correct service: 'sqs'", body, StringComparison.Ordinal);
        Assert.Equal("1", (await good.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessagesNotVisible"], Ct)).Attributes["ApproximateNumberOfMessagesNotVisible"]);
    }

    /// <summary>Spins (no sleeping) until a ReceiveMessage is waiting on the queue.</summary>
    internal static void WaitUntilPolling(TestEmulator emulator, string queue) =>
        Assert.True(SpinWait.SpinUntil(() => IsPolling(emulator, queue), TimeSpan.FromSeconds(20)), "the receive never started waiting");

    private static bool IsPolling(TestEmulator emulator, string queue)
    {
        var polling = false;
        emulator.Model.RunLocked(() => polling = emulator.Model.FindQueueLocked(queue)?.AvailableSignal is not null);
        return polling;
    }

    /// <summary>Flips one hex digit of every MD5OfMessageBody in responses.</summary>
    private sealed class TamperingFactory : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Tamper(new HttpClientHandler()));

        private sealed class Tamper(HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var at = text.IndexOf("\"MD5OfMessageBody\":\"", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var digit = at + "\"MD5OfMessageBody\":\"".Length;
                    text = string.Concat(text.AsSpan(0, digit), text[digit] == '0' ? "1" : "0", text.AsSpan(digit + 1));
                }

                var headers = response.Content.Headers.ContentType;
                response.Content = new StringContent(text);
                response.Content.Headers.ContentType = headers;
                return response;
            }
        }
    }
}
