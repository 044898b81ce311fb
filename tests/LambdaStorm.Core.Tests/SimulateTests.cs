using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests;

public sealed class SimulateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-sim-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    internal static string RepoFile(string relative)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LambdaStorm.sln")))
        {
            d = d.Parent;
        }

        return Path.Combine(d!.FullName, relative);
    }

    private Task<RunOutcome> Simulate(string yaml, string file = "test.yaml")
        => ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, file).GetOrThrow(), new RunOptions(_root), null, CancellationToken.None);

    [Fact]
    public async Task Burst_probe_with_legacy_burst_reports_the_configured_ceiling_and_500_per_minute()
    {
        var yaml = await File.ReadAllTextAsync(RepoFile("scenarios/burst-probe.yaml"));
        Assert.Contains("scaling: legacy-burst", yaml, StringComparison.Ordinal);

        var burst = (await Simulate(yaml)).Summary.Lambda!.Burst;

        Assert.True(burst.SustainedThrottling);
        Assert.InRange(burst.BurstCeiling!.Value, 3000 * 0.98, 3000 * 1.02); // us-east-1
        Assert.InRange(burst.SlopePerMinute!.Value, 500 * 0.95, 500 * 1.05);
    }

    [Fact]
    public async Task Burst_probe_with_per_function_scaling_reports_1000_per_10_seconds()
    {
        var yaml = (await File.ReadAllTextAsync(RepoFile("scenarios/burst-probe.yaml"))).Replace("scaling: legacy-burst", "scaling: per-function", StringComparison.Ordinal);

        var burst = (await Simulate(yaml)).Summary.Lambda!.Burst;

        Assert.InRange(burst.SlopePer10Seconds!.Value, 1000 * 0.95, 1000 * 1.05);
        Assert.InRange(burst.BurstCeiling!.Value, 1000 * 0.95, 1000 * 1.05);
    }

    [Fact]
    public async Task Legacy_burst_ceiling_follows_the_region()
    {
        var yaml = (await File.ReadAllTextAsync(RepoFile("scenarios/burst-probe.yaml"))).Replace("region: us-east-1", "region: eu-central-1", StringComparison.Ordinal);

        var burst = (await Simulate(yaml)).Summary.Lambda!.Burst;

        Assert.InRange(burst.BurstCeiling!.Value, 1000 * 0.98, 1000 * 1.02);
        Assert.InRange(burst.SlopePerMinute!.Value, 500 * 0.95, 500 * 1.05);
    }

    [Fact]
    public async Task A_simulation_is_deterministic_for_a_seed_and_labelled_simulated()
    {
        var yaml = await File.ReadAllTextAsync(RepoFile("scenarios/spike.yaml"));

        var first = (await Simulate(yaml)).Summary;
        var second = (await Simulate(yaml)).Summary;
        var reseeded = (await Simulate(yaml.Replace("seed: 7", "seed: 8", StringComparison.Ordinal))).Summary;

        Assert.True(first.Simulated);
        Assert.Equal(first.Totals, second.Totals);
        Assert.Equal(first.LatencyMs, second.LatencyMs);
        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.Equal(first.Lambda!.ColdStarts, second.Lambda!.ColdStarts);
        Assert.Equal(first.Lambda.InitDurationMs, second.Lambda.InitDurationMs);
        Assert.Equal(first.Lambda.Cost, second.Lambda.Cost);
        Assert.NotEqual(first.Lambda.InitDurationMs, reseeded.Lambda!.InitDurationMs);
    }

    [Fact]
    public async Task Spike_past_reserved_concurrency_throttles_with_the_reserved_reason_and_never_exceeds_the_cap()
    {
        var s = (await Simulate(await File.ReadAllTextAsync(RepoFile("scenarios/spike.yaml")))).Summary;

        var throttles = s.Outcomes.Single(o => o.Outcome == "throttled");
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", throttles.Reason);
        Assert.Equal(s.Totals.Started, s.Totals.Completed); // every invocation ends in exactly one outcome
        Assert.Equal(s.Lambda!.Invocations + throttles.Count, s.Totals.Started); // admitted + throttled == offered
        Assert.Equal(100, s.Lambda.Functions.Single().PeakConcurrency);
        Assert.Equal(100, s.Lambda.ColdStarts);
        Assert.Equal(ExitCodes.ThresholdFailed, (await Simulate(await File.ReadAllTextAsync(RepoFile("scenarios/spike.yaml")))).ExitCode);

        // One call in ten is async: accepted (202) even during the spike, its throttled attempts retried by Lambda, so
        // every event is processed, late: the spike's backlog holds events back for many seconds. None is lost.
        var ledger = s.Ledger!;
        Assert.Equal(s.Outcomes.Where(o => o.Path == "async").Sum(o => o.Count), ledger.Sent);
        Assert.InRange(ledger.Sent, s.Totals.Started * 0.08, s.Totals.Started * 0.12);
        Assert.Equal(ledger.Sent, ledger.Processed);
        Assert.Equal(0, ledger.Count(Ledger.DeliveryClass.Lost));
        Assert.Equal("quiescent", ledger.Source);
        Assert.True(ledger.EndToEndMs.P99 > 10_000, $"async end-to-end p99 {ledger.EndToEndMs.P99} ms");
        Assert.Equal(0, s.Lambda.Async.Pending);
    }

    [Fact]
    public async Task Timeouts_function_errors_and_async_retries_reach_the_summary()
    {
        var s = (await Simulate("""
            name: faults
            target:
              type: emulator
              account:
                asyncRetryDelays: [1s, 2s]
              functions:
                slow: { duration: 4s, timeout: 3s }
                flaky: { duration: 50ms, errorRate: 100% }
            paths: { sync: 1, async: 1 }
            function: flaky
            seed: 3
            load:
              - inject: { rate: 10, during: 2s }
            """)).Summary;

        Assert.Equal(20, s.Totals.Started);
        Assert.Contains(s.Outcomes, o => o is { Path: "sync", Outcome: "function_error", Reason: "Unhandled" });
        Assert.Contains(s.Outcomes, o => o is { Path: "async", Outcome: "ok" }); // 202 accepted
        var a = s.Lambda!.Async;
        Assert.Equal(s.Outcomes.Where(o => o.Path == "async").Sum(o => o.Count), a.Queued);
        Assert.Equal(a.Queued, a.RetriesExhausted); // every event failed three times, then gave up
        Assert.Equal(2 * a.Queued, a.RetriesAfterFunctionError);
        Assert.Equal(0, a.Pending);

        var timeouts = (await Simulate("""
            name: timeouts
            target: { type: emulator, functions: { slow: { duration: 4s, timeout: 3s } } }
            load:
              - inject: { rate: 5, during: 1s }
            """)).Summary;
        Assert.Equal("Sandbox.Timedout", Assert.Single(timeouts.Outcomes).Reason);
        Assert.Equal("timeout", timeouts.Outcomes[0].Outcome);
        Assert.InRange(timeouts.LatencyMs.P50, 3000, 3000 + 1500); // the timeout, plus a cold start
    }

    [Fact]
    public async Task Report_rebuilds_a_simulated_summary_with_its_lambda_section()
    {
        var outcome = await Simulate(await File.ReadAllTextAsync(RepoFile("scenarios/spike.yaml")));

        var rebuilt = (await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None)).Summary;

        Assert.NotNull(rebuilt.Lambda);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(outcome.Summary.Lambda, RunSummary.JsonOptions),
            System.Text.Json.JsonSerializer.Serialize(rebuilt.Lambda, RunSummary.JsonOptions));
        Assert.True(rebuilt.Simulated);
    }

    [Theory]
    [InlineData("target: { type: emulator, functions: { f: { memroy: 512 } } }", "unknown key 'memroy' in function 'f' (did you mean 'memory'?)")]
    [InlineData("target: { type: emulator, functions: { f: { timeout: 1000s } } }", "from 1s to 900s")]
    [InlineData("target: { type: emulator, functions: { f: {}, g: {} } }", "set 'function'")]
    [InlineData("function: h\ntarget: { type: emulator, functions: { f: {}, g: {} } }", "does not define")]
    [InlineData("target: { type: emulator, account: { scaling: legacy } }", "must be 'per-function'")]
    [InlineData("target: { type: emulator, functions: { f: { reservedConcurrency: 950 } } }", "below Account.UnreservedMinimum")]
    [InlineData("path: queue\ntarget: emulator", "needs 'queue:'")]
    [InlineData("path: queue\nqueue: orderz\ntarget: { type: emulator, functions: { f: {} }, queues: { orders: {} } }", "does not declare (did you mean 'orders'?)")]
    [InlineData("path: sync\nqueue: orders\ntarget: { type: emulator, functions: { f: {} }, queues: { orders: {} } }", "never sends on path 'queue'")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { orders: { deadLetter: dlq, maxReceiveCount: 3 } } }", "names 'dlq', which 'target.queues' does not declare")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { orders: { visibilityTimeout: 1.5s } } }", "whole seconds from 0s to 43200s")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { orders.fifo: {} } }", "FIFO queues are not modelled")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { q: {} }, eventSourceMappings: [ { queue: q, function: g } ] }", "invokes 'g', which 'target.functions' does not define")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { q: {} }, eventSourceMappings: [ { queue: q, function: f, batchSize: 100 } ] }", "needs a 'window' of at least 1s")]
    [InlineData("target: { type: emulator, functions: { f: {} }, queues: { q: {} }, eventSourceMappings: [ { queue: q, function: f, reportBatchItemFailures: yes } ] }", "must be true or false")]
    [InlineData("target: { type: emulator, functions: { f: { batchResponse: sometimes } } }", "must be auto, partial")]
    [InlineData("target: { type: emulator, account: { sqsPollers: fast } }", "must be 'standard'")]
    [InlineData("target: { type: emulator, endpoint: 'ftp://x' }", "must be the http(s) URL of a running")]
    [InlineData("target: { type: emulator, endpoint: 'http://127.0.0.1:4566', functions: { f: {} } }", "cannot be used with 'target.endpoint'")]
    [InlineData("target: { type: emulator, endpoint: 'http://127.0.0.1:4566' }", "set 'function' to the function of the running emulator")]
    [InlineData("path: http\ntarget: emulator", "takes 'sync', 'async' or 'queue'")]
    public void Emulator_target_errors_are_reported_with_positions(string fragment, string message)
    {
        var result = ScenarioLoader.Load($"name: t\n{fragment}\nload:\n  - inject: {{ rate: 1, during: 1s }}\n", "e.yaml");

        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal) && e.Line >= 2);
    }

    [Fact]
    public void Queue_scenarios_bind_queues_mappings_and_the_receipts_queue()
    {
        var s = ScenarioLoader.Load("""
            name: t
            path: queue
            queue: orders
            target:
              type: emulator
              account: { sqsPollers: legacy, sqsPollerInitial: 2 }
              functions: { worker: { batchResponse: partial } }
              queues:
                orders: { visibilityTimeout: 5s, deadLetter: orders-dlq, maxReceiveCount: 2, delay: 1s, receiveWaitTime: 20s, retention: 2m }
                orders-dlq: {}
              eventSourceMappings:
                - { queue: orders, function: worker, batchSize: 100, window: 2s, maxConcurrency: 5, reportBatchItemFailures: true }
            load:
              - inject: { rate: 1, during: 1s }
            """).GetOrThrow();

        var model = Assert.IsType<TargetSpec.Emulator>(s.Target).Model;
        Assert.Equal("orders", s.Queue);
        Assert.Equal(["orders", "orders-dlq", "lambdastorm-receipts"], model.Queues.Select(q => q.Name));
        var orders = model.Queues[0];
        Assert.Equal(TimeSpan.FromSeconds(5), orders.VisibilityTimeout);
        Assert.Equal("orders-dlq", orders.DeadLetterQueue);
        Assert.Equal(2, orders.MaxReceiveCount);
        Assert.Equal(TimeSpan.FromMinutes(2), orders.MessageRetentionPeriod);
        var m = Assert.Single(model.EventSourceMappings);
        Assert.Equal((100, 2.0, 5, true), (m.BatchSize, m.MaximumBatchingWindow.TotalSeconds, m.MaximumConcurrency!.Value, m.ReportBatchItemFailures));
        var worker = Assert.Single(model.Functions);
        Assert.Equal("lambdastorm-receipts", worker.ReceiptsQueue);
        Assert.Equal(Lambda.BatchResponseMode.Partial, worker.BatchResponse);
        Assert.Equal(Lambda.SqsPollerPreset.Legacy, model.Account.SqsPollerPreset);
        Assert.Equal(2, model.Account.SqsPollerInitial);
    }

    [Fact]
    public void Sync_only_scenarios_get_no_receipts_queue_and_receipts_can_be_turned_off()
    {
        var sync = ScenarioLoader.Load("name: t\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow();
        Assert.Empty(((TargetSpec.Emulator)sync.Target).Model.Queues);

        var off = ScenarioLoader.Load("name: t\npath: async\ntarget: { type: emulator, receiptsQueue: none, functions: { f: {} } }\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow();
        Assert.Null(((TargetSpec.Emulator)off.Target).Model.Functions[0].ReceiptsQueue);
    }

    [Fact]
    public async Task Poison_pill_with_and_without_ReportBatchItemFailures_accounts_for_every_message()
    {
        var yaml = await File.ReadAllTextAsync(RepoFile("scenarios/poison-pill.yaml"));
        Assert.Contains("reportBatchItemFailures: true", yaml, StringComparison.Ordinal);

        var rbif = (await Simulate(yaml)).Summary;
        var plain = (await Simulate(yaml.Replace("reportBatchItemFailures: true", "reportBatchItemFailures: false", StringComparison.Ordinal))).Summary;

        foreach (var summary in new[] { rbif, plain })
        {
            var l = summary.Ledger!;
            Assert.True(summary.Passed, string.Join("; ", summary.Thresholds.Where(t => !t.Passed).Select(t => $"{t.Expression}: {t.ActualText}")));
            Assert.Equal(1500, l.Sent);
            Assert.Equal(l.Sent, l.Classes.Values.Sum());
            Assert.Equal(0, l.Count(Ledger.DeliveryClass.Lost));
            Assert.Equal(0, l.Count(Ledger.DeliveryClass.InFlight));
            Assert.Equal(15, l.Poisoned);
            Assert.Equal(15, l.PoisonedDeadLettered);                       // every poison pill ends in the DLQ…
            Assert.Equal(15, l.Count(Ledger.DeliveryClass.DeadLettered));   // …and nothing else: DLQ arrivals == poison pills
            Assert.Equal(0, l.GoodDeadLettered);
            Assert.Equal(l.Sent - 15, l.Processed);
            Assert.Equal("quiescent", l.Source);
        }

        // With ReportBatchItemFailures only the pills return: no good message waits for a re-delivery.
        Assert.Equal(0, rbif.Ledger!.DelayedGood);
        Assert.Equal(rbif.Ledger.Poisoned * 5, rbif.Ledger.FailedAttempts); // maxReceiveCount 5: five failed receives per pill

        // Without it whole batches fail: their good messages are re-delivered (SQS keeps no batch membership, so they come
        // back mixed with other messages and succeed), at the price of far more failed attempts and invocations and a
        // wait of at least one visibility timeout (5 s).
        var p = plain.Ledger!;
        Assert.True(p.FailedAttempts > 3 * rbif.Ledger.FailedAttempts, $"{p.FailedAttempts} vs {rbif.Ledger.FailedAttempts}");
        Assert.True(p.DelayedGood >= 9 * 15, $"{p.DelayedGood} good messages delayed"); // at least the 9 batch-mates of each pill's first batch
        Assert.Equal(p.DelayedGood, p.Count(Ledger.DeliveryClass.AfterRetry));
        Assert.True(p.DelayedGoodMs.Min >= 5000, $"delayed good messages waited at least {p.DelayedGoodMs.Min} ms");
        Assert.True(plain.Lambda!.Invocations > 1.5 * rbif.Lambda!.Invocations, $"{plain.Lambda.Invocations} vs {rbif.Lambda.Invocations} invocations");
    }

    [Fact]
    public async Task Async_retries_account_for_every_id_by_attempt()
    {
        var outcome = await Simulate(await File.ReadAllTextAsync(RepoFile("scenarios/async-retries.yaml")));
        var l = outcome.Summary.Ledger!;

        Assert.True(outcome.Summary.Passed, string.Join("; ", outcome.Summary.Thresholds.Where(t => !t.Passed).Select(t => t.Expression)));
        Assert.Equal(outcome.Summary.Totals.Started, l.Sent);
        Assert.Equal(l.Sent, l.Classes.Values.Sum());
        Assert.Equal(0, l.Count(Ledger.DeliveryClass.Lost) + l.Count(Ledger.DeliveryClass.InFlight));
        // The ledger's classes agree with what the model counted.
        var a = outcome.Summary.Lambda!.Async;
        Assert.Equal(a.FirstTrySuccess, l.Count(Ledger.DeliveryClass.FirstAttempt));
        Assert.Equal(a.SuccessAfterRetry.Values.Sum(), l.Count(Ledger.DeliveryClass.AfterRetry));
        Assert.Equal(a.RetriesExhausted, l.Count(Ledger.DeliveryClass.DeadLettered));
        Assert.True(l.ProcessedByAttempt.ContainsKey("3"));
        Assert.True(l.Attempts > l.Sent); // one receipt per attempt

        // 'lambdastorm report' rebuilds the same ledger from the journal.
        var rebuilt = (await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None)).Summary.Ledger!;
        Assert.Equal(l.Classes, rebuilt.Classes);
        Assert.Equal(l.EndToEndMs, rebuilt.EndToEndMs);
    }

    [Fact]
    public void The_default_target_is_the_emulator_with_one_function()
    {
        var s = ScenarioLoader.Load("name: t\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow();

        var emulator = Assert.IsType<TargetSpec.Emulator>(s.Target);
        Assert.Equal([ScenarioLoader.DefaultFunction], emulator.Functions);
        Assert.Equal(ScenarioLoader.DefaultFunction, s.Function);
        Assert.Equal(InvocationPath.Sync, Assert.Single(s.Paths.Entries).Path);
    }
}
