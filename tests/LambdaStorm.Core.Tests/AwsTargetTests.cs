using LambdaStorm.Aws;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests;

/// <summary>
/// The aws target (issue 9): the YAML binding and its errors, the plan's cost estimate against a hand computation, and
/// the guard that stops the load at its caps or at the first credentials rejection.
/// </summary>
public sealed class AwsTargetTests
{
    private const string Target = """
        name: aws-plan
        target:
          type: aws
          region: eu-west-1
          profile: load-test
          endpoint: http://127.0.0.1:9001
          functions:
            checkout: { qualifier: live, memory: 1024, architecture: arm64, duration: 500ms }
            other: {}
          queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/source]
          receiptsQueue: https://sqs.eu-west-1.amazonaws.com/123456789012/receipts
          maxInvocations: 10000
          maxCostUsd: 2.5
        function: checkout
        paths: { sync: 3, async: 1 }
        maxInFlight: 100
        load:
          - inject: { rate: 100, during: 60s }
          - keep-constant: { copies: 10, during: 10s }
        """;

    private static (Scenario Scenario, TargetSpec.Aws Aws) Load(string yaml = Target)
    {
        var result = ScenarioLoader.Load(yaml, "aws.yaml");
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return (result.Scenario!, (TargetSpec.Aws)result.Scenario!.Target);
    }

    [Fact]
    public void An_aws_target_binds_every_field()
    {
        var (scenario, aws) = Load();
        Assert.Equal("aws", aws.Kind);
        Assert.Equal("eu-west-1", aws.Region);
        Assert.Equal("load-test", aws.Profile);
        Assert.Equal(new Uri("http://127.0.0.1:9001/"), aws.LambdaEndpoint);
        Assert.Equal(new AwsFunction("checkout", "live", 1024, "arm64", TimeSpan.FromMilliseconds(500)), aws.Functions[0]);
        Assert.Equal(new AwsFunction("other", null, null, null, null), aws.Functions[1]);
        Assert.Equal(["https://sqs.eu-west-1.amazonaws.com/123456789012/source"], aws.Queues);
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/123456789012/receipts", aws.ReceiptsQueue);
        Assert.Equal(10_000, aws.MaxInvocations);
        Assert.Equal(2.5, aws.MaxCostUsd);
        Assert.Equal("checkout", scenario.Function);
        Assert.Equal(new Uri("https://lambda.eu-west-1.amazonaws.com/"), (aws with { Endpoint = null }).LambdaEndpoint);
    }

