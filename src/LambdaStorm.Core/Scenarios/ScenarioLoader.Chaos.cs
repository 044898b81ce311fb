using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LambdaStorm.Chaos;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// The game-day sections of a scenario: <c>chaos</c> (the timeline), <c>steadyState</c> (the hypothesis) and
/// <c>abort</c> (the stop conditions). Targets are limited to the functions and queues the scenario names (its blast
/// radius), and an action the target cannot take is refused here, so a run never starts and then skips it.
/// </summary>
public static partial class ScenarioLoader
{
    /// <summary>The chaos action kinds.</summary>
    public static readonly string[] ChaosKinds =
    [
        "reserved-concurrency", "provisioned-concurrency", "function-errors", "function-latency", "function-timeout",
        "downstream-limit", "queue-visibility-timeout", "purge-queue", "client-faults", "kill-agent", "partition-agent",
    ];

    // Kinds the issue names that this version does not run yet; refused by name rather than as unknown.
    private static readonly string[] UnsupportedChaosKinds = [];

    [GeneratedRegex(@"^(?<rule>.*?)\s+for\s+(?<for>\S+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex AbortForPattern();

    private static ChaosPlan BindChaosPlan(YamlReader r, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> e, TargetSpec target, string? function, string? queue, ImmutableArray<LoadPhase> load, PathMix paths)
    {
        var steady = e.TryGetValue("steadyState", out var ss) ? BindSteadyState(r, ss.Value) : null;
        var ledger = paths.Entries.Any(x => x.Path is InvocationPath.Async or InvocationPath.Queue);
        var abort = e.TryGetValue("abort", out var ab) ? BindAbort(r, ab.Value, ledger, target) : [];
        var actions = e.TryGetValue("chaos", out var ch) ? BindChaos(r, ch.Value, target, function, queue, load, steady, paths) : [];
        return new ChaosPlan(actions, steady, abort);
    }

    private static SteadyState? BindSteadyState(YamlReader r, YamlNode node)
    {
        var map = r.Mapping(node, "'steadyState'");
        if (map is null)
        {
            return null;
        }

        var e = r.Entries(map, "'steadyState'", "rules", "warmUp", "window");
        var rules = ImmutableArray<Threshold>.Empty;
        if (r.Require(e, map, "rules", "'steadyState'", "rules in the threshold language, e.g. '- p99 < 500ms'"))
        {
            rules = BindRules(r, e["rules"].Value, "'steadyState.rules'", "a steady-state rule");
            if (r.Sequence(e["rules"].Value, "'steadyState.rules'") is { Children.Count: 0 })
            {
                r.Error(e["rules"].Value, "'steadyState.rules' is empty; a hypothesis needs at least one rule such as 'error_rate < 1%'");
            }
        }

        var warmUp = e.TryGetValue("warmUp", out var w) ? r.Duration(w.Value, "'steadyState.warmUp'") ?? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        var window = e.TryGetValue("window", out var wi) ? r.Duration(wi.Value, "'steadyState.window'") ?? SteadyState.DefaultWindow : SteadyState.DefaultWindow;
        if (window.TotalSeconds < 1)
        {
            r.Error(wi.Value ?? map, "'steadyState.window' must be at least 1s (the data arrives in one-second intervals)");
        }

        return new SteadyState(rules, warmUp, window);
    }

    /// <summary>The items of a list of rules (thresholds, steady-state rules, abort conditions): node, text, and 1 when quoted (for columns).</summary>
    private static IEnumerable<(YamlNode Item, string Text, int Quoted)> RuleItems(YamlReader r, YamlNode node, string what, string itemWhat)
    {
        if (r.Sequence(node, what) is not { } seq)
        {
            yield break;
        }

        foreach (var item in seq.Children)
        {
            if (r.String(item, itemWhat) is { } text)
            {
                yield return (item, text, item is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted } ? 1 : 0);
            }
        }
    }

    /// <param name="r">The reader.</param>
    /// <param name="node">The <c>abort</c> list.</param>
    /// <param name="ledger">True when the scenario sends on the async or queue path, so that a delivery ledger runs.</param>
    /// <param name="target">The scenario's target: <c>lost</c> is live only where the source reports its discards (the emulator).</param>
    private static ImmutableArray<AbortRule> BindAbort(YamlReader r, YamlNode node, bool ledger, TargetSpec target)
    {
        var list = ImmutableArray.CreateBuilder<AbortRule>();
        foreach (var (item, text, quoted) in RuleItems(r, node, "'abort'", "an abort condition"))
        {
            var ruleText = text;
            var holdFor = TimeSpan.Zero;
            var m = AbortForPattern().Match(text);
            if (m.Success)
            {
                ruleText = m.Groups["rule"].Value;
                if (!ValueParsers.TryParseDuration(m.Groups["for"].Value, out holdFor) || holdFor < TimeSpan.Zero)
                {
                    r.Error(item, $"'for {m.Groups["for"].Value}' in abort condition '{text}' is not a duration such as 10s", m.Groups["for"].Index + quoted);
                    continue;
                }
            }

            var (threshold, error) = ThresholdParser.Parse(ruleText);
            if (error is not null)
            {
                r.Error(item, error.Message.Replace("threshold '", "abort condition '", StringComparison.Ordinal), error.Offset + quoted);
                continue;
            }

            var metric = threshold!.Metric.Name;
            if (ThresholdMetrics.LiveLedgerMetrics.Contains(metric) && !ledger)
            {
                r.Error(item, $"abort condition '{text}' reads '{metric}', which the delivery ledger measures on the async and queue paths; this scenario sends on neither, so it could never fire", quoted);
                continue;
            }

            if (metric == "lost" && target is TargetSpec.Aws)
            {
                r.Error(item, $"abort condition '{text}' reads 'lost', which an aws target cannot give during the run: AWS reports no per-id evidence of an async event or SQS message it discarded, so an id counts as lost only once the ledger has settled after the load; abort on dlq_depth (e.g. 'dlq_depth > 1000') or on live data such as error_rate or throttle_rate, and put 'lost' in 'thresholds' (the emulator target can abort on lost)", quoted);
                continue;
            }

            if (ThresholdMetrics.IsLedgerMetric(metric) && !ThresholdMetrics.LiveLedgerMetrics.Contains(metric))
            {
                var why = metric == "in_flight"
                    ? "an id is in flight only if it still has no outcome when the run has ended and the ledger has settled; during the run every id without an outcome yet would count"
                    : "it is known only when the run has ended";
                r.Error(item, $"abort condition '{text}' reads '{metric}', a delivery-ledger metric that cannot be evaluated during the run ({why}); abort on lost, dlq_depth (e.g. 'dlq_depth > 1000') or on live data such as throttle_rate, error_rate or p99, and put '{metric}' in 'thresholds'", quoted);
                continue;
            }

            list.Add(new AbortRule(text.Trim(), threshold, holdFor));
        }

        return list.ToImmutable();
    }

    private static ImmutableArray<Threshold> BindRules(YamlReader r, YamlNode node, string what, string itemWhat)
    {
        var list = ImmutableArray.CreateBuilder<Threshold>();
        foreach (var (item, text, quoted) in RuleItems(r, node, what, itemWhat))
        {
            var (threshold, error) = ThresholdParser.Parse(text);
            if (error is not null)
            {
                r.Error(item, error.Message, error.Offset + quoted);
            }
            else if (ThresholdMetrics.IsLedgerMetric(threshold!.Metric.Name))
            {
                r.Error(item, $"{itemWhat} '{text}' reads '{threshold.Metric.Name}', a delivery-ledger metric known only when the run has ended; use it in 'thresholds'", quoted);
            }
            else
            {
                list.Add(threshold);
            }
        }

        return list.ToImmutable();
    }

    /// <summary>The functions and queues a scenario names: the only things its chaos actions may touch.</summary>
    private static (IReadOnlyList<string> Functions, IReadOnlyList<string> Queues, string Where) BlastRadius(TargetSpec target, string? function, string? queue)
    {
        var functions = new List<string>();
        var queues = new List<string>();
        void Add(List<string> list, string? name)
        {
            if (name is not null && !list.Contains(name, StringComparer.Ordinal))
            {
                list.Add(name);
            }
        }

        switch (target)
        {
            case TargetSpec.Emulator em:
                em.Functions.ToList().ForEach(f => Add(functions, f));
                em.Queues.Where(q => q != em.ReceiptsQueue).ToList().ForEach(q => Add(queues, q));
                Add(functions, function);
                Add(queues, queue);
                return (functions, queues, em.Endpoint is null ? "the emulator target's functions and queues" : "the scenario's function and queue");
            case TargetSpec.Aws aws:
                aws.Functions.ToList().ForEach(f => Add(functions, f.Name));
                aws.Queues.ToList().ForEach(q => Add(queues, q));
                return (functions, queues, "'target.functions' and 'target.queues'");
            default:
                return (functions, queues, $"nothing: a {target.Kind} target has no functions or queues");
        }
    }

    private static ImmutableArray<ChaosAction> BindChaos(YamlReader r, YamlNode node, TargetSpec target, string? function, string? queue, ImmutableArray<LoadPhase> load, SteadyState? steady, PathMix paths)
    {
        var seq = r.Sequence(node, "'chaos'");
        if (seq is null)
        {
            return [];
        }

        var (functions, queues, where) = BlastRadius(target, function, queue);
        var loadEnd = load.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.TotalDuration);
        var actions = ImmutableArray.CreateBuilder<(ChaosAction Action, YamlNode Node)>();
        var n = 0;
        foreach (var item in seq.Children)
        {
            n++;
            var what = $"chaos action {n}";
            var map = r.Mapping(item, what);
            if (map is null)
            {
                continue;
            }

            var kinds = map.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is not ("at" or "for")).ToList();
            if (kinds.Count != 1)
            {
                r.Error(map, $"{what} must have 'at', an optional 'for', and exactly one action ({string.Join(", ", ChaosKinds)}); found {kinds.Count} action keys");
                continue;
            }

            var kindNode = kinds[0];
            var kind = kindNode.Value!;
            if (Array.IndexOf(UnsupportedChaosKinds, kind) >= 0)
            {
                r.Error(kindNode, $"'{kind}' is not supported by this version of LambdaStorm; it is refused rather than skipped during the run. Supported: {string.Join(", ", ChaosKinds)}");
                continue;
            }

            if (Array.IndexOf(ChaosKinds, kind) < 0)
            {
                r.Error(kindNode, $"unknown chaos action '{kind}'{DidYouMean.Suggest(kind, ChaosKinds)}; expected one of: {string.Join(", ", ChaosKinds)}");
                continue;
            }

            what = $"{what} ({kind})";
            var e = r.Entries(map, what, ["at", "for", kind]);
            TimeSpan? at = null;
            if (r.Require(e, map, "at", what, "when it starts, from the start of the load, e.g. 'at: 30s'"))
            {
                at = r.Duration(e["at"].Value, $"'at' of {what}", allowZero: true);
            }

            TimeSpan? holdFor = e.TryGetValue("for", out var f) ? r.Duration(f.Value, $"'for' of {what}") : null;
            if (f.Value is not null && kind == "purge-queue")
            {
                r.Error(f.Key, $"{what} cannot have 'for': a purge deletes messages once and cannot be undone");
            }

            if (at is { } a && steady is not null && a < steady.WarmUp)
            {
                r.Error(e["at"].Value, $"{what} starts at {ValueParsers.FormatDuration(a)}, inside the steady-state warm-up ({ValueParsers.FormatDuration(steady.WarmUp)}); faults start only once the steady state has been checked");
            }

            if (at is { } a2 && loadEnd > TimeSpan.Zero && a2 >= loadEnd)
            {
                r.Error(e["at"].Value, $"{what} starts at {ValueParsers.FormatDuration(a2)}, when the load has already ended ({ValueParsers.FormatDuration(loadEnd)})");
            }

            var body = r.Mapping(e[kind].Value, $"'{kind}' of chaos action {n}");
            if (body is null || at is null)
            {
                continue;
            }

            var action = kind == "client-faults"
                ? BindClientFaults(r, n, kindNode, body, at.Value, holdFor, what, paths)
                : BindAction(r, n, kind, kindNode, body, at.Value, holdFor, what, target, functions, queues, where);
            if (action is not null)
            {
                actions.Add((action, item));
            }
        }

