using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LambdaStorm.Emulator.Tests;

/// <summary>The SQS AWS JSON 1.0 wire format as raw HTTP: headers, error shapes, unknown actions, and the queue metrics.</summary>
public sealed class SqsWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> PostAsync(TestEmulator emulator, string target, string body, string contentType = "application/x-amz-json-1.0")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (target.Length > 0)
        {
            request.Headers.Add("X-Amz-Target", target);
        }

        return await emulator.Client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Successes_are_JSON_1_0_with_a_request_id_and_errors_carry_type_message_and_the_query_error_header()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }));

        using var ok = await PostAsync(emulator, "AmazonSQS.SendMessage", """{"QueueUrl":"q","MessageBody":"hello"}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("application/x-amz-json-1.0", ok.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(ok.Header("x-amzn-RequestId")));
        var sent = await ok.JsonAsync();
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", sent.GetProperty("MD5OfMessageBody").GetString());

        using var missing = await PostAsync(emulator, "AmazonSQS.GetQueueUrl", """{"QueueName":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue;Sender", missing.Header("x-amzn-query-error"));
        Assert.False(string.IsNullOrEmpty(missing.Header("x-amzn-RequestId")));
        var error = await missing.JsonAsync();
        Assert.Equal("com.amazonaws.sqs#QueueDoesNotExist", error.GetProperty("__type").GetString());
        Assert.Equal("The specified queue does not exist.", error.GetProperty("message").GetString());

        using var purge = await PostAsync(emulator, "AmazonSQS.PurgeQueue", """{"QueueUrl":"q"}""");
        using var purgeAgain = await PostAsync(emulator, "AmazonSQS.PurgeQueue", """{"QueueUrl":"q"}""");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, purgeAgain.StatusCode);
        Assert.Equal("AWS.SimpleQueueService.PurgeQueueInProgress;Sender", purgeAgain.Header("x-amzn-query-error"));

        using var notInflight = await PostAsync(emulator, "AmazonSQS.DeleteMessage", """{"QueueUrl":"q","ReceiptHandle":"x"}""");
        Assert.Equal(HttpStatusCode.NotFound, notInflight.StatusCode);
        Assert.Equal("ReceiptHandleIsInvalid;Sender", notInflight.Header("x-amzn-query-error"));

        using var noQueueUrl = await PostAsync(emulator, "AmazonSQS.SendMessage", """{"MessageBody":"x"}""");
        Assert.Equal("MissingParameter;Sender", noQueueUrl.Header("x-amzn-query-error"));
        Assert.Equal("The request must contain the parameter QueueUrl.", (await noQueueUrl.JsonAsync()).GetProperty("message").GetString());

        using var wrongType = await PostAsync(emulator, "AmazonSQS.ReceiveMessage", """{"QueueUrl":"q","MaxNumberOfMessages":"ten"}""");
        Assert.Equal("com.amazon.coral.service#SerializationException", (await wrongType.JsonAsync()).GetProperty("__type").GetString());

        using var notJson = await PostAsync(emulator, "AmazonSQS.ListQueues", "{nope");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("com.amazon.coral.service#SerializationException", (await notJson.JsonAsync()).GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Unknown_actions_and_FIFO_only_parameters_get_clear_errors()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Queues.Add(new Lambda.QueueOptions { Name = "q" }));

        using var unknown = await PostAsync(emulator, "AmazonSQS.StartMessageMoveTask", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("InvalidAction;Sender", unknown.Header("x-amzn-query-error"));
        var body = await unknown.JsonAsync();
        Assert.Equal("com.amazon.coral.service#UnknownOperationException", body.GetProperty("__type").GetString());
        Assert.Contains("AmazonSQS.StartMessageMoveTask", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var group = await PostAsync(emulator, "AmazonSQS.SendMessage", """{"QueueUrl":"q","MessageBody":"x","MessageGroupId":"g"}""");
        Assert.Equal("InvalidParameterValue;Sender", group.Header("x-amzn-query-error"));
        Assert.Contains("not valid for this queue type", (await group.JsonAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);

        using var fifo = await PostAsync(emulator, "AmazonSQS.CreateQueue", """{"QueueName":"jobs.fifo"}""");
        Assert.Equal("AWS.SimpleQueueService.UnsupportedOperation;Sender", fifo.Header("x-amzn-query-error"));

        // Without an SQS target, POST / is no Lambda operation either.
        using var noTarget = await PostAsync(emulator, "", "{}", "application/json");
        Assert.Equal(HttpStatusCode.NotFound, noTarget.StatusCode);
        Assert.Equal("UnknownOperationException", noTarget.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task Metrics_show_queue_depth_by_state_and_message_totals()
    {
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Queues.Add(new Lambda.QueueOptions { Name = "jobs" });
            o.Queues.Add(new Lambda.QueueOptions { Name = "gone" });
        });
        foreach (var body in new[] { "a", "b", "c" })
        {
            (await PostAsync(emulator, "AmazonSQS.SendMessage", $$"""{"QueueUrl":"jobs","MessageBody":"{{body}}"}""")).Dispose();
        }

        (await PostAsync(emulator, "AmazonSQS.SendMessage", """{"QueueUrl":"jobs","MessageBody":"d","DelaySeconds":600}""")).Dispose();
        using var received = await PostAsync(emulator, "AmazonSQS.ReceiveMessage", """{"QueueUrl":"jobs","MaxNumberOfMessages":2}""");
        var handle = (await received.JsonAsync()).GetProperty("Messages")[0].GetProperty("ReceiptHandle").GetString();
        (await PostAsync(emulator, "AmazonSQS.DeleteMessage", JsonSerializer.Serialize(new { QueueUrl = "jobs", ReceiptHandle = handle }))).Dispose();
        var before = await ScrapeAsync(emulator);
        Assert.Contains("lambdastorm_emulator_queue_messages{queue=\"gone\",state=\"visible\"} 0", before, StringComparison.Ordinal);
        (await PostAsync(emulator, "AmazonSQS.DeleteQueue", """{"QueueUrl":"gone"}""")).Dispose();

        var text = await ScrapeAsync(emulator);
        Assert.Contains("# TYPE lambdastorm_emulator_queue_messages gauge", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "lambdastorm_emulator_queue_messages{queue=\"jobs\",state=\"visible\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_queue_messages{queue=\"jobs\",state=\"not_visible\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_queue_messages{queue=\"jobs\",state=\"delayed\"}"));
        Assert.Equal(4, Value(text, "lambdastorm_emulator_queue_messages_sent_total{queue=\"jobs\"}"));
        Assert.Equal(2, Value(text, "lambdastorm_emulator_queue_messages_received_total{queue=\"jobs\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_queue_messages_deleted_total{queue=\"jobs\"}"));
        Assert.DoesNotContain("queue=\"gone\"", text, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(TestEmulator emulator)
    {
        using var response = await emulator.Client.GetAsync("metrics", Ct);
        return await response.BodyAsync();
    }

    private static double Value(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in\n{text}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
