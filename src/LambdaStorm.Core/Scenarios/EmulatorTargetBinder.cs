using LambdaStorm.Lambda;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// Binds <c>target: { type: emulator, account: …, functions: … }</c> to the Lambda model's options, with every value
/// checked and every error positioned. Defaults are AWS's documented values (docs/lambda-model.md). Part of internal API.
/// </summary>
internal static class EmulatorTargetBinder
{
    private static readonly string[] TargetKeys = ["type", "account", "functions", "queues", "eventSourceMappings", "receiptsQueue", "endpoint"];

    private static readonly string[] ModelKeys = ["account", "functions", "queues", "eventSourceMappings"];

    private static readonly string[] QueueKeys = ["visibilityTimeout", "retention", "delay", "receiveWaitTime", "maximumMessageSize", "deadLetter", "maxReceiveCount"];

    private static readonly string[] MappingKeys = ["queue", "function", "batchSize", "window", "maxConcurrency", "reportBatchItemFailures", "enabled"];

    /// <summary>The receipts queue an emulator target creates and wires every function to unless told otherwise.</summary>
    public const string DefaultReceiptsQueue = "lambdastorm-receipts";

    private static readonly string[] AccountKeys =
    [
        "region", "concurrency", "unreservedMinimum", "scaling", "burst", "scalePerMinute", "perFunctionBurst", "perFunctionRefillPerSecond",
        "requestRateLimit", "provisionedRampPerMinute", "idleReap", "maxLifetime", "initTimeout", "asyncRetryDelays",
        "asyncThrottleInitialBackoff", "asyncThrottleMaxBackoff", "sqsPollers", "sqsPollerInitial", "sqsPollerScaleUpPerMinute", "sqsPollerMaximum",
    ];

    private static readonly string[] FunctionKeys =
    [
        "memory", "timeout", "architecture", "runtime", "duration", "durationP99", "distribution", "cpuBoundShare", "initDuration",
        "initDurationP99", "errorRate", "poisonMarker", "downstreamLimit", "downstreamMode", "downstreamSlowdown", "extraLatency",
        "reservedConcurrency", "publishedVersions", "aliases", "provisionedConcurrency", "async", "deadLetterTarget", "duplicateDelivery",
        "receiptsQueue", "batchResponse", "updateDuration",
    ];

    /// <summary>Binds an emulator target (or, with <paramref name="requireFunctions"/> false, an emulator configuration file, which may declare only the account).</summary>
    public static TargetSpec.Emulator Bind(YamlReader r, YamlMappingNode map, int seed, bool requireFunctions = true)
    {
        var e = r.Entries(map, "an emulator target", TargetKeys);
        var options = new LambdaModelOptions { Seed = seed };
        if (e.TryGetValue("account", out var a) && r.Mapping(a.Value, "'target.account'") is { } am)
        {
            BindAccount(r, am, options.Account);
        }

        Uri? endpoint = null;
        if (e.TryGetValue("endpoint", out var ep) && r.String(ep.Value, "'target.endpoint'") is { } epText)
        {
            if (!(Uri.TryCreate(epText, UriKind.Absolute, out endpoint) && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)))
            {
                r.Error(ep.Value, $"'target.endpoint' must be the http(s) URL of a running 'lambdastorm emulator' (for example http://127.0.0.1:4566), not '{epText}'");
                endpoint = null;
            }
            else
            {
                foreach (var key in ModelKeys.Where(e.ContainsKey))
                {
                    r.Error(e[key].Key, $"'target.{key}' cannot be used with 'target.endpoint': the running emulator takes its {key} from its own --config");
                }

                requireFunctions = false;
            }
        }

        string? receipts = DefaultReceiptsQueue;
        if (e.TryGetValue("receiptsQueue", out var rq) && r.NonEmptyString(rq.Value, "'target.receiptsQueue'") is { } rqName)
        {
            receipts = rqName == "none" ? null : rqName;
        }

        if (e.TryGetValue("queues", out var qs) && r.Mapping(qs.Value, "'target.queues'") is { } qm)
        {
            BindQueues(r, qm, options);
        }

