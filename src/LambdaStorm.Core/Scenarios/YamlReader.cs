using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// Reads values out of a YAML node tree while collecting every error with its position, so that a loader can report
/// all problems in one go. Part of internal API.
/// </summary>
internal sealed class YamlReader(string file)
{
    private readonly List<ScenarioDiagnostic> _errors = [];

    public string File { get; } = file;

    public ImmutableArray<ScenarioDiagnostic> Errors => [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];

    public bool HasErrors => _errors.Count > 0;

    public void Error(YamlNode node, string message, int columnOffset = 0)
        => Error(node.Start, message, columnOffset);

    public void Error(Mark mark, string message, int columnOffset = 0)
        => _errors.Add(new ScenarioDiagnostic(File, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column) + columnOffset, message));

    /// <summary>Adds an error found by another reader of the same file.</summary>
    public void Add(ScenarioDiagnostic error) => _errors.Add(error);

    /// <summary>
    /// Parses YAML text into its root node, reporting syntax errors with their position. An empty file (no document)
    /// is an error unless <paramref name="emptyAllowed"/>: then the result is null with no error.
    /// </summary>
    public YamlNode? ParseRoot(string text, bool emptyAllowed = false)
    {
        var scanner = new Scanner(new StringReader(text));
        try
        {
            var stream = new YamlStream();
            stream.Load(new Parser(scanner));
            if (stream.Documents.Count == 0)
            {
                if (emptyAllowed)
                {
                    return null;
                }

                _errors.Add(new ScenarioDiagnostic(File, 1, 1, "the file is empty; expected a scenario mapping with at least 'name' and 'load'"));
                return null;
            }

            return stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            Error(ex.Start, $"YAML syntax: {message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up without a YamlException on some malformed flow collections; say where it stopped.
            Error(scanner.CurrentPosition, "YAML syntax: the file cannot be read past here; look for a '{' or '[' above it that is not closed");
            return null;
        }
    }

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node, $"{what} must be a mapping (key: value lines), not {Describe(node)}");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode seq)
        {
            return seq;
        }

        Error(node, $"{what} must be a list ('- item' lines), not {Describe(node)}");
        return null;
    }

    /// <summary>Reports unknown keys (with a did-you-mean) and duplicates; returns the known entries by name.</summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode map, string what, params string[] allowed)
    {
        var result = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                Error(keyNode, $"keys in {what} must be plain words");
                continue;
            }

            if (Array.IndexOf(allowed, key) < 0)
            {
                Error(keyNode, $"unknown key '{key}' in {what}{DidYouMean.Suggest(key, allowed)}; expected one of: {string.Join(", ", allowed)}");
                continue;
            }

            if (!result.TryAdd(key, (scalarKey, value)))
            {
                Error(keyNode, $"duplicate key '{key}' in {what}");
            }
        }

        return result;
    }

    public bool Require(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries, YamlNode owner, string key, string what, string expected)
    {
        if (entries.ContainsKey(key))
        {
            return true;
        }

        Error(owner, $"{what} is missing '{key}' ({expected})");
        return false;
    }

    public string? String(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } v })
        {
            return v;
        }

        Error(node, $"{what} must be a single value, not {Describe(node)}");
        return null;
    }

    /// <summary>A boolean: <c>true</c> or <c>false</c> (YAML 1.2 core schema).</summary>
    public bool? Boolean(YamlNode node, string what)
    {
        switch (String(node, what))
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            case { } other:
                Error(node, $"{what} must be true or false, not '{other}'");
                return null;
            default: return null;
        }
    }

    /// <summary>A string that must hold something: YAML null (<c>~</c>, <c>null</c>) and empty text are errors.</summary>
    public string? NonEmptyString(YamlNode node, string what)
    {
        var s = String(node, what);
        var isNull = node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } && s is "~" or "null" or "Null" or "NULL";
        if (s is not null && (isNull || string.IsNullOrWhiteSpace(s)))
        {
            Error(node, $"{what} must not be empty");
            return null;
        }

        return s;
    }

    public double? Number(YamlNode node, string what, double min = double.MinValue, double max = double.MaxValue)
    {
        var s = String(node, what);
        if (s is null)
        {
            return null;
        }

        if (!ValueParsers.TryParseNumber(s, out var v))
        {
            Error(node, $"{what} must be a number, not '{s}'");
            return null;
        }

        if (v < min || v > max)
        {
            Error(node, max == double.MaxValue
                ? $"{what} must be at least {min}, not {s}"
                : $"{what} must be between {min} and {max}, not {s}");
            return null;
        }

        return v;
    }

    public int? Integer(YamlNode node, string what, int min = int.MinValue, int max = int.MaxValue)
    {
        var v = Number(node, what, min, max);
        if (v is null)
        {
            return null;
        }

        if (Math.Abs(v.Value - Math.Round(v.Value)) > 0)
        {
            Error(node, $"{what} must be a whole number, not {v.Value}");
            return null;
        }

        return (int)v.Value;
    }

    public TimeSpan? Duration(YamlNode node, string what, bool allowZero = false)
    {
        var s = String(node, what);
        if (s is null)
        {
            return null;
        }

        if (!ValueParsers.TryParseDuration(s, out var d))
        {
            var hint = ValueParsers.TryParseNumber(s, out _) ? $" (add a unit: {s}s or {s}ms)" : string.Empty;
            Error(node, $"{what} must be a duration such as 500ms, 30s, 2m or 1h, not '{s}'{hint}");
            return null;
        }

        if (!allowZero && d <= TimeSpan.Zero)
        {
            Error(node, $"{what} must be longer than zero");
            return null;
        }

        return d;
    }

    public double? Ratio(YamlNode node, string what)
    {
        var s = String(node, what);
        if (s is null)
        {
            return null;
        }

        if (!ValueParsers.TryParseRatio(s, out var r) || r < 0 || r > 1)
        {
            Error(node, $"{what} must be a share between 0 and 1, or a percentage such as 1%, not '{s}'");
            return null;
        }

        return r;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"the value '{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "this node",
    };
}
