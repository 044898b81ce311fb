using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>SQS standard queues inside the model, on its virtual clock: visibility, delay, redrive, retention, counters, purge, handles.</summary>
public sealed class QueueTests
{
    private static TestModel WithQueues(params QueueOptions[] queues) => TestModel.Create(o => o.Queues.AddRange(queues));

    private static ReceivedMessage ReceiveOne(TestModel t, string queue = "q", TimeSpan? visibility = null, int max = 10) =>
        Assert.Single(t.Model.ReceiveMessage(queue, max, visibility).GetValueOrThrow());

    private static IReadOnlyList<ReceivedMessage> Receive(TestModel t, string queue = "q", int max = 10) => t.Model.ReceiveMessage(queue, max).GetValueOrThrow();

    private static QueueCounters Counters(TestModel t, string queue = "q") => t.Model.GetQueueCounters(queue).GetValueOrThrow();

    [Fact]
    public void A_received_message_is_hidden_for_the_visibility_timeout_then_returns_with_a_higher_receive_count()
    {
        var t = WithQueues(new QueueOptions { Name = "q", VisibilityTimeout = TimeSpan.FromSeconds(30) });
        var sent = t.Model.SendMessage("q", "hello").GetValueOrThrow();
        t.Advance(TimeSpan.FromSeconds(2));

        var first = ReceiveOne(t);
        Assert.Equal(sent.MessageId, first.MessageId);
        Assert.Equal("hello", first.Body);
        Assert.Equal(1, first.ApproximateReceiveCount);
        Assert.Equal(t.Start, first.SentTimestamp);
        Assert.Equal(t.Start + TimeSpan.FromSeconds(2), first.ApproximateFirstReceiveTimestamp);
        Assert.Equal(new QueueCounters(0, 1, 0), Counters(t));
        Assert.Empty(Receive(t));

        t.Advance(TimeSpan.FromSeconds(29.999));
        Assert.Empty(Receive(t));
        t.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new QueueCounters(1, 0, 0), Counters(t));