        if (!e.TryGetValue("functions", out var fs))
        {
            if (requireFunctions)
            {
                r.Error(map, "an emulator target is missing 'functions' (a mapping of function name to behaviour, e.g. 'functions: { hello: { duration: 100ms } }')");
            }
        }
        else if (r.Mapping(fs.Value, "'target.functions'") is { } fm)
        {
            foreach (var (k, v) in fm.Children)
            {
                if (k is not YamlScalarNode { Value: { Length: > 0 } name })
                {
                    r.Error(k, "function names must be plain words");
                    continue;
                }

                var f = new FunctionOptions { Name = name };
                if (v is YamlMappingNode body)
                {
                    BindFunction(r, body, f, $"function '{name}'");
                }
                else if (!(v is YamlScalarNode { Value: null or "" or "~" or "{}" }))
                {
                    r.Error(v, $"function '{name}' must be a mapping of its behaviour (duration, memory, errorRate, …)");
                }

                options.Functions.Add(f);
            }

            if (options.Functions.Count == 0)
            {
                r.Error(fs.Value, "'target.functions' needs at least one function");
            }
        }

        if (e.TryGetValue("eventSourceMappings", out var esm))
        {
            BindMappings(r, esm.Value, options);
        }

        // Async destinations and DLQs may name a queue of 'target.queues'; the model wants its ARN.
        string ToArn(string target) => options.Queues.Any(q => q.Name == target)
            ? $"arn:aws:sqs:{options.Account.Region}:{options.Account.AccountId}:{target}"
            : target;
        foreach (var f in options.Functions)
        {
            f.AsyncConfig.OnSuccess = f.AsyncConfig.OnSuccess is { } s ? ToArn(s) : null;
            f.AsyncConfig.OnFailure = f.AsyncConfig.OnFailure is { } fl ? ToArn(fl) : null;
            f.DeadLetterTargetArn = f.DeadLetterTargetArn is { } d ? ToArn(d) : null;
        }

        if (!r.HasErrors)
        {
            foreach (var problem in options.Validate())
            {
                r.Error(map, $"emulator configuration: {problem}");
            }
        }

