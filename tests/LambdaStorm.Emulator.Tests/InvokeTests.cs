using System.Net;
using System.Text.RegularExpressions;
using LambdaStorm.Lambda;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

public sealed partial class InvokeTests
{
    [Fact]
    public async Task RequestResponse_returns_200_with_the_payload_version_and_request_id()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello", f => f.ResponsePayload = """{"ok":true}""")));

        using var response = await emulator.InvokeAsync("hello", """{"name":"x"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.BodyAsync());
        Assert.Equal("$LATEST", response.Header("X-Amz-Executed-Version"));
        Assert.Null(response.Header("X-Amz-Function-Error"));
        Assert.Null(response.Header("X-Amz-Log-Result"));
        Assert.Matches(UuidPattern(), response.Header("x-amzn-RequestId"));
    }

    [Fact]
    public async Task Missing_invocation_type_means_RequestResponse_and_an_empty_payload_is_accepted()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var response = await emulator.InvokeAsync("hello", payload: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.BodyAsync());
    }

    [Fact]
    public async Task Tail_log_has_Init_Duration_on_the_cold_start_only_and_matches_the_request_id()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var cold = await emulator.InvokeAsync("hello", tail: true);
        using var warm = await emulator.InvokeAsync("hello", tail: true);

        var coldLog = ResponseExtensions.Decode(cold.Header("X-Amz-Log-Result")!);
        var warmLog = ResponseExtensions.Decode(warm.Header("X-Amz-Log-Result")!);
        var coldId = cold.Header("x-amzn-RequestId");
        Assert.Contains($"START RequestId: {coldId} Version: $LATEST", coldLog, StringComparison.Ordinal);
        Assert.Contains($"END RequestId: {coldId}", coldLog, StringComparison.Ordinal);
        Assert.Contains($"REPORT RequestId: {coldId}\t", coldLog, StringComparison.Ordinal);
        Assert.Contains("\tInit Duration: ", coldLog, StringComparison.Ordinal);
        Assert.Contains("REPORT RequestId: ", warmLog, StringComparison.Ordinal);
        Assert.DoesNotContain("Init Duration", warmLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durations_in_the_REPORT_line_follow_the_models_clock()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(
            o => o.Functions.Add(new FunctionOptions { Name = "slow", DurationMs = 100, InitDurationMs = 250, MemoryMb = 256 }), time);

        var pending = emulator.InvokeAsync("slow", tail: true);
        await emulator.WaitForAdmittedAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(350));
        using var response = await pending;

        var log = ResponseExtensions.Decode(response.Header("X-Amz-Log-Result")!);
        Assert.Contains("\tDuration: 100.00 ms\tBilled Duration: 350 ms\tMemory Size: 256 MB\t", log, StringComparison.Ordinal);
        Assert.Contains("\tInit Duration: 250.00 ms", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_error_is_200_with_X_Amz_Function_Error_and_the_error_payload()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("broken", f => f.ErrorRate = 1)));

        using var response = await emulator.InvokeAsync("broken");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Header("X-Amz-Function-Error"));
        var body = await response.JsonAsync();
        Assert.Equal("Error", body.GetProperty("errorType").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("errorMessage").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Array, body.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public async Task A_poison_payload_fails_with_PoisonPillError()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("orders", f => f.PoisonMarker = "POISON")));

        using var ok = await emulator.InvokeAsync("orders", """{"id":1}""");
        using var poisoned = await emulator.InvokeAsync("orders", """{"id":"POISON"}""");

        Assert.Null(ok.Header("X-Amz-Function-Error"));
        Assert.Equal("Unhandled", poisoned.Header("X-Amz-Function-Error"));
        Assert.Equal("PoisonPillError", (await poisoned.JsonAsync()).GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task A_timeout_is_Sandbox_Timedout_with_AWSs_message()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(
            o => o.Functions.Add(new FunctionOptions { Name = "stuck", DurationMs = 10_000, InitDurationMs = 0, TimeoutSeconds = 3 }), time);

        var pending = emulator.InvokeAsync("stuck");
        await emulator.WaitForAdmittedAsync(1);
        time.Advance(TimeSpan.FromSeconds(3));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", response.Header("X-Amz-Function-Error"));
        var body = await response.JsonAsync();
        Assert.Equal("Sandbox.Timedout", body.GetProperty("errorType").GetString());
        Assert.Equal($"RequestId: {response.Header("x-amzn-RequestId")} Error: Task timed out after 3.00 seconds", body.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task Event_returns_202_with_an_empty_body_and_the_event_runs()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("worker")));

        using var response = await emulator.InvokeAsync("worker", """{"job":1}""", "Event");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("", await response.BodyAsync());
        Assert.Matches(UuidPattern(), response.Header("x-amzn-RequestId"));
        await emulator.WaitForAdmittedAsync(1);
    }

    [Fact]
    public async Task DryRun_returns_204_for_a_function_and_404_for_an_unknown_one()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var ok = await emulator.InvokeAsync("hello", invocationType: "DryRun");
        using var missing = await emulator.InvokeAsync("nope", invocationType: "DryRun");

        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        await missing.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
        Assert.Equal(0, emulator.Model.GetSnapshot().Functions[0].WarmIdle); // nothing ran
    }

    [Fact]
    public async Task An_unknown_invocation_type_is_a_validation_error()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var response = await emulator.InvokeAsync("hello", invocationType: "Later");

        var body = await response.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Contains("'invocationType'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_function_is_404_ResourceNotFoundException_with_Message_and_the_ARN()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.InvokeAsync("nope");

        var body = await response.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", body.GetProperty("Message").GetString());
        Assert.False(body.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Invalid_JSON_is_400_InvalidRequestContentException()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var response = await emulator.InvokeAsync("hello", "{not json");

        var body = await response.ShouldBeAwsErrorAsync(400, "InvalidRequestContentException");
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.StartsWith("Could not parse request body into json: Could not parse payload into json: ", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, emulator.Model.GetAccountSettings().ConcurrentExecutionsInUse);
    }

    [Theory]
    [InlineData("RequestResponse", 6 * 1024 * 1024)]
    [InlineData("Event", 1024 * 1024)]
    public async Task Payloads_over_the_limit_are_413_RequestTooLargeException(string type, int limit)
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var atLimit = await emulator.InvokeAsync("hello", JsonString(limit), type);
        using var over = await emulator.InvokeAsync("hello", JsonString(limit + 1), type);

        Assert.True(atLimit.IsSuccessStatusCode, $"{(int)atLimit.StatusCode}: {await atLimit.BodyAsync()}");
        var body = await over.ShouldBeAwsErrorAsync(413, "RequestTooLargeException");
        Assert.Equal($"Request must be smaller than {limit} bytes for the InvokeFunction operation", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Qualifiers_versions_aliases_and_ARNs_resolve_to_the_executed_version()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api", f =>
        {
            f.PublishedVersions = 2;
            f.Aliases["live"] = "1";
        })));
        const string arn = "arn:aws:lambda:us-east-1:000000000000:function:api";

        async Task<string?> Executed(string name, string? qualifier = null)
        {
            using var r = await emulator.InvokeAsync(name, qualifier: qualifier);
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.BodyAsync());
            return r.Header("X-Amz-Executed-Version");
        }

        Assert.Equal("$LATEST", await Executed("api"));
        Assert.Equal("$LATEST", await Executed("api", "$LATEST"));
        Assert.Equal("2", await Executed("api", "2"));
        Assert.Equal("1", await Executed("api", "live"));
        Assert.Equal("1", await Executed("api:live"));
        Assert.Equal("2", await Executed("api:2"));
        Assert.Equal("1", await Executed(arn + ":live"));
        Assert.Equal("1", await Executed(arn, "live"));
        Assert.Equal("$LATEST", await Executed("000000000000:function:api"));

        using var unknown = await emulator.InvokeAsync("api", qualifier: "7");
        var body = await unknown.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
        Assert.Equal($"Function not found: {arn}:7", body.GetProperty("Message").GetString());
        using var mismatch = await emulator.InvokeAsync("api:live", qualifier: "2");
        await mismatch.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
    }

    [Fact]
    public async Task Legacy_InvokeAsync_returns_202_with_Status()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("worker")));

        using var response = await emulator.SendJsonAsync(HttpMethod.Post, "/2014-11-13/functions/worker/invoke-async/", new { job = 1 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(202, (await response.JsonAsync()).GetProperty("Status").GetInt32());
    }

    [Fact]
    public void The_log_result_is_the_last_4_KB_in_base64()
    {
        var log = new string('x', 5000) + "REPORT RequestId: r\tDuration: 1.00 ms\n";

        var decoded = ResponseExtensions.Decode(LambdaRoutes.LogResult(log));

        Assert.Equal(4096, System.Text.Encoding.UTF8.GetByteCount(decoded));
        Assert.EndsWith("REPORT RequestId: r\tDuration: 1.00 ms\n", decoded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("null", true)]
    [InlineData("\"text\"", true)]
    [InlineData("[1, {\"a\": [true]}]", true)]
    [InlineData("{\"a\":1} trailing", false)]
    [InlineData("{'a':1}", false)]
    [InlineData("{\"a\":", false)]
    public void Payloads_must_be_one_JSON_value(string payload, bool valid) =>
        Assert.Equal(valid, LambdaRoutes.JsonProblem(System.Text.Encoding.UTF8.GetBytes(payload)) is null);

    private static string JsonString(int totalBytes) => "\"" + new string('a', totalBytes - 2) + "\"";

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();
}
