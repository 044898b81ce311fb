using LambdaStorm.Lambda;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// Binds <c>target: { type: emulator, account: …, functions: … }</c> to the Lambda model's options, with every value
/// checked and every error positioned. Defaults are AWS's documented values (docs/lambda-model.md). Part of internal API.
/// </summary>
internal static class EmulatorTargetBinder
{
    private static readonly string[] TargetKeys = ["type", "account", "functions"];

    private static readonly string[] AccountKeys =
    [
        "region", "concurrency", "unreservedMinimum", "scaling", "burst", "scalePerMinute", "perFunctionBurst", "perFunctionRefillPerSecond",
        "requestRateLimit", "provisionedRampPerMinute", "idleReap", "maxLifetime", "initTimeout", "asyncRetryDelays",
        "asyncThrottleInitialBackoff", "asyncThrottleMaxBackoff",
    ];

    private static readonly string[] FunctionKeys =
    [
        "memory", "timeout", "architecture", "runtime", "duration", "durationP99", "distribution", "cpuBoundShare", "initDuration",
        "initDurationP99", "errorRate", "poisonMarker", "downstreamLimit", "downstreamMode", "downstreamSlowdown", "extraLatency",
        "reservedConcurrency", "publishedVersions", "aliases", "provisionedConcurrency", "async", "deadLetterTarget", "duplicateDelivery",
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

        if (!r.HasErrors)
        {
            foreach (var problem in options.Validate())
            {
                r.Error(map, $"emulator configuration: {problem}");
            }
        }

        return new TargetSpec.Emulator(options);
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
