using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Tests;

public sealed class ScenarioLoaderTests
{
    private const string Valid = """
        name: demo
        description: a demo
        target: { type: noop, latency: 5ms, errorRate: 1% }
        paths: { sync: 3, async: 1 }
        seed: 7
        maxInFlight: 100
        gracefulStop: 2s
        load:
          - ramping-inject: { rate: 100, during: 10s }
          - inject: { rate: 50, interval: 500ms, during: 1m }
          - spike: { rate: 500, during: 5s, recover: 10s }
          - pause: 5s
          - keep-constant: { copies: 20, during: 30s }
          - ramping-constant: { copies: 40, during: 10s }
        payload:
          template: '{"id":"{{id}}","t":"{{intendedTime}}","m":"{{marker}}"}'
          poisonPills: { probability: 1%, marker: BAD }
        thresholds:
          - p99 < 800ms
          - error_rate < 1%
          - dropped == 0
          - p95{path=sync,outcome=ok} <= 1.5s
        """;

    [Fact]
    public void Loads_every_field_of_a_valid_scenario()
    {
        var s = ScenarioLoader.Load(Valid, "demo.yaml").GetOrThrow();

        Assert.Equal("demo", s.Name);
        Assert.Equal(new TargetSpec.Noop(TimeSpan.FromMilliseconds(5), TimeSpan.Zero, 0.01), s.Target);
        Assert.Equal([new PathWeight(InvocationPath.Sync, 3), new PathWeight(InvocationPath.Async, 1)], s.Paths.Entries);
        Assert.Equal(7, s.Seed);
        Assert.Equal(100, s.MaxInFlight);
        Assert.Equal(TimeSpan.FromSeconds(2), s.GracefulStop);
        Assert.Equal(
            [
                new LoadPhase.RampingInject(100, TimeSpan.FromSeconds(10)),
                new LoadPhase.Inject(100, TimeSpan.FromMinutes(1)), // 50 per 500 ms is 100/s
                new LoadPhase.Spike(500, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)),
                new LoadPhase.Pause(TimeSpan.FromSeconds(5)),
                new LoadPhase.KeepConstant(20, TimeSpan.FromSeconds(30)),
                new LoadPhase.RampingConstant(40, TimeSpan.FromSeconds(10)),
            ],
            s.Load);
        Assert.Equal(new PoisonPillSpec(null, 0.01, "BAD"), s.Payload.PoisonPills);
        Assert.Equal(4, s.Thresholds.Length);
        var filtered = s.Thresholds[3];
        Assert.Equal(InvocationPath.Sync, filtered.Path);
        Assert.Equal(Outcome.Ok, filtered.Outcome);
        Assert.Equal(1500, filtered.Value);
    }

    [Fact]
    public void Defaults_apply_when_optional_keys_are_missing()
    {
        var s = ScenarioLoader.Load("name: tiny\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow();

        Assert.IsType<TargetSpec.Emulator>(s.Target);
        Assert.Equal(Scenario.DefaultMaxInFlight, s.MaxInFlight);
        Assert.Equal(Scenario.DefaultGracefulStop, s.GracefulStop);
        Assert.Equal(PayloadSpec.Default, s.Payload);
        Assert.Equal(InvocationPath.Sync, Assert.Single(s.Paths.Entries).Path);
    }

    [Fact]
    public void An_emulator_function_takes_updateDuration_up_to_15_minutes_and_the_model_gets_it()
    {
        const string Yaml = "name: u\ntarget:\n  type: emulator\n  functions:\n    f: { updateDuration: 2s }\nload:\n  - inject: { rate: 1, during: 1s }\n";
        var target = Assert.IsType<TargetSpec.Emulator>(ScenarioLoader.Load(Yaml, "u.yaml").GetOrThrow().Target);
        Assert.Equal(2000, Assert.Single(target.Model.Functions).UpdateDurationMs);

        var error = Assert.Single(ScenarioLoader.Load(Yaml.Replace("2s", "16m", StringComparison.Ordinal), "u.yaml").Errors);
        Assert.Equal(("u.yaml", 5, 26), (error.File, error.Line, error.Column));
        Assert.Contains("must be at most 15m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_bounds_default_to_50ms_1pct_3_intervals_and_bind_from_the_generator_section()
    {
        Assert.Equal(new GeneratorBounds(TimeSpan.FromMilliseconds(50), 0.01, 3), ScenarioLoader.Load("name: tiny\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow().Generator);
        var s = ScenarioLoader.Load("name: tiny\ngenerator: { maxLatenessP99: 200ms, maxDropRate: 0.5% }\nload:\n  - inject: { rate: 1, during: 1s }\n").GetOrThrow();
        Assert.Equal(new GeneratorBounds(TimeSpan.FromMilliseconds(200), 0.005, 3), s.Generator);

        var bad = ScenarioLoader.Load("name: tiny\ngenerator:\n  maxDropRate: 150%\n  sustain: 2\nload:\n  - inject: { rate: 1, during: 1s }\n", "g.yaml");
        Assert.False(bad.Success);
        var errors = bad.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("g.yaml:3:16: error: 'generator.maxDropRate' must be a share between 0 and 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("g.yaml:4:3: error:", StringComparison.Ordinal) && e.Contains("sustain", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_error_at_once_with_line_and_column()
    {
        const string yaml = """
            name: broken
            lod: []
            target: noop
            load:
              - inject: { rate: -5, during: 10s }
              - ramping-inject: { rate: 10 }
              - keep-constant: { copies: 5, during: 10 }
              - injekt: { rate: 1, during: 1s }
            thresholds:
              - p99 < 800ms
              - p99.5 < 1s
              - error_rate < 5
            """;

        var result = ScenarioLoader.Load(yaml, "broken.yaml");

        Assert.False(result.Success);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:2:1: error: unknown key 'lod'", StringComparison.Ordinal) && e.Contains("did you mean 'load'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:5:21: error: 'rate' of load phase 1 (inject) must be at least 0, not -5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:6:5: error: load phase 2 (ramping-inject) is missing 'during'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:7:41: error: 'during' of load phase 3 (keep-constant) must be a duration", StringComparison.Ordinal) && e.Contains("add a unit: 10s or 10ms", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:8:5: error: unknown phase kind 'injekt' (did you mean 'inject'?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:11:5: error: unknown metric 'p99.5'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("broken.yaml:12:18: error: '5' is more than 1 for the ratio 'error_rate'; did you mean 5%?", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void Reports_yaml_syntax_errors_with_their_position()
    {
        var result = ScenarioLoader.Load("name: x\nload:\n  - inject: { rate: 1, during: 1s\n", "bad.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("bad.yaml", error.File);
        Assert.StartsWith("YAML syntax:", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 3);
    }

    [Fact]
    public void A_flow_mapping_left_open_across_lines_is_a_positioned_error_not_a_crash()
    {
        // YamlDotNet's scanner throws InvalidOperationException (not a YamlException) on this one.
        const string Yaml = "name: x\ntarget:\n  type: emulator\n  functions:\n    worker: { duration: 20ms, async: { maximumRetryAttempts: 0 }\n  queues:\n    failures: {} }\nload:\n  - inject: { rate: 1, during: 1s }\n";

        var error = Assert.Single(ScenarioLoader.Load(Yaml, "open.yaml").Errors);

        Assert.Equal(("open.yaml", 6, 3), (error.File, error.Line, error.Column));
        Assert.StartsWith("YAML syntax: the file cannot be read past here", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: x\n", "is missing 'load'")]
    [InlineData("load:\n  - inject: { rate: 1, during: 1s }\n", "is missing 'name'")]
    [InlineData("name: x\nload: []\n", "'load' is empty")]
    [InlineData("name: x\nload:\n  - pause: 5s\n", "only pauses")]
    [InlineData("name: x\nmaxInFlight: 5\nload:\n  - keep-constant: { copies: 10, during: 1s }\n", "below the 10 copies")]
    [InlineData("name: x\npath: sync\npaths: { sync: 1 }\nload:\n  - inject: { rate: 1, during: 1s }\n", "either 'path'")]
    [InlineData("name: x\npath: sink\nload:\n  - inject: { rate: 1, during: 1s }\n", "did you mean 'sync'?")]
    [InlineData("name: x\ntarget: http://127.0.0.1:9/\npath: sync\nload:\n  - inject: { rate: 1, during: 1s }\n", "cannot be used with an http target")]
    [InlineData("name: x\ntarget: { type: htp, url: 'http://x/' }\nload:\n  - inject: { rate: 1, during: 1s }\n", "did you mean 'http'?")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 0s }\n", "longer than zero")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s }\npayload:\n  template: '{{idd}}'\n", "did you mean 'id'?")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s }\npayload:\n  template: '{{id}}'\n  poisonPills: { every: 10 }\n", "contain '{{marker}}'")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s }\npayload:\n  poisonPills: { marker: X }\n", "exactly one of 'every'")]
    [InlineData("name: 'has space'\nload:\n  - inject: { rate: 1, during: 1s }\n", "names the results folder")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s }\nthresholds:\n  - p99 < fast\n", "is not a duration for 'p99'")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s }\nthresholds:\n  - error_rate{outcome=ok} < 1%\n", "latency metrics only")]
    [InlineData("name: x\nload:\n  - inject: { rate: 1, during: 1s, rate: 2 }\n", "Duplicate key rate")]
    public void Rejects_invalid_input_with_a_clear_message(string yaml, string expected)
    {
        var result = ScenarioLoader.Load(yaml, "f.yaml");

        Assert.False(result.Success);
        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1));
    }

    [Fact]
    public void Missing_file_is_a_diagnostic_not_an_exception()
    {
        var result = ScenarioLoader.LoadFile("/nonexistent/scenario.yaml");

        Assert.Contains("cannot read the scenario file", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    public void Parses_durations(string text, double ms)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1 s")]
    public void Rejects_malformed_durations(string text) => Assert.False(ValueParsers.TryParseDuration(text, out _));
}
