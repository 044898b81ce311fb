using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Tests;

/// <summary>
/// Keeps <c>scenarios/scenario.schema.json</c> in step with <see cref="ScenarioLoader"/>: every scenario in
/// <c>scenarios/</c> passes both, the common mistakes fail both, and the key lists cannot drift apart.
/// </summary>
public sealed class ScenarioSchemaTests
{
    private const string SchemaModeline = "# yaml-language-server: $schema=./scenario.schema.json";

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static readonly Lazy<JsonObject> SchemaJson = new(() =>
        JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject());

    // Built once: the schema has an $id, so each build gets its own registry.
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(SchemaPath), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static readonly Lazy<JsonSchema> ThresholdSchema = new(() =>
        JsonSchema.FromText(SchemaJson.Value["$defs"]!["threshold"]!.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static string SchemaPath => Path.Combine(Root.Value, "scenarios", "scenario.schema.json");

    // ---------------------------------------------------------------------------------------------------------
    // The schema itself

    [Fact]
    public void Schema_is_valid_json_and_a_2020_12_schema()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        var root = doc.RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("$id").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));

        var meta = MetaSchemas.Draft202012.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        Assert.True(meta.IsValid, "the schema does not validate against the 2020-12 meta-schema:" + Environment.NewLine + Describe(meta));
        Assert.NotNull(Schema.Value);
    }

    [Fact]
    public void Every_property_in_the_schema_has_a_description()
    {
        var missing = new List<string>();
        Walk(SchemaJson.Value, "#");
        Assert.True(missing.Count == 0, "properties without a description (editors show it on hover): " + string.Join(", ", missing));

        void Walk(JsonNode? node, string at)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["properties"] is JsonObject props)
                    {
                        foreach (var (name, value) in props)
                        {
                            if (value is not JsonObject p || p["description"] is null)
                            {
                                missing.Add($"{at}/properties/{name}");
                            }
                        }
                    }

                    foreach (var (key, value) in obj)
                    {
                        Walk(value, $"{at}/{key}");
                    }

                    break;
                case JsonArray arr:
                    for (var i = 0; i < arr.Count; i++)
                    {
                        Walk(arr[i], $"{at}/{i}");
                    }

                    break;
            }
        }
    }

    [Fact]
    public void Schema_top_level_keys_are_the_loaders()
    {
        var properties = SchemaJson.Value["properties"]!.AsObject().Select(p => p.Key);
        AssertSameSet(ScenarioLoader.TopLevelKeys, properties, "top-level keys (ScenarioLoader.TopLevelKeys vs schema properties)");
        Assert.False(SchemaJson.Value["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void Schema_phase_kinds_are_the_loaders()
    {
        var phase = SchemaJson.Value["$defs"]!["phase"]!;
        AssertSameSet(ScenarioLoader.PhaseKinds, phase["properties"]!.AsObject().Select(p => p.Key), "phase kinds (ScenarioLoader.PhaseKinds vs $defs/phase/properties)");
        AssertSameSet(ScenarioLoader.PhaseKinds, phase["propertyNames"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()), "phase kinds (ScenarioLoader.PhaseKinds vs $defs/phase/propertyNames/enum)");
    }

    [Fact]
    public void Schema_chaos_action_kinds_are_the_loaders()
    {
        var kinds = SchemaJson.Value["$defs"]!["chaosAction"]!["properties"]!.AsObject().Select(p => p.Key).Where(k => k is not ("at" or "for"));
        AssertSameSet(ScenarioLoader.ChaosKinds, kinds, "chaos action kinds (ScenarioLoader.ChaosKinds vs $defs/chaosAction/properties)");
    }

    [Fact]
    public void Schema_path_names_are_the_loaders()
    {
        var names = InvocationPaths.All.Select(p => p.Name()).ToArray();
        AssertSameSet(names, SchemaJson.Value["$defs"]!["path"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()), "paths ($defs/path/enum)");
        var paths = SchemaJson.Value["properties"]!["paths"]!;
        AssertSameSet(names, paths["properties"]!.AsObject().Select(p => p.Key), "paths (properties/paths/properties)");
        AssertSameSet(names, paths["propertyNames"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()), "paths (properties/paths/propertyNames/enum)");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Every scenario file

    public static TheoryData<string> ScenarioFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root.Value, "scenarios"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void There_are_scenario_files()
        => Assert.NotEmpty(ScenarioFiles());

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void Scenario_file_validates_against_the_schema_and_the_loader(string file)
    {
        var path = Path.Combine(Root.Value, "scenarios", file);

        var evaluation = Evaluate(File.ReadAllText(path));
        Assert.True(evaluation.IsValid, $"{file} does not validate against scenario.schema.json:{Environment.NewLine}{Describe(evaluation)}");

        var loaded = ScenarioLoader.LoadFile(path);
        Assert.True(loaded.Success, $"{file} does not load:{Environment.NewLine}{string.Join(Environment.NewLine, loaded.Errors)}");
    }

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void Scenario_file_names_the_schema_on_its_first_line(string file)
    {
        var first = File.ReadLines(Path.Combine(Root.Value, "scenarios", file)).FirstOrDefault();
        Assert.Equal(SchemaModeline, first);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inline cases: the schema and the loader give the same verdict

    private const string Load = """
        load:
          - inject: { rate: 10, during: 1s }
        """;

    public static TheoryData<string, string> RejectedByBoth() => new()
    {
        { "unknown top-level key", "name: t\nmaxInflight: 10\n" + Load },
        { "negative rate", "name: t\nload:\n  - inject: { rate: -5, during: 10s }\n" },
        { "missing during", "name: t\nload:\n  - inject: { rate: 5 }\n" },
        { "both path and paths", "name: t\npath: sync\npaths: { sync: 1 }\n" + Load },
        { "unknown phase kind", "name: t\nload:\n  - ramp: { rate: 5, during: 10s }\n" },
        { "missing name", Load },
        { "missing load", "name: t\n" },
        { "empty load", "name: t\nload: []\n" },
        { "only pauses", "name: t\nload:\n  - pause: 5s\n  - pause: { during: 1s }\n" },
        { "two phase kinds in one item", "name: t\nload:\n  - inject: { rate: 5, during: 1s }\n    pause: 1s\n" },
        { "unknown key in a phase", "name: t\nload:\n  - inject: { rate: 5, during: 1s, duration: 2s }\n" },
        { "interval on a spike", "name: t\nload:\n  - spike: { rate: 5, during: 1s, interval: 1s }\n" },
        { "rate on a closed phase", "name: t\nload:\n  - keep-constant: { copies: 5, rate: 5, during: 1s }\n" },
        { "missing copies", "name: t\nload:\n  - keep-constant: { during: 1s }\n" },
        { "copies not whole", "name: t\nload:\n  - keep-constant: { copies: 2.5, during: 1s }\n" },
        { "zero during", "name: t\nload:\n  - inject: { rate: 5, during: 0s }\n" },
        { "duration without a unit", "name: t\nload:\n  - inject: { rate: 5, during: 30 }\n" },
        { "zero pause", "name: t\nload:\n  - pause: 0s\n  - inject: { rate: 5, during: 1s }\n" },
        { "pause mapping without during", "name: t\nload:\n  - pause: { for: 1s }\n  - inject: { rate: 5, during: 1s }\n" },
        { "phase is not a mapping", "name: t\nload:\n  - inject\n" },
        { "name with a space", "name: my scenario\n" + Load },
        { "unknown path", "name: t\npath: syncc\n" + Load },
        { "paths all zero", "name: t\npaths: { sync: 0, async: 0 }\n" + Load },
        { "empty paths", "name: t\npaths: {}\n" + Load },
        { "negative path weight", "name: t\npaths: { sync: 1, async: -1 }\n" + Load },
        { "unknown key in paths", "name: t\npaths: { sync: 1, sqs: 1 }\n" + Load },
        { "http url target with a Lambda path", "name: t\ntarget: http://127.0.0.1:9/x\npath: sync\n" + Load },
        { "http target with a Lambda path in the mix", "name: t\ntarget: { type: http, url: 'http://127.0.0.1:9/' }\npaths: { http: 1, async: 1 }\n" + Load },
        { "unknown target", "name: t\ntarget: nop\n" + Load },
        { "target not available yet", "name: t\ntarget: aws\n" + Load },
        { "target mapping without type", "name: t\ntarget: { latency: 5ms }\n" + Load },
        { "unknown key in a noop target", "name: t\ntarget: { type: noop, latency: 5ms, errorrate: 1% }\n" + Load },
        { "noop errorRate above 100%", "name: t\ntarget: { type: noop, errorRate: 150% }\n" + Load },
        { "noop errorRate above 1", "name: t\ntarget: { type: noop, errorRate: 2 }\n" + Load },
        { "http target without url", "name: t\ntarget: { type: http }\n" + Load },
        { "http target with an ftp url", "name: t\ntarget: { type: http, url: 'ftp://example.com/' }\n" + Load },
        { "http target with an unknown method", "name: t\ntarget: { type: http, url: 'http://x/', method: OPTIONS }\n" + Load },
        { "http target with a zero timeout", "name: t\ntarget: { type: http, url: 'http://x/', timeout: 0s }\n" + Load },
        { "maxInFlight zero", "name: t\nmaxInFlight: 0\n" + Load },
        { "maxInFlight above 1,000,000", "name: t\nmaxInFlight: 2_000_000\n" + Load },
        { "seed not whole", "name: t\nseed: 1.5\n" + Load },
        { "gracefulStop without a unit", "name: t\ngracefulStop: 30\n" + Load },
        { "unknown key in payload", "name: t\npayload: { body: x }\n" + Load },
        { "unknown placeholder", "name: t\npayload: { template: '{\"id\":\"{{uuid}}\"}' }\n" + Load },
        { "poison pills with every and probability", "name: t\npayload: { poisonPills: { every: 5, probability: 1% } }\n" + Load },
        { "poison pills with neither every nor probability", "name: t\npayload: { poisonPills: { marker: X } }\n" + Load },
        { "poison pills with every zero", "name: t\npayload: { poisonPills: { every: 0 } }\n" + Load },
        { "poison pills without {{marker}} in the template", "name: t\npayload: { template: '{\"id\":\"{{id}}\"}', poisonPills: { every: 5 } }\n" + Load },
        // The loader looks for '{{marker}}' written exactly, although the renderer also accepts '{{ marker }}'.
        { "thresholds not a list", "name: t\nthresholds: p99 < 1s\n" + Load },
        { "unknown threshold metric", "name: t\nthresholds: [ 'p98 < 1s' ]\n" + Load },
        { "threshold ratio above 1", "name: t\nthresholds: [ 'error_rate < 2' ]\n" + Load },
        { "threshold outcome filter on a ratio", "name: t\nthresholds: [ 'error_rate{outcome=ok} < 1%' ]\n" + Load },
        { "threshold without operator", "name: t\nthresholds: [ 'p99 800ms' ]\n" + Load },
        { "client faults injecting nothing", "name: t\nchaos: [ { at: 0s, client-faults: { paths: [sync] } } ]\n" + Load },
        { "client faults latencyRate without latency", "name: t\nchaos: [ { at: 0s, client-faults: { latencyRate: 5%, failRate: 1% } } ]\n" + Load },
        { "client faults with an unknown key", "name: t\nchaos: [ { at: 0s, client-faults: { failRate: 1%, errorRate: 1% } } ]\n" + Load },
        { "client faults on an unknown path", "name: t\nchaos: [ { at: 0s, client-faults: { failRate: 1%, paths: [sqs] } } ]\n" + Load },
    };

    public static TheoryData<string, string> AcceptedByBoth() => new()
    {
        { "minimal", "name: t\n" + Load },
        { "client faults", "name: t\nchaos: [ { at: 0s, for: 1s, client-faults: { latency: 20ms, latencyRate: 50%, failRate: 1%, throttleRate: 2%, paths: [sync] } } ]\n" + Load },
        {
            "every phase kind",
            """
            name: every-phase
            maxInFlight: 100
            load:
              - ramping-inject: { rate: 50, during: 5s }
              - inject: { rate: 50, interval: 500ms, during: 1m30s }
              - spike: { rate: 400, during: 2s, recover: 0s }
              - pause: 1s
              - pause: { during: 500ms }
              - keep-constant: { copies: 10, during: 2s }
              - ramping-constant: { copies: 100, during: 2s }
            """
        },
        { "rate zero", "name: t\nload:\n  - inject: { rate: 0, during: 1s }\n  - inject: { rate: 1, during: 1s }\n" },
        { "poison pills with a spaced {{ marker }}", "name: t\npayload: { template: 'x{{ marker }}', poisonPills: { every: 5 } }\n" + Load },
        { "digit separators", "name: t\nmaxInFlight: 20_000\nload:\n  - inject: { rate: 1_000, during: 1s }\n" },
        { "quoted numbers", "name: t\nmaxInFlight: '500'\nseed: \"7\"\nload:\n  - inject: { rate: '100', during: 1s }\n" },
        { "numeric name", "name: 2024\n" + Load },
        { "empty description", "name: t\ndescription:\n" + Load },
        { "negative seed", "name: t\nseed: -7\n" + Load },
        { "gracefulStop zero", "name: t\ngracefulStop: 0s\n" + Load },
        { "copies equal to maxInFlight", "name: t\nmaxInFlight: 5\nload:\n  - keep-constant: { copies: 5, during: 1s }\n" },
        { "noop string target", "name: t\ntarget: noop\n" + Load },
        { "noop target with a Lambda path", "name: t\ntarget: { type: noop, latency: 5ms, jitter: 1ms, errorRate: 0.5% }\npath: queue\n" + Load },
        { "noop with 100% errors", "name: t\ntarget: { type: noop, errorRate: 100% }\n" + Load },
        { "path mix with a zero weight", "name: t\npaths: { sync: 80, async: 20, queue: 0 }\n" + Load },
        { "http url target", "name: t\ntarget: https://example.com/invoke\n" + Load },
        { "http url target with path http", "name: t\ntarget: http://127.0.0.1:9/x\npath: http\n" + Load },
        {
            "http target mapping",
            """
            name: t
            target:
              type: http
              url: http://127.0.0.1:8080/invoke
              method: put
              timeout: 2s
              headers:
                X-Api-Version: 2
                Authorization: Bearer abc
            paths: { http: 1, sync: 0 }
            load:
              - inject: { rate: 10, during: 1s }
            """
        },
        { "poison pills every Nth", "name: t\npayload: { template: '{\"m\":\"{{marker}}\"}', poisonPills: { every: 3, marker: 42 } }\n" + Load },
        { "poison pills with a probability and the default template", "name: t\npayload: { poisonPills: { probability: 1% } }\n" + Load },
        { "every placeholder, some spaced", "name: t\npayload: { template: '{{id}} {{ intendedTime }} {{index}} {{path}} {{marker}} {{ id x }}' }\n" + Load },
        { "numeric template", "name: t\npayload: { template: 42 }\n" + Load },
        {
            "thresholds",
            """
            name: t
            thresholds:
              - p99 < 800ms
              - p99.9 <= 1.5s
              - p95{path=sync,outcome=ok} <= 1s
              - mean{ path = sync } < 200
              - error_rate < 1%
              - throttle_rate < 0.005
              - drop_rate{path=sync} == 0
              - dropped == 0
              - requests >= 1_000
              - rate > 9.5
            load:
              - inject: { rate: 10, during: 1s }
            """
        },
    };

    /// <summary>Nonsense that both reject (the loader once accepted these; keep them as regression cases).</summary>
    public static TheoryData<string, string> RejectedBySchemaOnly() => new()
    {
        // An invalid header name would be silently dropped by HttpClient.
        { "invalid header name", "name: t\ntarget: { type: http, url: 'http://x/', headers: { 'Bad Header': x } }\n" + Load },
        // Always true (or never): a ratio is at most 100%.
        { "ratio threshold above 100%", "name: t\nthresholds: [ 'error_rate < 150%' ]\n" + Load },
        // YAML null and empty values are read as the text '~' or ''.
        { "empty function", "name: t\nfunction: ''\n" + Load },
        { "null function", "name: t\nfunction: ~\n" + Load },
        // A poisoned payload would look exactly like a healthy one.
        { "empty poison marker", "name: t\npayload: { poisonPills: { every: 2, marker: '' } }\n" + Load },
    };

    [Theory]
    [MemberData(nameof(RejectedByBoth))]
    public void Mistake_is_rejected_by_the_schema_and_the_loader(string mistake, string yaml)
    {
        Assert.False(Evaluate(yaml).IsValid, $"the schema accepts: {mistake}");
        Assert.False(ScenarioLoader.Load(yaml).Success, $"the loader accepts: {mistake}");
    }

    [Theory]
    [MemberData(nameof(AcceptedByBoth))]
    public void Scenario_is_accepted_by_the_schema_and_the_loader(string what, string yaml)
    {
        var evaluation = Evaluate(yaml);
        Assert.True(evaluation.IsValid, $"the schema rejects {what}:{Environment.NewLine}{Describe(evaluation)}");
        var loaded = ScenarioLoader.Load(yaml);
        Assert.True(loaded.Success, $"the loader rejects {what}:{Environment.NewLine}{string.Join(Environment.NewLine, loaded.Errors)}");
    }

    [Theory]
    [MemberData(nameof(RejectedBySchemaOnly))]
    public void Nonsense_the_loader_once_accepted_is_rejected_by_both(string what, string yaml)
    {
        Assert.False(Evaluate(yaml).IsValid, $"the schema accepts: {what}");
        Assert.False(ScenarioLoader.Load(yaml).Success, $"the loader accepts: {what}");
    }

    [Theory]
    [InlineData("name: t\nload:\n  - inject: { rate: 0, during: 1s }\n", "sends no load")]
    [InlineData("name: t\npath: sync\nthresholds: [ 'p99{path=queue} < 1s' ]\nload:\n  - inject: { rate: 1, during: 1s }\n", "never sends")]
    [InlineData("name: t\nthresholds: [ 'p99{path=sync,path=async} < 1s' ]\nload:\n  - inject: { rate: 1, during: 1s }\n", "given twice")]
    [InlineData("name: t\nload:\n  - inject: { rate: _1_, during: 1s }\n", "must be a number")]
    public void Loader_rejects_what_json_schema_cannot_express(string yaml, string message)
        => Assert.Contains(ScenarioLoader.Load(yaml).Errors, e => e.Message.Contains(message, StringComparison.Ordinal));

    // ---------------------------------------------------------------------------------------------------------
    // Value languages: each value in each position gets the same verdict from the schema and the loader

    public static TheoryData<string, string, string[]> ValueCases() => new()
    {
        {
            "positive duration (during)", "name: t\nload:\n  - inject: { rate: 1, during: VALUE }\n",
            ["30s", "500ms", "1m30s", "1.5s", "2h", "10us", "1h2m3s4ms", "0.5m", "0s", "0ms", "0m0s", "30", "-1s", "1d", "1.s", "s", "'30 s'", "'30s'", "30S"]
        },
        {
            "duration that may be zero (gracefulStop)", "name: t\ngracefulStop: VALUE\n" + Load,
            ["0s", "0ms", "30s", "1m30s", "0", "30", "-1s", "'10s'"]
        },
        {
            "positive duration (pause)", "name: t\nload:\n  - pause: VALUE\n  - inject: { rate: 1, during: 1s }\n",
            ["1s", "250ms", "0s", "5", "{ during: 2s }", "{ during: 0s }", "{ during: 2s, rate: 1 }"]
        },
        {
            "rate", "name: t\nload:\n  - inject: { rate: VALUE, during: 1s }\n  - inject: { rate: 1, during: 1s }\n",
            ["0", "10", "1.5", ".5", "+5", "1e3", "1_000", "'100'", "' 7 '", "0.0", "-1", "-0.5", "abc", "10%", "1,000", "[1]", "{ a: 1 }", "''", "true"]
        },
        {
            "copies", "name: t\nmaxInFlight: 1000000\nload:\n  - keep-constant: { copies: VALUE, during: 1s }\n  - inject: { rate: 1, during: 1s }\n",
            ["0", "50", "1000000", "1_000_000", "1e3", "5.0", "'7'", "1000001", "2_000_000", "5.5", "-1", "abc"]
        },
        {
            "maxInFlight", "name: t\nmaxInFlight: VALUE\n" + Load,
            ["1", "10000", "1000000", "1_000", "'25'", "1.0", "0", "1000001", "-5", "2.5", "abc", "0_000"]
        },
        {
            "seed", "name: t\nseed: VALUE\n" + Load,
            ["0", "42", "-7", "2147483647", "-2147483648", "'12'", "2147483648", "1.5", "abc"]
        },
        {
            "ratio (errorRate)", "name: t\ntarget: { type: noop, errorRate: VALUE }\n" + Load,
            ["0", "1", "0.5", "1e-2", "0.5%", "1%", "100%", "0%", "'0.25'", "1.5", "101%", "-1%", "-0.1", "abc", "%", "1%%"]
        },
        {
            "ratio (poison probability)", "name: t\npayload: { poisonPills: { probability: VALUE } }\n" + Load,
            ["0.01", "1%", "0.5%", "1", "2", "200%", "-1%"]
        },
        {
            "every", "name: t\npayload: { poisonPills: { every: VALUE } }\n" + Load,
            ["1", "500", "1_000", "'3'", "0", "-1", "2.5", "abc"]
        },
        {
            "path weight", "name: t\npaths: { sync: VALUE }\n" + Load,
            ["1", "0.5", "1_000", "'2'", "0", "-1", "abc"]
        },
        {
            "method", "name: t\ntarget: { type: http, url: 'http://x/', method: VALUE }\n" + Load,
            ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "get", "Post", "OPTIONS", "TRACE", "CONNECT", "''"]
        },
        {
            "target", "name: t\ntarget: VALUE\n" + Load,
            ["noop", "http://127.0.0.1:8080/x", "https://example.com", "HTTP://EXAMPLE.COM/", "'http://[::1]:9/'", "ftp://x", "emulator", "aws", "nop", "127.0.0.1:8080", "'http://'", "Noop", "''"]
        },
        {
            "name", "name: VALUE\n" + Load,
            ["t", "checkout-spike", "a.b_c-1", "007", "'0'", "-x", ".x", "_x", "'my scenario'", "'a/b'", "''", new string('a', 100), new string('a', 101)]
        },
    };

    [Theory]
    [MemberData(nameof(ValueCases))]
    public void Schema_and_loader_agree_on_values(string what, string template, string[] values)
    {
        var disagreements = new List<string>();
        foreach (var value in values)
        {
            var yaml = template.Replace("VALUE", value, StringComparison.Ordinal);
            var schemaSays = Evaluate(yaml).IsValid;
            var loaded = ScenarioLoader.Load(yaml);
            if (schemaSays != loaded.Success)
            {
                disagreements.Add($"  {value}: schema {(schemaSays ? "accepts" : "rejects")}, loader {(loaded.Success ? "accepts" : "rejects: " + string.Join("; ", loaded.Errors.Select(e => e.Message)))}");
            }
        }

        Assert.True(disagreements.Count == 0, $"schema and loader disagree on {what}:{Environment.NewLine}{string.Join(Environment.NewLine, disagreements)}");
    }

    [Fact]
    public void Threshold_pattern_agrees_with_the_threshold_parser()
    {
        string[] metrics = [.. ThresholdMetrics.All.Keys.Order(StringComparer.Ordinal), "latency", "p98", "p99.5", "error-rate", "P99", "rates"];
        string[] filters =
        [
            "", "{path=sync}", " { path = async } ", "{outcome=ok}", "{path=http,outcome=timeout}", "{outcome=transport_error, path=queue}",
            "{}", "{ , }", "{path=sync,}", "{path=bogus}", "{outcome=nope}", "{region=eu}", "{path}", "{path=sync=x}",
        ];
        string[] ops = ["<", "<=", ">", ">=", "==", "!=", "=<", "=", "<<"];
        string[] values =
        [
            "800ms", "1.5s", "1m30s", "0s", "800", "0", "+5", "1_000", "1e3", "1.0", "1", "2", ".5",
            "1%", "0.5%", "100%", "0%", "0.01", "-1", "abc", "5x", "1 s", "",
        ];

        var disagreements = new List<string>();
        var checkedCount = 0;
        foreach (var metric in metrics)
        {
            foreach (var filter in filters)
            {
                // Every operator with one value, every value with one operator: the operator does not interact with the rest.
                foreach (var (op, value) in ops.Select(o => (o, "1")).Concat(values.Select(v => ("<", v))))
                {
                    var expression = $"{metric}{filter} {op} {value}";
                    var parser = ThresholdParser.Parse(expression).Error is null;
                    var schema = ThresholdSchema.Value.Evaluate(JsonSerializer.SerializeToElement(expression)).IsValid;
                    checkedCount++;
                    if (parser != schema)
                    {
                        disagreements.Add($"  '{expression}': parser {(parser ? "accepts" : "rejects")}, schema {(schema ? "accepts" : "rejects")}");
                    }
                }
            }
        }

        Assert.True(checkedCount > 1000);
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} thresholds get different verdicts:{Environment.NewLine}{string.Join(Environment.NewLine, disagreements.Take(50))}");
    }

    [Fact]
    public void Converter_types_plain_scalars_and_keeps_quoted_ones_as_strings()
    {
        var node = YamlJson.Convert("""
            a: 1
            b: -2.5e3
            c: '1'
            d: true
            e: "false"
            f:
            g: ~
            h: 1_000
            i: 30s
            j: [1, x, { k: .5 }]
            l: 0x10
            """)!.AsObject();
        Assert.Equal(1, node["a"]!.GetValue<long>());
        Assert.Equal(-2500.0, node["b"]!.GetValue<double>());
        Assert.Equal("1", node["c"]!.GetValue<string>());
        Assert.True(node["d"]!.GetValue<bool>());
        Assert.Equal("false", node["e"]!.GetValue<string>());
        Assert.Null(node["f"]);
        Assert.Null(node["g"]);
        Assert.Equal("1_000", node["h"]!.GetValue<string>());
        Assert.Equal("30s", node["i"]!.GetValue<string>());
        Assert.Equal("""[1,"x",{"k":0.5}]""", node["j"]!.ToJsonString());
        Assert.Equal("0x10", node["l"]!.GetValue<string>());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private static EvaluationResults Evaluate(string yaml)
    {
        JsonNode? node;
        try
        {
            node = YamlJson.Convert(yaml);
        }
        catch (YamlException)
        {
            return Schema.Value.Evaluate(JsonSerializer.SerializeToElement("not YAML"));
        }

        return Schema.Value.Evaluate(JsonSerializer.SerializeToElement(node), new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
    }

    /// <summary>The errors of a hierarchical result, following only failed branches (not the failed alternatives of a passing anyOf).</summary>
    private static string Describe(EvaluationResults results)
    {
        var sb = new StringBuilder();
        Collect(results);
        return sb.ToString();

        void Collect(EvaluationResults node)
        {
            if (node.IsValid)
            {
                return;
            }

            foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {node.InstanceLocation} ({node.EvaluationPath}) {keyword}: {message}").AppendLine();
            }

            foreach (var child in node.Details ?? [])
            {
                Collect(child);
            }
        }
    }

    private static void AssertSameSet(IEnumerable<string> expected, IEnumerable<string> actual, string what)
    {
        var e = expected.ToHashSet(StringComparer.Ordinal);
        var a = actual.ToHashSet(StringComparer.Ordinal);
        var missing = e.Except(a).Order(StringComparer.Ordinal).ToList();
        var extra = a.Except(e).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{what}: missing from the schema [{string.Join(", ", missing)}], in the schema only [{string.Join(", ", extra)}]");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LambdaStorm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"LambdaStorm.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// Converts YAML to JSON the way an editor's YAML language server sees it (YAML 1.2 core schema): plain scalars
/// that look like integers, floats, booleans or null get those types; quoted and block scalars stay strings.
/// </summary>
internal static partial class YamlJson
{
    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>Converts the first document of <paramref name="yaml"/>; null for an empty stream.</summary>
    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMapping(map),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new NotSupportedException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                throw new NotSupportedException($"non-scalar mapping key at {key.Start}");
            }

            obj.Add(name, Convert(value));
        }

        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || !scalar.Tag.IsEmpty)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if ((IntPattern().IsMatch(text) || FloatPattern().IsMatch(text))
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }
}
