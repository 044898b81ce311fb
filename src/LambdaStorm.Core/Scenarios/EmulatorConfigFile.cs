using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using LambdaStorm.Lambda;
using YamlDotNet.RepresentationModel;

[assembly: InternalsVisibleTo("LambdaStorm.Emulator.Tests")]

namespace LambdaStorm.Scenarios;

/// <summary>The Lambda model configuration from an emulator configuration file, or every error with its position.</summary>
/// <param name="Options">The account and functions, when the file is valid.</param>
/// <param name="Errors">Every problem, compiler-style (<c>file:line:column: error: message</c>).</param>
internal sealed record EmulatorConfigResult(LambdaModelOptions? Options, ImmutableArray<ScenarioDiagnostic> Errors)
{
    /// <summary>True when <see cref="Options"/> is set.</summary>
    public bool Success => Options is not null;
}

/// <summary>
/// Loads the configuration file of <c>lambdastorm emulator --config FILE</c>. It has the shape of a scenario's emulator
/// target at the top level — <c>account:</c> (limits, scaling model, region, time settings) and <c>functions:</c>
/// (behaviour) — and is bound by the same <see cref="EmulatorTargetBinder"/>, so the keys, defaults and positioned
/// errors are the scenario's. Unlike a scenario target it may leave out <c>functions</c> (they can be created later with
/// <c>CreateFunction</c>). A scenario file is accepted too: its <c>target:</c> (of type <c>emulator</c>) is the
/// configuration, and the rest of the scenario is ignored. Part of internal API.
/// </summary>
internal static class EmulatorConfigFile
{
    /// <summary>Reads and binds <paramref name="path"/>.</summary>
    public static EmulatorConfigResult Load(string path, int seed)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new EmulatorConfigResult(null, [new ScenarioDiagnostic(path, 1, 1, $"cannot read the emulator configuration: {ex.Message}")]);
        }

        return Parse(text, path, seed);
    }

    /// <summary>Binds configuration text; <paramref name="file"/> names it in errors.</summary>
    public static EmulatorConfigResult Parse(string text, string file, int seed)
    {
        var r = new YamlReader(file);
        var root = r.ParseRoot(text, emptyAllowed: true);
        if (root is null && !r.HasErrors)
        {
            // AWS's defaults, no functions; the receipts queue exists, so functions created later can be wired to it.
            var empty = new LambdaModelOptions { Seed = seed };
            EmulatorTargetBinder.WireReceipts(empty, EmulatorTargetBinder.DefaultReceiptsQueue);
            return new EmulatorConfigResult(empty, []);
        }

        if (root is null)
        {
            return new EmulatorConfigResult(null, r.Errors);
        }

        if (root is not YamlMappingNode map)
        {
            r.Error(root, "an emulator configuration must be a mapping with 'account:' and/or 'functions:'");
            return new EmulatorConfigResult(null, r.Errors);
        }

        if (map.Children.TryGetValue(new YamlScalarNode("target"), out var targetNode))
        {
            // A scenario file: the emulator serves its emulator target (the same account, functions, queues and
            // mappings), so one file describes both sides of a cluster run.
            if (targetNode is not YamlMappingNode targetMap)
            {
                r.Error(targetNode, "'target' must be a mapping");
                return new EmulatorConfigResult(null, r.Errors);
            }

            var type = targetMap.Children.TryGetValue(new YamlScalarNode("type"), out var typeNode) ? (typeNode as YamlScalarNode)?.Value : null;
            if (type != "emulator")
            {
                r.Error(typeNode ?? targetMap, $"the scenario's target is '{type ?? "(no type)"}': only a scenario with 'target.type: emulator' can configure the emulator");
                return new EmulatorConfigResult(null, r.Errors);
            }

            map = targetMap;
        }

        var target = EmulatorTargetBinder.Bind(r, map, seed, requireFunctions: false);
        if (target.Endpoint is not null)
        {
            r.Error(map, "an emulator configuration file cannot name an 'endpoint': it configures the emulator that serves one");
        }

        EmulatorTargetBinder.WireReceipts(target.Model, target.ReceiptsQueue);
        return r.HasErrors ? new EmulatorConfigResult(null, r.Errors) : new EmulatorConfigResult(target.Model, []);
    }
}
