using System.Net;
using LambdaStorm.Lambda;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// The emulator's optional API Gateway front (issue 9): proxy responses pass through; a function error or a malformed
/// response is 502, a Lambda throttle 500, the 29 s integration timeout 504, and the account token bucket (10,000/s,
/// burst 5,000) 429, each with API Gateway's body; (the http path's classification of them is in Core.Tests).
/// </summary>
public sealed class ApiGatewayFrontTests
{
    private static async Task<HttpResponseMessage> CallAsync(TestEmulator emulator, string function, string body = "{}")
    {
        using var content = new StringContent(body);
        return await emulator.Client.PostAsync($"/apigw/{function}/orders?x=1", content, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_proxy_response_passes_through_unsigned_even_when_the_emulator_requires_auth()
    {
        await using var emulator = await TestEmulator.StartAsync(
            o => o.Functions.Add(TestEmulator.Instant("api", f => f.ResponsePayload = """{"statusCode":201,"headers":{"x-order":"42"},"body":"created"}""")),
            credentials: new EmulatorCredentials("KEY", "SECRET"), apiGateway: true);

        using var response = await CallAsync(emulator, "api");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("created", await response.BodyAsync());
        Assert.Equal("42", response.Header("x-order"));
        Assert.NotNull(response.Header("x-amz-apigw-id"));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("""{"body":"no status"}""")]
    [InlineData("""{"statusCode":200,"body":{"not":"a string"}}""")]
    public async Task A_malformed_proxy_response_is_502(string payload)
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api", f => f.ResponsePayload = payload)), apiGateway: true);
        using var response = await CallAsync(emulator, "api");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("""{"message":"Internal server error"}""", await response.BodyAsync());
    }

    [Fact]
    public async Task A_function_error_is_502()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api", f => f.ErrorRate = 1)), apiGateway: true);
        using var response = await CallAsync(emulator, "api");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task A_Lambda_throttle_behind_API_Gateway_is_500()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api", f => f.ReservedConcurrency = 0)), apiGateway: true);
        using var response = await CallAsync(emulator, "api");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"message":"Internal server error"}""", await response.BodyAsync());
        Assert.Equal("TooManyRequestsException", response.Header("x-amzn-Lambda-Error"));
    }

    [Fact]
    public async Task A_function_slower_than_29_s_gets_504_from_the_integration_timeout()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(
            o => o.Functions.Add(new FunctionOptions { Name = "slow", DurationMs = 60_000, InitDurationMs = 0, TimeoutSeconds = 900 }), time, apiGateway: true);

        var pending = CallAsync(emulator, "slow");
        await emulator.WaitForAdmittedAsync(1);
        var advanced = TimeSpan.Zero;
        while (!pending.IsCompleted && advanced < TimeSpan.FromSeconds(59))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.WhenAny(pending, Task.Delay(20, TestContext.Current.CancellationToken));
        }

        using var response = await pending;
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("""{"message":"Endpoint request timed out"}""", await response.BodyAsync());
        Assert.InRange(advanced.TotalSeconds, 29, 35); // the 29 s timeout, not the function's 60 s
    }

    [Fact]
    public async Task The_account_throttle_is_a_token_bucket_of_10000_per_second_with_a_burst_of_5000()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api")), time);
        var front = new ApiGatewayFront(emulator.Model, time, CancellationToken.None);

        Assert.Equal(5_000, Enumerable.Range(0, 6_000).Count(_ => front.TryTake()));
        time.Advance(TimeSpan.FromMilliseconds(1)); // 10 tokens
        Assert.Equal(10, Enumerable.Range(0, 100).Count(_ => front.TryTake()));
        time.Advance(TimeSpan.FromSeconds(10)); // refills to the burst, no further
        Assert.Equal(5_000, Enumerable.Range(0, 6_000).Count(_ => front.TryTake()));
    }

    [Fact]
    public async Task API_Gateways_own_throttle_is_429_and_classified_as_such()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api")), time, apiGateway: true);
        HttpResponseMessage? throttled = null;
        for (var i = 0; i < 5_001 && throttled is null; i++)
        {
            var r = await CallAsync(emulator, "api");
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled = r;
            }
            else
            {
                r.Dispose();
            }
        }

        Assert.NotNull(throttled);
        using (throttled)
        {
            Assert.Equal("""{"message":"Too Many Requests"}""", await throttled.BodyAsync());
        }
    }
}