        // Two actions of the same kind on the same target may not overlap: the revert of one would undo the other.
        var list = actions.ToImmutable();
        for (var i = 0; i < list.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (x, y) = (list[j].Action, list[i].Action);
                if (x.Kind == y.Kind && x.Target == y.Target && x.Kind != "purge-queue" && y.At < (x.Until ?? TimeSpan.MaxValue) && x.At < (y.Until ?? TimeSpan.MaxValue))
                {
                    r.Error(list[i].Node, $"chaos action {y.Index} ({y.Kind} on {y.Target}) overlaps chaos action {x.Index}, the same action on the same target; give the earlier one a 'for' that ends before {ValueParsers.FormatDuration(y.At)}");
                }
            }
        }

        return [.. list.Select(x => x.Action)];
    }

    /// <summary>
    /// <c>kill-agent</c> / <c>partition-agent</c>: <c>agent</c> is a cluster agent's name (<c>--name</c>) or its 0-based
    /// slot in the run's first split. The agent named is the action's whole blast radius; whether it exists is known only
    /// when the run starts on a cluster (a one-process run journals the action as not applicable).
    /// </summary>
    private static ChaosAction? BindAgentAction(YamlReader r, int n, string kind, YamlMappingNode body, TimeSpan at, TimeSpan? holdFor, string what)
    {
        var e = r.Entries(body, what, ["agent"]);
        if (!r.Require(e, body, "agent", what, "the agent it acts on: its name (e.g. 'agent: agent-2') or its 0-based slot in the run's first split (e.g. 'agent: 1')"))
        {
            return null;
        }

        var node = e["agent"].Value;
        string? name = null;
        int? slot = null;
        if (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: { } v } && v.Length > 0 && v.All(char.IsAsciiDigit))
        {
            slot = r.Integer(node, $"'agent' of {what}", 0, 10_000);
            if (slot is null)
            {
                return null;
            }
        }
        else
        {
            name = r.NonEmptyString(node, $"'agent' of {what}");
            if (name is null)
            {
                return null;
            }
        }

        return kind == "kill-agent"
            ? new ChaosAction.KillAgent(n, at, holdFor, name, slot)
            : new ChaosAction.PartitionAgent(n, at, holdFor, name, slot);
    }

    private static ChaosAction? BindAction(
        YamlReader r, int n, string kind, YamlNode kindNode, YamlMappingNode body, TimeSpan at, TimeSpan? holdFor, string what,
        TargetSpec target, IReadOnlyList<string> functions, IReadOnlyList<string> queues, string where)
    {
        if (kind is "kill-agent" or "partition-agent")
        {
            return BindAgentAction(r, n, kind, body, at, holdFor, what);
        }

        var isQueue = kind is "queue-visibility-timeout" or "purge-queue";
        string[] keys = kind switch
        {
            "reserved-concurrency" => ["function", "value"],
            "provisioned-concurrency" => ["function", "qualifier", "value"],
            "function-errors" => ["function", "rate", "preventExecution"],
            "function-latency" => ["function", "latency", "percentage"],
            "function-timeout" => ["function", "percentage"],
            "downstream-limit" => ["function", "limit"],
            "queue-visibility-timeout" => ["queue", "value"],
            _ => ["queue"],
        };
        var e = r.Entries(body, what, keys);
        var targetKey = isQueue ? "queue" : "function";
        if (!r.Require(e, body, targetKey, what, isQueue ? "the queue it acts on, one the scenario names" : "the function it acts on, one the scenario names"))
        {
            return null;
        }

        var targetNode = e[targetKey].Value;
        var name = r.NonEmptyString(targetNode, $"'{targetKey}' of {what}");
        if (name is null)
        {
            return null;
        }

        var radius = isQueue ? queues : functions;
        var known = isQueue ? radius.FirstOrDefault(q => q == name || q.EndsWith("/" + name, StringComparison.Ordinal)) : radius.FirstOrDefault(x => x == name);
        if (known is null)
        {
            var list = radius.Count == 0 ? "none" : string.Join(", ", radius);
            r.Error(targetNode, $"{targetKey} '{name}' of {what} is outside the blast radius: chaos may touch only {where} ({list}){DidYouMean.Suggest(name, radius)}");
            return null;
        }

        name = known;
        var aws = target as TargetSpec.Aws;
        var awsFunction = aws?.Function(name);
        if (kind is "function-errors" or "function-latency" or "function-timeout" or "downstream-limit" && aws is not null && awsFunction is { Probe: false })
        {
            r.Error(kindNode, $"{what} cannot act on the aws function '{name}': function faults reach a real function only through the LAMBDASTORM_* variables the probe function reads (functions/probe); deploy the probe (or wrap your function in it) and mark it 'probe: true' in 'target.functions'");
            return null;
        }

        if (kind is "downstream-limit" && aws is not null)
        {
            // Refused rather than applied without effect: the limit is on the function's concurrency, which one
            // execution environment of the probe cannot see (functions/probe ignores LAMBDASTORM_FAULT_DOWNSTREAM_LIMIT).
            r.Error(kindNode, $"{what} cannot act on the aws function '{name}': a downstream limit caps the function's concurrent executions, which the probe (one execution environment) cannot see; use reserved-concurrency to cap a real function, or function-errors/function-latency to slow its downstream");
            return null;
        }

        double? RatioOf(string key, double fallback) => e.TryGetValue(key, out var v) ? r.Ratio(v.Value, $"'{key}' of {what}") : fallback;
        switch (kind)
        {
            case "reserved-concurrency":
            {
                if (!r.Require(e, body, "value", what, "the reserved concurrency to set; 0 throttles every invocation"))
                {
                    return null;
                }

                var v = r.Integer(e["value"].Value, $"'value' of {what}", 0, 1_000_000);
                return v is null ? null : new ChaosAction.ReservedConcurrency(n, at, holdFor, name, v.Value);
            }

            case "provisioned-concurrency":
            {
                var qualifier = e.TryGetValue("qualifier", out var q) ? r.NonEmptyString(q.Value, $"'qualifier' of {what}") : awsFunction?.Qualifier;
                if (qualifier is null or "$LATEST")
                {
                    r.Error(q.Value ?? kindNode, $"{what} needs a 'qualifier' that is a published version or an alias: provisioned concurrency cannot be configured on $LATEST");
                    return null;
                }

                if (!r.Require(e, body, "value", what, "the provisioned concurrency to set, or 'remove'"))
                {
                    return null;
                }

                if (e["value"].Value is YamlScalarNode { Value: "remove" })
                {
                    return new ChaosAction.ProvisionedConcurrency(n, at, holdFor, name, qualifier, null);
                }

                var v = r.Integer(e["value"].Value, $"'value' of {what}", 1, 1_000_000);
                return v is null ? null : new ChaosAction.ProvisionedConcurrency(n, at, holdFor, name, qualifier, v.Value);
            }

            case "function-errors":
            {
                if (!r.Require(e, body, "rate", what, "the share of invocations that fail, e.g. 'rate: 30%'"))
                {
                    return null;
                }

                var rate = r.Ratio(e["rate"].Value, $"'rate' of {what}");
                var prevent = e.TryGetValue("preventExecution", out var pe) ? r.Boolean(pe.Value, $"'preventExecution' of {what}") ?? false : false;
                return rate is null ? null : new ChaosAction.FunctionErrors(n, at, holdFor, name, rate.Value, prevent);
            }

            case "function-latency":
            {
                if (!r.Require(e, body, "latency", what, "the added latency, e.g. 'latency: 300ms'"))
                {
                    return null;
                }

                var latency = r.Duration(e["latency"].Value, $"'latency' of {what}");
                var pct = RatioOf("percentage", 1);
                return latency is null || pct is null ? null : new ChaosAction.FunctionLatency(n, at, holdFor, name, latency.Value, pct.Value);
            }

            case "function-timeout":
            {
                var pct = RatioOf("percentage", 1);
                return pct is null ? null : new ChaosAction.FunctionTimeout(n, at, holdFor, name, pct.Value);
            }

            case "downstream-limit":
            {
                if (!r.Require(e, body, "limit", what, "the concurrent executions the downstream takes, e.g. 'limit: 10'"))
                {
                    return null;
                }

                var limit = r.Integer(e["limit"].Value, $"'limit' of {what}", 0, 1_000_000);
                return limit is null ? null : new ChaosAction.DownstreamLimit(n, at, holdFor, name, limit.Value);
            }

            case "queue-visibility-timeout":
            {
                if (!r.Require(e, body, "value", what, "the visibility timeout to set, e.g. 'value: 2s' (0s to 12h)"))
                {
                    return null;
                }

                var v = r.Duration(e["value"].Value, $"'value' of {what}", allowZero: true);
                if (v is { } t && t > TimeSpan.FromHours(12))
                {
                    r.Error(e["value"].Value, $"'value' of {what} must be at most 12h, SQS's maximum visibility timeout");
                    return null;
                }

                return v is null ? null : new ChaosAction.QueueVisibilityTimeout(n, at, holdFor, name, TimeSpan.FromSeconds(Math.Round(v.Value.TotalSeconds)));
            }

            default:
                return new ChaosAction.PurgeQueue(n, at, name);
        }
    }

    /// <summary>
    /// <c>client-faults</c>: caller-side faults (Polly.Core's chaos strategies in front of the target). They act on the
    /// load generator itself, so every target takes them (the blast radius is the run's own calls on <c>paths</c>).
    /// </summary>
    private static ChaosAction.ClientFaults? BindClientFaults(YamlReader r, int n, YamlNode kindNode, YamlMappingNode body, TimeSpan at, TimeSpan? holdFor, string what, PathMix mix)
    {
        var e = r.Entries(body, what, "latency", "latencyRate", "failRate", "throttleRate", "paths");
        var latency = e.TryGetValue("latency", out var l) ? r.Duration(l.Value, $"'latency' of {what}") : TimeSpan.Zero;
        var latencyRate = e.TryGetValue("latencyRate", out var lr) ? r.Ratio(lr.Value, $"'latencyRate' of {what}") : 1.0;
        var failRate = e.TryGetValue("failRate", out var fr) ? r.Ratio(fr.Value, $"'failRate' of {what}") : 0.0;
        var throttleRate = e.TryGetValue("throttleRate", out var tr) ? r.Ratio(tr.Value, $"'throttleRate' of {what}") : 0.0;
        if (lr.Value is not null && l.Value is null)
        {
            r.Error(lr.Key, $"{what} has 'latencyRate' but no 'latency' to add, e.g. 'latency: 200ms'");
            return null;
        }

        if (latency is null || latencyRate is null || failRate is null || throttleRate is null)
        {
            return null;
        }

        if (latency == TimeSpan.Zero && failRate == 0 && throttleRate == 0)
        {
            r.Error(kindNode, $"{what} injects nothing: give 'latency' (with an optional 'latencyRate'), 'failRate' or 'throttleRate'");
            return null;
        }

        var sent = mix.Entries.Select(x => x.Path).ToImmutableArray();
        var paths = sent;
        if (e.TryGetValue("paths", out var p) && r.Sequence(p.Value, $"'paths' of {what}") is { } seq)
        {
            var list = ImmutableArray.CreateBuilder<InvocationPath>();
            var bad = false;
            foreach (var item in seq.Children)
            {
                var name = r.String(item, $"a path in 'paths' of {what}");
                if (name is null)
                {
                    bad = true;
                    continue;
                }

                if (!InvocationPaths.TryParse(name, out var path))
                {
                    r.Error(item, $"unknown path '{name}' in 'paths' of {what}{DidYouMean.Suggest(name, InvocationPaths.All.Select(x => x.Name()).ToList())}; expected one of: {string.Join(", ", sent.Select(x => x.Name()))}");
                    bad = true;
                }
                else if (!sent.Contains(path))
                {
                    r.Error(item, $"'paths' of {what} names '{name}', which the scenario never sends on (its paths: {string.Join(", ", sent.Select(x => x.Name()))})");
                    bad = true;
                }
                else if (list.Contains(path))
                {
                    r.Error(item, $"'paths' of {what} names '{name}' twice");
                    bad = true;
                }
                else
                {
                    list.Add(path);
                }
            }

            if (seq.Children.Count == 0)
            {
                r.Error(p.Value, $"'paths' of {what} is empty; leave it out to affect every path");
                return null;
            }

            if (bad)
            {
                return null;
            }

            paths = list.ToImmutable();
        }

        return new ChaosAction.ClientFaults(n, at, holdFor, latency.Value, latency.Value > TimeSpan.Zero ? latencyRate.Value : 0, failRate.Value, throttleRate.Value, paths);
    }
}
