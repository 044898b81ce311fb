using System.Text.Json.Nodes;

namespace LambdaStorm.Cli.Tests;

/// <summary>One PromQL expression of a dashboard (a panel target or an annotation) and what it needs to have data.</summary>
/// <param name="Dashboard">Dashboard file name.</param>
/// <param name="Where">Panel or annotation title.</param>
/// <param name="Expr">The expression as written in the dashboard.</param>
/// <param name="Requires">cluster, chaos or queue when the data comes with later work; null when it exists now.</param>
internal sealed record DashboardQuery(string Dashboard, string Where, string Expr, string? Requires)
{
    /// <summary>The expression with Grafana's variables replaced as Grafana would for one scenario and all functions.</summary>
    public string Substituted(string scenario) => Expr
        .Replace("$__rate_interval", "10s", StringComparison.Ordinal)
        .Replace("$__interval", "1s", StringComparison.Ordinal)
        .Replace("$scenario", scenario, StringComparison.Ordinal)
        .Replace("$function", ".*", StringComparison.Ordinal);
}

/// <summary>Reads grafana/dashboards/*.json.</summary>
internal static class DashboardQueries
{
    public static readonly string[] Requirements = ["cluster", "chaos", "queue"];

    public static string Folder => Path.Combine(CliTests.RepoRoot(), "grafana", "dashboards");

    public static IEnumerable<(string File, JsonObject Json)> Dashboards() =>
        Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), (JsonObject)JsonNode.Parse(File.ReadAllText(f))!));

    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var p in dashboard["panels"]!.AsArray().OfType<JsonObject>())
        {
            yield return p;
            if (p["panels"] is JsonArray nested)
            {
                foreach (var n in nested.OfType<JsonObject>())
                {
                    yield return n;
                }
            }
        }
    }

    /// <summary>cluster, chaos or queue when the panel (or annotation) is marked as having no data yet.</summary>
    public static string? Requires(JsonObject element)
    {
        var marked = element["lambdastorm"]?["requires"]?.GetValue<string>();
        var description = element["description"]?.GetValue<string>() ?? "";
        var tagged = Requirements.FirstOrDefault(r => description.Contains(r + "-only", StringComparison.Ordinal));
        return marked ?? tagged;
    }

    public static IEnumerable<DashboardQuery> All()
    {
        foreach (var (file, dashboard) in Dashboards())
        {
            foreach (var panel in Panels(dashboard))
            {
                foreach (var target in panel["targets"]?.AsArray().OfType<JsonObject>() ?? [])
                {
                    if (target["expr"]?.GetValue<string>() is { Length: > 0 } expr)
                    {
                        yield return new DashboardQuery(file, panel["title"]!.GetValue<string>(), expr, Requires(panel));
                    }
                }
            }

            foreach (var annotation in dashboard["annotations"]?["list"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                if (annotation["expr"]?.GetValue<string>() is { Length: > 0 } expr)
                {
                    yield return new DashboardQuery(file, "annotation " + annotation["name"]!.GetValue<string>(), expr, Requires(annotation));
                }
            }
        }
    }
}
