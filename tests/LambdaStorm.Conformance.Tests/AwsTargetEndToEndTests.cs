using System.Diagnostics;
using System.Text.Json;

namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// The aws target end to end (issue 9), as real processes: <c>lambdastorm run --allow-aws</c> with credentials from the
/// standard AWS chain (environment variables) against <c>lambdastorm emulator --require-auth</c>, so every call is
/// SigV4-signed by AWSSDK.Core and checked by the emulator's own verifier. Quickstart- and spike-like scenarios run with
/// no signature failure; a wrong secret ends as a configuration error (exit 1) before any invocation; the caps stop the
/// load; and nothing runs without <c>--allow-aws</c>.
/// </summary>
public sealed class AwsTargetEndToEndTests : IDisposable
{
    private const string AccessKey = "AKIDLAMBDASTORMTEST";
    private const string Secret = "s3cret-Never-Written-Anywhere-7f3a";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-aws-").FullName;

    private const string EmulatorConfig = """
        account:
          asyncRetryDelays: [1s, 2s]
        functions:
          hello:
            duration: 40ms
            durationP99: 120ms
            memory: 512
            poisonMarker: LAMBDASTORM_POISON_PILL
          checkout:
            duration: 400ms
            memory: 512
            architecture: arm64
            timeout: 10s
            reservedConcurrency: 20
          worker:
            duration: 20ms
            poisonMarker: POISON
        queues:
          orders: { visibilityTimeout: 1s, deadLetter: orders-dlq, maxReceiveCount: 3 }
          orders-dlq: {}
        eventSourceMappings:
          - { queue: orders, function: worker, batchSize: 10, reportBatchItemFailures: true }
        """;

    private static string Scenario(string endpoint, string function, string load, string extra = "", string caps = "maxInvocations: 100000\n  maxCostUsd: 5", string paths = "paths: { sync: 9, async: 1 }") => $$"""
        name: aws-{{function}}
        target:
          type: aws
          region: us-east-1
          endpoint: {{endpoint}}
          functions:
            {{function}}: {{extra}}
          {{caps}}
        function: {{function}}
        {{paths}}
        maxInFlight: 2000
        gracefulStop: 5s
        payload:
          poisonPills: { every: 50 }
        load:
        {{load}}
        """;

