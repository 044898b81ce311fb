using System.Collections.Immutable;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>The result of loading a scenario: the scenario, or every error found.</summary>
/// <param name="Scenario">The scenario when there were no errors.</param>
/// <param name="Errors">All errors, in file order.</param>
public sealed record ScenarioLoadResult(Scenario? Scenario, ImmutableArray<ScenarioDiagnostic> Errors)
{
    /// <summary>True when the scenario loaded without errors.</summary>
    public bool Success => Scenario is not null && Errors.IsEmpty;

    /// <summary>The scenario, or a <see cref="ScenarioLoadException"/> with every error.</summary>
    public Scenario GetOrThrow() => Success ? Scenario! : throw new ScenarioLoadException(Errors);
}

/// <summary>
/// Loads scenario YAML into a <see cref="Scenario"/>, reporting every error at once with file, line and column.
/// The accepted shape is described by <c>scenarios/scenario.schema.json</c>.
/// </summary>
public static partial class ScenarioLoader
{
    /// <summary>Top-level keys of a scenario file.</summary>
    public static readonly string[] TopLevelKeys =
        ["name", "description", "target", "path", "paths", "function", "queue", "load", "payload", "thresholds", "maxInFlight", "seed", "gracefulStop", "logTailSample", "settle", "chaos", "steadyState", "abort", "variants", "generator"];

    /// <summary>Phase kinds, NBomber's vocabulary.</summary>
    public static readonly string[] PhaseKinds = ["inject", "ramping-inject", "spike", "keep-constant", "ramping-constant", "pause"];

    private static readonly string[] Placeholders = ["id", "intendedTime", "index", "path", "marker"];

    [GeneratedRegex(@"\{\{\s*([^}\s]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    // RFC 9110 token characters.
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNamePattern();

    /// <summary>Loads a scenario file.</summary>
    public static ScenarioLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ScenarioLoadResult(null, [new ScenarioDiagnostic(path, 1, 1, $"cannot read the scenario file: {ex.Message}")]);
        }

        return Load(text, path);
    }

    /// <summary>Loads scenario YAML text; <paramref name="file"/> names it in errors.</summary>
    public static ScenarioLoadResult Load(string text, string file = "<inline>")
    {
        var r = new YamlReader(file);
        var root = r.ParseRoot(text);
        var scenario = root is null ? null : Bind(r, root, new ScenarioSource(file, text));
        if (scenario is not null && !r.HasErrors && root is YamlMappingNode map && Value(map, "variants") is { } variants)
        {
            scenario = scenario with { Variants = BindVariants(r, variants, scenario.Name, text) };
        }

        return new ScenarioLoadResult(r.HasErrors ? null : scenario, r.Errors);
    }

