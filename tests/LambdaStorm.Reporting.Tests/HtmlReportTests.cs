using System.Text.RegularExpressions;
using LambdaStorm.Runs;

namespace LambdaStorm.Reporting.Tests;

public sealed partial class HtmlReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-html-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Report_html_has_every_section_verdicts_findings_and_an_escaped_scenario_echo()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        var html = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile), TestContext.Current.CancellationToken);

        foreach (var id in new[] { "verdicts", "findings", "charts", "summary", "lambda", "scenario" })
        {
            Assert.Contains($"<section id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("<h1>report-spike</h1>", html, StringComparison.Ordinal);
        Assert.Contains(">simulated<", html, StringComparison.Ordinal);
        Assert.Matches(FailRow(), html);
        Assert.Contains("<code>p99{outcome=ok} &lt; 5s</code>", html, StringComparison.Ordinal);
        Assert.Contains("Throttling started at", html, StringComparison.Ordinal);
        Assert.Contains("ReservedFunctionConcurrentInvocationLimitExceeded", html, StringComparison.Ordinal);
        Assert.Contains("were cold starts", html, StringComparison.Ordinal);
        Assert.Contains("checkout reserved (20)", html, StringComparison.Ordinal); // the limit on the concurrency chart

        // The echo is the scenario file, escaped inside a <pre>.
        var echo = Echo().Match(html);
        Assert.True(echo.Success, "no <pre class=\"echo\">");
        Assert.Contains("- throttle_rate &lt; 5%", echo.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("<", echo.Groups[1].Value, StringComparison.Ordinal);

        // Five charts, each an inline SVG with drawn data.
        Assert.Equal(5, SvgOpen().Count(html));
        AssertSelfContained(html);
    }

    [Fact]
    public async Task Report_regenerates_from_a_journal_cut_short_by_a_crash()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        var journal = Path.Combine(outcome.ResultsPath, "journal.jsonl");
        var lines = File.ReadAllLines(journal).Where(l => !l.Contains("\"type\":\"end\"", StringComparison.Ordinal) && !l.Contains("\"type\":\"model\"", StringComparison.Ordinal)).ToList();
        File.WriteAllText(journal, string.Join('\n', lines.Take(lines.Count / 2)) + "\n{\"type\":\"interval\",\"se");
        var report = Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile);
        File.Delete(report);

        await ScenarioRunner.ReportAsync(outcome.ResultsPath, TestContext.Current.CancellationToken, ResultsArtifacts.Instance);

        var html = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
        Assert.Contains(">incomplete<", html, StringComparison.Ordinal);
        Assert.Contains("The run did not complete", html, StringComparison.Ordinal);
        Assert.Contains("half-written last line", html, StringComparison.Ordinal);
        Assert.Equal(5, SvgOpen().Count(html));
        Assert.DoesNotContain("<section id=\"lambda\"", html, StringComparison.Ordinal); // no model record in a crashed journal
    }

    [Fact]
    public async Task Extra_sections_are_the_extension_point_for_a_side_by_side_comparison()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        var journal = Results.JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        var html = HtmlReport.Render(outcome.Summary, journal, [new ReportSection("comparison", "Variants side by side", "<table><tr><td>A</td><td>B</td></tr></table>")]);

        Assert.Contains("<section id=\"comparison\" class=\"extra\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#comparison\">Variants side by side</a>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("id=\"comparison\"", StringComparison.Ordinal) > html.IndexOf("id=\"charts\"", StringComparison.Ordinal));
    }

    /// <summary>No external scripts, styles, fonts, images or frames: the file must open offline.</summary>
    internal static void AssertSelfContained(string html)
    {
        Assert.DoesNotMatch(ExternalRef(), html);
        foreach (var tag in new[] { "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import" })
        {
            Assert.DoesNotContain(tag, html, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotMatch(ExternalCssUrl(), html); // url(#clip) inside the SVGs is a same-document reference
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);

        // Several SVGs share one document: their clip-path ids must not collide.
        var ids = ElementId().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [GeneratedRegex("<tr class=\"fail\"><td><span class=\"pill bad\">FAIL</span></td><td><code>throttle_rate &lt; 5%</code></td>")]
    private static partial Regex FailRow();

    [GeneratedRegex("<pre class=\"echo\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex Echo();

    [GeneratedRegex("<svg[\\s>]")]
    private static partial Regex SvgOpen();

    [GeneratedRegex("url\\(\\s*['\"]?\\s*(?!#)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalCssUrl();

    [GeneratedRegex("\\sid=\"([^\"]+)\"")]
    private static partial Regex ElementId();

    [GeneratedRegex("(src|href|xlink:href|action|poster|srcset)\\s*=\\s*[\"']?\\s*(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalRef();
}