        return new TargetSpec.Emulator(options) { Endpoint = endpoint, ReceiptsQueue = receipts };
    }

    /// <summary>
    /// Creates the receipts queue (unless declared) and wires every function without a <c>receiptsQueue</c> of its own to
    /// it, so that the delivery ledger always has receipts on the emulator.
    /// </summary>
    public static void WireReceipts(LambdaModelOptions options, string? receiptsQueue)
    {
        if (receiptsQueue is null)
        {
            return;
        }

        if (!options.Queues.Any(q => q.Name == receiptsQueue))
        {
            options.Queues.Add(new QueueOptions { Name = receiptsQueue });
        }

        foreach (var f in options.Functions.Where(f => f.ReceiptsQueue is null))
        {
            f.ReceiptsQueue = receiptsQueue;
        }
    }

    private static void BindQueues(YamlReader r, YamlMappingNode map, LambdaModelOptions options)
    {
        var declared = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).Where(v => v is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                r.Error(k, "queue names must be plain words");
                continue;
            }

            var owner = $"queue '{name}'";
            if (name.EndsWith(".fifo", StringComparison.Ordinal))
            {
                r.Error(k, $"{owner}: FIFO queues are not modelled by the emulator; use a standard queue name (without '.fifo')");
            }

            var q = new QueueOptions { Name = name };
            if (v is YamlMappingNode body)
            {
                foreach (var (key, (_, value)) in r.Entries(body, owner, QueueKeys))
                {
                    var what = $"'{key}' of {owner}";
                    switch (key)
                    {
                        case "visibilityTimeout": Set(WholeSeconds(r, value, what, 0, 43_200), x => q.VisibilityTimeout = x); break;
                        case "retention": Set(WholeSeconds(r, value, what, 60, 1_209_600), x => q.MessageRetentionPeriod = x); break;
                        case "delay": Set(WholeSeconds(r, value, what, 0, 900), x => q.Delay = x); break;
                        case "receiveWaitTime": Set(WholeSeconds(r, value, what, 0, 20), x => q.ReceiveMessageWaitTime = x); break;
                        case "maximumMessageSize": Set(r.Integer(value, what, 1024, 1_048_576), x => q.MaximumMessageSize = x); break;
                        case "maxReceiveCount": Set(r.Integer(value, what, 1, 1000), x => q.MaxReceiveCount = x); break;
                        case "deadLetter":
                            if (r.NonEmptyString(value, what) is { } dlq)
                            {
                                if (dlq == name)
                                {
                                    r.Error(value, $"{what} must name another queue, not the queue itself");
                                }
                                else if (!declared.Contains(dlq))
                                {
                                    r.Error(value, $"{what} names '{dlq}', which 'target.queues' does not declare{DidYouMean.Suggest(dlq, declared!)}");
                                }

                                q.DeadLetterQueue = dlq;
                            }

                            break;
                    }
                }

                if (q.DeadLetterQueue is not null && q.MaxReceiveCount == 0)
                {
                    r.Error(body, $"{owner} has 'deadLetter' but no 'maxReceiveCount' (1 to 1000: receives before a message moves to the dead-letter queue)");
                }
                else if (q.DeadLetterQueue is null && q.MaxReceiveCount != 0)
                {
                    r.Error(body, $"{owner} has 'maxReceiveCount' but no 'deadLetter' queue to move messages to");
                }
            }
            else if (!(v is YamlScalarNode { Value: null or "" or "~" or "{}" }))
            {
                r.Error(v, $"{owner} must be a mapping of its attributes (visibilityTimeout, retention, deadLetter, maxReceiveCount, …) or empty");
            }

            options.Queues.Add(q);
        }
    }

    private static void BindMappings(YamlReader r, YamlNode node, LambdaModelOptions options)
    {
        if (r.Sequence(node, "'target.eventSourceMappings'") is not { } seq)
        {
            return;
        }

        var queues = options.Queues.Select(q => q.Name).ToList();
        var n = 0;
        foreach (var item in seq.Children)
        {
            n++;
            var owner = $"event source mapping {n}";
            if (r.Mapping(item, owner) is not { } body)
            {
                continue;
            }

            var m = new EventSourceMappingOptions();
            var e = r.Entries(body, owner, MappingKeys);
            if (r.Require(e, body, "queue", owner, "the queue it polls, one of 'target.queues'") && r.NonEmptyString(e["queue"].Value, $"'queue' of {owner}") is { } queue)
            {
                if (!queues.Contains(queue))
                {
                    r.Error(e["queue"].Value, $"{owner} polls '{queue}', which 'target.queues' does not declare{DidYouMean.Suggest(queue, queues)}");
                }

                m.Queue = queue;
            }

            if (r.Require(e, body, "function", owner, "the function it invokes, one of 'target.functions'") && r.NonEmptyString(e["function"].Value, $"'function' of {owner}") is { } function)
            {
                var functions = options.Functions.Select(f => f.Name).ToList();
                if (!functions.Contains(function))
                {
                    r.Error(e["function"].Value, $"{owner} invokes '{function}', which 'target.functions' does not define{DidYouMean.Suggest(function, functions)}");
                }

                m.Function = function;
            }

            foreach (var (key, (_, value)) in e)
            {
                var what = $"'{key}' of {owner}";
                switch (key)
                {
                    case "batchSize": Set(r.Integer(value, what, 1, EventSourceMappingOptions.MaxBatchSize), x => m.BatchSize = x); break;
                    case "window": Set(WholeSeconds(r, value, what, 0, 300), x => m.MaximumBatchingWindow = x); break;
                    case "maxConcurrency": Set(r.Integer(value, what, 2, 1000), x => m.MaximumConcurrency = x); break;
                    case "reportBatchItemFailures": Set(r.Boolean(value, what), x => m.ReportBatchItemFailures = x); break;
                    case "enabled": Set(r.Boolean(value, what), x => m.Enabled = x); break;
                }
            }

            if (m.BatchSize > EventSourceMappingOptions.MaxBatchSizeWithoutWindow && m.MaximumBatchingWindow < TimeSpan.FromSeconds(1))
            {
                r.Error(e.TryGetValue("batchSize", out var bs) ? bs.Value : body, $"{owner}: a batchSize above {EventSourceMappingOptions.MaxBatchSizeWithoutWindow} needs a 'window' of at least 1s, as in Lambda");
            }

            options.EventSourceMappings.Add(m);
        }
    }

    /// <summary>A duration in whole seconds within [min, max] seconds (SQS and ESM attributes are whole seconds).</summary>
    private static TimeSpan? WholeSeconds(YamlReader r, YamlNode value, string what, int min, int max)
    {
        if (r.Duration(value, what, allowZero: min == 0) is not { } d)
        {
            return null;
        }

        if (d.Ticks % TimeSpan.TicksPerSecond != 0 || d.TotalSeconds < min || d.TotalSeconds > max)
        {
            r.Error(value, $"{what} must be whole seconds from {min}s to {max}s");
            return null;
        }

        return d;
    }

    private static void BindAccount(YamlReader r, YamlMappingNode map, AccountOptions o)
    {
        foreach (var (key, (_, v)) in r.Entries(map, "'target.account'", AccountKeys))
        {
            var what = $"'account.{key}'";
            switch (key)
            {
                case "region": Set(r.NonEmptyString(v, what), x => o.Region = x); break;
                case "concurrency": Set(r.Integer(v, what, 1, 10_000_000), x => o.ConcurrencyLimit = x); break;
                case "unreservedMinimum": Set(r.Integer(v, what, 0, 10_000_000), x => o.UnreservedMinimum = x); break;
                case "scaling":
                    switch (r.String(v, what))
                    {
                        case "per-function": o.ScalingModel = ScalingModel.PerFunction; break;
                        case "legacy-burst": o.ScalingModel = ScalingModel.LegacyBurst; break;
                        case { } other: r.Error(v, $"{what} must be 'per-function' (AWS since Nov 2023) or 'legacy-burst', not '{other}'{DidYouMean.Suggest(other, ["per-function", "legacy-burst"])}"); break;
                    }

                    break;
                case "burst": Set(r.Integer(v, what, 1, 10_000_000), x => o.LegacyBurst = x); break;
                case "scalePerMinute": Set(r.Number(v, what, 0), x => o.LegacyScaleRatePerMinute = x); break;
                case "perFunctionBurst": Set(r.Integer(v, what, 1, 10_000_000), x => o.PerFunctionScaleBurst = x); break;
                case "perFunctionRefillPerSecond": Set(r.Number(v, what, 0), x => o.PerFunctionScaleRatePerSecond = x); break;
                case "requestRateLimit": Set(r.Integer(v, what, 1, int.MaxValue), x => o.RequestRateLimit = x); break;
                case "provisionedRampPerMinute": Set(r.Number(v, what, 1), x => o.ProvisionedRampPerMinute = x); break;
                case "idleReap": Set(r.Duration(v, what), x => o.IdleReapAfter = x); break;
                case "maxLifetime": Set(r.Duration(v, what), x => o.MaxEnvironmentLifetime = x); break;
                case "initTimeout": Set(r.Duration(v, what), x => o.InitTimeout = x); break;
                case "sqsPollers":
                    if (r.String(v, what) is { } preset)
                    {
                        if (SqsPollerDefaults.TryParse(preset, out var p))
                        {
                            o.SqsPollerPreset = p;
                        }
                        else
                        {
                            r.Error(v, $"{what} must be 'standard' (5, +300/min, 1,250) or 'legacy' (+60/min, 1,000), not '{preset}'{DidYouMean.Suggest(preset, ["standard", "legacy"])}");
                        }
                    }

                    break;
                case "sqsPollerInitial": Set(r.Integer(v, what, 1, 100_000), x => o.SqsPollerInitial = x); break;
                case "sqsPollerScaleUpPerMinute": Set(r.Integer(v, what, 1, 10_000_000), x => o.SqsPollerScaleUpPerMinute = x); break;
                case "sqsPollerMaximum": Set(r.Integer(v, what, 1, 1_000_000), x => o.SqsPollerMaximum = x); break;
                case "asyncThrottleInitialBackoff": Set(r.Duration(v, what), x => o.AsyncThrottleInitialBackoff = x); break;
                case "asyncThrottleMaxBackoff": Set(r.Duration(v, what), x => o.AsyncThrottleMaxBackoff = x); break;
                case "asyncRetryDelays":
                    if (r.Sequence(v, what) is { } seq)
                    {
                        var delays = seq.Children.Select(c => r.Duration(c, $"an entry of {what}")).ToList();
                        if (delays.All(d => d is not null))
                        {
                            o.AsyncRetryDelays = [.. delays.Select(d => d!.Value)];
                        }
                    }

                    break;
            }
        }
    }

    private static void BindFunction(YamlReader r, YamlMappingNode map, FunctionOptions f, string owner)
    {
        foreach (var (key, (_, v)) in r.Entries(map, owner, FunctionKeys))
        {
            var what = $"'{key}' of {owner}";
            switch (key)
            {
                case "memory": Set(r.Integer(v, what, 128, 10_240), x => f.MemoryMb = x); break;
                case "timeout":
                    if (r.Duration(v, what) is { } t)
                    {
                        if (t.TotalSeconds is < 1 or > 900 || t.Ticks % TimeSpan.TicksPerSecond != 0)
                        {
                            r.Error(v, $"{what} must be whole seconds from 1s to 900s (15m), as in Lambda");
                        }
                        else
                        {
                            f.TimeoutSeconds = (int)t.TotalSeconds;
                        }
                    }

                    break;
                case "architecture":
                    switch (r.String(v, what))
                    {
                        case "x86_64": f.Architecture = FunctionArchitecture.X86_64; break;
                        case "arm64": f.Architecture = FunctionArchitecture.Arm64; break;
                        case { } other: r.Error(v, $"{what} must be x86_64 or arm64, not '{other}'"); break;
                    }

                    break;
                case "runtime": Set(r.NonEmptyString(v, what), x => f.Runtime = x); break;
                case "duration": Set(r.Duration(v, what, allowZero: true), x => f.DurationMs = x.TotalMilliseconds); break;
                case "durationP99": Set(r.Duration(v, what, allowZero: true), x => f.DurationP99Ms = x.TotalMilliseconds); break;
                case "distribution":
                    switch (r.String(v, what))
                    {
                        case "fixed": f.DurationDistribution = DurationDistributionKind.Fixed; break;
                        case "lognormal": f.DurationDistribution = DurationDistributionKind.LogNormal; break;
                        case "uniform": f.DurationDistribution = DurationDistributionKind.Uniform; break;
                        case { } other: r.Error(v, $"{what} must be fixed, lognormal or uniform, not '{other}'"); break;
                    }

                    break;
                case "cpuBoundShare": Set(r.Ratio(v, what), x => f.CpuBoundShare = x); break;
                case "initDuration": Set(r.Duration(v, what, allowZero: true), x => f.InitDurationMs = x.TotalMilliseconds); break;
                case "initDurationP99": Set(r.Duration(v, what, allowZero: true), x => f.InitDurationP99Ms = x.TotalMilliseconds); break;
                case "errorRate": Set(r.Ratio(v, what), x => f.ErrorRate = x); break;
                case "poisonMarker": Set(r.NonEmptyString(v, what), x => f.PoisonMarker = x); break;
                case "downstreamLimit": Set(r.Integer(v, what, 1), x => f.DownstreamLimit = x); break;
                case "downstreamMode":
                    switch (r.String(v, what))
                    {
                        case "slow": f.DownstreamMode = DownstreamMode.Slow; break;
                        case "fail": f.DownstreamMode = DownstreamMode.Fail; break;
                        case { } other: r.Error(v, $"{what} must be slow or fail, not '{other}'"); break;
                    }

                    break;
                case "downstreamSlowdown": Set(r.Number(v, what, 1), x => f.DownstreamSlowdownFactor = x); break;
                case "extraLatency": Set(r.Duration(v, what, allowZero: true), x => f.ExtraLatencyMs = x.TotalMilliseconds); break;
                case "updateDuration":
                    if (r.Duration(v, what, allowZero: true) is { } u)
                    {
                        if (u > TimeSpan.FromMinutes(15))
                        {
                            r.Error(v, $"{what} must be at most 15m (an update in progress that long would hold every change back)");
                        }
                        else
                        {
                            f.UpdateDurationMs = u.TotalMilliseconds;
                        }
                    }

                    break;
                case "reservedConcurrency": Set(r.Integer(v, what, 0), x => f.ReservedConcurrency = x); break;
                case "publishedVersions": Set(r.Integer(v, what, 0, 1000), x => f.PublishedVersions = x); break;
                case "aliases":
                    if (r.Mapping(v, what) is { } am)
                    {
                        foreach (var (ak, av) in am.Children)
                        {
                            if (ak is YamlScalarNode { Value: { } alias } && r.NonEmptyString(av, $"alias '{alias}' of {owner}") is { } version)
                            {
                                f.Aliases[alias] = version;
                            }
                        }
                    }

                    break;
                case "provisionedConcurrency":
                    if (r.Mapping(v, $"{what} (a mapping of version or alias to count, e.g. {{ live: 10 }})") is { } pm)
                    {
                        foreach (var (pk, pv) in pm.Children)
                        {
                            if (pk is YamlScalarNode { Value: { } q } && r.Integer(pv, $"provisioned concurrency of {owner}:{q}", 1) is { } n)
                            {
                                f.ProvisionedConcurrency[q] = n;
                            }
                        }
                    }

                    break;
                case "async":
                    if (r.Mapping(v, what) is { } asm)
                    {
                        foreach (var (ak, (_, av)) in r.Entries(asm, $"'async' of {owner}", "maximumRetryAttempts", "maximumEventAge", "onSuccess", "onFailure"))
                        {
                            var w = $"'async.{ak}' of {owner}";
                            switch (ak)
                            {
                                case "maximumRetryAttempts": Set(r.Integer(av, w, 0, 2), x => f.AsyncConfig.MaximumRetryAttempts = x); break;
                                case "maximumEventAge":
                                    if (r.Duration(av, w) is { } age)
                                    {
                                        if (age.TotalSeconds is < 60 or > 21_600)
                                        {
                                            r.Error(av, $"{w} must be from 60s to 6h, as in Lambda");
                                        }
                                        else
                                        {
                                            f.AsyncConfig.MaximumEventAgeInSeconds = (int)age.TotalSeconds;
                                        }
                                    }

                                    break;
                                case "onSuccess": Set(r.NonEmptyString(av, w), x => f.AsyncConfig.OnSuccess = x); break;
                                case "onFailure": Set(r.NonEmptyString(av, w), x => f.AsyncConfig.OnFailure = x); break;
                            }
                        }
                    }

                    break;
                case "deadLetterTarget": Set(r.NonEmptyString(v, what), x => f.DeadLetterTargetArn = x); break;
                case "duplicateDelivery": Set(r.Ratio(v, what), x => f.DuplicateDeliveryProbability = x); break;
                case "receiptsQueue": Set(r.NonEmptyString(v, what), x => f.ReceiptsQueue = x); break;
                case "batchResponse":
                    if (r.String(v, what) is { } mode)
                    {
                        if (BatchResponseModeNames.TryParse(mode, out var bm))
                        {
                            f.BatchResponse = bm;
                        }
                        else
                        {
                            r.Error(v, $"{what} must be {BatchResponseModeNames.Expected}, not '{mode}'");
                        }
                    }

                    break;
            }
        }
    }

    private static void Set<T>(T? value, Action<T> set)
        where T : struct
    {
        if (value is { } v)
        {
            set(v);
        }
    }

    private static void Set(string? value, Action<string> set)
    {
        if (value is not null)
        {
            set(value);
        }
    }
}