    [Theory]
    [InlineData("maxInvocations: 10000\n  maxCostUsd: 2.5\n", "", "missing 'maxInvocations'")]
    [InlineData("maxInvocations: 10000\n  maxCostUsd: 2.5\n", "maxInvocations: 10000\n  maxCostUsd: 0\n", "'target.maxCostUsd' must be above zero")]
    [InlineData("region: eu-west-1", "region: Ireland", "'target.region' must be an AWS region")]
    [InlineData("endpoint: http://127.0.0.1:9001", "endpoint: localhost:9001", "'target.endpoint' must be an absolute http or https URL")]
    [InlineData("architecture: arm64", "architecture: graviton", "must be arm64 or x86_64")]
    [InlineData("function: checkout", "function: checkuot", "'function' names 'checkuot', which the aws target does not list")]
    [InlineData("paths: { sync: 3, async: 1 }", "path: http", "path 'http' cannot be used with an aws target")]
    [InlineData("receiptsQueue: https://sqs.eu-west-1.amazonaws.com/123456789012/receipts", "receiptsQueue: receipts", "must be a queue URL")]
    [InlineData("profile: load-test", "secretKey: nope", "secretKey")]
    public void Aws_target_mistakes_are_named_with_their_position(string original, string replacement, string expected)
    {
        var yaml = Target.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(Target, yaml);
        var result = ScenarioLoader.Load(yaml, "aws.yaml");
        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal) && e.ToString().StartsWith("aws.yaml:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_queue_path_sends_to_the_first_queue_URL_and_needs_queues_and_a_receipts_queue()
    {
        var queue = Target.Replace("paths: { sync: 3, async: 1 }", "path: queue", StringComparison.Ordinal);
        var (scenario, aws) = Load(queue);
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/123456789012/source", scenario.Queue);

        // By hand: 6,200 messages (as invocations, the conservative count); SQS: 6,200 receipts + 6,200 sends
        // + 2 × 620 batches of 10 (ReceiveMessage and DeleteMessageBatch) = 13,640 requests × $0.40/1M = $0.005456.
        var plan = AwsPlan.Build(scenario, aws, AwsFunctionFacts.From(aws.Functions[0], read: null));
        Assert.Equal(13_640, plan.SqsRequests);
        Assert.Equal(0.005456, plan.SqsUsd, 9);

        string Error(string yaml) => string.Join("\n", ScenarioLoader.Load(yaml, "aws.yaml").Errors);
        Assert.Contains("needs 'target.receiptsQueue'", Error(queue.Replace("  receiptsQueue: https://sqs.eu-west-1.amazonaws.com/123456789012/receipts\n", "", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("needs 'target.queues'", Error(queue.Replace("  queues: [https://sqs.eu-west-1.amazonaws.com/123456789012/source]\n", "", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("is not one of the URLs in 'target.queues'", Error(queue.Replace("path: queue", "path: queue\nqueue: https://sqs.eu-west-1.amazonaws.com/123456789012/other", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_plan_estimate_matches_a_hand_computation()
    {
        var (scenario, aws) = Load();
        var facts = AwsFunctionFacts.From(aws.Functions[0], read: null);
        var plan = AwsPlan.Build(scenario, aws, facts);

        // By hand: 100/s for 60 s = 6,000 arrivals; 10 copies for 10 s of 500 ms calls = 200; 6,200 invocations.
        // 1,024 MB = 1 GB × 0.5 s × 6,200 = 3,100 GB-s; arm64 $0.0000133334/GB-s = $0.04133354.
        // Requests 6,200 × $0.20/1M = $0.00124; receipts 6,200 SQS requests × $0.40/1M = $0.00248. Total $0.04505354.
        Assert.Equal(6_200, plan.EstimatedInvocations);
        Assert.Equal(3_100, plan.GbSeconds, 9);
        Assert.Equal(0.04133354, plan.ComputeUsd, 9);
        Assert.Equal(0.00124, plan.RequestsUsd, 9);
        Assert.Equal(6_200, plan.SqsRequests);
        Assert.Equal(0.00248, plan.SqsUsd, 9);
        Assert.Equal(0.04505354, plan.TotalUsd, 9);

        var text = plan.Render(scenario);
        Assert.Contains("region        eu-west-1", text, StringComparison.Ordinal);
        Assert.Contains("checkout:live: 1024 MB arm64 (stated in the scenario); assumed duration 500 ms (scenario 'duration')", text, StringComparison.Ordinal);
        Assert.Contains("invocations   ~6,200", text, StringComparison.Ordinal);
        Assert.Contains("est. cost     $0.045054 = requests $0.00124 + compute 3,100 GB-s $0.041334 + SQS 6,200 requests $0.00248", text, StringComparison.Ordinal);
        Assert.Contains("1. inject 100/s for 60s; 2. 10 copies for 10s", text, StringComparison.Ordinal);
        Assert.Contains("profile 'load-test'", text, StringComparison.Ordinal);
        Assert.Contains("https://sqs.eu-west-1.amazonaws.com/123456789012/source", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_read_from_the_function_wins_over_the_scenario_and_the_timeout_bounds_an_unstated_duration()
    {
        var stated = new AwsFunction("f", null, 256, "arm64", null);
        var facts = AwsFunctionFacts.From(stated, new FunctionConfiguration(2048, "x86_64", TimeSpan.FromSeconds(10)));
        Assert.Equal((2048, "x86_64", 10.0), (facts.MemoryMb, facts.Architecture, facts.DurationSeconds));
        Assert.Equal("read with GetFunctionConfiguration", facts.ConfigurationSource);
        // 2 GB × 10 s on x86 + one request.
        Assert.Equal(0.20 / 1_000_000 + (2 * 10 * 0.0000166667), facts.InvocationUsd, 12);

        var defaults = AwsFunctionFacts.From(new AwsFunction("g", null, null, null, null), null);
        Assert.Equal((128, "x86_64", 3.0), (defaults.MemoryMb, defaults.Architecture, defaults.DurationSeconds));
    }

    private sealed class CountingTarget(Func<InvocationRequest, InvocationResult> answer) : IInvocationTarget
    {
        public int Calls;

        public string Describe => "counting";

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(answer(request));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static InvocationRequest Request(long i, InvocationPath path = InvocationPath.Async) =>
        new($"id-{i}", i, path, DateTimeOffset.UnixEpoch, false, "{}");

    [Fact]
    public async Task The_guard_stops_the_load_at_maxInvocations_and_sends_nothing_past_it()
    {
        var (_, aws) = Load();
        aws = aws with { MaxInvocations = 25, MaxCostUsd = 1000 };
        var facts = AwsFunctionFacts.From(aws.Functions[0], null);
        using var guard = new AwsGuard(aws, facts, CancellationToken.None);
        var inner = new CountingTarget(_ => InvocationResult.Ok);
        await using var target = new GuardedTarget(inner, guard, new FakeTimeProvider());

        var results = new List<InvocationResult>();
        for (var i = 0; i < 40; i++)
        {
            results.Add(await target.InvokeAsync(Request(i), CancellationToken.None));
        }

        Assert.Equal(25, inner.Calls);
        Assert.Equal(25, guard.Sent);
        Assert.True(guard.Stop.IsCancellationRequested);
        Assert.Equal("maxInvocations reached: 25 invocations sent (cap 25)", guard.StopReason);
        Assert.All(results.Skip(25), r => Assert.Equal(GuardedTarget.NotSentReason, r.Reason));
        Assert.Contains(guard.SummaryNotes(), n => n.StartsWith("stopped early by the aws guard: maxInvocations reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_guard_stops_the_load_when_the_estimated_cost_reaches_maxCostUsd()
    {
        var (_, aws) = Load();
        var facts = AwsFunctionFacts.From(aws.Functions[0], null);
        // One invocation: $0.0000002 + 0.5 GB-s × $0.0000133334 + a receipt $0.0000004 = $0.0000072667.
        var perInvocation = 0.0000002 + (0.5 * 0.0000133334) + 0.0000004;
        var cap = perInvocation * 10.5; // reached by the 11th invocation
        aws = aws with { MaxInvocations = 1_000_000, MaxCostUsd = cap };
        using var guard = new AwsGuard(aws, facts, CancellationToken.None);
        var inner = new CountingTarget(_ => InvocationResult.Ok);
        await using var target = new GuardedTarget(inner, guard, new FakeTimeProvider());
        for (var i = 0; i < 20; i++)
        {
            await target.InvokeAsync(Request(i), CancellationToken.None);
        }

        Assert.Equal(11, inner.Calls);
        Assert.StartsWith("maxCostUsd reached: estimated $0.00008", guard.StopReason, StringComparison.Ordinal);
        Assert.Equal(perInvocation * 11, guard.CostUsd, 12);
    }

    [Fact]
    public async Task A_sync_call_slower_than_planned_adds_its_extra_GB_seconds_to_the_cost()
    {
        var (_, aws) = Load();
        aws = aws with { ReceiptsQueue = null };
        var facts = AwsFunctionFacts.From(aws.Functions[0], null); // 1 GB, 500 ms planned
        using var guard = new AwsGuard(aws, facts, CancellationToken.None);
        var time = new FakeTimeProvider();
        var slow = new SlowTarget(time, TimeSpan.FromSeconds(2));
        await using var target = new GuardedTarget(slow, guard, time);
        await target.InvokeAsync(Request(0, InvocationPath.Sync), CancellationToken.None);

        // Planned 0.5 GB-s, observed 2 s: 1.5 GB-s more, arm64.
        Assert.Equal(0.0000002 + (2.0 * 0.0000133334), guard.CostUsd, 12);
    }

    private sealed class SlowTarget(FakeTimeProvider time, TimeSpan takes) : IInvocationTarget
    {
        public string Describe => "slow";

        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            time.Advance(takes);
            return ValueTask.FromResult(InvocationResult.Ok);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_credentials_rejection_stops_the_load_at_once_as_a_configuration_error()
    {
        var (_, aws) = Load();
        var facts = AwsFunctionFacts.From(aws.Functions[0], null);
        using var guard = new AwsGuard(aws, facts, CancellationToken.None);
        var inner = new CountingTarget(_ => new InvocationResult(Outcome.ClientError, "InvalidSignatureException"));
        await using var target = new GuardedTarget(inner, guard, new FakeTimeProvider());
        await target.InvokeAsync(Request(0), CancellationToken.None);
        var second = await target.InvokeAsync(Request(1), CancellationToken.None);

        Assert.Equal(1, inner.Calls);
        Assert.Equal("InvalidSignatureException", guard.AuthError);
        Assert.True(guard.Stop.IsCancellationRequested);
        Assert.Equal(GuardedTarget.NotSentReason, second.Reason);
    }

    [Fact]
    public void An_outer_stop_reaches_the_guard_token()
    {
        var (_, aws) = Load();
        using var outer = new CancellationTokenSource();
        using var guard = new AwsGuard(aws, AwsFunctionFacts.From(aws.Functions[0], null), outer.Token);
        outer.Cancel();
        Assert.True(guard.Stop.IsCancellationRequested);
        Assert.Null(guard.StopReason);
    }

    [Fact]
    public void The_schema_lists_the_same_aws_keys_as_the_binder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "LambdaStorm.sln")))
        {
            dir = dir.Parent;
        }

        var schema = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir.FullName, "scenarios", "scenario.schema.json")))!;
        var aws = schema["$defs"]!["awsTarget"]!;
        var keys = aws["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(AwsTargetBinder.TargetKeys.Order(StringComparer.Ordinal), keys);
        var function = aws["properties"]!["functions"]!["additionalProperties"]!["anyOf"]![1]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(AwsTargetBinder.FunctionKeys.Order(StringComparer.Ordinal), function);
    }
}
