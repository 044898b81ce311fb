using System.Text.RegularExpressions;
using LambdaStorm.Runs;

namespace LambdaStorm.Reporting.Tests;

/// <summary>A game day in report.html: chaos bands and markers on every time chart, and the findings table.</summary>
public sealed partial class ChaosReportHtmlTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-chaos-html-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Every_time_chart_has_a_band_per_applied_fault_and_the_findings_table_a_row_per_action()
    {
        var outcome = await ReportRuns.SimulateAsync(_root, ReportRuns.GameDayYaml, "report-gameday.yaml");
        var path = Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile);
        var html = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        HtmlReportTests.AssertSelfContained(html);
        AssertChaos(html);

        // 'lambdastorm report DIR' redraws the same from the journal.
        File.Delete(path);
        await ScenarioRunner.ReportAsync(outcome.ResultsPath, TestContext.Current.CancellationToken, ResultsArtifacts.Instance);
        var again = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        AssertChaos(again);
        Assert.Equal(ChaosBand().Matches(html).Select(m => m.Value), ChaosBand().Matches(again).Select(m => m.Value));
    }

    [Fact]
    public async Task An_abort_is_a_marker_on_every_chart_and_a_line_of_the_findings()
    {
        var outcome = await ReportRuns.SimulateAsync(_root, ReportRuns.GameDayYaml + "\nabort:\n  - throttle_rate > 50% for 3s\n", "report-gameday.yaml");
        var html = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var charts = SvgOpen().Count(html);
        Assert.Equal(charts, Regex.Count(html, "<g class=\"chaos-marker abort\""));
        Assert.Contains("Aborted: abort condition &#39;throttle_rate &gt; 50% for 3s&#39; fired", html, StringComparison.Ordinal);

        // Only the first fault was applied (and rolled back by the abort); the second never started.
        Assert.Equal(charts, ChaosBand().Count(html));
        var rows = FindingRow().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["1-reserved-concurrency-hello", "2-function-errors-hello"], rows);
        Assert.Contains("not started", html, StringComparison.Ordinal);

        // 'lambdastorm report DIR' gives the exit code 'run' gave: 3, not 0 because no threshold failed.
        var again = await ScenarioRunner.ReportAsync(outcome.ResultsPath, TestContext.Current.CancellationToken, ResultsArtifacts.Instance);
        Assert.Equal(ExitCodes.Aborted, again.ExitCode);
    }

    /// <summary>An async game day: 100% errors for 10 s, no retries; the failed events go to <c>failures</c>.</summary>
    private const string AsyncGameDayYaml = """
        name: report-gameday-async
        function: worker
        path: async
        seed: 5
        target:
          type: emulator
          functions:
            worker: { duration: 20ms, initDuration: 0ms, async: { maximumRetryAttempts: 0, onFailure: failures } }
          queues:
            failures: {}
        load:
          - inject: { rate: 20, during: 20s }
        settle: 20s
        chaos:
          - { at: 5s, for: 10s, function-errors: { function: worker, rate: 100% } }
        """;

    [Fact]
    public async Task On_the_async_path_the_findings_table_counts_the_ids_sent_during_each_fault_by_how_they_ended()
    {
        var outcome = await ReportRuns.SimulateAsync(_root, AsyncGameDayYaml, "report-gameday-async.yaml");
        var html = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile), TestContext.Current.CancellationToken);

        var ledger = outcome.Summary.Chaos!.Findings[0].Ledger!;
        Assert.InRange(ledger.DeadLettered, 195, 205);
        Assert.Contains("<th>lost</th><th>duplicated</th><th>DLQ</th><th>after retry</th>", html, StringComparison.Ordinal);
        var row = Assert.Single(FindingRow().Matches(html)).Value;
        var dlq = ledger.DeadLettered.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.EndsWith($"<td class=\"num\">{ledger.Sent}</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">{dlq}</td><td class=\"num\">0</td></tr>", row, StringComparison.Ordinal);
        Assert.Contains($"{dlq} in the DLQ", html, StringComparison.Ordinal); // the plain-language line at the top
        Assert.DoesNotMatch(LostSeries(), LedgerChart(html)); // nothing lost, so no lost series
    }

    [Fact]
    public async Task Ids_the_model_discarded_are_a_lost_series_on_the_ledger_chart()
    {
        // The same game day without a failure destination: the model drops each failed event.
        var outcome = await ReportRuns.SimulateAsync(_root, AsyncGameDayYaml.Replace(", onFailure: failures", string.Empty, StringComparison.Ordinal), "report-gameday-lost.yaml");
        var html = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile), TestContext.Current.CancellationToken);

        Assert.InRange(outcome.Summary.Ledger!.Count(Ledger.DeliveryClass.Lost), 195, 205);
        Assert.Matches(LostSeries(), LedgerChart(html));
    }

    private static string LedgerChart(string html)
    {
        var start = html.IndexOf("<figure class=\"chart\" id=\"chart-ledger\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no ledger chart");
        return html[start..html.IndexOf("</figure>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex(@">\s*lost\s*<")]
    private static partial Regex LostSeries();

    /// <summary>Two faults on each of the five time charts; markers for the warm-up verdict, both recoveries and the verdict after.</summary>
    internal static void AssertChaos(string html)
    {
        var charts = SvgOpen().Count(html);
        Assert.Equal(5, charts);
        var bands = ChaosBand().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2 * charts, bands.Count);
        Assert.Equal(charts, bands.Count(b => b == "1-reserved-concurrency-hello"));
        Assert.Equal(charts, bands.Count(b => b == "2-function-errors-hello"));
        Assert.Equal(2 * charts, Regex.Count(html, "<line class=\"chaos-effective\""));
        Assert.Contains(">reserved-concurrency hello</text>", html, StringComparison.Ordinal);
        Assert.Contains("requested 15 s, applied 15 s, effective 15", html, StringComparison.Ordinal);
        Assert.Equal(charts, Regex.Count(html, "<g class=\"chaos-marker steady-state\" data-good=\"true\"><title>steady state held over the warm-up"));
        Assert.Equal(2 * charts, Regex.Count(html, "<g class=\"chaos-marker recovered\""));

        // The findings table: one row per action, with what was injected, the steady state during it and its recovery.
        Assert.Contains("<section id=\"chaos-findings\">", html, StringComparison.Ordinal);
        var rows = FindingRow().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("reserved concurrency of hello set to 0", rows[0], StringComparison.Ordinal);
        Assert.Contains("failed: error_rate &lt; 5%", rows[0], StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">5 s</td>", rows[0], StringComparison.Ordinal); // recovery
        Assert.Matches("30% of hello(&#39;|')s invocations fail", rows[1]); // the browser's DOM writes the apostrophe plainly
        Assert.Contains("Every applied fault was rolled back.", html, StringComparison.Ordinal);
        Assert.Contains("Steady state before the faults", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<g class=\"chaos-band\" data-action=\"([^\"]+)\"")]
    internal static partial Regex ChaosBand();

    [GeneratedRegex("<tr class=\"[^\"]*\" data-action=\"([^\"]+)\">.*?</tr>")]
    internal static partial Regex FindingRow();

    [GeneratedRegex("<svg[\\s>]")]
    private static partial Regex SvgOpen();
}
