using LambdaStorm.Preflight;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests;

/// <summary>
/// <c>lambdastorm preflight</c>'s checklist (issue 9): one test per finding, each on an emulator target configured to
/// trigger it (and a well-configured function that triggers none), with the numbers each message puts to the load.
/// </summary>
public sealed class PreflightTests
{
    private static (Scenario Scenario, IReadOnlyList<Finding> Findings) Check(string target, string load = "  - inject: { rate: 100, during: 30s }", string paths = "path: sync")
    {
        var yaml = $"name: pf\ntarget:\n{target}\n{paths}\nload:\n{load}\n";
        var result = ScenarioLoader.Load(yaml, "pf.yaml");
        Assert.True(result.Success, string.Join("\n", result.Errors) + "\n" + yaml);
        var scenario = result.Scenario!;
        var facts = PreflightFacts.FromModel(((TargetSpec.Emulator)scenario.Target).Model, scenario.Function!);
        return (scenario, PreflightChecks.Run(scenario, facts));
    }

    // A function that passes every check: 1 GB arm64, 30 s timeout, a destination, reserved concurrency.
    private const string Good = """
          type: emulator
          functions:
            f: { memory: 1024, architecture: arm64, timeout: 30s, duration: 100ms, reservedConcurrency: 200, async: { onFailure: 'arn:aws:sqs:us-east-1:000000000000:failures' } }
        """;

    private static Finding Only(IReadOnlyList<Finding> findings, string code)
    {
        var f = findings.Where(x => x.Code == code).ToList();
        Assert.True(f.Count == 1, $"expected one '{code}' finding, got: {string.Join(" | ", findings.Select(x => x.Code + ": " + x.Message))}");
        return f[0];
    }

    [Fact]
    public void A_well_configured_function_has_no_findings()
    {
        var (_, findings) = Check(Good, paths: "paths: { sync: 1, async: 1 }");
        Assert.Empty(findings);
    }

