using Amazon;
using Amazon.Runtime;
using LambdaStorm.Chaos;
using LambdaStorm.Engine;
using LambdaStorm.Lambda;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// Every chaos action against a real emulator through its HTTP control plane (Lambda REST-JSON signed with SigV4, SQS
/// JSON through AWSSDK.SQS), on a fake clock: applied at 'at', effective at the first invocation that shows it,
/// reverted after 'for', and rolled back (with the rollback journal) on Ctrl-C and after a crash.
/// </summary>
public sealed class ChaosOnEmulatorTests : IDisposable
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("chaos-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<TestEmulator> StartAsync(FakeTimeProvider time) => TestEmulator.StartAsync(o =>
    {
        o.Functions.Add(TestEmulator.Instant("hello", f => f.Environment["KEEP"] = "me"));
        o.Functions.Add(TestEmulator.Instant("worker", f => f.ReservedConcurrency = 7));
        o.Queues.Add(new QueueOptions { Name = "orders", VisibilityTimeout = TimeSpan.FromSeconds(30) });
    }, time);

    private static HttpControlPlane Plane(TestEmulator emulator)
        => new(emulator.Host.BaseAddress, emulator.Host.BaseAddress, "us-east-1", new BasicAWSCredentials("lambdastorm", "lambdastorm"));

    private static LambdaHttpTarget Client(TestEmulator emulator)
        => new(new LambdaEndpoint(emulator.Host.BaseAddress, "hello", null, RegionEndpoint.USEast1, new BasicAWSCredentials("lambdastorm", "lambdastorm"), 0, 1), 8);

    private static InvocationRequest Request(int i) => new($"id-{i}", i, InvocationPath.Sync, DateTimeOffset.UnixEpoch, false, "{}");

    private static async Task StepAsync(FakeTimeProvider time, ChaosController controller, TimeSpan by)
    {
        time.Advance(by);
        await controller.SettleAsync();
    }

    private static IReadOnlyDictionary<string, string> Env(TestEmulator e, string function) => e.Model.GetFunction(function).Value!.Settings.Environment;

    [Fact]
    public async Task Every_action_is_applied_at_its_time_shows_its_effect_and_reverts_after_for()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(time);
        emulator.Model.PublishVersion("hello");
        emulator.Model.CreateAlias("hello", "live", "1");
        var plan = new ChaosPlan(
            [
                new ChaosAction.ReservedConcurrency(1, 1 * S, 2 * S, "hello", 0),
                new ChaosAction.FunctionErrors(2, 4 * S, 2 * S, "hello", 1.0, PreventExecution: true),
                new ChaosAction.FunctionLatency(3, 7 * S, 2 * S, "hello", TimeSpan.FromMilliseconds(500), 1.0),
                new ChaosAction.FunctionTimeout(4, 10 * S, 2 * S, "worker", 0.25),
                new ChaosAction.DownstreamLimit(5, 13 * S, 2 * S, "worker", 1),
                new ChaosAction.ProvisionedConcurrency(6, 16 * S, 2 * S, "hello", "live", 2),
                new ChaosAction.QueueVisibilityTimeout(7, 19 * S, 2 * S, "orders", 1 * S),
                new ChaosAction.PurgeQueue(8, 22 * S, "orders"),
            ],
            null,
            []);
        var events = new List<ChaosEvent>();
        await using var plane = Plane(emulator);
        using var rollback = new RollbackJournal(_folder, new ChaosPlaneInfo("http", emulator.Host.BaseAddress.ToString(), null, "us-east-1", null, false));
        await using var controller = new ChaosController(plan, plane, time, rollback, events.Add, "hello");
        await using var client = Client(emulator);
        var target = controller.Wrap(client);
        controller.Start();

        // 1: reserved concurrency 0 at 1 s; the first throttled invocation makes it effective; back to none at 3 s.
        await StepAsync(time, controller, S);
        Assert.Equal(0, emulator.Model.GetFunctionConcurrency("hello").Value);
        var throttled = await target.InvokeAsync(Request(1), TestContext.Current.CancellationToken);
        Assert.Equal(Outcome.Throttled, throttled.Outcome);
        Assert.Contains(events, e => e is { Action: "1-reserved-concurrency-hello", Kind: "effective", At: 1 });
        await StepAsync(time, controller, 2 * S);
        Assert.Null(emulator.Model.GetFunctionConcurrency("hello").Value);
        Assert.Equal(InvocationResult.Ok, await target.InvokeAsync(Request(2), TestContext.Current.CancellationToken));

        // 2: every invocation fails without running, at once (no environment retired), from 4 s to 6 s.
        await StepAsync(time, controller, S);
        Assert.Equal("1", Env(emulator, "hello")[FunctionFaults.ErrorRateVariable]);
        Assert.Equal("me", Env(emulator, "hello")["KEEP"]);
        Assert.Equal(Outcome.FunctionError, (await target.InvokeAsync(Request(3), TestContext.Current.CancellationToken)).Outcome);
        Assert.Contains(events, e => e is { Action: "2-function-errors-hello", Kind: "effective", At: 4 });
        await StepAsync(time, controller, 2 * S);
        Assert.DoesNotContain(Env(emulator, "hello").Keys, k => k.StartsWith(FunctionFaults.Prefix, StringComparison.Ordinal));
        Assert.Equal("me", Env(emulator, "hello")["KEEP"]);
        Assert.Equal(InvocationResult.Ok, await target.InvokeAsync(Request(4), TestContext.Current.CancellationToken));

        // 3: 500 ms added to every invocation from 7 s; the invocation that takes it marks it effective.
        await StepAsync(time, controller, S);
        var slow = target.InvokeAsync(Request(5), TestContext.Current.CancellationToken).AsTask();
        await emulator.WaitForAdmittedAsync(4);
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(InvocationResult.Ok, await slow);
        Assert.Contains(events, e => e is { Action: "3-function-latency-hello", Kind: "effective" } && e.Detail.Contains("600 ms", StringComparison.Ordinal));
        await StepAsync(time, controller, 2 * S - TimeSpan.FromMilliseconds(600));
        Assert.DoesNotContain(Env(emulator, "hello").Keys, k => k.StartsWith(FunctionFaults.Prefix, StringComparison.Ordinal));

        // 4 and 5 act on 'worker', which the sync path does not call: effective when the control plane accepts them.
        await StepAsync(time, controller, S);
        Assert.Equal(0.25, emulator.Model.GetFunction("worker").Value!.Settings.Faults.TimeoutShare);
        Assert.Contains(events, e => e is { Action: "4-function-timeout-worker", Kind: "effective" } && e.Detail == "control plane accepted the change");
        await StepAsync(time, controller, 2 * S);
        Assert.Equal(FunctionFaults.None, emulator.Model.GetFunction("worker").Value!.Settings.Faults);
        await StepAsync(time, controller, S);
        Assert.Equal(FunctionFaults.None with { DownstreamLimit = 1 }, emulator.Model.GetFunction("worker").Value!.Settings.Faults);
        await StepAsync(time, controller, 2 * S);
        Assert.Equal(FunctionFaults.None, emulator.Model.GetFunction("worker").Value!.Settings.Faults);
        Assert.Equal(7, emulator.Model.GetFunctionConcurrency("worker").Value);

        // 6: provisioned concurrency on hello:live from 16 s, removed again at 18 s.
        await StepAsync(time, controller, S);
        Assert.Equal(2, emulator.Model.GetProvisionedConcurrencyConfig("hello", "live").Value!.RequestedProvisionedConcurrentExecutions);
        await StepAsync(time, controller, 2 * S);
        Assert.False(emulator.Model.GetProvisionedConcurrencyConfig("hello", "live").IsSuccess);

        // 7: visibility timeout 1 s from 19 s, back to 30 s at 21 s; 8: purge at 22 s.
        await StepAsync(time, controller, S);
        Assert.Equal("1", emulator.Model.GetQueueAttributes("orders", ["VisibilityTimeout"]).Value!["VisibilityTimeout"]);
        await StepAsync(time, controller, 2 * S);
        Assert.Equal("30", emulator.Model.GetQueueAttributes("orders", ["VisibilityTimeout"]).Value!["VisibilityTimeout"]);
        emulator.Model.SendMessage("orders", "{}");
        await StepAsync(time, controller, S);
        Assert.Equal("0", emulator.Model.GetQueueAttributes("orders", ["ApproximateNumberOfMessages"]).Value!["ApproximateNumberOfMessages"]);

        var report = await controller.FinishAsync(TestContext.Current.CancellationToken);
        Assert.True(report.RolledBack);
        Assert.All(report.Findings.Take(7), f => Assert.NotNull(f.RevertedAt));
        Assert.Equal([1, 4, 7, 10, 13, 16, 19, 22], report.Findings.Select(f => f.RequestedAt!.Value));
        Assert.Equal([3, 6, 9, 12, 15, 18, 21], report.Findings.Take(7).Select(f => f.RevertedAt!.Value));
        Assert.True(RollbackJournal.Read(rollback.Path).Complete);
    }

    [Fact]
    public async Task Ctrl_C_rolls_back_every_applied_action_newest_first_and_completes_the_journal()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(time);
        var plan = new ChaosPlan(
            [
                new ChaosAction.ReservedConcurrency(1, S, null, "worker", 0),
                new ChaosAction.FunctionErrors(2, S, null, "hello", 0.3, false),
                new ChaosAction.QueueVisibilityTimeout(3, S, null, "orders", 5 * S),
                new ChaosAction.ReservedConcurrency(4, 10 * S, null, "hello", 0),
            ],
            null,
            []);
        var events = new List<ChaosEvent>();
        await using var plane = Plane(emulator);
        using var rollback = new RollbackJournal(_folder, new ChaosPlaneInfo("http", emulator.Host.BaseAddress.ToString(), null, "us-east-1", null, false));
        await using var controller = new ChaosController(plan, plane, time, rollback, events.Add, "hello");
        controller.Start();
        await StepAsync(time, controller, 2 * S);
        Assert.Equal(0, emulator.Model.GetFunctionConcurrency("worker").Value);
        Assert.Equal(0.3, emulator.Model.GetFunction("hello").Value!.Settings.Faults.ErrorRate);
        Assert.Equal(["1-reserved-concurrency-worker", "2-function-errors-hello", "3-queue-visibility-timeout-orders"], controller.Active);

        // Ctrl-C: the runner stops the load and finishes the controller, which rolls everything back.
        var report = await controller.FinishAsync(TestContext.Current.CancellationToken);

        Assert.Equal(7, emulator.Model.GetFunctionConcurrency("worker").Value);
        Assert.Equal(FunctionFaults.None, emulator.Model.GetFunction("hello").Value!.Settings.Faults);
        Assert.Equal("30", emulator.Model.GetQueueAttributes("orders", ["VisibilityTimeout"]).Value!["VisibilityTimeout"]);
        Assert.Empty(controller.Active);
        Assert.True(report.RolledBack);
        Assert.Equal(["3-queue-visibility-timeout-orders", "2-function-errors-hello", "1-reserved-concurrency-worker"], events.Where(e => e.Kind == "reverted").Select(e => e.Action));
        Assert.Equal("rolled-back", events[^1].Kind);
        Assert.Null(report.Findings[3].RequestedAt); // the action at 10 s never started
        await StepAsync(time, controller, 20 * S);
        Assert.Null(emulator.Model.GetFunctionConcurrency("hello").Value);
        Assert.True(RollbackJournal.Read(rollback.Path).Complete);
    }

    [Fact]
    public async Task After_a_crash_the_rollback_journal_replays_what_was_applied_and_not_undone()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(time);
        var plan = new ChaosPlan([new ChaosAction.ReservedConcurrency(1, S, null, "hello", 0), new ChaosAction.FunctionLatency(2, S, null, "hello", S, 0.5)], null, []);
        await using var plane = Plane(emulator);
        var rollback = new RollbackJournal(_folder, new ChaosPlaneInfo("http", emulator.Host.BaseAddress.ToString(), emulator.Host.BaseAddress.ToString(), "us-east-1", null, false));
        var controller = new ChaosController(plan, plane, time, rollback, null, "hello");
        controller.Start();
        await StepAsync(time, controller, 2 * S);
        rollback.Dispose(); // the process dies here: nothing is rolled back, the journal stays behind
        Assert.Equal(0, emulator.Model.GetFunctionConcurrency("hello").Value);
        Assert.Equal([_folder], ChaosSession.Unfinished(Path.GetDirectoryName(_folder)!).Where(f => f == _folder));

        var (lines, ok) = await ChaosSession.ReplayAsync(_folder, TestContext.Current.CancellationToken);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Null(emulator.Model.GetFunctionConcurrency("hello").Value);
        Assert.Equal(FunctionFaults.None, emulator.Model.GetFunction("hello").Value!.Settings.Faults);
        Assert.Equal("me", Env(emulator, "hello")["KEEP"]);
        Assert.Equal(2, lines.Count);
        Assert.Contains("reserved concurrency of hello removed", lines[1]);
        Assert.DoesNotContain(_folder, ChaosSession.Unfinished(Path.GetDirectoryName(_folder)!));
        Assert.Contains("already rolled back", (await ChaosSession.ReplayAsync(_folder, TestContext.Current.CancellationToken)).Lines[0]);
    }

    [Fact]
    public async Task An_abort_condition_stops_the_one_node_cluster_run_with_exit_code_3_rolls_back_and_completes_the_journal()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));
        var scenario = ScenarioLoader.Load($$"""
            name: abort-demo
            function: hello
            target: { type: emulator, endpoint: "{{emulator.Host.BaseAddress}}" }
            gracefulStop: 1s
            load:
              - inject: { rate: 20, during: 30s }
            abort:
              - throttle_rate > 50% for 2s
            chaos:
              - { at: 2s, reserved-concurrency: { function: hello, value: 0 } }
            """, "abort-demo.yaml").GetOrThrow();

        // As 'run' runs it: a one-node cluster whose coordinator evaluates the abort on the merged intervals and stops the agent.
        var outcome = await Cluster.LocalClusterRun.RunAsync(scenario, new Runs.RunOptions(_folder), null, TestContext.Current.CancellationToken);

        Assert.Equal(Runs.ExitCodes.Aborted, outcome.ExitCode);
        Assert.InRange(outcome.Summary.DurationSeconds, 3, 15); // stopped long before the 30 s of load
        using var check = await emulator.SendJsonAsync(HttpMethod.Get, "/2019-09-30/functions/hello/concurrency");
        Assert.Equal("{}", (await check.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim());
        var journal = Results.JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("aborted", journal.End!.Status);
        Assert.Empty(journal.Warnings);
        Assert.Equal(["requested", "applied", "effective", "abort", "reverted", "rolled-back"], journal.Chaos.Select(e => e.Kind));
        Assert.StartsWith("abort condition 'throttle_rate > 50% for 2s' fired", outcome.Summary.Chaos!.Aborted);
        Assert.True(outcome.Summary.Chaos.RolledBack);
        Assert.Contains(outcome.Summary.Warnings, w => w.StartsWith("aborted: ", StringComparison.Ordinal));
        Assert.True(RollbackJournal.Read(Path.Combine(outcome.ResultsPath, RollbackJournal.FileName)).Complete);
    }
}