    private static Scenario? Bind(YamlReader r, YamlNode root, ScenarioSource source)
    {
        var map = r.Mapping(root, "a scenario");
        if (map is null)
        {
            return null;
        }

        var e = r.Entries(map, "the scenario", TopLevelKeys);
        string? name = null;
        if (r.Require(e, map, "name", "the scenario", "a short name used for the results folder, e.g. 'checkout-spike'"))
        {
            name = r.NonEmptyString(e["name"].Value, "'name'");
            if (name is not null && !NamePattern().IsMatch(name))
            {
                r.Error(e["name"].Value, $"'name' must be letters, digits, '.', '_' or '-' (it names the results folder), not '{name}'");
            }
        }

        var description = e.TryGetValue("description", out var d) ? r.String(d.Value, "'description'") : null;
        var seed = e.TryGetValue("seed", out var s) ? r.Integer(s.Value, "'seed'") ?? 0 : 0;
        var function = e.TryGetValue("function", out var f) ? r.NonEmptyString(f.Value, "'function'") : null;
        var target = e.TryGetValue("target", out var t) ? BindTarget(r, t.Value, seed, function) : DefaultEmulator(seed, function);
        var paths = BindPaths(r, e, map, target);
        function = BindFunction(r, target, function, f.Value ?? t.Value ?? map);

        var load = ImmutableArray<LoadPhase>.Empty;
        if (r.Require(e, map, "load", "the scenario", "a list of phases such as '- inject: { rate: 100, during: 30s }'"))
        {
            load = BindLoad(r, e["load"].Value);
        }

        var payload = e.TryGetValue("payload", out var p) ? BindPayload(r, p.Value) : PayloadSpec.Default;
        var thresholds = e.TryGetValue("thresholds", out var th) ? BindThresholds(r, th.Value, paths) : [];
        var maxInFlight = e.TryGetValue("maxInFlight", out var mif) ? r.Integer(mif.Value, "'maxInFlight'", 1, 1_000_000) ?? 1 : Scenario.DefaultMaxInFlight;
        var logTail = e.TryGetValue("logTailSample", out var lt) ? r.Ratio(lt.Value, "'logTailSample'") ?? 1.0 : 1.0;
        var graceful = e.TryGetValue("gracefulStop", out var gs) ? r.Duration(gs.Value, "'gracefulStop'", allowZero: true) ?? TimeSpan.Zero : Scenario.DefaultGracefulStop;
        var settle = e.TryGetValue("settle", out var st) ? r.Duration(st.Value, "'settle'", allowZero: true) : null;
        var generator = e.TryGetValue("generator", out var gen) ? BindGenerator(r, gen.Value) : GeneratorBounds.Default;
        var queue = BindQueue(r, e, map, target, paths);
        var chaos = BindChaosPlan(r, e, target, function, queue, load, paths);
        if (target is TargetSpec.Emulator emulatorTarget && emulatorTarget.Endpoint is null
            && paths.Entries.Any(x => x.Path is InvocationPath.Async or InvocationPath.Queue))
        {
            // The ledger needs receipts: every function reports its attempts to the receipts queue.
            EmulatorTargetBinder.WireReceipts(emulatorTarget.Model, emulatorTarget.ReceiptsQueue);
        }

        // Cross-field rules.
        var maxCopies = load.Select(ph => ph switch
        {
            LoadPhase.KeepConstant k => k.Copies,
            LoadPhase.RampingConstant rc => rc.Copies,
            _ => 0,
        }).DefaultIfEmpty(0).Max();
        if (maxCopies > maxInFlight)
        {
            r.Error(e.TryGetValue("maxInFlight", out var mifNode) ? mifNode.Value : map,
                $"'maxInFlight' ({maxInFlight}) is below the {maxCopies} copies a closed-model phase keeps in flight; raise it to at least {maxCopies}");
        }

        if (!load.IsEmpty && load.All(ph => ph is LoadPhase.Pause))
        {
            r.Error(e["load"].Value, "'load' has only pauses; add at least one phase that sends load");
        }
        else if (!load.IsEmpty && maxCopies == 0 && !load.Any(ph => ph is LoadPhase.Inject { Rate: > 0 } or LoadPhase.RampingInject { Rate: > 0 } or LoadPhase.Spike { Rate: > 0 }))
        {
            r.Error(e["load"].Value, "'load' sends no load: every rate and every copies value is zero");
        }

        return name is null ? null : new Scenario(name, description, target, paths, function, load, payload, thresholds, maxInFlight, seed, graceful, source, logTail)
        {
            Queue = queue,
            Settle = settle,
            Chaos = chaos,
            Generator = generator,
        };
    }

    /// <summary>The <c>generator:</c> section: when a load generator counts as overloaded.</summary>
    private static GeneratorBounds BindGenerator(YamlReader r, YamlNode node)
    {
        var d = GeneratorBounds.Default;
        if (r.Mapping(node, "'generator'") is not { } map)
        {
            return d;
        }

        var g = r.Entries(map, "'generator'", "maxLatenessP99", "maxDropRate", "sustained");
        return new GeneratorBounds(
            g.TryGetValue("maxLatenessP99", out var l) ? r.Duration(l.Value, "'generator.maxLatenessP99'") ?? d.MaxLatenessP99 : d.MaxLatenessP99,
            g.TryGetValue("maxDropRate", out var dr) ? r.Ratio(dr.Value, "'generator.maxDropRate'") ?? d.MaxDropRate : d.MaxDropRate,
            g.TryGetValue("sustained", out var s) ? r.Integer(s.Value, "'generator.sustained'", 1, 3600) ?? d.Sustained : d.Sustained);
    }

