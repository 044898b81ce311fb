using LambdaStorm.Chaos;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests.Chaos;

public sealed class ChaosLoaderTests
{
    private const string Head = """
        name: gd
        function: hello
        paths: { sync: 1, queue: 1 }
        queue: orders
        target:
          type: emulator
          functions:
            hello: { duration: 20ms }
            worker: { duration: 20ms }
          queues:
            orders: { visibilityTimeout: 5s }
          eventSourceMappings:
            - { queue: orders, function: worker, batchSize: 10 }
        load:
          - inject: { rate: 10, during: 2m }

        """;

    private static ScenarioLoadResult Load(string tail) => ScenarioLoader.Load(Head + tail, "gd.yaml");

    private static string Errors(ScenarioLoadResult r) => string.Join("\n", r.Errors);

    [Fact]
    public void Loads_every_action_steady_state_and_abort_rule()
    {
        var s = Load("""
            steadyState:
              warmUp: 15s
              window: 3s
              rules: [ p99 < 500ms, error_rate < 1% ]
            abort:
              - throttle_rate > 20% for 10s
              - errors > 1000
            chaos:
              - { at: 20s, for: 20s, reserved-concurrency: { function: hello, value: 0 } }
              - { at: 45s, provisioned-concurrency: { function: hello, qualifier: live, value: 5 } }
              - { at: 45s, for: 30s, function-errors: { function: worker, rate: 30%, preventExecution: true } }
              - { at: 16s, for: 2s, function-latency: { function: hello, latency: 300ms, percentage: 50% } }
              - { at: 30s, for: 5s, function-timeout: { function: worker, percentage: 10% } }
              - { at: 30s, for: 5s, downstream-limit: { function: hello, limit: 2 } }
              - { at: 30s, for: 10s, queue-visibility-timeout: { queue: orders, value: 1s } }
              - { at: 1m, purge-queue: { queue: orders } }
            """).GetOrThrow();

        var plan = s.Chaos;
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(3)), (plan.SteadyState!.WarmUp, plan.SteadyState.Window));
        Assert.Equal(["p99 < 500ms", "error_rate < 1%"], plan.SteadyState.Rules.Select(x => x.Expression));
        Assert.Equal(2, plan.Abort.Length);
        Assert.Equal("throttle_rate", plan.Abort[0].Condition.Metric.Name);
        Assert.Equal(0.2, plan.Abort[0].Condition.Value, 9);
        Assert.Equal(TimeSpan.FromSeconds(10), plan.Abort[0].For);
        Assert.Equal(TimeSpan.Zero, plan.Abort[1].For);
        Assert.Equal(
            [
                new ChaosAction.ReservedConcurrency(1, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), "hello", 0),
                new ChaosAction.ProvisionedConcurrency(2, TimeSpan.FromSeconds(45), null, "hello", "live", 5),
                new ChaosAction.FunctionErrors(3, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(30), "worker", 0.3, true),
                new ChaosAction.FunctionLatency(4, TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(2), "hello", TimeSpan.FromMilliseconds(300), 0.5),
                new ChaosAction.FunctionTimeout(5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "worker", 0.1),
                new ChaosAction.DownstreamLimit(6, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "hello", 2),
                new ChaosAction.QueueVisibilityTimeout(7, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), "orders", TimeSpan.FromSeconds(1)),
                new ChaosAction.PurgeQueue(8, TimeSpan.FromMinutes(1), "orders"),
            ],
            plan.Actions);
        Assert.Equal("1-reserved-concurrency-hello", plan.Actions[0].Label);
        Assert.Equal(TimeSpan.FromSeconds(40), plan.Actions[0].Until);
    }

    [Fact]
    public void A_scenario_without_game_day_sections_has_an_empty_plan()
        => Assert.True(Load(string.Empty).GetOrThrow().Chaos.IsEmpty);

    [Fact]
    public void Refuses_a_function_outside_the_blast_radius_with_its_position()
    {
        var r = Load("""
            chaos:
              - at: 20s
                reserved-concurrency: { function: payments, value: 0 }
            """);
        var error = Assert.Single(r.Errors);
        Assert.Equal((18, 39), (error.Line, error.Column));
        Assert.Contains("function 'payments' of chaos action 1 (reserved-concurrency) is outside the blast radius", error.Message);
        Assert.Contains("(hello, worker)", error.Message);
    }

    [Fact]
    public void Refuses_a_queue_outside_the_blast_radius()
    {
        var r = Load("""
            chaos:
              - { at: 20s, purge-queue: { queue: invoices } }
            """);
        Assert.Contains("queue 'invoices' of chaos action 1 (purge-queue) is outside the blast radius", Errors(r));
        Assert.Equal(17, Assert.Single(r.Errors).Line);
    }

    [Fact]
    public void Refuses_function_actions_on_targets_that_name_no_function()
    {
        var r = ScenarioLoader.Load("""
            name: n
            target: { type: noop }
            load: [ { inject: { rate: 1, during: 10s } } ]
            chaos:
              - { at: 1s, function-errors: { function: hello, rate: 10% } }
            """, "n.yaml");
        var error = Assert.Single(r.Errors);
        Assert.Contains("outside the blast radius: chaos may touch only nothing: a noop target has no functions or queues (none)", error.Message);
        Assert.Equal("n.yaml", error.File);
    }

    private const string Aws = """
        name: a
        function: probe
        target:
          type: aws
          region: us-east-1
          maxInvocations: 100
          maxCostUsd: 1
          functions:
            probe: { probe: true, qualifier: live }
            legacy: {}
        load: [ { inject: { rate: 1, during: 1m } } ]

        """;

    [Fact]
    public void Refuses_function_faults_on_an_aws_function_without_the_probe_variables()
    {
        var r = ScenarioLoader.Load(Aws + """
            chaos:
              - { at: 1s, for: 5s, function-errors: { function: legacy, rate: 10% } }
              - { at: 1s, for: 5s, function-latency: { function: probe, latency: 1s } }
              - { at: 1s, for: 5s, reserved-concurrency: { function: legacy, value: 0 } }
              - { at: 1s, for: 5s, downstream-limit: { function: probe, limit: 2 } }
            """, "a.yaml");
        Assert.Equal(2, r.Errors.Length);
        var error = r.Errors[0];
        Assert.Equal((13, 24), (error.Line, error.Column));
        Assert.Contains("cannot act on the aws function 'legacy'", error.Message);
        Assert.Contains("probe: true", error.Message);
        Assert.Equal(16, r.Errors[1].Line);
        Assert.Contains("a downstream limit caps the function's concurrent executions, which the probe (one execution environment) cannot see", r.Errors[1].Message);

        // The probe reads LAMBDASTORM_FAULT_* on every invocation: function faults on a 'probe: true' function pass.
        var ok = ScenarioLoader.Load(Aws + """
            chaos:
              - { at: 1s, for: 5s, function-errors: { function: probe, rate: 10%, preventExecution: true } }
              - { at: 1s, for: 5s, function-latency: { function: probe, latency: 1s, percentage: 50% } }
              - { at: 1s, for: 5s, function-timeout: { function: probe, percentage: 5% } }
            """, "a.yaml").GetOrThrow();
        Assert.Equal(3, ok.Chaos.Actions.Length);
    }

    [Fact]
    public void Provisioned_concurrency_takes_the_aws_functions_qualifier_and_refuses_latest()
    {
        var ok = ScenarioLoader.Load(Aws + "chaos: [ { at: 1s, provisioned-concurrency: { function: probe, value: remove } } ]\n", "a.yaml").GetOrThrow();
        Assert.Equal(new ChaosAction.ProvisionedConcurrency(1, TimeSpan.FromSeconds(1), null, "probe", "live", null), Assert.Single(ok.Chaos.Actions));

        var r = ScenarioLoader.Load(Aws + "chaos: [ { at: 1s, provisioned-concurrency: { function: legacy, value: 3 } } ]\n", "a.yaml");
        Assert.Contains("cannot be configured on $LATEST", Errors(r));
        var r2 = Load("chaos: [ { at: 1s, provisioned-concurrency: { function: hello, qualifier: $LATEST, value: 3 } } ]\n");
        Assert.Contains("cannot be configured on $LATEST", Errors(r2));
    }

    [Theory]
    [InlineData("chaos: [ { at: 1s, for: 5s, purge-queue: { queue: orders } } ]", 20, "cannot have 'for'")]
    [InlineData("chaos: [ { at: 5s, explode: { function: hello } } ]", 20, "unknown chaos action 'explode'")]
    [InlineData("chaos: [ { at: 5s, kill-agent: { } } ]", 32, "is missing 'agent'")]
    [InlineData("chaos: [ { at: 5s, partition-agent: { agent: \"\" } } ]", 46, "'agent' of chaos action 1 (partition-agent)")]
    [InlineData("chaos: [ { for: 5s, reserved-concurrency: { function: hello, value: 0 } } ]", 10, "is missing 'at'")]
    [InlineData("chaos: [ { at: 3m, reserved-concurrency: { function: hello, value: 0 } } ]", 16, "when the load has already ended (2m)")]
    [InlineData("chaos: [ { at: 5s, reserved-concurrency: { function: hello } } ]", 42, "is missing 'value'")]
    [InlineData("chaos: [ { at: 5s, function-errors: { function: hello, rate: 130% } } ]", 62, "'rate' of chaos action 1 (function-errors) must be a share")]
    [InlineData("chaos: [ { at: 5s, queue-visibility-timeout: { queue: orders, value: 13h } } ]", 70, "at most 12h")]
    [InlineData("chaos: [ { at: 5s, reserved-concurrency: { function: hello, value: 0 }, function-errors: { function: hello, rate: 1% } } ]", 10, "exactly one action")]
    public void Refuses_impossible_actions_naming_line_and_column(string yaml, int column, string message)
    {
        var error = Assert.Single(Load(yaml).Errors);
        Assert.Equal(16, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Agent_actions_name_an_agent_by_name_or_by_slot()
    {
        var s = Load("""
            chaos:
              - { at: 20s, for: 20s, kill-agent: { agent: agent-2 } }
              - { at: 50s, partition-agent: { agent: 1 } }
            """).GetOrThrow();
        Assert.Equal(
            [new ChaosAction.KillAgent(1, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), "agent-2", null), new ChaosAction.PartitionAgent(2, TimeSpan.FromSeconds(50), null, null, 1)],
            s.Chaos.Actions);
        Assert.Equal(["1-kill-agent-agent-2", "2-partition-agent-slot-1"], s.Chaos.Actions.Select(a => a.Label));
        Assert.All(s.Chaos.Actions, a => Assert.Equal(ChaosTargetKind.Agent, a.TargetKind));
    }

    [Fact]
    public void Refuses_overlapping_actions_of_one_kind_on_one_target()
    {
        var r = Load("""
            chaos:
              - { at: 10s, for: 20s, function-errors: { function: hello, rate: 10% } }
              - { at: 25s, for: 5s, function-errors: { function: hello, rate: 50% } }
              - { at: 25s, for: 5s, function-errors: { function: worker, rate: 50% } }
              - { at: 30s, function-errors: { function: hello, rate: 50% } }
            """);
        var errors = r.Errors;
        Assert.Single(errors);
        Assert.Equal(18, errors[0].Line);
        Assert.Contains("overlaps chaos action 1", errors[0].Message);
    }

    [Fact]
    public void Refuses_actions_inside_the_warm_up_and_ledger_metrics_in_live_rules()
    {
        var r = Load("""
            steadyState:
              warmUp: 30s
              rules: [ lost == 0 ]
            abort:
              - in_flight > 0
              - throttle_rate > 20% for ten
              - thottle_rate > 1%
            chaos:
              - { at: 10s, reserved-concurrency: { function: hello, value: 0 } }
            """);
        var text = Errors(r);
        Assert.Equal(5, r.Errors.Length);
        Assert.Contains("a steady-state rule 'lost == 0' reads 'lost', a delivery-ledger metric", text);
        Assert.Contains("abort condition 'in_flight > 0' reads 'in_flight', a delivery-ledger metric that cannot be evaluated during the run", text);
        Assert.Contains("'for ten' in abort condition", text);
        Assert.Contains("unknown metric 'thottle_rate' (did you mean 'throttle_rate'?)", text);
        Assert.Contains("inside the steady-state warm-up (30s)", text);
        var forError = r.Errors.Single(e => e.Message.Contains("'for ten'"));
        Assert.Equal((21, 29), (forError.Line, forError.Column));
    }
}