    [Fact]
    public void Memory_left_at_128_MB_is_a_medium_finding()
    {
        var (_, findings) = Check(Good.Replace("memory: 1024", "memory: 128", StringComparison.Ordinal));
        var f = Only(findings, "memory-128");
        Assert.Equal(Severity.Medium, f.Severity);
        Assert.Contains("at 100/s slower invocations need more concurrency", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_left_at_3_s_is_a_medium_finding_and_names_the_async_retries()
    {
        var (_, findings) = Check(Good.Replace("timeout: 30s", "timeout: 3s", StringComparison.Ordinal), paths: "paths: { sync: 1, async: 1 }");
        var f = Only(findings, "timeout-3s");
        Assert.Equal(Severity.Medium, f.Severity);
        Assert.Contains("async events are retried twice more", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Async_invocation_without_a_DLQ_or_on_failure_destination_is_high()
    {
        var noDestination = Good.Replace(", async: { onFailure: 'arn:aws:sqs:us-east-1:000000000000:failures' }", "", StringComparison.Ordinal);
        var (_, findings) = Check(noDestination, paths: "paths: { sync: 3, async: 1 }");
        var f = Only(findings, "async-no-failure-target");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Contains("(25/s at peak)", f.Message, StringComparison.Ordinal);

        // A DLQ alone is enough; a sync-only load does not need either.
        Assert.DoesNotContain(Check(noDestination.Replace("reservedConcurrency: 200", "reservedConcurrency: 200, deadLetterTarget: 'arn:aws:sqs:us-east-1:000000000000:dlq'", StringComparison.Ordinal), paths: "paths: { sync: 3, async: 1 }").Findings, x => x.Code == "async-no-failure-target");
        Assert.DoesNotContain(Check(noDestination).Findings, x => x.Code == "async-no-failure-target");
    }

    private const string Queue = """
          type: emulator
          functions:
            f: { memory: 1024, architecture: arm64, timeout: 30s, duration: 100ms, reservedConcurrency: 200 }
          queues:
            work: { visibilityTimeout: VT }
          eventSourceMappings:
            - { queue: work, function: f, batchSize: 10, reportBatchItemFailures: RBIF }
        """;

    [Fact]
    public void A_mapping_without_ReportBatchItemFailures_is_high()
    {
        var (_, findings) = Check(Queue.Replace("VT", "180s", StringComparison.Ordinal).Replace("RBIF", "false", StringComparison.Ordinal));
        var f = Only(findings, "esm-no-report-batch-item-failures");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Contains("whole batch of up to 10", f.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, x => x.Code == "esm-visibility-timeout");
    }

    [Fact]
    public void A_visibility_timeout_under_6_times_the_function_timeout_is_high()
    {
        var (_, findings) = Check(Queue.Replace("VT", "60s", StringComparison.Ordinal).Replace("RBIF", "true", StringComparison.Ordinal));
        var f = Only(findings, "esm-visibility-timeout");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Contains("is 60 s, under 6 × the function timeout (180 s)", f.Message, StringComparison.Ordinal);
        Assert.Empty(Check(Queue.Replace("VT", "180s", StringComparison.Ordinal).Replace("RBIF", "true", StringComparison.Ordinal)).Findings);
    }

    [Fact]
    public void A_declared_downstream_limit_without_reserved_concurrency_is_high()
    {
        var (_, findings) = Check(Good.Replace("reservedConcurrency: 200", "downstreamLimit: 50", StringComparison.Ordinal), "  - inject: { rate: 400, during: 30s }");
        var f = Only(findings, "downstream-no-reserved-concurrency");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Contains("a downstream limit of 50", f.Message, StringComparison.Ordinal);
        Assert.Contains("at 400/s with 100 ms functions up to 40 copies", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioned_concurrency_the_load_does_not_use_because_it_invokes_LATEST_is_medium()
    {
        var (_, findings) = Check(Good.Replace("reservedConcurrency: 200", "reservedConcurrency: 200, publishedVersions: 1, aliases: { live: '1' }, provisionedConcurrency: { live: 20 }", StringComparison.Ordinal));
        var f = Only(findings, "provisioned-unused-latest");
        Assert.Equal(Severity.Medium, f.Severity);
        Assert.Contains("configured on live (20), but the load invokes $LATEST", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void X86_64_is_a_low_finding_with_the_saving_for_this_scenario()
    {
        var (_, findings) = Check(Good.Replace("architecture: arm64", "architecture: x86_64", StringComparison.Ordinal));
        var f = Only(findings, "x86-not-arm64");
        Assert.Equal(Severity.Low, f.Severity);
        // 3,000 invocations × 1 GB × 0.1 s = 300 GB-s; × ($0.0000166667 − $0.0000133334) = $0.00099999.
        Assert.Contains("(300 GB-s in this scenario: $0.001 less)", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_capacity_arithmetic_names_the_concurrency_needed_the_limit_and_when_throttling_starts()
    {
        // The issue's example: 2,000/s of 800 ms functions need 1,600; the account has 1,000.
        var (_, findings) = Check("""
              type: emulator
              account: { concurrency: 1000 }
              functions:
                f: { memory: 1024, architecture: arm64, timeout: 30s, duration: 800ms }
            """, "  - inject: { rate: 2000, during: 10s }");
        var f = Only(findings, "capacity");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Equal("at 2,000/s with 800 ms functions you need 1,600 concurrency; your account limit is 1,000: expect throttling from second 0", f.Message);

        // With a ramp the throttling starts when rate × duration crosses reserved concurrency: 100/s × 1 s > 50 after 5 s of a 10 s ramp.
        (_, findings) = Check(Good.Replace("duration: 100ms", "duration: 1s", StringComparison.Ordinal).Replace("reservedConcurrency: 200", "reservedConcurrency: 50", StringComparison.Ordinal),
            "  - ramping-inject: { rate: 100, during: 10s }");
        f = Only(findings, "capacity");
        Assert.Equal("at 100/s with 1 s functions you need 100 concurrency; its reserved concurrency is 50: expect throttling from second 5", f.Message);
    }
}
