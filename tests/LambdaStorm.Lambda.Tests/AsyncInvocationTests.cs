using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>Asynchronous invocation: retries, throttle back-off, event age, destinations, DLQ, reserved = 0, duplicates (§2.3, §4).</summary>
public sealed class AsyncInvocationTests
{
    private const string FailureQueue = "arn:aws:sqs:us-east-1:000000000000:failures";
    private const string SuccessQueue = "arn:aws:sqs:us-east-1:000000000000:successes";
    private const string DeadLetterQueue = "arn:aws:sqs:us-east-1:000000000000:dlq";

    private static void AlwaysFails(FunctionOptions f)
    {
        f.InitDurationMs = 0;
        f.DurationMs = 100;
        f.ErrorRate = 1;
        f.AsyncConfig.OnFailure = FailureQueue;
    }

    [Fact]
    public void Function_errors_are_retried_twice_one_then_two_minutes_apart_then_sent_to_the_failure_destination()
    {
        var t = TestModel.WithFunction(AlwaysFails);

        var accepted = t.InvokeAsync(payload: "{\"id\":1}");
        Assert.True(accepted.IsAccepted);
        t.Advance(TimeSpan.FromHours(1));

        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(60.1), TimeSpan.FromSeconds(180.2)],
            t.Events.Admitted.Select(a => a.Time - t.Start));
        Assert.All(t.Events.Completed, r => Assert.Equal(accepted.RequestId, r.RequestId));
        Assert.Equal([1, 2, 3], t.Events.Completed.Select(r => r.Attempt));
        Assert.All(t.Events.Retries, r => Assert.Equal(AsyncRetryCause.FunctionError, r.Cause));

        var finished = Assert.Single(t.Events.Finished);
        Assert.Equal(AsyncCondition.RetriesExhausted, finished.Condition);
        Assert.Equal(3, finished.InvokeCount);
        Assert.Equal(t.Start + TimeSpan.FromSeconds(180.3), finished.Time);

        var delivery = Assert.Single(t.Sink.Received);
        Assert.Equal(DestinationKind.OnFailure, delivery.Kind);
        Assert.Equal(FailureQueue, delivery.TargetArn);
        using var record = JsonDocument.Parse(delivery.Body);
        var root = record.RootElement;
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal("2026-01-01T00:03:00.300Z", root.GetProperty("timestamp").GetString());
        var context = root.GetProperty("requestContext");
        Assert.Equal(accepted.RequestId, context.GetProperty("requestId").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(3, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(1, root.GetProperty("requestPayload").GetProperty("id").GetInt32());
        var response = root.GetProperty("responseContext");
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", response.GetProperty("executedVersion").GetString());
        Assert.Equal("Unhandled", response.GetProperty("functionError").GetString());
        Assert.Equal("Error", root.GetProperty("responsePayload").GetProperty("errorType").GetString());
        Assert.Equal(
            ["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"],
            root.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void MaximumRetryAttempts_zero_means_a_single_attempt()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.MaximumRetryAttempts = 0;
        });

        t.InvokeAsync();
        t.Advance(TimeSpan.FromHours(1));
        Assert.Single(t.Events.Admitted);
        Assert.Equal(1, Assert.Single(t.Events.Finished).InvokeCount);
    }

    [Fact]
    public void Retry_delays_are_configurable_for_demos()
    {
        var t = TestModel.WithFunction(AlwaysFails, a => a.AsyncRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        t.InvokeAsync();
        t.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(1.1), TimeSpan.FromSeconds(3.2)], t.Events.Admitted.Select(a => a.Time - t.Start));
    }

    [Fact]
    public void A_retry_that_succeeds_goes_to_the_success_destination()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.OnSuccess = SuccessQueue;
            f.ResponsePayload = "{\"ok\":true}";
        });

        t.InvokeAsync();
        t.Advance(TimeSpan.FromSeconds(1));
        t.Model.UpdateFunctionConfiguration("fn", o => o.ErrorRate = 0);
        t.Advance(TimeSpan.FromMinutes(5));

        var finished = Assert.Single(t.Events.Finished);
        Assert.Equal(AsyncCondition.Success, finished.Condition);
        Assert.Equal(2, finished.InvokeCount);
        var delivery = Assert.Single(t.Sink.Received);
        using var record = JsonDocument.Parse(delivery.Body);
        Assert.Equal("Success", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(2, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(record.RootElement.GetProperty("responseContext").TryGetProperty("functionError", out _));
        Assert.True(record.RootElement.GetProperty("responsePayload").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Throttled_events_back_off_from_1s_doubling_to_a_5_minute_cap_without_using_retry_attempts()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 600_000;
            f.TimeoutSeconds = 900;
            f.ReservedConcurrency = 1;
        });

        Assert.True(t.Invoke().IsAdmitted); // holds the only slot for 10 min
        t.InvokeAsync();
        t.Advance(TimeSpan.FromMinutes(20));

        var attempts = t.Events.Throttled.Where(e => e.InvocationType == InvocationType.Event).Select(e => (e.Time - t.Start).TotalSeconds).ToList();
        Assert.Equal([0, 1, 3, 7, 15, 31, 63, 127, 255, 511], attempts);
        var admittedAsync = t.Events.Admitted.Single(a => a.InvocationType == InvocationType.Event);
        Assert.Equal(TimeSpan.FromSeconds(811), admittedAsync.Time - t.Start); // 511 + 300 (cap)
        Assert.Equal(1, admittedAsync.Attempt);
        Assert.All(t.Events.Retries, r => Assert.Equal(AsyncRetryCause.Throttled, r.Cause));
    }

    [Fact]
    public void Events_older_than_MaximumEventAgeInSeconds_expire_with_EventAgeExceeded()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 600_000;
            f.TimeoutSeconds = 900;
            f.ReservedConcurrency = 1;
            f.AsyncConfig.MaximumEventAgeInSeconds = 60;
            f.AsyncConfig.OnFailure = FailureQueue;
        });

        t.Invoke();
        t.InvokeAsync();
        t.Advance(TimeSpan.FromMinutes(5));

        var finished = Assert.Single(t.Events.Finished);
        Assert.Equal(AsyncCondition.EventAgeExceeded, finished.Condition);
        Assert.Equal(0, finished.InvokeCount);
        Assert.Equal(TimeSpan.FromSeconds(60), finished.Age);
        using var record = JsonDocument.Parse(Assert.Single(t.Sink.Received).Body);
        Assert.Equal("EventAgeExceeded", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(429, record.RootElement.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public void An_expiry_before_the_next_function_error_retry_wins()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.MaximumEventAgeInSeconds = 60;
        });

        t.InvokeAsync();
        t.Advance(TimeSpan.FromMinutes(5));
        var finished = Assert.Single(t.Events.Finished);
        Assert.Equal(AsyncCondition.EventAgeExceeded, finished.Condition);
        Assert.Equal(1, finished.InvokeCount);
        Assert.Equal(t.Start.AddSeconds(60), finished.Time);
    }

    [Fact]
    public void Reserved_zero_sends_events_straight_to_the_failure_targets_without_retries()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.ReservedConcurrency = 0;
            f.AsyncConfig.OnFailure = FailureQueue;
            f.DeadLetterTargetArn = DeadLetterQueue;
        });

        var accepted = t.InvokeAsync(payload: "{\"order\":42}");
        Assert.True(accepted.IsAccepted); // still 202
        var finished = Assert.Single(t.Events.Finished);
        Assert.Equal(AsyncCondition.RetriesExhausted, finished.Condition);
        Assert.Equal(0, finished.InvokeCount);
        Assert.Equal(t.Start, finished.Time);
        Assert.Empty(t.Events.Retries);
        Assert.Empty(t.Events.Admitted);

        Assert.Equal(2, t.Sink.Received.Count);
        var dlq = t.Sink.Received.Single(d => d.Kind == DestinationKind.DeadLetter);
        Assert.Equal("{\"order\":42}", dlq.Body); // the raw event
        Assert.Equal(accepted.RequestId, dlq.Attributes["RequestID"]);
        Assert.Equal("429", dlq.Attributes["ErrorCode"]);
        Assert.True(t.Model.IsQuiescent);
    }

    [Fact]
    public void A_dead_letter_queue_gets_the_raw_event_and_error_attributes()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.OnFailure = null;
            f.DeadLetterTargetArn = DeadLetterQueue;
            f.AsyncConfig.MaximumRetryAttempts = 1;
        });

        t.InvokeAsync(payload: "not json");
        t.Advance(TimeSpan.FromHours(1));
        var dlq = Assert.Single(t.Sink.Received);
        Assert.Equal(DestinationKind.DeadLetter, dlq.Kind);
        Assert.Equal("not json", dlq.Body);
        Assert.Equal("200", dlq.Attributes["ErrorCode"]);
        Assert.StartsWith("Injected failure", dlq.Attributes["ErrorMessage"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_function_in_the_model_is_invoked_asynchronously_with_the_record()
    {
        var t = TestModel.Create(o =>
        {
            var fn = new FunctionOptions { Name = "fn", InitDurationMs = 0, DurationMs = 100 };
            fn.AsyncConfig.OnSuccess = "arn:aws:lambda:us-east-1:000000000000:function:audit";
            o.Functions.Add(fn);
            o.Functions.Add(new FunctionOptions { Name = "audit", InitDurationMs = 0, DurationMs = 10 });
        });

        var accepted = t.InvokeAsync(payload: "\"hello\"");
        t.Advance(TimeSpan.FromSeconds(5));

        var audit = t.Events.Completed.Single(r => r.FunctionName == "audit");
        Assert.True(audit.IsSuccess);
        Assert.Equal(2, t.Events.Finished.Count);
        var delivery = Assert.Single(t.Events.Deliveries);
        Assert.True(delivery.Delivered);
        Assert.Contains(accepted.RequestId, delivery.Delivery.Body, StringComparison.Ordinal);
        Assert.Equal("hello", JsonDocument.Parse(delivery.Delivery.Body).RootElement.GetProperty("requestPayload").GetString());
    }

    [Fact]
    public void A_destination_nobody_knows_is_a_delivery_failure()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.MaximumRetryAttempts = 0;
            f.AsyncConfig.OnFailure = "arn:aws:sns:us-east-1:000000000000:alerts";
        });

        t.InvokeAsync();
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.False(Assert.Single(t.Events.Deliveries).Delivered);
    }

    [Fact]
    public void Duplicate_delivery_runs_the_event_twice_with_the_same_request_id()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
            f.DuplicateDeliveryProbability = 1;
        });

        var accepted = t.InvokeAsync();
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, t.Events.Completed.Count);
        Assert.All(t.Events.Completed, r => Assert.Equal(accepted.RequestId, r.RequestId));
        Assert.Single(t.Events.Completed, r => r.IsDuplicate);
        Assert.Equal(2, t.Events.Finished.Count(f => f.Condition == AsyncCondition.Success));
    }

    [Fact]
    public void Duplicate_delivery_is_off_by_default_and_follows_its_probability()
    {
        var none = TestModel.WithFunction(f => f.DurationMs = 1);
        var some = TestModel.WithFunction(f =>
        {
            f.DurationMs = 1;
            f.DuplicateDeliveryProbability = 0.1;
        });

        foreach (var t in new[] { none, some })
        {
            for (var i = 0; i < 2000; i++)
            {
                t.InvokeAsync();
                t.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        Assert.DoesNotContain(none.Events.Queued, q => q.IsDuplicate);
        Assert.InRange(some.Events.Queued.Count(q => q.IsDuplicate), 140, 260);
    }

    [Fact]
    public void Async_payloads_are_limited_to_1_MB()
    {
        var t = TestModel.WithFunction();
        var rejected = t.Model.InvokeAsync("fn", null, new byte[(1024 * 1024) + 1]);
        Assert.False(rejected.IsAccepted);
        Assert.Equal("RequestTooLargeException", rejected.Error!.ExceptionName);
        Assert.Equal(413, rejected.Error.StatusCode);
        Assert.True(t.Model.InvokeAsync("fn", null, new byte[1024 * 1024]).IsAccepted);
    }

    [Fact]
    public void Event_invoke_configs_can_be_put_got_and_validated_per_qualifier()
    {
        var t = TestModel.WithFunction(f =>
        {
            AlwaysFails(f);
            f.AsyncConfig.OnFailure = null;
            f.PublishedVersions = 1;
        });

        var missing = t.Model.GetFunctionEventInvokeConfig("fn", "1");
        Assert.Equal("ResourceNotFoundException", missing.Error!.ExceptionName);
        Assert.Equal("The function arn:aws:lambda:us-east-1:000000000000:function:fn:1 doesn't have an EventInvokeConfig", missing.Error.Message);

        var invalid = t.Model.PutFunctionEventInvokeConfig("fn", "1", new EventInvokeConfigOptions { MaximumRetryAttempts = 3, MaximumEventAgeInSeconds = 30 });
        Assert.Contains("MaximumRetryAttempts", invalid.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("MaximumEventAgeInSeconds", invalid.Error.Message, StringComparison.Ordinal);

        var put = t.Model.PutFunctionEventInvokeConfig("fn", "1", new EventInvokeConfigOptions { MaximumRetryAttempts = 0, OnFailure = FailureQueue }).GetValueOrThrow();
        Assert.Equal(0, put.Settings.MaximumRetryAttempts);
        Assert.Equal(21600, put.Settings.MaximumEventAgeInSeconds);
        Assert.Equal(put, t.Model.GetFunctionEventInvokeConfig("fn", "1").GetValueOrThrow());

        t.InvokeAsync(qualifier: "1");
        t.InvokeAsync(); // $LATEST keeps the defaults: 3 attempts
        t.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, t.Events.Finished.Single(f => f.Qualifier == "1").InvokeCount);
        Assert.Equal(3, t.Events.Finished.Single(f => f.Qualifier == "$LATEST").InvokeCount);
        Assert.Single(t.Sink.Received);
    }
}
