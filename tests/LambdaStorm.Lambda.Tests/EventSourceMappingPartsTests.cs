using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>The pure parts of event source mappings: options, poller presets and scaling, the SQS event, partial batch responses (§5.1).</summary>
public sealed class EventSourceMappingPartsTests
{
    private static readonly long Minute = TimeSpan.TicksPerMinute;

    [Fact]
    public void Mapping_defaults_are_AWS_documented_values()
    {
        var m = new EventSourceMappingOptions { Queue = "q", Function = "fn" }.Build();
        Assert.Equal(10, m.BatchSize);
        Assert.Equal(TimeSpan.Zero, m.MaximumBatchingWindow);
        Assert.Null(m.MaximumConcurrency);
        Assert.False(m.ReportBatchItemFailures);
        Assert.True(m.Enabled);
    }

    [Fact]
    public void Mapping_validation_names_every_problem()
    {
        var options = new LambdaModelOptions
        {
            Functions = { new FunctionOptions { Name = "fn" } },
            Queues = { new QueueOptions { Name = "q" } },
            EventSourceMappings =
            {
                new EventSourceMappingOptions { Queue = "", Function = "nope", BatchSize = 0, MaximumConcurrency = 1 },
                new EventSourceMappingOptions { Queue = "q", Function = "fn", BatchSize = 11 },
                new EventSourceMappingOptions { Queue = "q", Function = "fn:live", BatchSize = 10_001, MaximumBatchingWindow = TimeSpan.FromSeconds(301), MaximumConcurrency = 1001 },
                new EventSourceMappingOptions { Queue = "q", Function = "arn:aws:lambda:us-east-1:000000000000:function:fn", BatchSize = 10_000, MaximumBatchingWindow = TimeSpan.FromSeconds(1), MaximumConcurrency = 2 },
            },
        };

        var errors = options.Validate();
        Assert.Contains("EventSourceMappings[0].Queue: must name a queue (name, URL or ARN)", errors);
        Assert.Contains("EventSourceMappings[0].BatchSize: must be between 1 and 10000 (was 0)", errors);
        Assert.Contains("EventSourceMappings[0].MaximumConcurrency: must be between 2 and 1000 when set (was 1)", errors);
        Assert.Contains("EventSourceMappings[0].Function: no function named 'nope' (known: fn)", errors);
        Assert.Contains("EventSourceMappings[1].BatchSize: more than 10 needs MaximumBatchingWindow of at least 1 s (BatchSize 11, window 0 s)", errors);
        Assert.Contains("EventSourceMappings[2].BatchSize: must be between 1 and 10000 (was 10001)", errors);
        Assert.Contains("EventSourceMappings[2].MaximumBatchingWindow: must be between 0 and 300 s (was 301 s)", errors);
        Assert.Contains("EventSourceMappings[2].MaximumConcurrency: must be between 2 and 1000 when set (was 1001)", errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("EventSourceMappings[3]", StringComparison.Ordinal));
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void Poller_numbers_default_to_standard_mode_and_the_legacy_preset_gives_60_per_minute_and_1000()
    {
        var standard = AccountSettings.Default;
        Assert.Equal(5, standard.SqsPollerInitial);             // [S13]
        Assert.Equal(300, standard.SqsPollerScaleUpPerMinute);  // [S13][S14]
        Assert.Equal(1250, standard.SqsPollerMaximum);          // [S13]

        var legacy = new AccountOptions { SqsPollerPreset = SqsPollerPreset.Legacy }.Build();
        Assert.Equal(5, legacy.SqsPollerInitial);
        Assert.Equal(60, legacy.SqsPollerScaleUpPerMinute);     // [S14]
        Assert.Equal(1000, legacy.SqsPollerMaximum);            // [S13]

        var custom = new AccountOptions { SqsPollerPreset = SqsPollerPreset.Legacy, SqsPollerInitial = 2, SqsPollerScaleUpPerMinute = 120, SqsPollerMaximum = 40 }.Build();
        Assert.Equal((2, 120, 40), (custom.SqsPollerInitial, custom.SqsPollerScaleUpPerMinute, custom.SqsPollerMaximum));

        Assert.True(SqsPollerDefaults.TryParse(" Legacy ", out var preset));
        Assert.Equal(SqsPollerPreset.Legacy, preset);
        Assert.False(SqsPollerDefaults.TryParse("fast", out _));
    }

    [Fact]
    public void Poller_account_settings_are_validated()
    {
        var errors = new LambdaModelOptions
        {
            Account = { SqsPollerInitial = 0, SqsPollerScaleUpPerMinute = 0, SqsPollerMaximum = 3, SqsPollerPreset = (SqsPollerPreset)9 },
        }.Validate();
        Assert.Contains("Account.SqsPollerInitial: must be between 1 and 100000 (was 0)", errors);
        Assert.Contains("Account.SqsPollerScaleUpPerMinute: must be between 1 and 10000000 when set (was 0)", errors);
        Assert.Contains("Account.SqsPollerPreset: must be standard or legacy (was 9)", errors);
        Assert.Contains(new LambdaModelOptions { Account = { SqsPollerInitial = 10, SqsPollerMaximum = 5 } }.Validate(), e => e.StartsWith("Account.SqsPollerMaximum: must be at least SqsPollerInitial (10)", StringComparison.Ordinal));
    }

    [Fact]
    public void Standard_scaling_starts_at_5_adds_300_per_minute_of_backlog_and_stops_at_1250()
    {
        var s = new PollerScaler(5, 300, 1250, null, 0);
        Assert.Equal(5, s.Current);
        s.Advance(0, backlog: true);
        Assert.Equal(Minute / 300, s.TicksUntilNextStep); // one more slot every 200 ms of backlog
        s.Advance(Minute / 300, backlog: true);
        Assert.Equal(6, s.Current);
        s.Advance(Minute, backlog: true);
        Assert.Equal(305, s.Current);
        s.Advance(2 * Minute, backlog: true);
        Assert.Equal(605, s.Current);
        s.Advance(10 * Minute, backlog: true);
        Assert.Equal(1250, s.Current);
        Assert.False(s.Backlog);
        Assert.Equal(long.MaxValue, s.TicksUntilNextStep);
    }

    [Fact]
    public void Scaling_grows_only_while_there_is_a_backlog_and_keeps_fractions()
    {
        var s = new PollerScaler(5, 300, 1250, null, 0);
        s.Advance(0, backlog: true);
        s.Advance(Minute / 600, backlog: false); // half a step of backlog, then none
        Assert.Equal(5, s.Current);
        s.Advance(Minute, backlog: true);        // a minute without backlog adds nothing
        Assert.Equal(5, s.Current);
        s.Advance(Minute + (Minute / 600), backlog: true);
        Assert.Equal(5, s.Current);              // the earlier half step was dropped when the backlog ended
        s.Advance(Minute + (Minute / 300), backlog: true);
        Assert.Equal(6, s.Current);              // two half steps in a row make one
    }

    [Fact]
    public void Legacy_preset_adds_60_per_minute_up_to_1000()
    {
        var s = new PollerScaler(5, 60, 1000, null, 0);
        s.Advance(0, backlog: true);
        s.Advance(Minute, backlog: true);
        Assert.Equal(65, s.Current);
        s.Advance(10 * Minute, backlog: true);
        Assert.Equal(605, s.Current);
        s.Advance(20 * Minute, backlog: true);
        Assert.Equal(1000, s.Current);
    }

    [Fact]
    public void MaximumConcurrency_caps_scaling_and_the_idle_floor()
    {
        var s = new PollerScaler(5, 300, 1250, 50, 0);
        s.Advance(0, backlog: true);
        s.Advance(Minute, backlog: true);
        Assert.Equal(50, s.Current);
        Assert.Equal(50, s.Cap);

        var two = new PollerScaler(5, 300, 1250, 2, 0);
        Assert.Equal(2, two.Current);
        Assert.Equal(2, two.Floor);
    }

    [Fact]
    public void An_empty_queue_scales_down_to_the_floor_and_a_throttle_to_what_runs()
    {
        var s = new PollerScaler(5, 300, 1250, null, 0);
        s.Advance(0, backlog: true);
        s.Advance(Minute, backlog: true);
        Assert.Equal(305, s.Current);
        s.Throttled(Minute, running: 100);
        Assert.Equal(100, s.Current);
        Assert.False(s.Backlog);
        s.Throttled(Minute, running: 1);
        Assert.Equal(5, s.Current);
        s.Advance(Minute, backlog: true);
        s.Advance(2 * Minute, backlog: true);
        Assert.Equal(305, s.Current);
        s.Idle(2 * Minute);
        Assert.Equal(5, s.Current);
    }

    [Fact]
    public void The_SQS_event_has_AWS_exact_shape()
    {
        var record = new SqsEventRecord
        {
            MessageId = "059f36b4-87a3-44ab-83d2-661975830a7d",
            ReceiptHandle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
            Body = "{\"id\":\"a\"}",
            ApproximateReceiveCount = 2,
            SentTimestamp = 1545082649183,
            ApproximateFirstReceiveTimestamp = 1545082649185,
            SenderId = "AIDAIENQZJOLO23YVJ4VO",
            Md5OfBody = "e4e68fb7bd0e697a0ae8f1bb342846b3",
            Md5OfMessageAttributes = "582c92c5c5b6ac403040a4f3ab3115c9",
            MessageAttributes = new Dictionary<string, SqsEventAttribute>
            {
                ["LambdaStormId"] = new("String", "a", null),
                ["Blob"] = new("Binary", null, [1, 2, 3]),
            },
        };
        var plain = record with { MessageId = "m2", MessageAttributes = new Dictionary<string, SqsEventAttribute>(), Md5OfMessageAttributes = null };

        using var doc = JsonDocument.Parse(SqsEvent.Build([record, plain], "arn:aws:sqs:us-east-2:123456789012:my-queue", "us-east-2"));
        var records = doc.RootElement.GetProperty("Records");
        Assert.Equal(["Records"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, records.GetArrayLength());
        var r = records[0];
        Assert.Equal(
            ["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody", "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"id\":\"a\"}", r.GetProperty("body").GetString());
        var attributes = r.GetProperty("attributes");
        Assert.Equal(["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"], attributes.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2", attributes.GetProperty("ApproximateReceiveCount").GetString());
        Assert.Equal("1545082649183", attributes.GetProperty("SentTimestamp").GetString());
        Assert.Equal("1545082649185", attributes.GetProperty("ApproximateFirstReceiveTimestamp").GetString());
        var id = r.GetProperty("messageAttributes").GetProperty("LambdaStormId");
        Assert.Equal(["stringValue", "stringListValues", "binaryListValues", "dataType"], id.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a", id.GetProperty("stringValue").GetString());
        Assert.Equal("String", id.GetProperty("dataType").GetString());
        var blob = r.GetProperty("messageAttributes").GetProperty("Blob");
        Assert.Equal("AQID", blob.GetProperty("binaryValue").GetString());
        Assert.Equal("aws:sqs", r.GetProperty("eventSource").GetString());
        Assert.Equal("arn:aws:sqs:us-east-2:123456789012:my-queue", r.GetProperty("eventSourceARN").GetString());
        Assert.Equal("us-east-2", r.GetProperty("awsRegion").GetString());
        Assert.False(records[1].TryGetProperty("md5OfMessageAttributes", out _));
        Assert.Equal(JsonValueKind.Object, records[1].GetProperty("messageAttributes").ValueKind);
    }

    public static TheoryData<string, bool, string[]> Responses => new()
    {
        // Full success [S16]: empty or null list, empty or null response.
        { "", false, [] },
        { "null", false, [] },
        { "{}", false, [] },
        { "{\"batchItemFailures\":null}", false, [] },
        { "{\"batchItemFailures\":[]}", false, [] },
        { "{\"ok\":true}", false, [] },
        // Partial: only the listed ids return (duplicates once).
        { "{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}", false, ["m2"] },
        { "{\"batchItemFailures\":[{\"itemIdentifier\":\"m3\"},{\"itemIdentifier\":\"m1\"},{\"itemIdentifier\":\"m3\"}]}", false, ["m3", "m1"] },
        // Whole batch fails: invalid JSON, empty/null/bad-key itemIdentifier, unknown id.
        { "{\"batchItemFailures\":[{\"itemIdentifier\":", true, [] },
        { "not json", true, [] },
        { "\"ok\"", true, [] },
        { "{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}", true, [] },
        { "{\"batchItemFailures\":[{\"itemIdentifier\":null}]}", true, [] },
        { "{\"batchItemFailures\":[{\"itemIdentifer\":\"m1\"}]}", true, [] },
        { "{\"batchItemFailures\":[{\"itemIdentifier\":\"m9\"}]}", true, [] },
        { "{\"batchItemFailures\":[{\"itemIdentifier\":\"m1\"},{\"itemIdentifier\":\"m9\"}]}", true, [] },
        { "{\"batchItemFailures\":\"m1\"}", true, [] },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Partial_batch_responses_follow_AWS_rules(string response, bool wholeBatchFails, string[] failed)
    {
        var result = BatchItemFailures.Parse(Encoding.UTF8.GetBytes(response), ["m1", "m2", "m3"]);
        Assert.Equal(wholeBatchFails, result.WholeBatchFailed);
        Assert.Equal(wholeBatchFails, result.Problem is not null);
        Assert.Equal(failed, result.FailedMessageIds);
    }

    [Fact]
    public void The_emulated_function_answers_by_its_batch_response_mode()
    {
        var ok = "null"u8.ToArray();
        string[] failed = ["m2"];
        string[] batch = ["m1", "m2"];

        Assert.Equal(new BatchFunctionResponse(false, ok), BatchFunctionResponse.For(BatchResponseMode.Throw, true, [], ok));
        Assert.True(BatchFunctionResponse.For(BatchResponseMode.Auto, false, failed, ok).Throws);
        Assert.True(BatchFunctionResponse.For(BatchResponseMode.Throw, true, failed, ok).Throws);

        var auto = BatchFunctionResponse.For(BatchResponseMode.Auto, true, failed, ok);
        Assert.False(auto.Throws);
        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}", Encoding.UTF8.GetString(auto.Response!));
        Assert.Equal(["m2"], BatchItemFailures.Parse(auto.Response, batch).FailedMessageIds);

        var partial = BatchFunctionResponse.For(BatchResponseMode.Partial, false, failed, ok);
        Assert.False(partial.Throws);
        Assert.Equal(auto.Response, partial.Response);

        foreach (var mode in new[] { BatchResponseMode.InvalidJson, BatchResponseMode.UnknownId, BatchResponseMode.EmptyId })
        {
            var bad = BatchFunctionResponse.For(mode, true, failed, ok);
            Assert.False(bad.Throws);
            Assert.True(BatchItemFailures.Parse(bad.Response, batch).WholeBatchFailed, mode.ToString());
        }
    }

    [Fact]
    public void Batch_response_modes_and_receipts_queue_come_from_LAMBDASTORM_variables()
    {
        var options = FunctionOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["LAMBDASTORM_BATCH_RESPONSE"] = "invalid-json",
            ["LAMBDASTORM_RECEIPTS_QUEUE"] = " receipts ",
        });
        options.Name = "fn";
        Assert.Equal(BatchResponseMode.InvalidJson, options.BatchResponse);
        Assert.Equal("receipts", options.ReceiptsQueue);
        Assert.Empty(options.Validate());

        var settings = options.Build().Version;
        Assert.Equal(BatchResponseMode.InvalidJson, settings.BatchResponse);
        Assert.Equal("receipts", settings.ReceiptsQueue);

        options.ApplyEnvironment(new Dictionary<string, string>());
        Assert.Equal(BatchResponseMode.Auto, options.BatchResponse);
        Assert.Null(options.ReceiptsQueue);

        var bad = FunctionOptions.FromEnvironment(new Dictionary<string, string> { ["LAMBDASTORM_BATCH_RESPONSE"] = "sometimes" });
        Assert.Contains(bad.Validate(), e => e.Contains("LAMBDASTORM_BATCH_RESPONSE: must be auto, partial, throw, invalid-json, unknown-id or empty-id (was 'sometimes')", StringComparison.Ordinal));

        foreach (var name in new[] { "auto", "partial", "throw", "invalid-json", "unknown-id", "empty-id" })
        {
            Assert.True(BatchResponseModeNames.TryParse(name, out var mode));
            Assert.Equal(name, BatchResponseModeNames.Name(mode));
        }
    }
}