    private async Task<(int ExitCode, string Output, JsonElement? Summary)> RunAsync(string yaml, string secret, bool allowAws = true, string command = "run")
    {
        var file = Path.Combine(_dir, $"scenario-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);
        var results = Path.Combine(_dir, "results");
        var psi = StartInfo(secret, command == "run" ? ["run", file, "--plain", "--metrics-port", "0", "--results", results] : [command, file]);
        if (allowAws)
        {
            psi.ArgumentList.Add("--allow-aws");
        }

        var (exitCode, output) = await ChildProcess.RunAsync(psi, TimeSpan.FromMinutes(3), $"lambdastorm {command}");
        var summaryFile = Directory.Exists(results) ? Directory.GetFiles(results, "summary.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).LastOrDefault() : null;
        JsonElement? summary = summaryFile is null ? null : JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement.Clone();
        if (summaryFile is not null)
        {
            Directory.Move(Path.GetDirectoryName(summaryFile)!, Path.Combine(_dir, "done-" + Guid.NewGuid().ToString("N")));
        }

        return (exitCode, output, summary);
    }

    /// <summary>Invocations that really went out: completed ones less the arrivals the guard refused after a cap.</summary>
    private static long Sent(JsonElement summary)
        => summary.GetProperty("totals").GetProperty("completed").GetInt64()
            - Outcomes(summary).Where(o => o.Reason == "not_sent_cap_reached").Sum(o => o.Count);

    private static List<(string Path, string Outcome, string? Reason, long Count)> Outcomes(JsonElement summary) =>
        [.. summary.GetProperty("outcomes").EnumerateArray().Select(o => (
            o.GetProperty("path").GetString()!,
            o.GetProperty("outcome").GetString()!,
            o.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null,
            o.GetProperty("count").GetInt64()))];

    /// <summary>A <c>lambdastorm</c> child whose only AWS credentials are the test's access key and <paramref name="secret"/>.</summary>
    private ProcessStartInfo StartInfo(string secret, IEnumerable<string> args) => ChildProcess.Lambdastorm(_dir, AccessKey, secret, args);

    [Fact]
    public async Task A_reserved_concurrency_cut_on_an_aws_function_is_rolled_back_when_the_run_gets_SIGINT()
    {
        using var emulator = await StartEmulatorAsync();
        var yaml = Scenario(emulator.Endpoint, "checkout", """
              - inject: { rate: 5, during: 2m }
            """, paths: "path: sync") + "\n" + """
            chaos:
              - { at: 1s, reserved-concurrency: { function: checkout, value: 0 } }
            """;
        var file = Path.Combine(_dir, "cut.yaml");
        await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);
        var results = Path.Combine(_dir, "results");
        var psi = StartInfo(Secret, ["run", file, "--plain", "--metrics-port", "0", "--results", results, "--allow-aws"]);
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var run = Process.Start(psi)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            // The emulator's unsigned /metrics shows the function's reserved concurrency as the signed calls change it.
            using var http = new HttpClient { BaseAddress = new Uri(emulator.Endpoint) };
            async Task<double?> ReservedAsync()
            {
                var text = await http.GetStringAsync("metrics", TestContext.Current.CancellationToken);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("lambdastorm_emulator_reserved_concurrency{", StringComparison.Ordinal) && l.Contains("function=\"checkout\"", StringComparison.Ordinal));
                return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.Equal(20, await ReservedAsync());
            var until = DateTime.UtcNow.AddSeconds(90);
            while (await ReservedAsync() != 0)
            {
                Assert.True(DateTime.UtcNow < until && !run.HasExited, $"the cut was never applied\n{emulator.Output}");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            using (var kill = Process.Start("kill", ["-s", "INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var exited = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            exited.CancelAfter(TimeSpan.FromMinutes(1));
            await run.WaitForExitAsync(exited.Token);
            var output = await stdout + await stderr;
            Assert.True(run.ExitCode is 0 or 3, $"exit {run.ExitCode}\n{output}");
            Assert.Equal(20, await ReservedAsync());
            var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.GetFiles(results, "summary.json", SearchOption.AllDirectories).Single(), TestContext.Current.CancellationToken)).RootElement;
            Assert.True(summary.GetProperty("chaos").GetProperty("rolledBack").GetBoolean(), output);
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task<EmulatorProcess> StartEmulatorAsync(params string[] extra)
    {
        var config = Path.Combine(_dir, "emulator.yaml");
        await File.WriteAllTextAsync(config, EmulatorConfig, TestContext.Current.CancellationToken);
        return await EmulatorProcess.StartAsync(StartTimeout, ["--require-auth", $"{AccessKey}:{Secret}", "--config", config, .. extra]);
    }

    [Fact]
    public async Task Quickstart_and_spike_run_as_aws_targets_against_the_strict_auth_emulator_without_a_signature_failure()
    {
        using var emulator = await StartEmulatorAsync();

        // Quickstart-like: ramp, hold, spike, closed stretch; sync and async; every 50th payload a poison pill.
        var quick = Scenario(emulator.Endpoint, "hello", """
              - ramping-inject: { rate: 100, during: 3s }
              - inject: { rate: 100, during: 3s }
              - spike: { rate: 300, during: 2s, recover: 2s }
              - keep-constant: { copies: 10, during: 3s }
            """);
        var (code, output, summary) = await RunAsync(quick, Secret);
        Assert.True(code == 0, $"exit {code}\n{output}\n{emulator.Output}");
        Assert.Contains("Plan: scenario 'aws-hello' against AWS", output, StringComparison.Ordinal);
        Assert.Contains("function      hello: 512 MB x86_64, timeout 3 s (read with GetFunctionConfiguration)", output, StringComparison.Ordinal);
        var outcomes = Outcomes(summary!.Value);
        Assert.DoesNotContain(outcomes, o => o.Outcome is "client_error" or "server_error" or "transport_error");
        Assert.Contains(outcomes, o => o is { Path: "sync", Outcome: "ok", Count: > 500 });
        Assert.Contains(outcomes, o => o is { Path: "async", Outcome: "ok", Count: > 20 });
        Assert.Contains(outcomes, o => o is { Path: "sync", Outcome: "function_error" }); // the poison pills reached the function

        // Spike-like: a spike past reserved concurrency 20 of a 400 ms function throttles: signed calls, AWS's 429s.
        var spike = Scenario(emulator.Endpoint, "checkout", """
              - inject: { rate: 20, during: 3s }
              - spike: { rate: 200, during: 3s, recover: 2s }
            """, paths: "path: sync");
        (code, output, summary) = await RunAsync(spike, Secret);
        Assert.True(code == 0, $"exit {code}\n{output}\n{emulator.Output}");
        Assert.Contains("checkout: 512 MB arm64, timeout 10 s (read with GetFunctionConfiguration)", output, StringComparison.Ordinal);
        outcomes = Outcomes(summary!.Value);
        Assert.DoesNotContain(outcomes, o => o.Outcome is "client_error" or "server_error" or "transport_error");
        Assert.Contains(outcomes, o => o is { Outcome: "throttled", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", Count: > 0 });
        Assert.Contains(outcomes, o => o is { Outcome: "ok", Count: > 0 });

        // The secret never appears in what the run printed or wrote.
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("emulator.yaml", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Poison_pill_runs_as_an_aws_target_through_real_SQS_calls_against_the_strict_auth_emulator()
    {
        using var emulator = await StartEmulatorAsync();
        var queues = $"{emulator.Endpoint}/000000000000";
        var yaml = $$$"""
            name: aws-poison-pill
            path: queue
            function: worker
            maxInFlight: 200
            target:
              type: aws
              region: us-east-1
              endpoint: {{{emulator.Endpoint}}}
              functions:
                worker: {}
              queues: [{{{queues}}}/orders, {{{queues}}}/orders-dlq]
              receiptsQueue: {{{queues}}}/lambdastorm-receipts
              maxInvocations: 10000
              maxCostUsd: 1
            load:
              - inject: { rate: 40, during: 5s }
            payload:
              template: '{"id":"{{id}}","marker":"{{marker}}"}'
              poisonPills: { every: 20, marker: POISON }
            settle: 1m
            thresholds:
              - lost == 0
              - in_flight == 0
              - dlq == 10
              - dlq_good == 0
            """;
        var (code, output, summary) = await RunAsync(yaml, Secret);

        Assert.True(code == 0, $"exit {code}\n{output}\n{emulator.Output}");
        Assert.Contains("queues        " + queues + "/orders", output, StringComparison.Ordinal);
        var s = summary!.Value;
        var outcomes = Outcomes(s);
        Assert.Equal([("queue", "ok", null, 200L)], outcomes); // every SendMessage(Batch) signed and accepted
        var ledger = s.GetProperty("ledger");
        Assert.True(ledger.GetProperty("source").GetString() == "quiescent", ledger.GetRawText()); // the ledger's signed receives worked too
        Assert.Equal(200, ledger.GetProperty("sent").GetInt64());
        Assert.Equal(10, ledger.GetProperty("classes").GetProperty("dlq").GetInt64());
        Assert.Equal(10, ledger.GetProperty("poisonedDeadLettered").GetInt64());
        Assert.Equal(190, ledger.GetProperty("processed").GetInt64());
        Assert.DoesNotContain(s.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("stopped answering", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);

        // Preflight reads the mapping (ListEventSourceMappings) and its queue's visibility timeout (a signed SQS
        // GetQueueAttributes): 1 s is under 6 × worker's 3 s timeout.
        (code, output, _) = await RunAsync(yaml, Secret, command: "preflight");
        Assert.True(code == 2, $"exit {code} (2: high findings)\n{output}");
        Assert.Contains("HIGH   esm-visibility-timeout: the visibility timeout of arn:aws:sqs:us-east-1:000000000000:orders is 1 s, under 6 × the function timeout (18 s)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("esm-no-report-batch-item-failures", output, StringComparison.Ordinal);
        Assert.DoesNotContain("6 × timeout check is skipped", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_a_configuration_error_before_any_invocation()
    {
        using var emulator = await StartEmulatorAsync();
        var yaml = Scenario(emulator.Endpoint, "hello", "  - inject: { rate: 500, during: 5s }");
        var (code, output, summary) = await RunAsync(yaml, "not-the-secret");

        Assert.True(code == 1, $"exit {code}\n{output}");
        Assert.Contains("AWS rejected the credentials", output, StringComparison.Ordinal);
        Assert.Contains("InvalidSignatureException: The request signature we calculated does not match", output, StringComparison.Ordinal);
        Assert.Contains("nothing was invoked", output, StringComparison.Ordinal);
        Assert.Null(summary); // no run, so no results folder full of failed invocations
        Assert.DoesNotContain("not-the-secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_caps_stop_the_load_and_the_summary_says_why()
    {
        using var emulator = await StartEmulatorAsync();
        var yaml = Scenario(emulator.Endpoint, "hello", "  - inject: { rate: 100, during: 10s }", caps: "maxInvocations: 60\n  maxCostUsd: 5");
        var (code, output, summary) = await RunAsync(yaml, Secret);

        Assert.True(code == 3, $"exit {code} (3: aborted by a guardrail)\n{output}");
        Assert.Contains("the estimate exceeds a cap: the run will stop early at the cap", output, StringComparison.Ordinal);
        var s = summary!.Value;
        Assert.Equal("stopped", s.GetProperty("status").GetString());
        Assert.Equal(60, Sent(s)); // arrivals after the cap, before the stop reached the engine, were never sent
        Assert.Contains(s.GetProperty("warnings").EnumerateArray(), w => w.GetString() == "stopped early by the aws guard: maxInvocations reached: 60 invocations sent (cap 60)");
        Assert.True(s.GetProperty("durationSeconds").GetDouble() < 5, "the load stopped long before its 10 s schedule");

        // A cost cap below what 100 invocations of 512 MB x86 for 3 s (the timeout, as no duration is stated) cost.
        // One invocation: $0.0000002 + 0.5 GB × 3 s × $0.0000166667 = $0.00002520005; $0.001 is reached by the 40th.
        yaml = Scenario(emulator.Endpoint, "hello", "  - inject: { rate: 100, during: 10s }", caps: "maxInvocations: 100000\n  maxCostUsd: 0.001");
        (code, output, summary) = await RunAsync(yaml, Secret);
        Assert.True(code == 3, $"exit {code}\n{output}");
        s = summary!.Value;
        Assert.Equal(40, Sent(s));
        Assert.Contains(s.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("stopped early by the aws guard: maxCostUsd reached: estimated $0.001008 after 40 invocations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_allow_aws_the_run_refuses_and_sends_nothing()
    {
        var yaml = Scenario("http://127.0.0.1:9", "hello", "  - inject: { rate: 10, during: 1s }");
        var (code, output, summary) = await RunAsync(yaml, Secret, allowAws: false);
        Assert.Equal(1, code);
        Assert.Contains("targets AWS (us-east-1: hello)", output, StringComparison.Ordinal);
        Assert.Contains("run again with --allow-aws", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Plan:", output, StringComparison.Ordinal);
        Assert.Null(summary);
    }

    [Fact]
    public async Task Preflight_reads_the_function_through_the_signed_Lambda_API_and_grades_it_under_the_load()
    {
        using var emulator = await StartEmulatorAsync();
        // 2,000/s of 800 ms calls need 1,600 concurrency; the emulator's account has AWS's default 1,000.
        var yaml = Scenario(emulator.Endpoint, "hello", "  - inject: { rate: 2000, during: 10s }", extra: "{ duration: 800ms }");
        var (code, output, _) = await RunAsync(yaml, Secret, command: "preflight");

        Assert.True(code == 2, $"exit {code} (2: high findings)\n{output}");
        Assert.Contains("from the Lambda API at " + emulator.Endpoint, output, StringComparison.Ordinal);
        Assert.Contains("HIGH   capacity: at 2,000/s with 800 ms functions you need 1,600 concurrency; your account limit is 1,000: expect throttling from second 0", output, StringComparison.Ordinal);
        Assert.Contains("HIGH   async-no-failure-target:", output, StringComparison.Ordinal);
        Assert.Contains("MEDIUM timeout-3s:", output, StringComparison.Ordinal);
        Assert.Contains("LOW    x86-not-arm64:", output, StringComparison.Ordinal);

        // Reserved concurrency (GetFunctionConcurrency) counts: 'checkout' has 20 and a 10 s timeout.
        yaml = Scenario(emulator.Endpoint, "checkout", "  - inject: { rate: 100, during: 10s }", extra: "{ duration: 400ms }", paths: "path: sync");
        (code, output, _) = await RunAsync(yaml, Secret, command: "preflight");
        Assert.True(code == 2, $"exit {code}\n{output}");
        Assert.Contains("you need 40 concurrency; its reserved concurrency is 20", output, StringComparison.Ordinal);
        Assert.DoesNotContain("timeout-3s", output, StringComparison.Ordinal);
        Assert.DoesNotContain("x86-not-arm64", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync(yaml, "not-the-secret", command: "preflight");
        Assert.True(code == 1, $"exit {code}\n{output}");
        Assert.Contains("AWS rejected the credentials", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync(yaml, Secret, allowAws: false, command: "preflight");
        Assert.True(code == 1, $"exit {code}\n{output}");
        Assert.Contains("only with --allow-aws", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_http_path_through_the_emulators_API_Gateway_front_classifies_Lambda_throttles_and_bad_responses()
    {
        using var emulator = await StartEmulatorAsync("--api-gateway");
        // 'checkout' (reserved concurrency 20, 400 ms) answers null, which is no proxy response: API Gateway's 502;
        // past 20 in flight Lambda throttles, which API Gateway shows as 500.
        var yaml = $$"""
            name: apigw
            target: { type: http, url: '{{emulator.Endpoint}}/apigw/checkout/orders', timeout: 40s }
            path: http
            maxInFlight: 2000
            gracefulStop: 5s
            load:
              - inject: { rate: 150, during: 3s }
            """;
        var (code, output, summary) = await RunAsync(yaml, Secret, allowAws: false);
        Assert.True(code == 0, $"exit {code}\n{output}\n{emulator.Output}");
        var outcomes = Outcomes(summary!.Value);
        Assert.Contains(outcomes, o => o is { Path: "http", Outcome: "throttled", Reason: "apigw_lambda_throttle", Count: > 0 });
        Assert.Contains(outcomes, o => o is { Path: "http", Outcome: "function_error", Reason: "apigw_bad_lambda_response", Count: > 0 });
        Assert.DoesNotContain(outcomes, o => o.Outcome is "client_error" or "server_error" or "transport_error");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
