using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// One named variant of a scenario: the base scenario with the variant's <c>override</c> mapping deep-merged in. Its
/// <see cref="Scenario"/> is named <c>&lt;base&gt;.&lt;variant&gt;</c> and echoes the merged YAML, so that each variant's
/// results folder stands alone (<c>lambdastorm report</c> reloads it without the base file).
/// </summary>
/// <param name="Name">The variant's name (letters, digits, '.', '_', '-').</param>
/// <param name="Description">What the variant changes, or null.</param>
/// <param name="Scenario">The merged scenario.</param>
public sealed record ScenarioVariant(string Name, string? Description, Scenario Scenario);

/// <summary>Variants: <c>variants:</c>, a list of named overrides of the base scenario run one after the other.</summary>
public static partial class ScenarioLoader
{
    private static readonly string[] VariantKeys = ["name", "description", "override"];

    /// <summary>
    /// Binds <c>variants:</c> of a base scenario that loaded without errors. Each override is deep-merged into a fresh
    /// copy of the file's tree: mappings merge key by key, anything else (scalars, lists) replaces the base value, and a
    /// null value (<c>key: null</c> or <c>key: ~</c>) removes the key. Errors name the file, line and column of the
    /// override that caused them, and the variant.
    /// </summary>
    private static ImmutableArray<ScenarioVariant> BindVariants(YamlReader r, YamlNode variantsNode, string baseName, string text)
    {
        var list = r.Sequence(variantsNode, "'variants'");
        if (list is null)
        {
            return [];
        }

        if (list.Children.Count == 0)
        {
            r.Error(list, "'variants' is empty; list at least one '- name: …' entry, or remove the key");
            return [];
        }

        var variants = ImmutableArray.CreateBuilder<ScenarioVariant>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var map = r.Mapping(list.Children[i], $"variant {i + 1}");
            if (map is null)
            {
                continue;
            }

            var e = r.Entries(map, $"variant {i + 1}", VariantKeys);
            if (!r.Require(e, map, "name", $"variant {i + 1}", "a short name such as 'with-rbif'"))
            {
                continue;
            }

            var name = r.NonEmptyString(e["name"].Value, "a variant's 'name'");
            if (name is null)
            {
                continue;
            }

            if (!NamePattern().IsMatch(name) || name.Length > 40)
            {
                r.Error(e["name"].Value, $"a variant's 'name' must be up to 40 letters, digits, '.', '_' or '-' (it names a results folder), not '{name}'");
                continue;
            }

            if (!names.Add(name))
            {
                r.Error(e["name"].Value, $"variant '{name}' is listed twice; variant names must be unique");
                continue;
            }

            var description = e.TryGetValue("description", out var d) ? r.String(d.Value, "a variant's 'description'") : null;
            YamlMappingNode? over = null;
            if (e.TryGetValue("override", out var o) && !IsNull(o.Value))
            {
                over = r.Mapping(o.Value, $"'override' of variant '{name}'");
                if (over is null)
                {
                    continue;
                }

                foreach (var (key, _) in over.Children)
                {
                    if (key is YamlScalarNode { Value: "name" or "variants" } k)
                    {
                        r.Error(k, $"variant '{name}' cannot override '{k.Value}'");
                    }
                }
            }

            if (r.HasErrors)
            {
                continue;
            }

            if (BindVariant(r, text, i, baseName, name, description) is { } variant)
            {
                variants.Add(variant);
            }
        }

        return variants.ToImmutable();
    }

    /// <summary>Merges variant <paramref name="index"/> into a fresh tree of <paramref name="text"/> and binds it.</summary>
    private static ScenarioVariant? BindVariant(YamlReader r, string text, int index, string baseName, string name, string? description)
    {
        // A fresh tree per variant: merging changes it in place, and its nodes keep their marks in the file.
        var root = (YamlMappingNode)new YamlReader(r.File).ParseRoot(text)!;
        var variantsKey = root.Children.Keys.First(k => k is YamlScalarNode { Value: "variants" });
        var entry = (YamlMappingNode)((YamlSequenceNode)root.Children[variantsKey]).Children[index];
        root.Children.Remove(variantsKey);
        if (Value(entry, "override") is YamlMappingNode over)
        {
            Merge(root, over);
        }

        var full = $"{baseName}.{name}";
        root.Children[root.Children.Keys.First(k => k is YamlScalarNode { Value: "name" })] = new YamlScalarNode(full);
        if (description is not null)
        {
            var key = root.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "description" });
            var baseDescription = key is not null && root.Children[key] is YamlScalarNode { Value: { } bd } ? bd.TrimEnd('.') + ". " : "";
            root.Children[key ?? new YamlScalarNode("description")] = new YamlScalarNode($"{baseDescription}Variant '{name}': {description}");
        }

        var echo = $"# variant '{name}' of {r.File}: the base scenario with the variant's override merged in\n{Serialize(root)}";
        var vr = new YamlReader(r.File);
        var scenario = Bind(vr, root, new ScenarioSource(r.File, echo));
        foreach (var error in vr.Errors)
        {
            r.Add(error with { Message = $"variant '{name}': {error.Message}" });
        }

        return vr.HasErrors || scenario is null ? null : new ScenarioVariant(name, description, scenario);
    }

    /// <summary>Deep-merges <paramref name="over"/> into <paramref name="target"/> (see <see cref="BindVariants"/>).</summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode over)
    {
        foreach (var (key, value) in over.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            var existing = target.Children.Keys.FirstOrDefault(k => k is YamlScalarNode s && s.Value == name);
            if (IsNull(value))
            {
                if (existing is not null)
                {
                    target.Children.Remove(existing);
                }
            }
            else if (existing is not null && target.Children[existing] is YamlMappingNode into && value is YamlMappingNode from)
            {
                Merge(into, from);
            }
            else
            {
                target.Children[existing ?? key] = value;
            }
        }
    }

    private static YamlNode? Value(YamlMappingNode map, string key)
        => map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: { } k } && k == key).Value;

    private static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: "" or "~" or "null" or "Null" or "NULL" or null };

    private static string Serialize(YamlNode root)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var yaml = writer.ToString();
        return yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
    }
}
