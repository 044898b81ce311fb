using System.Globalization;
using System.Text.RegularExpressions;
using LambdaStorm.Lambda;

namespace LambdaStorm.Emulator.Tests;

/// <summary>The Prometheus exposition text a scraper sees at <c>/metrics</c>.</summary>
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_expose_invocations_throttles_cold_starts_environments_async_and_cost()
    {
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Functions.Add(TestEmulator.Instant("hello"));
            o.Functions.Add(TestEmulator.Instant("off", f => f.ReservedConcurrency = 0));
            o.Functions.Add(TestEmulator.Instant("failing", f =>
            {
                f.ErrorRate = 1;
                f.AsyncConfig.MaximumRetryAttempts = 0;
                f.AsyncConfig.OnFailure = "arn:aws:sqs:us-east-1:000000000000:nowhere";
            }));
        });

        (await emulator.InvokeAsync("hello")).Dispose();
        (await emulator.InvokeAsync("hello")).Dispose();
        (await emulator.InvokeAsync("off")).Dispose();
        (await emulator.InvokeAsync("nope")).Dispose();
        (await emulator.InvokeAsync("failing", invocationType: "Event")).Dispose();
        await emulator.WaitForAsyncFinishedAsync(1);

        using var response = await emulator.Client.GetAsync("metrics", TestContext.Current.CancellationToken);
        var text = await response.BodyAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# HELP lambdastorm_emulator_invocations_total Completed executions", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE lambdastorm_emulator_invocations_total counter", text, StringComparison.Ordinal);
        Assert.Equal(2, Value(text, "lambdastorm_emulator_invocations_total{function=\"hello\",outcome=\"success\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_invocations_total{function=\"failing\",outcome=\"error\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_throttles_total{function=\"off\",reason=\"ReservedFunctionConcurrentInvocationLimitExceeded\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_rejected_invocations_total{reason=\"ResourceNotFoundException\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_cold_starts_total{function=\"hello\"}"));
        Assert.Contains("# TYPE lambdastorm_emulator_init_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "lambdastorm_emulator_init_duration_seconds_count{function=\"hello\"}"));
        Assert.True(Value(text, "lambdastorm_emulator_estimated_cost_usd_total{function=\"hello\"}") > 0);

        Assert.Equal(0, Value(text, "lambdastorm_emulator_concurrent_executions{function=\"hello\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_environments_warm{function=\"hello\"}"));
        Assert.Equal(0, Value(text, "lambdastorm_emulator_environments_busy{function=\"hello\"}"));
        Assert.Equal(0, Value(text, "lambdastorm_emulator_environments_provisioned{function=\"hello\"}"));
        Assert.Equal(0, Value(text, "lambdastorm_emulator_reserved_concurrency{function=\"off\"}"));
        Assert.Equal(0, Value(text, "lambdastorm_emulator_account_concurrent_executions"));
        Assert.Equal(1000, Value(text, "lambdastorm_emulator_account_concurrency_limit"));
        Assert.Equal(1000, Value(text, "lambdastorm_emulator_unreserved_concurrency"));
        Assert.Equal(3, Value(text, "lambdastorm_emulator_functions"));

        Assert.Equal(1, Value(text, "lambdastorm_emulator_async_events_received_total{function=\"failing\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_async_events_dropped_total{function=\"failing\",reason=\"retries_exhausted\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_async_events_finished_total{function=\"failing\",outcome=\"retries_exhausted\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_async_event_age_seconds_count{function=\"failing\"}"));
        Assert.Equal(0, Value(text, "lambdastorm_emulator_async_queue_depth{function=\"failing\"}"));
        Assert.Equal(1, Value(text, "lambdastorm_emulator_destination_deliveries_total{function=\"failing\",reason=\"on_failure\",outcome=\"failed\"}"));
        // Its on-failure destination does not exist, so the event left no record: lost (the harness's live lost count).
        Assert.Equal(1, Value(text, "lambdastorm_emulator_async_events_lost_total{function=\"failing\",reason=\"retries_exhausted\"}"));

        // Every sample carries the prefix, every metric has HELP and TYPE, and labels come from the fixed set.
        var samples = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.All(samples, l => Assert.StartsWith("lambdastorm_emulator_", l, StringComparison.Ordinal));
        var names = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.All(names, n => Assert.Contains($"# HELP {n} ", text, StringComparison.Ordinal));
        var labels = LabelName().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.All(labels, l => Assert.Contains(l, new[] { "function", "reason", "outcome", "le" }));
    }

    [Fact]
    public async Task Deleted_functions_leave_the_gauges()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("temp")));
        using var before = await emulator.Client.GetAsync("metrics", TestContext.Current.CancellationToken);
        Assert.Contains("lambdastorm_emulator_concurrent_executions{function=\"temp\"}", await before.BodyAsync(), StringComparison.Ordinal);

        (await emulator.SendJsonAsync(HttpMethod.Delete, "/2015-03-31/functions/temp")).Dispose();
        using var after = await emulator.Client.GetAsync("metrics", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("lambdastorm_emulator_concurrent_executions{function=\"temp\"}", await after.BodyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_host_has_its_own_registry()
    {
        await using var a = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("only-in-a")));
        await using var b = await TestEmulator.StartAsync();
        (await a.InvokeAsync("only-in-a")).Dispose();

        using var response = await b.Client.GetAsync("metrics", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("only-in-a", await response.BodyAsync(), StringComparison.Ordinal);
        Assert.NotSame(a.Host.MetricsRegistry, b.Host.MetricsRegistry);
    }

    private static double Value(string exposition, string series)
    {
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{exposition}");
        return double.Parse(line[(series.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("[{,]([a-z_]+)=\"")]
    private static partial Regex LabelName();
}