    /// <summary>The default function of an emulator target given only as <c>target: emulator</c>.</summary>
    public const string DefaultFunction = "hello";

    private static TargetSpec.Emulator DefaultEmulator(int seed, string? function)
        => new(new Lambda.LambdaModelOptions { Seed = seed, Functions = [new Lambda.FunctionOptions { Name = function ?? DefaultFunction }] });

    private static string? BindQueue(YamlReader r, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> e, YamlMappingNode map, TargetSpec target, PathMix paths)
    {
        var sendsToQueue = paths.Entries.Any(x => x.Path == InvocationPath.Queue);
        if (!e.TryGetValue("queue", out var q))
        {
            if (sendsToQueue && target is TargetSpec.Aws { Queues: [var first, ..] })
            {
                return first; // the source queue is the first URL of 'target.queues'
            }

            if (sendsToQueue && target is TargetSpec.Emulator)
            {
                r.Error(e.TryGetValue("path", out var p) ? p.Value : e.TryGetValue("paths", out var ps) ? ps.Value : map, "path 'queue' needs 'queue:', the queue the load sends to (one of 'target.queues', or a queue of the running emulator)");
            }

            return null;
        }

        var name = r.NonEmptyString(q.Value, "'queue'");
        if (name is null)
        {
            return null;
        }

        if (!sendsToQueue)
        {
            r.Error(q.Key, "'queue' is set, but the scenario never sends on path 'queue'; add 'path: queue' (or a 'queue' weight under 'paths')");
        }
        else if (target is TargetSpec.Aws aws && !aws.Queues.IsEmpty && !aws.Queues.Contains(name))
        {
            r.Error(q.Value, $"'queue' names '{name}', which is not one of the URLs in 'target.queues': {string.Join(", ", aws.Queues)}");
        }
        else if (target is TargetSpec.Emulator { Endpoint: null } emulator && !emulator.Queues.Contains(name))
        {
            r.Error(q.Value, $"'queue' names '{name}', which 'target.queues' does not declare{DidYouMean.Suggest(name, emulator.Queues)}; declared: {(emulator.Queues.Count == 0 ? "none" : string.Join(", ", emulator.Queues))}");
        }

        return name;
    }

    private static string? BindFunction(YamlReader r, TargetSpec target, string? function, YamlNode where)
    {
        IReadOnlyList<string> names;
        if (target is TargetSpec.Aws aws)
        {
            names = [.. aws.Functions.Select(f => f.Name)];
            if (names.Count == 0)
            {
                return function;
            }
        }
        else if (target is TargetSpec.Emulator emulator)
        {
            if (emulator.Endpoint is not null)
            {
                // The running emulator's functions are not known here; the run reports an unknown function as it would on AWS.
                if (function is null)
                {
                    r.Error(where, "with 'target.endpoint', set 'function' to the function of the running emulator that the load invokes");
                }

                return function;
            }

            names = emulator.Functions;
        }
        else
        {
            return function;
        }

        if (function is null)
        {
            if (names.Count == 1)
            {
                return names[0];
            }

            r.Error(where, $"the {target.Kind} target {(target is TargetSpec.Aws ? "lists" : "defines")} {names.Count} functions; set 'function' to the one the load invokes ({string.Join(", ", names)})");
            return null;
        }

        if (!names.Contains(function))
        {
            r.Error(where, $"'function' names '{function}', which the {target.Kind} target does not {(target is TargetSpec.Aws ? "list" : "define")}{DidYouMean.Suggest(function, names)}; {(target is TargetSpec.Aws ? "listed" : "defined")}: {string.Join(", ", names)}");
        }

        return function;
    }