        var second = ReceiveOne(t, visibility: TimeSpan.FromSeconds(5));
        Assert.Equal(2, second.ApproximateReceiveCount);
        Assert.Equal(first.ApproximateFirstReceiveTimestamp, second.ApproximateFirstReceiveTimestamp);
        Assert.NotEqual(first.ReceiptHandle, second.ReceiptHandle);
        t.Advance(TimeSpan.FromSeconds(5)); // the receive's own visibility timeout, not the queue's
        Assert.Equal(3, ReceiveOne(t).ApproximateReceiveCount);
    }

    [Fact]
    public void Delete_needs_the_latest_receipt_handle_and_an_older_one_succeeds_without_deleting()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        t.Model.SendMessage("q", "x").GetValueOrThrow();
        var first = ReceiveOne(t, visibility: TimeSpan.Zero);
        t.Advance(TimeSpan.Zero);
        var second = ReceiveOne(t);

        Assert.False(t.Model.DeleteMessage("q", first.ReceiptHandle).GetValueOrThrow());
        Assert.Equal(new QueueCounters(0, 1, 0), Counters(t));
        Assert.True(t.Model.DeleteMessage("q", second.ReceiptHandle).GetValueOrThrow());
        Assert.Equal(new QueueCounters(0, 0, 0), Counters(t));
        Assert.False(t.Model.DeleteMessage("q", second.ReceiptHandle).GetValueOrThrow()); // already gone: still a success

        var invalid = t.Model.DeleteMessage("q", "not-a-handle");
        Assert.Equal("ReceiptHandleIsInvalid", invalid.Error?.Type);
        Assert.Equal(404, invalid.Error?.StatusCode);

        t.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Receive(t)); // deleted for good: its visibility event does nothing
    }

    [Fact]
    public void ChangeMessageVisibility_extends_shortens_and_zero_makes_the_message_visible_at_once()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        t.Model.SendMessage("q", "x").GetValueOrThrow();
        var m = ReceiveOne(t);

        Assert.True(t.Model.ChangeMessageVisibility("q", m.ReceiptHandle, TimeSpan.FromSeconds(100)).IsSuccess);
        t.Advance(TimeSpan.FromSeconds(99));
        Assert.Empty(Receive(t)); // the original 30 s passed: extended
        t.Advance(TimeSpan.FromSeconds(1));
        var again = ReceiveOne(t);

        Assert.True(t.Model.ChangeMessageVisibility("q", again.ReceiptHandle, TimeSpan.Zero).IsSuccess);
        Assert.Equal(new QueueCounters(1, 0, 0), Counters(t));
        Assert.Equal("MessageNotInflight", t.Model.ChangeMessageVisibility("q", again.ReceiptHandle, TimeSpan.FromSeconds(5)).Error?.Type);

        var third = ReceiveOne(t, visibility: TimeSpan.FromHours(12));
        Assert.Equal("InvalidParameterValue", t.Model.ChangeMessageVisibility("q", again.ReceiptHandle, TimeSpan.FromSeconds(5)).Error?.Type); // older handle
        var tooLong = t.Model.ChangeMessageVisibility("q", third.ReceiptHandle, TimeSpan.FromHours(12.5));
        Assert.Contains("Must be >= 0 and <= 43200", tooLong.Error?.Message, StringComparison.Ordinal);
        t.Advance(TimeSpan.FromHours(6));
        Assert.True(t.Model.ChangeMessageVisibility("q", third.ReceiptHandle, TimeSpan.FromHours(6)).IsSuccess);
        Assert.Contains("Total VisibilityTimeout", t.Model.ChangeMessageVisibility("q", third.ReceiptHandle, TimeSpan.FromHours(6.5)).Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delayed_messages_are_counted_as_delayed_and_become_visible_when_the_delay_passes()
    {
        var t = WithQueues(new QueueOptions { Name = "q", Delay = TimeSpan.FromSeconds(10) });
        t.Model.SendMessage("q", "queue-default").GetValueOrThrow();
        t.Model.SendMessage("q", "explicit", delay: TimeSpan.FromSeconds(3)).GetValueOrThrow();
        t.Model.SendMessage("q", "none", delay: TimeSpan.Zero).GetValueOrThrow();

        Assert.Equal(new QueueCounters(1, 0, 2), Counters(t));
        Assert.Equal("none", ReceiveOne(t).Body);
        t.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("explicit", ReceiveOne(t).Body);
        t.Advance(TimeSpan.FromSeconds(6.9));
        Assert.Empty(Receive(t));
        t.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("queue-default", ReceiveOne(t).Body);

        Assert.Equal("InvalidParameterValue", t.Model.SendMessage("q", "x", delay: TimeSpan.FromSeconds(901)).Error?.Type);
    }

    [Fact]
    public void After_maxReceiveCount_receives_the_next_receive_moves_the_message_to_the_dead_letter_queue()
    {
        var t = WithQueues(
            new QueueOptions { Name = "dlq" },
            new QueueOptions { Name = "q", VisibilityTimeout = TimeSpan.FromSeconds(10), DeadLetterQueue = "dlq", MaxReceiveCount = 2 });
        var attributes = new Dictionary<string, MessageAttribute> { ["LambdaStormId"] = MessageAttribute.String("id-1") };
        var sent = t.Model.SendMessage("q", "poison", attributes).GetValueOrThrow();
        t.Model.SendMessage("q", "good").GetValueOrThrow();

        Assert.Equal(2, Receive(t).Count);
        t.Advance(TimeSpan.FromSeconds(10));
        var second = Receive(t).Concat(Receive(t)).ToList(); // batch-mates come back in separate receives
        Assert.Equal(2, second.Count);
        Assert.All(second, m => Assert.Equal(2, m.ApproximateReceiveCount));
        Assert.True(t.Model.DeleteMessage("q", second.Single(m => m.Body == "good").ReceiptHandle).GetValueOrThrow());
        t.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(Receive(t)); // the third receive moved it instead of returning it
        Assert.Equal(new QueueCounters(0, 0, 0), Counters(t));
        Assert.Equal(new QueueCounters(1, 0, 0), Counters(t, "dlq"));
        var dead = ReceiveOne(t, "dlq");
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("poison", dead.Body);
        Assert.Equal("id-1", dead.MessageAttributes["LambdaStormId"].StringValue);
        Assert.Equal(t.Start, dead.SentTimestamp);
        Assert.Equal(3, dead.ApproximateReceiveCount); // the count carries over; the moving receive does not count
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:q", dead.DeadLetterQueueSourceArn);

        var snapshot = t.Model.GetQueueSnapshots().Single(s => s.Name == "q");
        Assert.Equal((2, 4, 1, 1), (snapshot.Sent, snapshot.Received, snapshot.Deleted, snapshot.MovedToDeadLetter));
    }

    [Fact]
    public void Messages_received_together_come_back_mixed_with_others_not_as_the_same_group()
    {
        var t = WithQueues(new QueueOptions { Name = "q", VisibilityTimeout = TimeSpan.FromSeconds(10) });
        for (var i = 0; i < 10; i++)
        {
            t.Model.SendMessage("q", $"a{i}").GetValueOrThrow();
        }

        Assert.Equal(10, Receive(t).Count);        // one group of 10, not deleted
        t.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10; i++)
        {
            t.Model.SendMessage("q", $"b{i}").GetValueOrThrow();
        }

        Assert.Equal(10, Receive(t).Count);        // a second group of 10, not deleted
        t.Advance(TimeSpan.FromSeconds(10));       // both groups are visible again (a first, then b)
        for (var i = 0; i < 8; i++)
        {
            t.Model.SendMessage("q", $"c{i}").GetValueOrThrow();
        }

        // Each receive takes at most one message of any earlier group, in approximately FIFO order, and fills up with the rest.
        var batches = Enumerable.Range(0, 10).Select(_ => Receive(t).Select(m => m.Body).ToList()).ToList();
        Assert.Equal(["a0", "b0", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"], batches[0]);
        Assert.All(batches.Skip(1), b => Assert.Equal(["a", "b"], b.Select(x => x[..1])));
        Assert.Equal(28, batches.Sum(b => b.Count));
        Assert.Empty(Receive(t));
    }

    [Fact]
    public void A_redrive_policy_set_through_attributes_moves_messages_too()
    {
        var t = WithQueues(new QueueOptions { Name = "q" }, new QueueOptions { Name = "dead" });
        var policy = """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"1"}""";
        Assert.True(t.Model.SetQueueAttributes("q", new Dictionary<string, string> { ["RedrivePolicy"] = policy, ["VisibilityTimeout"] = "0" }).IsSuccess);
        Assert.Equal(
            """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":1}""",
            t.Model.GetQueueAttributes("q", ["RedrivePolicy"]).GetValueOrThrow()["RedrivePolicy"]);

        t.Model.SendMessage("q", "x").GetValueOrThrow();
        ReceiveOne(t);
        t.Advance(TimeSpan.Zero);
        Assert.Empty(Receive(t));
        Assert.Equal(1, Counters(t, "dead").Visible);

        var missing = t.Model.SetQueueAttributes("q", new Dictionary<string, string>
        {
            ["RedrivePolicy"] = """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3}""",
        });
        Assert.Equal("InvalidParameterValue", missing.Error?.Type);
        Assert.EndsWith("Reason: Dead letter target does not exist.", missing.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_older_than_the_retention_period_are_removed_wherever_they_are_and_counted()
    {
        var t = WithQueues(new QueueOptions { Name = "q", MessageRetentionPeriod = TimeSpan.FromSeconds(60), VisibilityTimeout = TimeSpan.FromMinutes(5) });
        t.Model.SendMessage("q", "in-flight").GetValueOrThrow();
        t.Advance(TimeSpan.FromSeconds(10));
        t.Model.SendMessage("q", "delayed", delay: TimeSpan.FromSeconds(55)).GetValueOrThrow();
        t.Advance(TimeSpan.FromSeconds(10));
        t.Model.SendMessage("q", "visible").GetValueOrThrow();
        Assert.Equal("in-flight", ReceiveOne(t, max: 1).Body);
        Assert.Equal(new QueueCounters(1, 1, 1), Counters(t));

        t.Advance(TimeSpan.FromSeconds(39.9));
        Assert.Equal(3, Counters(t).Total);
        t.Advance(TimeSpan.FromSeconds(0.1)); // 60 s after the first send
        Assert.Equal(new QueueCounters(1, 0, 1), Counters(t));
        t.Advance(TimeSpan.FromSeconds(10)); // the delayed one (sent at 10 s) expires at 70 s, its delay would end at 65 s
        Assert.Equal(new QueueCounters(1, 0, 0), Counters(t));
        t.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(new QueueCounters(0, 0, 0), Counters(t));
        Assert.Equal(3, t.Model.GetQueueSnapshots().Single().Expired);
    }

    [Fact]
    public void Purge_removes_everything_and_a_second_purge_within_60_seconds_is_PurgeQueueInProgress()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        t.Model.SendMessage("q", "a").GetValueOrThrow();
        t.Model.SendMessage("q", "b", delay: TimeSpan.FromSeconds(30)).GetValueOrThrow();
        t.Model.SendMessage("q", "c").GetValueOrThrow();
        ReceiveOne(t, max: 1);

        Assert.True(t.Model.PurgeQueue("q").IsSuccess);
        Assert.Equal(new QueueCounters(0, 0, 0), Counters(t));
        var again = t.Model.PurgeQueue("q");
        Assert.Equal(("PurgeQueueInProgress", 403), (again.Error?.Type, again.Error?.StatusCode));
        t.Advance(TimeSpan.FromMinutes(1));
        Assert.True(t.Model.PurgeQueue("q").IsSuccess);
        Assert.Equal(3, t.Model.GetQueueSnapshots().Single().Purged);
    }

    [Fact]
    public void Receives_return_at_most_ten_and_queues_are_found_by_name_url_or_arn()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        for (var i = 0; i < 15; i++)
        {
            t.Model.SendMessage("http://127.0.0.1:4566/000000000000/q", $"m{i}").GetValueOrThrow();
        }

        Assert.Equal(10, t.Model.ReceiveMessage("arn:aws:sqs:us-east-1:000000000000:q", 10).GetValueOrThrow().Count);
        Assert.Equal(5, Receive(t).Count);
        Assert.Equal("InvalidParameterValue", t.Model.ReceiveMessage("q", 11).Error?.Type);
        Assert.Equal("QueueDoesNotExist", t.Model.ReceiveMessage("nope").Error?.Type);
        Assert.Equal("QueueDoesNotExist", t.Model.SendMessage("http://h/111111111111/q", "x").Error?.Type); // another account
    }

    [Fact]
    public async Task Long_polling_waits_without_polling_until_a_message_becomes_visible()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        var wait = t.Model.WhenMessagesAvailable("q");
        Assert.False(wait.IsCompleted);

        t.Model.SendMessage("q", "later", delay: TimeSpan.FromSeconds(5)).GetValueOrThrow();
        Assert.False(wait.IsCompleted);
        t.Advance(TimeSpan.FromSeconds(4.999));
        Assert.False(wait.IsCompleted);
        t.Advance(TimeSpan.FromMilliseconds(1)); // the delay expiry is a model event
        await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(t.Model.WhenMessagesAvailable("q").IsCompleted); // visible already

        var m = ReceiveOne(t);
        var next = t.Model.WhenMessagesAvailable("q");
        Assert.False(next.IsCompleted);
        Assert.True(t.Model.ChangeMessageVisibility("q", m.ReceiptHandle, TimeSpan.Zero).IsSuccess);
        await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        ReceiveOne(t);
        var deleted = t.Model.WhenMessagesAvailable("q");
        Assert.True(t.Model.DeleteQueue("q").IsSuccess);
        await deleted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // returns; the next receive reports the error
    }

    [Fact]
    public void Pollers_subscribe_under_the_lock_and_use_the_lock_held_primitives()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        var seen = new List<string>();
        t.Model.RunLocked(() =>
        {
            var queue = t.Model.FindQueueLocked("q")!;
            queue.MessagesAvailable.Add(q =>
            {
                foreach (var m in t.Model.ReceiveLocked(q, 10, TimeSpan.FromSeconds(30)))
                {
                    seen.Add(m.Body);
                    Assert.True(t.Model.DeleteLocked(q, m.ReceiptHandle));
                }
            });
            t.Model.SendLocked(queue, "from-inside", null, TimeSpan.Zero);
        });

        t.Model.SendMessage("q", "from-outside").GetValueOrThrow();
        Assert.Equal(["from-inside", "from-outside"], seen);
        Assert.Equal(0, Counters(t).Total);
    }

    [Fact]
    public void Async_destinations_and_dead_letter_queues_that_are_model_queues_receive_messages()
    {
        var t = TestModel.Create(o =>
        {
            o.Queues.Add(new QueueOptions { Name = "failures" });
            o.Queues.Add(new QueueOptions { Name = "dlq" });
            o.Functions.Add(new FunctionOptions
            {
                Name = "fn",
                InitDurationMs = 0,
                DurationMs = 100,
                ErrorRate = 1,
                DeadLetterTargetArn = "arn:aws:sqs:us-east-1:000000000000:dlq",
                AsyncConfig = { MaximumRetryAttempts = 0, OnFailure = "arn:aws:sqs:us-east-1:000000000000:failures" },
            });
        });

        var accepted = t.InvokeAsync(payload: """{"id":"abc"}""");
        t.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(t.Sink.Received); // model queues take them, not the sink
        Assert.All(t.Events.Deliveries, d => Assert.True(d.Delivered));
        var record = ReceiveOne(t, "failures");
        using var doc = JsonDocument.Parse(record.Body);
        Assert.Equal("abc", doc.RootElement.GetProperty("requestPayload").GetProperty("id").GetString());
        Assert.Equal("RetriesExhausted", doc.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());

        var dead = ReceiveOne(t, "dlq");
        Assert.Equal("""{"id":"abc"}""", dead.Body);
        Assert.Equal(MessageAttribute.String(accepted.RequestId), dead.MessageAttributes["RequestID"]);
        Assert.Equal(MessageAttribute.Number("200"), dead.MessageAttributes["ErrorCode"]);
        Assert.Equal("String", dead.MessageAttributes["ErrorMessage"].DataType);
    }

    [Fact]
    public void Message_ids_and_receipt_handles_are_the_same_for_the_same_seed()
    {
        static (string, string) Run(int seed)
        {
            var t = TestModel.Create(o => o.Queues.Add(new QueueOptions { Name = "q" }), seed);
            var id = t.Model.SendMessage("q", "x").GetValueOrThrow().MessageId;
            return (id, Assert.Single(t.Model.ReceiveMessage("q").GetValueOrThrow()).ReceiptHandle);
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3).Item1, Run(4).Item1);
    }

    [Fact]
    public void Sends_check_bodies_attributes_and_size_with_AWS_errors()
    {
        var t = WithQueues(new QueueOptions { Name = "q" }, new QueueOptions { Name = "small", MaximumMessageSize = 1024 });

        Assert.Equal("MissingParameter", t.Model.SendMessage("q", "").Error?.Type);
        Assert.Equal("InvalidMessageContents", t.Model.SendMessage("q", "bad\u0001").Error?.Type);
        Assert.True(t.Model.SendMessage("q", "emoji 🙂 ok").IsSuccess);
        Assert.True(t.Model.SendMessage("q", new string('x', 1_048_576)).IsSuccess);
        var tooBig = t.Model.SendMessage("q", new string('x', 1_048_570), new Dictionary<string, MessageAttribute> { ["abc"] = MessageAttribute.String("x") });
        Assert.Equal("One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.", tooBig.Error?.Message);
        Assert.Contains("shorter than 1024 bytes", t.Model.SendMessage("small", new string('x', 1025)).Error?.Message, StringComparison.Ordinal);

        var eleven = Enumerable.Range(0, 11).ToDictionary(i => $"a{i}", _ => MessageAttribute.String("v"));
        Assert.Contains("exceeds the allowed maximum [10]", t.Model.SendMessage("q", "x", eleven).Error?.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidParameterValue", t.Model.SendMessage("q", "x", new Dictionary<string, MessageAttribute> { ["AWS.x"] = MessageAttribute.String("v") }).Error?.Type);
        Assert.Equal("InvalidParameterValue", t.Model.SendMessage("q", "x", new Dictionary<string, MessageAttribute> { ["n"] = new("Integer", "1") }).Error?.Type);
        Assert.Equal("InvalidParameterValue", t.Model.SendMessage("q", "x", new Dictionary<string, MessageAttribute> { ["n"] = MessageAttribute.Number("one") }).Error?.Type);
        Assert.True(t.Model.SendMessage("q", "x", new Dictionary<string, MessageAttribute> { ["n"] = new("Number.float", "1.5e3") }).IsSuccess);
    }

    [Fact]
    public void Create_returns_the_existing_queue_for_the_same_attributes_and_refuses_FIFO_and_bad_values()
    {
        var t = TestModel.Create(_ => { });
        var created = t.Model.CreateQueue("orders", new Dictionary<string, string> { ["VisibilityTimeout"] = "45" }).GetValueOrThrow();
        Assert.Same(created, t.Model.CreateQueue("orders", new Dictionary<string, string> { ["VisibilityTimeout"] = "45" }).GetValueOrThrow());
        Assert.Same(created, t.Model.CreateQueue("orders").GetValueOrThrow());
        Assert.Equal("QueueNameExists", t.Model.CreateQueue("orders", new Dictionary<string, string> { ["VisibilityTimeout"] = "46" }).Error?.Type);

        var fifo = t.Model.CreateQueue("orders.fifo", new Dictionary<string, string> { ["FifoQueue"] = "true" });
        Assert.Equal("UnsupportedOperation", fifo.Error?.Type);
        Assert.Contains("FIFO queues are not modelled", fifo.Error?.Message, StringComparison.Ordinal);
        Assert.Equal("UnsupportedOperation", t.Model.CreateQueue("x", new Dictionary<string, string> { ["FifoQueue"] = "true" }).Error?.Type);
        Assert.Equal("InvalidParameterValue", t.Model.CreateQueue("bad name").Error?.Type);
        Assert.Equal("InvalidAttributeValue", t.Model.CreateQueue("y", new Dictionary<string, string> { ["DelaySeconds"] = "901" }).Error?.Type);
        Assert.Equal("InvalidAttributeName", t.Model.CreateQueue("y", new Dictionary<string, string> { ["Colour"] = "blue" }).Error?.Type);
        Assert.Equal(["orders"], t.Model.ListQueues());

        var attributes = t.Model.GetQueueAttributes("orders", ["All"]).GetValueOrThrow();
        Assert.Equal("45", attributes["VisibilityTimeout"]);
        Assert.Equal("345600", attributes["MessageRetentionPeriod"]);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:orders", attributes["QueueArn"]);
        Assert.Equal(((t.Start.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond).ToString(System.Globalization.CultureInfo.InvariantCulture), attributes["CreatedTimestamp"]);
        Assert.Equal("InvalidAttributeName", t.Model.GetQueueAttributes("orders", ["Nope"]).Error?.Type);
    }

    [Fact]
    public void Queue_options_name_every_problem()
    {
        var options = new LambdaModelOptions
        {
            Queues =
            {
                new QueueOptions { Name = "jobs.fifo" },
                new QueueOptions { Name = "a", VisibilityTimeout = TimeSpan.FromHours(13), MessageRetentionPeriod = TimeSpan.FromSeconds(59), Delay = TimeSpan.FromSeconds(1.5) },
                new QueueOptions { Name = "b", DeadLetterQueue = "missing", MaxReceiveCount = 0 },
                new QueueOptions { Name = "c", DeadLetterQueue = "c", MaxReceiveCount = 3, ReceiveMessageWaitTime = TimeSpan.FromSeconds(21) },
                new QueueOptions { Name = "a" },
            },
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Queues[jobs.fifo].Name:", StringComparison.Ordinal) && e.Contains("FIFO queues are not modelled", StringComparison.Ordinal));
        Assert.Contains("Queues[a].VisibilityTimeout: must be between 0 and 43200 seconds (was 46800)", errors);
        Assert.Contains("Queues[a].MessageRetentionPeriod: must be between 60 and 1209600 seconds (was 59)", errors);
        Assert.Contains("Queues[a].Delay: must be a whole number of seconds (was 1.5 s)", errors);
        Assert.Contains("Queues[b].MaxReceiveCount: must be between 1 and 1000 when DeadLetterQueue is set (was 0)", errors);
        Assert.Contains(errors, e => e.StartsWith("Queues[b].DeadLetterQueue: no queue named 'missing'", StringComparison.Ordinal));
        Assert.Contains("Queues[c].DeadLetterQueue: must be another queue (was its own name)", errors);
        Assert.Contains("Queues[c].ReceiveMessageWaitTime: must be between 0 and 20 seconds (was 21)", errors);
        Assert.Contains("Queues[a].Name: duplicate queue name", errors);
        Assert.Throws<LambdaOptionsException>(() => options.ToSettings());
    }

    [Theory]
    [InlineData("19e27d4e946b072f3f58da80d94fd778", "attribName1", "String", "attribValue 1")]
    [InlineData("9fe1b90bbd9965bdf77bac517c7d2495", "customNumberTypeAttrib", "Number.float", "4563442423554324324264524243.32543234")]
    [InlineData("31a92b15d92f8db860eda32aceb656c3", "binaryAttribute", "Binary", "Hello binary world!")]
    public void Attribute_digests_match_AWSs_algorithm(string expected, string name, string type, string value)
    {
        var attribute = type == "Binary" ? new MessageAttribute(type, null, System.Text.Encoding.UTF8.GetBytes(value)) : new MessageAttribute(type, value);
        Assert.Equal(expected, MessageDigest.OfAttributes([new(name, attribute)]));
    }

    [Fact]
    public void Attribute_digests_sort_by_name_and_body_digests_are_plain_md5()
    {
        var all = new Dictionary<string, MessageAttribute>
        {
            ["binaryAttribute"] = new("Binary", null, "Hello binary world!"u8.ToArray()),
            ["attribName1"] = MessageAttribute.String("attribValue 1"),
            ["customNumberTypeAttrib"] = new("Number.float", "4563442423554324324264524243.32543234"),
        };
        Assert.Equal("c932db14a896c663f83c260297d594ff", MessageDigest.OfAttributes(all));
        Assert.Null(MessageDigest.OfAttributes([]));
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", MessageDigest.OfBody("hello"));
    }
}
