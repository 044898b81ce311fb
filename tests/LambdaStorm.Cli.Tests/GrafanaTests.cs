using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LambdaStorm.Cli.Tests;

/// <summary>Static checks of grafana/ and prometheus/: dashboards import anywhere, provisioning matches docker-compose.yml.</summary>
public sealed class GrafanaTests
{
    [Fact]
    public void The_three_dashboards_of_the_issue_exist()
    {
        var titles = DashboardQueries.Dashboards().Select(d => d.Json["title"]!.GetValue<string>()).ToList();

        Assert.Contains("LambdaStorm: run overview", titles);
        Assert.Contains("LambdaStorm: async and queue delivery", titles);
        Assert.Contains("LambdaStorm: cluster and generator health", titles);
    }

    [Fact]
    public void Dashboards_use_a_data_source_variable_scenario_and_function_variables_and_no_ids_that_break_on_import()
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, d) in DashboardQueries.Dashboards())
        {
            Assert.True(d["id"] is null, $"{file}: id must be null so that import assigns one");
            var uid = d["uid"]?.GetValue<string>() ?? "";
            Assert.Matches("^lambdastorm-[a-z0-9-]+$", uid);
            Assert.True(uids.Add(uid), $"{file}: uid {uid} is used twice");

            var variables = d["templating"]!["list"]!.AsArray().OfType<JsonObject>().ToDictionary(v => v["name"]!.GetValue<string>(), StringComparer.Ordinal);
            Assert.Equal("datasource", variables["datasource"]["type"]!.GetValue<string>());
            Assert.Equal("prometheus", variables["datasource"]["query"]!.GetValue<string>());
            Assert.Contains("scenario", variables.Keys);
            Assert.Contains("function", variables.Keys);
            foreach (var name in new[] { "scenario", "function" })
            {
                Assert.Equal("${datasource}", variables[name]["datasource"]!["uid"]!.GetValue<string>());
            }

            var ids = new HashSet<int>();
            foreach (var panel in DashboardQueries.Panels(d))
            {
                var title = panel["title"]!.GetValue<string>();
                Assert.True(ids.Add(panel["id"]!.GetValue<int>()), $"{file}: panel id of '{title}' is used twice");
                if (panel["type"]!.GetValue<string>() == "row")
                {
                    continue;
                }

                Assert.False(string.IsNullOrWhiteSpace(panel["description"]?.GetValue<string>()), $"{file}: '{title}' needs a description");
                Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
                foreach (var target in panel["targets"]!.AsArray().OfType<JsonObject>())
                {
                    Assert.Equal("${datasource}", target["datasource"]!["uid"]!.GetValue<string>());
                }

                // A marker in the JSON and the tag in the description go together, so people see why a panel is empty.
                if (panel["lambdastorm"]?["requires"]?.GetValue<string>() is { } requires)
                {
                    Assert.Contains(requires, DashboardQueries.Requirements);
                    Assert.Contains(requires + "-only", panel["description"]!.GetValue<string>(), StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Every_dashboard_annotates_phases_from_lambdastorm_phase_info()
    {
        foreach (var (file, d) in DashboardQueries.Dashboards())
        {
            var annotations = d["annotations"]!["list"]!.AsArray().OfType<JsonObject>();
            Assert.Contains(annotations, a => a["expr"]?.GetValue<string>()?.Contains("lambdastorm_phase_info", StringComparison.Ordinal) == true
                && a["datasource"]?["uid"]?.GetValue<string>() == "${datasource}");
            _ = file;
        }
    }

    [Fact]
    public void Run_series_are_filtered_by_scenario_and_emulator_series_by_function()
    {
        foreach (var q in DashboardQueries.All())
        {
            if (q.Expr.Contains("lambdastorm_emulator_", StringComparison.Ordinal)
                && !q.Expr.Contains("account_", StringComparison.Ordinal))
            {
                Assert.True(q.Expr.Contains("$function", StringComparison.Ordinal), $"{q.Dashboard} '{q.Where}': {q.Expr} ignores $function");
            }
            else if (q.Expr.Contains("lambdastorm_", StringComparison.Ordinal) && !q.Expr.Contains("lambdastorm_emulator_", StringComparison.Ordinal))
            {
                Assert.True(q.Expr.Contains("$scenario", StringComparison.Ordinal), $"{q.Dashboard} '{q.Where}': {q.Expr} ignores $scenario");
            }
        }
    }

    [Fact]
    public void Provisioning_points_at_the_folders_docker_compose_mounts()
    {
        var root = CliTests.RepoRoot();
        var compose = File.ReadAllText(Path.Combine(root, "docker-compose.yml"));
        var datasource = File.ReadAllText(Path.Combine(root, "grafana", "provisioning", "datasources", "prometheus.yaml"));
        var dashboards = File.ReadAllText(Path.Combine(root, "grafana", "provisioning", "dashboards", "lambdastorm.yaml"));

        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning", compose, StringComparison.Ordinal);
        Assert.Contains("./grafana/dashboards:/var/lib/grafana/dashboards", compose, StringComparison.Ordinal);
        Assert.Contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml", compose, StringComparison.Ordinal);
        Assert.Contains("path: /var/lib/grafana/dashboards", dashboards, StringComparison.Ordinal);
        Assert.Contains("type: prometheus", datasource, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scrape_config_passes_promtool_check_config()
    {
        // promtool comes with Debian's prometheus package, which test.sh installs.
        var psi = new ProcessStartInfo("promtool", ["check", "config", Path.Combine(CliTests.RepoRoot(), "prometheus", "prometheus.yml")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.True(p.ExitCode == 0, stdout + stderr);
    }
}