    private static TargetSpec BindTarget(YamlReader r, YamlNode node, int seed, string? function)
    {
        const string Expected = "'emulator', 'noop', an http(s) URL, or a mapping with 'type: emulator', 'type: noop' or 'type: http'";
        if (node is YamlScalarNode { Value: { } text })
        {
            if (text == "noop")
            {
                return TargetSpec.Noop.Instant;
            }

            if (text == "emulator")
            {
                return DefaultEmulator(seed, function);
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return new TargetSpec.Http(uri, "POST", ImmutableDictionary<string, string>.Empty, TargetSpec.Http.DefaultTimeout);
            }

            r.Error(node, text is "aws"
                ? "an aws target needs a mapping: 'target: { type: aws, region: us-east-1, functions: { my-function: {} }, maxInvocations: 10000, maxCostUsd: 5 }'"
                : $"unknown target '{text}'{DidYouMean.Suggest(text, ["noop", "emulator"])}; expected {Expected}");
            return TargetSpec.Noop.Instant;
        }

        var map = r.Mapping(node, "'target'");
        if (map is null)
        {
            return TargetSpec.Noop.Instant;
        }

        var type = map.Children.TryGetValue(new YamlScalarNode("type"), out var typeNode) ? r.String(typeNode, "'target.type'") : null;
        switch (type)
        {
            case "emulator":
                return EmulatorTargetBinder.Bind(r, map, seed);
            case "aws":
                return AwsTargetBinder.Bind(r, map);
            case "noop":
            {
                var e = r.Entries(map, "a noop target", "type", "latency", "jitter", "errorRate");
                return new TargetSpec.Noop(
                    e.TryGetValue("latency", out var l) ? r.Duration(l.Value, "'target.latency'", allowZero: true) ?? TimeSpan.Zero : TimeSpan.Zero,
                    e.TryGetValue("jitter", out var j) ? r.Duration(j.Value, "'target.jitter'", allowZero: true) ?? TimeSpan.Zero : TimeSpan.Zero,
                    e.TryGetValue("errorRate", out var er) ? r.Ratio(er.Value, "'target.errorRate'") ?? 0 : 0);
            }

            case "http":
            {
                var e = r.Entries(map, "an http target", "type", "url", "method", "headers", "timeout");
                Uri? url = null;
                if (r.Require(e, map, "url", "an http target", "an absolute http or https URL"))
                {
                    var u = r.String(e["url"].Value, "'target.url'");
                    if (u is not null && !(Uri.TryCreate(u, UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
                    {
                        r.Error(e["url"].Value, $"'target.url' must be an absolute http or https URL, not '{u}'");
                        url = null;
                    }
                }

                var method = e.TryGetValue("method", out var m) ? r.String(m.Value, "'target.method'")?.ToUpperInvariant() ?? "POST" : "POST";
                if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD"))
                {
                    r.Error(e["method"].Value, $"'target.method' must be GET, POST, PUT, PATCH, DELETE or HEAD, not '{method}'");
                }

                var headers = ImmutableDictionary<string, string>.Empty;
                if (e.TryGetValue("headers", out var h) && r.Mapping(h.Value, "'target.headers'") is { } hm)
                {
                    foreach (var (k, v) in hm.Children)
                    {
                        if (k is YamlScalarNode { Value: { } hk } && r.String(v, $"header '{hk}'") is { } hv)
                        {
                            if (!HeaderNamePattern().IsMatch(hk))
                            {
                                r.Error(k, $"'{hk}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only, no spaces)");
                            }

                            headers = headers.SetItem(hk, hv);
                        }
                    }
                }

                var timeout = e.TryGetValue("timeout", out var to) ? r.Duration(to.Value, "'target.timeout'") ?? TargetSpec.Http.DefaultTimeout : TargetSpec.Http.DefaultTimeout;
                return new TargetSpec.Http(url ?? new Uri("http://127.0.0.1/"), method, headers, timeout);
            }

            case null when typeNode is null:
                r.Error(map, $"'target' is missing 'type'; expected {Expected}");
                return TargetSpec.Noop.Instant;
            default:
                if (type is not null)
                {
                    r.Error(typeNode!, $"unknown target type '{type}'{DidYouMean.Suggest(type, ["emulator", "noop", "http", "aws"])}; expected 'emulator', 'noop', 'http' or 'aws'");
                }

                return TargetSpec.Noop.Instant;
        }
    }

    private static PathMix BindPaths(YamlReader r, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> e, YamlMappingNode map, TargetSpec target)
    {
        var defaultPath = target is TargetSpec.Http ? InvocationPath.Http : InvocationPath.Sync;
        var names = string.Join(", ", InvocationPaths.All.Select(p => p.Name()));
        PathMix mix;
        YamlNode? where = null;
        if (e.TryGetValue("path", out var single) && e.TryGetValue("paths", out var both))
        {
            r.Error(both.Key, "set either 'path' (one path) or 'paths' (a weighted mix), not both");
            return PathMix.Single(defaultPath);
        }

        if (e.TryGetValue("path", out single))
        {
            where = single.Value;
            var name = r.String(single.Value, "'path'");
            if (name is null)
            {
                return PathMix.Single(defaultPath);
            }

            if (!InvocationPaths.TryParse(name, out var p))
            {
                r.Error(single.Value, $"unknown path '{name}'{DidYouMean.Suggest(name, InvocationPaths.All.Select(x => x.Name()))}; expected one of {names}");
                return PathMix.Single(defaultPath);
            }

            mix = PathMix.Single(p);
        }
        else if (e.TryGetValue("paths", out var multi))
        {
            where = multi.Value;
            var m = r.Mapping(multi.Value, "'paths'");
            if (m is null)
            {
                return PathMix.Single(defaultPath);
            }

            var entries = ImmutableArray.CreateBuilder<PathWeight>();
            var pe = r.Entries(m, "'paths'", InvocationPaths.All.Select(x => x.Name()).ToArray());
            foreach (var (name, (_, value)) in pe)
            {
                var w = r.Number(value, $"the weight of path '{name}'", 0);
                if (w is > 0 && InvocationPaths.TryParse(name, out var p))
                {
                    entries.Add(new PathWeight(p, w.Value));
                }
            }

            if (entries.Count == 0)
            {
                r.Error(multi.Value, $"'paths' needs at least one path with a weight above zero, for example 'paths: {{ sync: 80, async: 20 }}'");
                return PathMix.Single(defaultPath);
            }

            mix = new PathMix(entries.ToImmutable());
        }
        else
        {
            return PathMix.Single(defaultPath);
        }

        foreach (var entry in mix.Entries)
        {
            var problem = (target, entry.Path) switch
            {
                (TargetSpec.Http, not InvocationPath.Http) => $"path '{entry.Path.Name()}' cannot be used with an http target, which takes path 'http'",
                (TargetSpec.Emulator, InvocationPath.Http) => "path 'http' cannot be used with the emulator target, which takes 'sync', 'async' or 'queue'",
                (TargetSpec.Aws, InvocationPath.Http) => "path 'http' cannot be used with an aws target, which invokes functions ('sync' or 'async'); use an http target for API Gateway or a Function URL",
                (TargetSpec.Aws { Queues.IsEmpty: true }, InvocationPath.Queue) =>
                    "path 'queue' on an aws target needs 'target.queues': the source queue's URL first (the stack output SourceQueueUrl), then its dead-letter queue's",
                (TargetSpec.Aws { ReceiptsQueue: null }, InvocationPath.Queue) =>
                    "path 'queue' on an aws target needs 'target.receiptsQueue' (the stack output ReceiptsQueueUrl), where the function writes one receipt per attempt, so the ledger can account for every message",
                _ => null,
            };
            if (problem is not null)
            {
                r.Error(where ?? map, problem);
            }
        }

        return mix;
    }

    private static ImmutableArray<LoadPhase> BindLoad(YamlReader r, YamlNode node)
    {
        var seq = r.Sequence(node, "'load'");
        if (seq is null)
        {
            return [];
        }

        if (seq.Children.Count == 0)
        {
            r.Error(node, "'load' is empty; add at least one phase, for example '- inject: { rate: 100, during: 30s }'");
        }

        var phases = ImmutableArray.CreateBuilder<LoadPhase>();
        var n = 0;
        foreach (var item in seq.Children)
        {
            n++;
            var what = $"load phase {n}";
            var map = r.Mapping(item, what);
            if (map is null)
            {
                continue;
            }

            if (map.Children.Count != 1)
            {
                r.Error(map, $"{what} must have exactly one phase kind ({string.Join(", ", PhaseKinds)}), found {map.Children.Count} keys");
                continue;
            }

            var (kindNode, body) = map.Children.First();
            var kind = (kindNode as YamlScalarNode)?.Value ?? string.Empty;
            var phase = kind switch
            {
                "inject" or "ramping-inject" or "spike" => BindOpenPhase(r, kind, kindNode, body, $"{what} ({kind})"),
                "keep-constant" or "ramping-constant" => BindClosedPhase(r, kind, kindNode, body, $"{what} ({kind})"),
                "pause" => BindPause(r, body, $"{what} (pause)"),
                _ => null,
            };
            if (kind is not ("inject" or "ramping-inject" or "spike" or "keep-constant" or "ramping-constant" or "pause"))
            {
                r.Error(kindNode, $"unknown phase kind '{kind}'{DidYouMean.Suggest(kind, PhaseKinds)}; expected one of: {string.Join(", ", PhaseKinds)}");
            }

            if (phase is not null)
            {
                phases.Add(phase);
            }
        }

        return phases.ToImmutable();
    }

    private static LoadPhase? BindOpenPhase(YamlReader r, string kind, YamlNode kindNode, YamlNode body, string what)
    {
        var map = r.Mapping(body, what);
        if (map is null)
        {
            return null;
        }

        var e = kind == "spike"
            ? r.Entries(map, what, "rate", "during", "recover")
            : r.Entries(map, what, "rate", "interval", "during");
        var rateOk = r.Require(e, kindNode, "rate", what, "arrivals per second, e.g. 'rate: 100'");
        var duringOk = r.Require(e, kindNode, "during", what, "a duration such as 30s or 2m");
        var rate = rateOk ? r.Number(e["rate"].Value, $"'rate' of {what}", 0) : null;
        var during = duringOk ? r.Duration(e["during"].Value, $"'during' of {what}") : null;
        var interval = e.TryGetValue("interval", out var i) ? r.Duration(i.Value, $"'interval' of {what}") : TimeSpan.FromSeconds(1);
        if (rate is null || during is null || interval is null)
        {
            return null;
        }

        // NBomber's Inject(rate, interval, during): 'rate' arrivals every 'interval'.
        var perSecond = rate.Value / interval.Value.TotalSeconds;
        return kind switch
        {
            "inject" => new LoadPhase.Inject(perSecond, during.Value),
            "ramping-inject" => new LoadPhase.RampingInject(perSecond, during.Value),
            _ => new LoadPhase.Spike(perSecond, during.Value,
                e.TryGetValue("recover", out var rec) ? r.Duration(rec.Value, $"'recover' of {what}", allowZero: true) ?? TimeSpan.Zero : TimeSpan.Zero),
        };
    }

    private static LoadPhase? BindClosedPhase(YamlReader r, string kind, YamlNode kindNode, YamlNode body, string what)
    {
        var map = r.Mapping(body, what);
        if (map is null)
        {
            return null;
        }

        var e = r.Entries(map, what, "copies", "during");
        var copiesOk = r.Require(e, kindNode, "copies", what, "the number of invocations kept in flight, e.g. 'copies: 50'");
        var duringOk = r.Require(e, kindNode, "during", what, "a duration such as 30s or 2m");
        var copies = copiesOk ? r.Integer(e["copies"].Value, $"'copies' of {what}", 0, 1_000_000) : null;
        var during = duringOk ? r.Duration(e["during"].Value, $"'during' of {what}") : null;
        if (copies is null || during is null)
        {
            return null;
        }

        return kind == "keep-constant"
            ? new LoadPhase.KeepConstant(copies.Value, during.Value)
            : new LoadPhase.RampingConstant(copies.Value, during.Value);
    }

    private static LoadPhase? BindPause(YamlReader r, YamlNode body, string what)
    {
        if (body is YamlMappingNode map)
        {
            var e = r.Entries(map, what, "during");
            if (!r.Require(e, map, "during", what, "a duration such as 10s"))
            {
                return null;
            }

            body = e["during"].Value;
        }

        var d = r.Duration(body, $"the duration of {what}");
        return d is null ? null : new LoadPhase.Pause(d.Value);
    }

    private static PayloadSpec BindPayload(YamlReader r, YamlNode node)
    {
        var map = r.Mapping(node, "'payload'");
        if (map is null)
        {
            return PayloadSpec.Default;
        }

        var e = r.Entries(map, "'payload'", "template", "poisonPills");
        var template = e.TryGetValue("template", out var t) ? r.String(t.Value, "'payload.template'") ?? PayloadSpec.DefaultTemplate : PayloadSpec.DefaultTemplate;
        if (t.Value is not null)
        {
            foreach (Match m in PlaceholderPattern().Matches(template))
            {
                var name = m.Groups[1].Value;
                if (Array.IndexOf(Placeholders, name) < 0)
                {
                    r.Error(t.Value, $"unknown placeholder '{{{{{name}}}}}' in 'payload.template'{DidYouMean.Suggest(name, Placeholders)}; known: {string.Join(", ", Placeholders.Select(x => "{{" + x + "}}"))}");
                }
            }
        }

        PoisonPillSpec? poison = null;
        if (e.TryGetValue("poisonPills", out var pp) && r.Mapping(pp.Value, "'payload.poisonPills'") is { } pm)
        {
            var pe = r.Entries(pm, "'payload.poisonPills'", "every", "probability", "marker");
            var every = pe.TryGetValue("every", out var ev) ? r.Integer(ev.Value, "'poisonPills.every'", 1) : null;
            var probability = pe.TryGetValue("probability", out var pr) ? r.Ratio(pr.Value, "'poisonPills.probability'") : null;
            var marker = pe.TryGetValue("marker", out var mk) ? r.NonEmptyString(mk.Value, "'poisonPills.marker'") ?? PoisonPillSpec.DefaultMarker : PoisonPillSpec.DefaultMarker;
            if (pe.ContainsKey("every") == pe.ContainsKey("probability"))
            {
                r.Error(pm, "'payload.poisonPills' needs exactly one of 'every' (every Nth invocation) or 'probability' (for example 1%)");
            }

            if (!PlaceholderPattern().Matches(template).Any(m => m.Groups[1].Value == "marker"))
            {
                r.Error(t.Value ?? (YamlNode)pm, "poison pills need the payload template to contain '{{marker}}', where the poison marker is placed");
            }

            poison = new PoisonPillSpec(every, probability, marker);
        }

        return new PayloadSpec(template, poison);
    }

    private static ImmutableArray<Threshold> BindThresholds(YamlReader r, YamlNode node, PathMix paths)
    {
        var list = ImmutableArray.CreateBuilder<Threshold>();
        foreach (var (item, text, quoted) in RuleItems(r, node, "'thresholds'", "a threshold"))
        {
            var (threshold, error) = ThresholdParser.Parse(text);
            if (error is not null)
            {
                r.Error(item, error.Message, error.Offset + quoted);
            }
            else if (threshold!.Path is { } p && !paths.Entries.Any(x => x.Path == p))
            {
                r.Error(item, $"threshold '{threshold.Expression}' filters on path '{p.Name()}', which this scenario never sends; its paths: {string.Join(", ", paths.Entries.Select(x => x.Path.Name()))}");
            }
            else
            {
                list.Add(threshold);
            }
        }

        return list.ToImmutable();
    }
}
