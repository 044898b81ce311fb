using LambdaStorm.Lambda;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>Every throttle reason the model produces, as a 429 that AWS SDKs parse: <c>Reason</c>, <c>Retry-After</c>, <c>message</c>.</summary>
public sealed class ThrottleTests
{
    private static FunctionOptions Busy(string name, Action<FunctionOptions>? configure = null)
    {
        var f = new FunctionOptions { Name = name, DurationMs = 60_000, InitDurationMs = 0, TimeoutSeconds = 900 };
        configure?.Invoke(f);
        return f;
    }

    private static async Task ShouldBeThrottledAsync(HttpResponseMessage response, string reason, int retryAfter = 1)
    {
        var body = await response.ShouldBeAwsErrorAsync(429, "TooManyRequestsException");
        Assert.Equal(reason, body.GetProperty("Reason").GetString());
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal("Rate Exceeded.", body.GetProperty("message").GetString());
        Assert.Equal(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Retry-After"));
    }

    [Fact]
    public async Task Reserved_concurrency_cap_throttles_with_ReservedFunctionConcurrentInvocationLimitExceeded()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(Busy("capped", f => f.ReservedConcurrency = 1)), time);

        var running = emulator.InvokeAsync("capped");
        await emulator.WaitForAdmittedAsync(1);
        using var throttled = await emulator.InvokeAsync("capped");

        await ShouldBeThrottledAsync(throttled, "ReservedFunctionConcurrentInvocationLimitExceeded");
        time.Advance(TimeSpan.FromMinutes(1));
        using var first = await running;
        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
    }

    [Fact]
    public async Task Reserved_concurrency_zero_throttles_everything_and_deleting_it_restores_service()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("off", f => f.ReservedConcurrency = 0)));

        using var throttled = await emulator.InvokeAsync("off");
        await ShouldBeThrottledAsync(throttled, "ReservedFunctionConcurrentInvocationLimitExceeded");

        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, "/2017-10-31/functions/off/concurrency");
        using var ok = await emulator.InvokeAsync("off");
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Account_concurrency_throttles_with_ConcurrentInvocationLimitExceeded()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Account.ConcurrencyLimit = 1;
            o.Account.UnreservedMinimum = 0;
            o.Functions.Add(Busy("a"));
            o.Functions.Add(Busy("b"));
        }, time);

        var running = emulator.InvokeAsync("a");
        await emulator.WaitForAdmittedAsync(1);
        using var throttled = await emulator.InvokeAsync("b");

        await ShouldBeThrottledAsync(throttled, "ConcurrentInvocationLimitExceeded");
        time.Advance(TimeSpan.FromMinutes(1));
        (await running).Dispose();
    }

    [Fact]
    public async Task Scaling_rate_throttles_with_FunctionInvocationRateLimitExceeded()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Account.PerFunctionScaleBurst = 1;
            o.Account.PerFunctionScaleRatePerSecond = 0.1; // one new environment every 10 s
            o.Functions.Add(Busy("spiky"));
        }, time);

        var running = emulator.InvokeAsync("spiky");
        await emulator.WaitForAdmittedAsync(1);
        using var throttled = await emulator.InvokeAsync("spiky");

        await ShouldBeThrottledAsync(throttled, "FunctionInvocationRateLimitExceeded", retryAfter: 10);
        time.Advance(TimeSpan.FromMinutes(1));
        (await running).Dispose();
    }

    [Fact]
    public async Task Account_request_rate_throttles_with_Retry_After_until_the_next_token()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Account.RequestRateLimit = 1;
            o.Functions.Add(TestEmulator.Instant("chatty"));
        }, time);

        using var first = await emulator.InvokeAsync("chatty");
        using var throttled = await emulator.InvokeAsync("chatty");

        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        await ShouldBeThrottledAsync(throttled, "FunctionInvocationRateLimitExceeded");
        time.Advance(TimeSpan.FromSeconds(1));
        using var later = await emulator.InvokeAsync("chatty");
        Assert.Equal(System.Net.HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Async_invokes_are_accepted_even_when_the_function_is_throttled()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("off", f => f.ReservedConcurrency = 0)));

        using var response = await emulator.InvokeAsync("off", invocationType: "Event");

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }
}
