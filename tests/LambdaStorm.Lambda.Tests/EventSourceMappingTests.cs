using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>SQS event source mappings in the model under virtual time: scaling, batching, partial responses, redrive, throttles (§5.1).</summary>
public sealed class EventSourceMappingTests
{
    private const string Poison = "POISON";

    /// <summary>A poll woken by new messages runs one tick after them.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    /// <summary>A model with queue <c>q</c> (DLQ <c>dlq</c> when <paramref name="maxReceiveCount"/> is set), function <c>fn</c> and one mapping.</summary>
    internal static (TestModel T, EsmRecorder Esm, string Uuid) Setup(
        Action<FunctionOptions>? function = null,
        Action<EventSourceMappingOptions>? mapping = null,
        Action<AccountOptions>? account = null,
        TimeSpan? visibility = null,
        int maxReceiveCount = 0,
        int seed = 7,
        Action<LambdaModel>? observe = null)
    {
        var t = TestModel.Create(o =>
        {
            var f = new FunctionOptions { Name = "fn", InitDurationMs = 0, DurationMs = 100, PoisonMarker = Poison, TimeoutSeconds = 900 };
            function?.Invoke(f);
            o.Functions.Add(f);
            o.Queues.Add(new QueueOptions { Name = "dlq" });
            o.Queues.Add(new QueueOptions { Name = "receipts" });
            o.Queues.Add(new QueueOptions
            {
                Name = "q",
                VisibilityTimeout = TimeSpan.FromSeconds(900), // CreateEventSourceMapping wants at least the function's timeout
                DeadLetterQueue = maxReceiveCount > 0 ? "dlq" : null,
                MaxReceiveCount = maxReceiveCount,
            });
            account?.Invoke(o.Account);
        }, seed);
        var esm = new EsmRecorder();
        t.Model.AddObserver(esm);
        observe?.Invoke(t.Model);
        var options = new EventSourceMappingOptions { Queue = "q", Function = "fn" };
        mapping?.Invoke(options);
        var created = t.Model.CreateEventSourceMapping(options);
        Assert.True(created.IsSuccess, created.Error?.ToString());
        Assert.Equal("Creating", created.Value!.State);

        // The visibility the test wants, as SetQueueAttributes sets it on AWS after the mapping exists (nothing checks it then).
        var seconds = (long)(visibility ?? TimeSpan.FromSeconds(30)).TotalSeconds;
        Assert.True(t.Model.SetQueueAttributes("q", new Dictionary<string, string> { ["VisibilityTimeout"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }).IsSuccess);
        return (t, esm, created.Value.Uuid);
    }

    internal static void Send(TestModel t, int count, Func<int, string>? body = null, string queue = "q")
    {
        for (var i = 0; i < count; i++)
        {
            var text = body?.Invoke(i) ?? $"{{\"id\":\"m{i}\"}}";
            Assert.True(t.Model.SendMessage(queue, text, new Dictionary<string, MessageAttribute> { ["LambdaStormId"] = MessageAttribute.String($"m{i}") }).IsSuccess);
        }
    }

    internal static QueueCounters Counters(TestModel t, string queue = "q") => t.Model.GetQueueCounters(queue).GetValueOrThrow();

    internal static EventSourceMappingConfiguration Mapping(TestModel t, string uuid) => t.Model.GetEventSourceMapping(uuid).GetValueOrThrow();

    internal static List<ReceivedMessage> Drain(TestModel t, string queue)
    {
        var all = new List<ReceivedMessage>();
        while (t.Model.ReceiveMessage(queue, 10).GetValueOrThrow() is { Count: > 0 } got)
        {
            all.AddRange(got);
        }

        return all;
    }

    [Fact]
    public void Pollers_start_at_5_add_300_per_minute_while_messages_wait_and_stop_at_1250()
    {
        // Executions outlast the test (10 min), so batches in flight = poller concurrency.
        var (t, esm, uuid) = Setup(
            f => f.DurationMs = 600_000,
            account: a => a.ConcurrencyLimit = 5000,
            visibility: TimeSpan.FromMinutes(15));
        Send(t, 15_000);
        t.Advance(Tick);
        Assert.Equal((5, 5), (Mapping(t, uuid).PollerConcurrency, Mapping(t, uuid).BatchesInFlight));
        Assert.All(t.Events.Admitted, a => Assert.Equal(InvocationType.RequestResponse, a.InvocationType));

        t.AdvanceTo(TimeSpan.FromSeconds(30) + Tick);
        Assert.Equal(155, Mapping(t, uuid).BatchesInFlight);
        t.AdvanceTo(TimeSpan.FromMinutes(1) + Tick);
        Assert.Equal(305, Mapping(t, uuid).BatchesInFlight);
        t.AdvanceTo(TimeSpan.FromMinutes(2) + Tick);
        Assert.Equal(605, Mapping(t, uuid).BatchesInFlight);
        t.AdvanceTo(TimeSpan.FromMinutes(5) + Tick);
        Assert.Equal(1250, Mapping(t, uuid).PollerConcurrency);
        Assert.Equal(1250, Mapping(t, uuid).BatchesInFlight);
        Assert.Equal(12_500, Counters(t).NotVisible);
        Assert.Equal(2500, Counters(t).Visible);
        Assert.Equal(1250, esm.Pollers.Max(p => p.Concurrency));
        Assert.True(esm.Pollers.Select(p => p.Concurrency).SequenceEqual(esm.Pollers.Select(p => p.Concurrency).Order()), "monotonic while the backlog lasts");
    }

    [Fact]
    public void The_legacy_preset_adds_60_per_minute_up_to_1000()
    {
        var (t, _, uuid) = Setup(
            f => f.DurationMs = 800_000,
            account: a =>
            {
                a.ConcurrencyLimit = 5000;
                a.SqsPollerPreset = SqsPollerPreset.Legacy;
            },
            visibility: TimeSpan.FromMinutes(15));
        Send(t, 11_000);
        t.AdvanceTo(TimeSpan.FromMinutes(1) + Tick);
        Assert.Equal(65, Mapping(t, uuid).BatchesInFlight);
        t.AdvanceTo(TimeSpan.FromMinutes(10) + Tick);
        Assert.Equal(605, Mapping(t, uuid).BatchesInFlight);
        t.AdvanceTo(TimeSpan.FromMinutes(13) + Tick);
        Assert.Equal(785, Mapping(t, uuid).BatchesInFlight);
        Assert.Equal(1000, new PollerScaler(5, 60, 1000, null, 0).Cap);
    }

    [Fact]
    public void MaximumConcurrency_caps_the_pollers_and_an_empty_queue_scales_them_down()
    {
        var (t, esm, uuid) = Setup(f => f.DurationMs = 1000, m => m.MaximumConcurrency = 50);
        Send(t, 20_000);
        t.AdvanceTo(TimeSpan.FromSeconds(30));
        Assert.Equal(50, Mapping(t, uuid).PollerConcurrency);
        Assert.Equal(50, t.Function().Concurrency);

        t.AdvanceTo(TimeSpan.FromMinutes(3));
        Assert.Equal(0, Counters(t).Total);
        Assert.Equal(5, Mapping(t, uuid).PollerConcurrency);
        Assert.Equal(0, Mapping(t, uuid).BatchesInFlight);
        Assert.Equal(50, esm.Pollers.Max(p => p.Concurrency));
        Assert.Equal(5, esm.Pollers[^1].Concurrency);
        Assert.Equal(2000, esm.Completed.Count);
        Assert.All(esm.Completed, b => Assert.Equal((BatchOutcome.Success, 10, 10), (b.Outcome, b.Records, b.Deleted)));
    }

    [Fact]
    public void Success_deletes_the_batch_and_records_carry_the_message_as_the_SQS_event_shows_it()
    {
        var (t, esm, _) = Setup(f => f.ResponsePayload = "{\"ok\":true}");
        Send(t, 3);
        t.Advance(TimeSpan.FromSeconds(1));

        var batch = Assert.Single(esm.Completed);
        Assert.Equal((3, 3, 0, BatchOutcome.Success), (batch.Records, batch.Deleted, batch.Returned, batch.Outcome));
        Assert.Equal(0, Counters(t).Total);
        Assert.Equal(t.Start + Tick + TimeSpan.FromMilliseconds(100), Assert.Single(t.Events.Completed).EndTime);

        var sent = t.Model.SendMessage("dlq", "{\"id\":\"x\"}", new Dictionary<string, MessageAttribute> { ["LambdaStormId"] = MessageAttribute.String("x") }).GetValueOrThrow();
        t.Advance(TimeSpan.FromSeconds(2));
        var received = t.Model.ReceiveMessage("dlq", 1).GetValueOrThrow().Single();
        var record = LambdaModel.ToEventRecord(received);
        Assert.Equal((sent.MessageId, received.ReceiptHandle, "{\"id\":\"x\"}", 1), (record.MessageId, record.ReceiptHandle, record.Body, record.ApproximateReceiveCount));
        Assert.Equal((t.Start + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds(), record.SentTimestamp);
        Assert.Equal((t.Start + TimeSpan.FromSeconds(3)).ToUnixTimeMilliseconds(), record.ApproximateFirstReceiveTimestamp);
        Assert.Equal(sent.Md5OfMessageBody, record.Md5OfBody);
        Assert.Equal(sent.Md5OfMessageAttributes, record.Md5OfMessageAttributes);
        Assert.Equal("x", record.MessageAttributes["LambdaStormId"].StringValue);
    }

    [Fact]
    public void Without_a_batching_window_a_batch_takes_what_is_visible_and_with_one_it_waits_for_BatchSize_or_the_window()
    {
        var (t, esm, _) = Setup(mapping: m =>
        {
            m.BatchSize = 50;
            m.MaximumBatchingWindow = TimeSpan.FromSeconds(5);
        });
        Send(t, 20);
        t.AdvanceTo(TimeSpan.FromSeconds(4.9));
        Assert.Empty(esm.Completed);
        Assert.Empty(t.Events.Admitted);
        t.AdvanceTo(TimeSpan.FromSeconds(6));
        // The window closed on a partial batch: the five idle pollers share the 20 visible messages.
        Assert.All(t.Events.Admitted, a => Assert.Equal(t.Start + Tick + TimeSpan.FromSeconds(5), a.Time));
        Assert.Equal([4, 4, 4, 4, 4], esm.Completed.Select(b => b.Records));

        Send(t, 10);
        t.AdvanceTo(TimeSpan.FromSeconds(8));
        Send(t, 40);                          // BatchSize reached before the window (opened at 6 s) closes
        t.AdvanceTo(TimeSpan.FromSeconds(9));
        Assert.Equal(t.Start + TimeSpan.FromSeconds(8) + Tick, t.Events.Admitted[5].Time);
        Assert.Equal(50, esm.Completed[5].Records);

        var (u, esm2, _) = Setup();           // no window: up to BatchSize (10) of what is visible
        Send(u, 25);
        u.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([10, 10, 5], esm2.Completed.Select(b => b.Records));
        Assert.All(u.Events.Admitted, a => Assert.Equal(u.Start + Tick, a.Time));
    }

    public static TheoryData<string, bool, string, int> Responses => new()
    {
        // mode, ReportBatchItemFailures, outcome, records left in the queue (of 10 with one poison pill)
        { "Auto", true, "PartialFailure", 1 },
        { "Auto", false, "FunctionError", 10 },
        { "Partial", true, "PartialFailure", 1 },
        { "Partial", false, "Success", 0 },          // the trap: the poison pill is deleted
        { "Throw", true, "FunctionError", 10 },
        { "InvalidJson", true, "InvalidResponse", 10 },
        { "UnknownId", true, "InvalidResponse", 10 },
        { "EmptyId", true, "InvalidResponse", 10 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Partial_batch_responses_return_only_the_listed_items_and_bad_ones_fail_the_whole_batch(string modeName, bool rbif, string outcomeName, int left)
    {
        var mode = Enum.Parse<BatchResponseMode>(modeName);
        var outcome = Enum.Parse<BatchOutcome>(outcomeName);
        var (t, esm, _) = Setup(f => f.BatchResponse = mode, m => m.ReportBatchItemFailures = rbif);
        Send(t, 10, i => i == 3 ? $"{{\"id\":\"m{i}\",\"x\":\"{Poison}\"}}" : $"{{\"id\":\"m{i}\"}}");
        t.Advance(TimeSpan.FromSeconds(1));

        var batch = Assert.Single(esm.Completed);
        Assert.Equal(outcome, batch.Outcome);
        Assert.Equal(left, batch.Returned);
        Assert.Equal(10 - left, batch.Deleted);
        Assert.Equal(left, Counters(t).NotVisible);
        Assert.Equal(outcome == BatchOutcome.FunctionError, !t.Events.Completed.Single().IsSuccess);

        t.AdvanceTo(TimeSpan.FromSeconds(31));  // the returned records reappear after the visibility timeout, receive count 2,
        Assert.Equal(1 + left, esm.Completed.Count); // not as one group again: each comes back in a batch of its own here
        Assert.All(esm.Completed.Skip(1), b => Assert.Equal(1, b.Records));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_one_percent_poison_load_sends_every_poison_pill_to_the_DLQ_and_loses_no_good_message(bool rbif)
    {
        var (t, esm, _) = Setup(
            f => f.ReceiptsQueue = "receipts",
            m => m.ReportBatchItemFailures = rbif,
            maxReceiveCount: 3);
        const int total = 1000;
        var poison = Enumerable.Range(0, total).Where(i => i % 100 == 42).Select(i => $"m{i}").ToHashSet();
        Send(t, total, i => poison.Contains($"m{i}") ? $"{{\"id\":\"m{i}\",\"pill\":\"{Poison}\"}}" : $"{{\"id\":\"m{i}\"}}");
        t.AdvanceTo(TimeSpan.FromMinutes(10));

        Assert.Equal(0, Counters(t).Total);
        var dlq = Drain(t, "dlq").Select(m => m.MessageAttributes["LambdaStormId"].StringValue!).ToList();
        Assert.Equal(dlq.Count, dlq.Distinct().Count());
        var receipts = Drain(t, "receipts").Select(m => JsonDocument.Parse(m.Body).RootElement).ToList();
        var processed = receipts.Where(r => r.GetProperty("outcome").GetString() == "ok").Select(r => r.GetProperty("id").GetString()!).ToHashSet();

        Assert.Subset(dlq.ToHashSet(), poison);                     // every poison pill reaches the DLQ…
        Assert.Empty(processed.Intersect(poison));
        foreach (var id in Enumerable.Range(0, total).Select(i => $"m{i}").Except(poison))
        {
            Assert.True(processed.Contains(id) ^ dlq.Contains(id), $"{id} must be processed or in the DLQ, exactly one"); // …and no good message is lost
        }

        if (rbif)
        {
            Assert.Equal(poison.Order(), dlq.Order());               // with ReportBatchItemFailures: DLQ arrivals = poison pills
            Assert.Equal(total - poison.Count, processed.Count);
            Assert.Equal(poison.Count * 3, esm.Completed.Sum(b => b.Returned)); // three receives return each pill; the fourth moves it
        }
        else
        {
            // Without it every batch with a pill fails as a whole, three times, and its good records are re-delivered
            // (extra invocations). SQS keeps no batch membership: re-visible batch-mates come back in other batches,
            // without the pill, and are processed; only the pills reach the DLQ.
            Assert.Equal(poison.Order(), dlq.Order());
            Assert.True(esm.Completed.Count(b => b.Outcome == BatchOutcome.FunctionError) >= poison.Count * 2);
            var afterRetry = receipts.Where(r => r.GetProperty("outcome").GetString() == "ok" && r.GetProperty("attempt").GetInt32() >= 2).Count();
            Assert.True(afterRetry >= 9 * poison.Count, $"{afterRetry} good records processed after a re-delivery"); // each pill's first batch had 9 good mates
            Assert.Equal(total - dlq.Count, processed.Count);
        }
    }

    [Fact]
    public void Throttled_batches_are_held_at_the_source_retried_and_the_pollers_scale_down()
    {
        var (t, esm, uuid) = Setup(f =>
        {
            f.DurationMs = 1000;
            f.ReservedConcurrency = 2;
        });
        Send(t, 100);
        t.Advance(Tick);
        Assert.Equal(2, t.Function().Concurrency);
        Assert.Equal(5, Mapping(t, uuid).BatchesInFlight);      // 2 running, 3 held
        Assert.Equal(3, esm.Throttled.Count);
        Assert.All(esm.Throttled, e => Assert.Equal(t.Start + Tick + TimeSpan.FromSeconds(1), e.RetryAt));
        Assert.Equal(50, Counters(t).NotVisible);              // held batches stay invisible: not back in the queue

        t.AdvanceTo(TimeSpan.FromMinutes(2));
        Assert.Equal(0, Counters(t).Total);
        Assert.Equal(10, esm.Completed.Count);
        Assert.All(esm.Completed, b => Assert.Equal(BatchOutcome.Success, b.Outcome));
        Assert.Equal(0, Counters(t, "dlq").Total);
        Assert.True(t.Function().Concurrency == 0);
        Assert.All(t.Events.Completed, r => Assert.True(r.IsSuccess));

        // Scale-down: pollers grown to 305 come down to what the function runs when it starts throttling.
        var (u, esm2, uuid2) = Setup(f => f.DurationMs = 600_000, account: a => a.ConcurrencyLimit = 5000, visibility: TimeSpan.FromMinutes(15));
        Send(u, 5000);
        u.AdvanceTo(TimeSpan.FromMinutes(1) + Tick);
        Assert.Equal(305, Mapping(u, uuid2).PollerConcurrency);
        Assert.True(u.Model.PutFunctionConcurrency("fn", 310).IsSuccess);
        u.AdvanceTo(TimeSpan.FromMinutes(1.1));
        Assert.Equal(310, u.Function().Concurrency);
        Assert.NotEmpty(esm2.Throttled);
        Assert.Contains(esm2.Pollers, p => p.Concurrency == 310 && p.Time > u.Start + TimeSpan.FromMinutes(1)); // cut back to what runs…
        Assert.InRange(esm2.Pollers[^1].Concurrency, 310, 320);  // …then probing up by one step at a time (it would be 335 unthrottled)
    }

    [Fact]
    public void A_batch_held_longer_than_its_visibility_is_released_back_to_the_queue()
    {
        var (t, esm, _) = Setup(f => f.ReservedConcurrency = 0, visibility: TimeSpan.FromSeconds(5));
        Send(t, 10);
        t.AdvanceTo(TimeSpan.FromSeconds(4.5));
        Assert.Equal([0, 1, 3], esm.Throttled.Select(e => Math.Round((e.Time - t.Start).TotalSeconds, 3))); // then back-off 1 s, 2 s, and 4 s is past the visibility
        Assert.Equal(10, Counters(t).NotVisible);
        t.AdvanceTo(TimeSpan.FromSeconds(5) + Tick);
        Assert.Equal(10, Counters(t).Visible + Counters(t).NotVisible);
        Assert.Empty(esm.Completed);
    }

    [Fact]
    public void Statistics_count_batches_records_failures_throttles_and_poller_concurrency()
    {
        ModelStatistics? statistics = null;
        var (t, _, uuid) = Setup(f =>
        {
            f.ReservedConcurrency = 1;
            f.BatchResponse = BatchResponseMode.Auto;
        }, m => m.ReportBatchItemFailures = true, observe: model => statistics = new ModelStatistics(model));
        var stats = statistics!;
        Send(t, 20, i => i == 5 ? "{\"x\":\"POISON\"}" : "{}");
        t.AdvanceTo(TimeSpan.FromSeconds(40));

        var m = Assert.Single(stats.GetReport().EventSourceMappings);
        Assert.Equal((uuid, "fn", "q"), (m.Uuid, m.FunctionName, m.QueueName));
        Assert.Equal(3, m.Batches);                          // 10 + 10, then the returned pill
        Assert.Equal(21, m.Records);
        Assert.Equal(19, m.RecordsDeleted);                  // the pill is not deleted, not even the second time
        Assert.Equal((2, 2), (m.PartialFailureBatches, m.PartialFailureRecords)); // the pill, returned twice
        Assert.Equal(0, m.BatchFailures);
        Assert.True(m.ThrottledBatches >= 1);                // reserved 1: the second batch waits at the source
        Assert.Equal(5, m.PeakPollerConcurrency);
        Assert.Equal((t.Start, 5), m.PollerConcurrency[0]); // the first poll (at creation) reports the start value
    }

    [Fact]
    public void Disabled_mappings_do_not_poll_and_enabling_starts_them()
    {
        var (t, esm, uuid) = Setup(mapping: m => m.Enabled = false);
        Assert.Equal("Disabled", Mapping(t, uuid).State);
        Send(t, 10);
        t.AdvanceTo(TimeSpan.FromMinutes(1));
        Assert.Empty(esm.Completed);
        Assert.Equal(10, Counters(t).Visible);

        var updated = t.Model.UpdateEventSourceMapping(uuid, o => o.Enabled = true);
        Assert.Equal("Updating", updated.Value!.State);
        Assert.Equal("Enabled", Mapping(t, uuid).State);
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, esm.Completed.Single().Records);
    }

    [Fact]
    public void Control_plane_errors_are_AWS_errors()
    {
        var (t, _, uuid) = Setup();
        var missingFunction = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "dlq", Function = "nope" });
        Assert.Equal(("ResourceNotFoundException", 404), (missingFunction.Error!.ExceptionName, missingFunction.Error.StatusCode));
        var missingQueue = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "nope", Function = "fn" });
        Assert.Equal("InvalidParameterValueException", missingQueue.Error!.ExceptionName);
        Assert.Contains("AWS.SimpleQueueService.NonExistentQueue", missingQueue.Error.Message, StringComparison.Ordinal);
        var duplicate = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "arn:aws:sqs:us-east-1:000000000000:q", Function = "fn" });
        Assert.Equal(("ResourceConflictException", 409), (duplicate.Error!.ExceptionName, duplicate.Error.StatusCode));
        Assert.Equal(
            $"An event source mapping with SQS arn (\" arn:aws:sqs:us-east-1:000000000000:q \") and function (\" fn \") already exists. Please update or delete the existing mapping with UUID {uuid}",
            duplicate.Error.Message);
        var shortVisibility = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "receipts", Function = "fn" });
        Assert.Equal(("InvalidParameterValueException", 400), (shortVisibility.Error!.ExceptionName, shortVisibility.Error.StatusCode));
        Assert.Equal("Queue visibility timeout: 30 seconds is less than Function timeout: 900 seconds", shortVisibility.Error.Message);
        Assert.True(t.Model.SetQueueAttributes("dlq", new Dictionary<string, string> { ["VisibilityTimeout"] = "900" }).IsSuccess);
        var invalid = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "dlq", Function = "fn", BatchSize = 100 });
        Assert.Equal("InvalidParameterValueException", invalid.Error!.ExceptionName);
        Assert.Equal("ResourceNotFoundException", t.Model.GetEventSourceMapping("00000000-0000-0000-0000-000000000000").Error!.ExceptionName);

        var other = t.Model.CreateEventSourceMapping(new EventSourceMappingOptions { Queue = "dlq", Function = "fn", BatchSize = 100, MaximumBatchingWindow = TimeSpan.FromSeconds(2) }).GetValueOrThrow();
        Assert.Equal([uuid, other.Uuid], t.Model.ListEventSourceMappings().Select(m => m.Uuid));
        Assert.Equal([other.Uuid], t.Model.ListEventSourceMappings(eventSource: "arn:aws:sqs:us-east-1:000000000000:dlq").Select(m => m.Uuid));
        Assert.Equal(2, t.Model.ListEventSourceMappings(functionName: "arn:aws:lambda:us-east-1:000000000000:function:fn").Count);
        Assert.Empty(t.Model.ListEventSourceMappings(functionName: "other"));
        Assert.Equal(("arn:aws:sqs:us-east-1:000000000000:dlq", "arn:aws:lambda:us-east-1:000000000000:function:fn"), (other.EventSourceArn, other.FunctionArn));

        Assert.Equal("Deleting", t.Model.DeleteEventSourceMapping(other.Uuid).Value!.State);
        Assert.Equal("ResourceNotFoundException", t.Model.DeleteEventSourceMapping(other.Uuid).Error!.ExceptionName);
        Send(t, 5, queue: "dlq");
        t.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, Counters(t, "dlq").Visible);          // a deleted mapping no longer polls
    }

    [Fact]
    public void Mappings_configured_at_start_poll_and_their_queue_must_exist()
    {
        var options = new LambdaModelOptions
        {
            Functions = { new FunctionOptions { Name = "fn", InitDurationMs = 0 } },
            Queues = { new QueueOptions { Name = "q" } },
            EventSourceMappings =
            {
                new EventSourceMappingOptions { Queue = "q", Function = "fn" },
                new EventSourceMappingOptions { Queue = "missing", Function = "fn" },
                new EventSourceMappingOptions { Queue = "arn:aws:sqs:us-east-1:000000000000:q", Function = "fn" },
            },
        };
        var errors = options.Validate();
        Assert.Contains("EventSourceMappings[1].Queue: no queue named 'missing' (known: q)", errors);
        Assert.Contains("EventSourceMappings[2]: a mapping of queue 'q' to function 'fn' is already listed", errors);

        options.EventSourceMappings.RemoveRange(1, 2);
        var t = TestModel.Create(o =>
        {
            o.Functions.AddRange(options.Functions);
            o.Queues.AddRange(options.Queues);
            o.EventSourceMappings.AddRange(options.EventSourceMappings);
        });
        Assert.Equal("Enabled", Assert.Single(t.Model.ListEventSourceMappings()).State);
        Send(t, 4);
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Counters(t).Total);
    }

}

/// <summary>Records event source mapping and receipt events.</summary>
internal sealed class EsmRecorder : ILambdaModelObserver
{
    public List<EventSourceBatchCompleted> Completed { get; } = [];

    public List<EventSourceBatchThrottled> Throttled { get; } = [];

    public List<PollerConcurrencyChanged> Pollers { get; } = [];

    public List<ReceiptWritten> Receipts { get; } = [];

    public void OnEventSourceBatchCompleted(in EventSourceBatchCompleted e) => Completed.Add(e);

    public void OnEventSourceBatchThrottled(in EventSourceBatchThrottled e) => Throttled.Add(e);

    public void OnPollerConcurrencyChanged(in PollerConcurrencyChanged e) => Pollers.Add(e);

    public void OnReceiptWritten(in ReceiptWritten e) => Receipts.Add(e);
}
