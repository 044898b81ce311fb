using System.Net;
using System.Text.Json;
using Amazon.SQS.Model;
using LambdaStorm.Lambda;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>The event source mapping REST API over HTTP and a poison pill's way to the DLQ through it (§5.1).</summary>
public sealed class EventSourceMappingApiTests
{
    private const string Path = "/2015-03-31/event-source-mappings/";
    private const string QueueArn = "arn:aws:sqs:us-east-1:000000000000:orders";
    private const string DlqArn = "arn:aws:sqs:us-east-1:000000000000:orders-dlq";

    private static void Queues(LambdaModelOptions o, TimeSpan? visibility = null, int maxReceiveCount = 0)
    {
        o.Functions.Add(TestEmulator.Instant("worker", f => f.PoisonMarker = "POISON"));
        o.Functions.Add(TestEmulator.Instant("other"));
        o.Queues.Add(new QueueOptions { Name = "orders-dlq" });
        o.Queues.Add(new QueueOptions
        {
            Name = "orders",
            VisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30),
            DeadLetterQueue = maxReceiveCount > 0 ? "orders-dlq" : null,
            MaxReceiveCount = maxReceiveCount,
        });
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string type, string? message = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(type, response.Headers.GetValues("x-amzn-ErrorType").Single());
        if (message is not null)
        {
            var body = await Json(response);
            var text = body.TryGetProperty("message", out var m) ? m.GetString() : body.GetProperty("Message").GetString();
            Assert.Equal(message, text);
        }
    }

    [Fact]
    public async Task The_five_calls_have_AWS_paths_status_codes_and_shapes()
    {
        await using var emulator = await TestEmulator.StartAsync(o => Queues(o));

        using var created = await emulator.SendJsonAsync(HttpMethod.Post, Path, new Dictionary<string, object>
        {
            ["EventSourceArn"] = QueueArn,
            ["FunctionName"] = "worker",
            ["BatchSize"] = 100,
            ["MaximumBatchingWindowInSeconds"] = 2,
            ["ScalingConfig"] = new { MaximumConcurrency = 5 },
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
        });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var c = await Json(created);
        var uuid = c.GetProperty("UUID").GetString()!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uuid);
        Assert.Equal("Creating", c.GetProperty("State").GetString());
        Assert.Equal("USER_INITIATED", c.GetProperty("StateTransitionReason").GetString());
        Assert.Equal(100, c.GetProperty("BatchSize").GetInt32());
        Assert.Equal(2, c.GetProperty("MaximumBatchingWindowInSeconds").GetInt32());
        Assert.Equal(QueueArn, c.GetProperty("EventSourceArn").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:worker", c.GetProperty("FunctionArn").GetString());
        Assert.Equal(5, c.GetProperty("ScalingConfig").GetProperty("MaximumConcurrency").GetInt32());
        Assert.Equal(["ReportBatchItemFailures"], c.GetProperty("FunctionResponseTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Number, c.GetProperty("LastModified").ValueKind);
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}", c.GetProperty("EventSourceMappingArn").GetString());

        using var got = await emulator.SendJsonAsync(HttpMethod.Get, Path + uuid);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("Enabled", (await Json(got)).GetProperty("State").GetString());

        using var second = await emulator.SendJsonAsync(HttpMethod.Post, Path, new { EventSourceArn = DlqArn, FunctionName = "other", Enabled = false });
        var secondUuid = (await Json(second)).GetProperty("UUID").GetString();

        using var all = await emulator.SendJsonAsync(HttpMethod.Get, Path);
        Assert.Equal([uuid, secondUuid], (await Json(all)).GetProperty("EventSourceMappings").EnumerateArray().Select(m => m.GetProperty("UUID").GetString()));
        using var byFunction = await emulator.SendJsonAsync(HttpMethod.Get, Path + "?FunctionName=other");
        var only = Assert.Single((await Json(byFunction)).GetProperty("EventSourceMappings").EnumerateArray());
        Assert.Equal("Disabled", only.GetProperty("State").GetString());
        using var bySource = await emulator.SendJsonAsync(HttpMethod.Get, Path + "?EventSourceArn=" + Uri.EscapeDataString(QueueArn));
        Assert.Equal(uuid, Assert.Single((await Json(bySource)).GetProperty("EventSourceMappings").EnumerateArray()).GetProperty("UUID").GetString());
        using var page = await emulator.SendJsonAsync(HttpMethod.Get, Path + "?MaxItems=1");
        var pageBody = await Json(page);
        Assert.Equal(secondUuid, pageBody.GetProperty("NextMarker").GetString());
        using var page2 = await emulator.SendJsonAsync(HttpMethod.Get, Path + "?MaxItems=1&Marker=" + secondUuid);
        var page2Body = await Json(page2);
        Assert.False(page2Body.TryGetProperty("NextMarker", out _));
        Assert.Equal(secondUuid, Assert.Single(page2Body.GetProperty("EventSourceMappings").EnumerateArray()).GetProperty("UUID").GetString());

        using var updated = await emulator.SendJsonAsync(HttpMethod.Put, Path + uuid, new { BatchSize = 5, ScalingConfig = new { }, FunctionResponseTypes = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Accepted, updated.StatusCode);
        var u = await Json(updated);
        Assert.Equal("Updating", u.GetProperty("State").GetString());
        Assert.Equal(5, u.GetProperty("BatchSize").GetInt32());
        Assert.False(u.TryGetProperty("ScalingConfig", out _));
        Assert.Empty(u.GetProperty("FunctionResponseTypes").EnumerateArray());

        using var deleted = await emulator.SendJsonAsync(HttpMethod.Delete, Path + uuid);
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Equal("Deleting", (await Json(deleted)).GetProperty("State").GetString());
        using var gone = await emulator.SendJsonAsync(HttpMethod.Get, Path + uuid);
        await AssertError(gone, HttpStatusCode.NotFound, "ResourceNotFoundException", "The resource you requested does not exist.");
    }

    [Fact]
    public async Task Bad_requests_get_AWS_errors()
    {
        await using var emulator = await TestEmulator.StartAsync(o => Queues(o));

        async Task Expect(object body, HttpStatusCode status, string type, string? message = null)
        {
            using var response = await emulator.SendJsonAsync(HttpMethod.Post, Path, body);
            await AssertError(response, status, type, message);
        }

        await Expect(new { EventSourceArn = QueueArn }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "1 validation error detected: Value 'null' at 'functionName' failed to satisfy constraint: Member must not be null");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "worker", BatchSize = 11 }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "worker", BatchSize = 0 }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "worker", ScalingConfig = new { MaximumConcurrency = 1 } }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "worker", MaximumBatchingWindowInSeconds = 301 }, HttpStatusCode.BadRequest, "InvalidParameterValueException");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "worker", FunctionResponseTypes = new[] { "Everything" } }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "1 validation error detected: Value '[Everything]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy enum value set: [ReportBatchItemFailures]");
        await Expect(new { EventSourceArn = "orders", FunctionName = "worker" }, HttpStatusCode.BadRequest, "InvalidParameterValueException");
        await Expect(new { EventSourceArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s", FunctionName = "worker" }, HttpStatusCode.BadRequest, "InvalidParameterValueException");
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "nope" }, HttpStatusCode.NotFound, "ResourceNotFoundException", "Function does not exist");
        await Expect(new { EventSourceArn = "arn:aws:sqs:us-east-1:000000000000:nope", FunctionName = "worker" }, HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version.");

        using var first = await emulator.SendJsonAsync(HttpMethod.Post, Path, new { EventSourceArn = QueueArn, FunctionName = "worker" });
        var uuid = (await Json(first)).GetProperty("UUID").GetString();
        await Expect(new { EventSourceArn = QueueArn, FunctionName = "arn:aws:lambda:us-east-1:000000000000:function:worker" }, HttpStatusCode.Conflict, "ResourceConflictException",
            $"An event source mapping with SQS arn (\" {QueueArn} \") and function (\" worker \") already exists. Please update or delete the existing mapping with UUID {uuid}");

        using var badUpdate = await emulator.SendJsonAsync(HttpMethod.Put, Path + uuid, new { BatchSize = 50 });
        await AssertError(badUpdate, HttpStatusCode.BadRequest, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        using var missing = await emulator.SendJsonAsync(HttpMethod.Put, Path + "00000000-0000-4000-8000-000000000000", new { BatchSize = 5 });
        await AssertError(missing, HttpStatusCode.NotFound, "ResourceNotFoundException");
        using var missingDelete = await emulator.SendJsonAsync(HttpMethod.Delete, Path + "00000000-0000-4000-8000-000000000000");
        await AssertError(missingDelete, HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Fact]
    public async Task A_poison_pill_reaches_the_DLQ_through_a_mapping_created_over_HTTP_and_the_rest_is_deleted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var emulator = await TestEmulator.StartAsync(o => Queues(o, TimeSpan.FromSeconds(10), maxReceiveCount: 2), time);
        var batches = new BatchWaiter();
        emulator.Model.AddObserver(batches);

        using var created = await emulator.SendJsonAsync(HttpMethod.Post, Path, new Dictionary<string, object>
        {
            ["EventSourceArn"] = QueueArn,
            ["FunctionName"] = "worker",
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
        });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(emulator.Model.SendMessage("orders", i == 4 ? "{\"pill\":\"POISON\"}" : $"{{\"id\":{i}}}").IsSuccess);
        }

        time.Advance(TimeSpan.FromMilliseconds(1));
        var first = await batches.WaitAsync(1);
        Assert.Equal((BatchOutcome.PartialFailure, 10, 1), (first.Outcome, first.Records, first.Returned));
        Assert.Equal(new QueueCounters(0, 1, 0), emulator.Model.GetQueueCounters("orders").GetValueOrThrow());

        var dlqArrival = emulator.Model.WhenMessagesAvailable("orders-dlq", TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(10));            // the pill reappears (receive 2) and fails again
        Assert.Equal((BatchOutcome.PartialFailure, 1), ((await batches.WaitAsync(2)).Outcome, (await batches.WaitAsync(2)).Records));
        time.Advance(TimeSpan.FromSeconds(10));            // its next receive moves it to the DLQ
        await dlqArrival.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var dead = Assert.Single(emulator.Model.ReceiveMessage("orders-dlq", 10).GetValueOrThrow());
        Assert.Equal("{\"pill\":\"POISON\"}", dead.Body);
        Assert.Equal(0, emulator.Model.GetQueueCounters("orders").GetValueOrThrow().Total);
        Assert.Equal(2, batches.Count);

        using var metrics = await emulator.Client.GetAsync("metrics", TestContext.Current.CancellationToken);
        var text = await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("lambdastorm_emulator_esm_batches_total{function=\"worker\",outcome=\"partial_failure\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_emulator_esm_records_total{function=\"worker\"} 11", text, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_emulator_esm_records_returned_total{function=\"worker\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("lambdastorm_emulator_esm_poller_concurrency{function=\"worker\"} 5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_sent_with_AWSSDK_SQS_run_a_function_created_over_HTTP_which_writes_receipts_and_dead_letters_the_pill()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var emulator = await TestEmulator.StartAsync(time: time);
        using var sqs = SqsTestClient.Create(emulator);
        var batches = new BatchWaiter();
        emulator.Model.AddObserver(batches);

        var receipts = (await sqs.CreateQueueAsync("receipts", SqsTestClient.Ct)).QueueUrl;
        var dlq = (await sqs.CreateQueueAsync("work-dlq", SqsTestClient.Ct)).QueueUrl;
        var work = (await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = "work",
            Attributes = new Dictionary<string, string>
            {
                ["VisibilityTimeout"] = "5",
                ["RedrivePolicy"] = "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:work-dlq\",\"maxReceiveCount\":\"2\"}",
            },
        }, SqsTestClient.Ct)).QueueUrl;

        using var function = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", new Dictionary<string, object>
        {
            ["FunctionName"] = "consumer",
            ["Runtime"] = "nodejs22.x",
            ["Environment"] = new
            {
                Variables = new Dictionary<string, string>
                {
                    ["LAMBDASTORM_DURATION_MS"] = "0",
                    ["LAMBDASTORM_INIT_MS"] = "0",
                    ["LAMBDASTORM_POISON_MARKER"] = "POISON",
                    ["LAMBDASTORM_RECEIPTS_QUEUE"] = "receipts",
                    ["LAMBDASTORM_BATCH_RESPONSE"] = "auto",
                },
            },
        });
        Assert.Equal(HttpStatusCode.Created, function.StatusCode);
        using var mapping = await emulator.SendJsonAsync(HttpMethod.Post, Path, new Dictionary<string, object>
        {
            ["EventSourceArn"] = "arn:aws:sqs:us-east-1:000000000000:work",
            ["FunctionName"] = "consumer",
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
        });
        Assert.Equal(HttpStatusCode.Accepted, mapping.StatusCode);

        var sent = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = work,
            Entries = [.. Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry
            {
                Id = $"e{i}",
                MessageBody = i == 7 ? "{\"pill\":\"POISON\"}" : $"{{\"n\":{i}}}",
                MessageAttributes = new Dictionary<string, MessageAttributeValue> { ["LambdaStormId"] = new() { DataType = "String", StringValue = $"id-{i}" } },
            })],
        }, SqsTestClient.Ct);
        Assert.Equal(10, sent.Successful.Count);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(BatchOutcome.PartialFailure, (await batches.WaitAsync(1)).Outcome);
        time.Advance(TimeSpan.FromSeconds(5));
        await batches.WaitAsync(2);
        var dlqArrival = emulator.Model.WhenMessagesAvailable("work-dlq", SqsTestClient.Ct);
        time.Advance(TimeSpan.FromSeconds(5));
        await dlqArrival.WaitAsync(TimeSpan.FromSeconds(20), SqsTestClient.Ct);

        var dead = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = dlq, MaxNumberOfMessages = 10, MessageAttributeNames = ["All"] }, SqsTestClient.Ct)).Messages);
        Assert.Equal("id-7", dead.MessageAttributes["LambdaStormId"].StringValue);
        var attributes = await sqs.GetQueueAttributesAsync(work, ["All"], SqsTestClient.Ct);
        Assert.Equal(0, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible);

        var bodies = new List<JsonElement>();
        while ((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = receipts, MaxNumberOfMessages = 10 }, SqsTestClient.Ct)).Messages is { Count: > 0 } got)
        {
            bodies.AddRange(got.Select(m => JsonDocument.Parse(m.Body).RootElement));
        }

        Assert.Equal(11, bodies.Count);                            // 10 records, then the pill once more
        Assert.All(bodies, b => Assert.Equal("queue", b.GetProperty("path").GetString()));
        var ok = bodies.Where(b => b.GetProperty("outcome").GetString() == "ok").Select(b => b.GetProperty("id").GetString()).Order();
        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 7).Select(i => $"id-{i}").Order(), ok);
        Assert.Equal([1, 2], bodies.Where(b => b.GetProperty("id").GetString() == "id-7").Select(b => b.GetProperty("attempt").GetInt32()));
    }

    /// <summary>Completes when the n-th batch finished, with that batch.</summary>
    private sealed class BatchWaiter : ILambdaModelObserver
    {
        private readonly Lock _gate = new();
        private readonly List<EventSourceBatchCompleted> _done = [];
        private readonly List<(int N, TaskCompletionSource<EventSourceBatchCompleted> Tcs)> _waiters = [];

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _done.Count;
                }
            }
        }

        public Task<EventSourceBatchCompleted> WaitAsync(int n)
        {
            lock (_gate)
            {
                if (_done.Count >= n)
                {
                    return Task.FromResult(_done[n - 1]);
                }

                var tcs = new TaskCompletionSource<EventSourceBatchCompleted>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((n, tcs));
                return tcs.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            }
        }

        public void OnEventSourceBatchCompleted(in EventSourceBatchCompleted e)
        {
            lock (_gate)
            {
                _done.Add(e);
                foreach (var w in _waiters.Where(w => w.N <= _done.Count).ToList())
                {
                    _waiters.Remove(w);
                    w.Tcs.TrySetResult(_done[w.N - 1]);
                }
            }
        }
    }
}
