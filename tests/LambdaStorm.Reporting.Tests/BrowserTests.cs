using System.Diagnostics;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace LambdaStorm.Reporting.Tests;

/// <summary>
/// report.html looked at in a real browser: headless Chromium renders it to a PNG and dumps the DOM it built. Chromium
/// is a test dependency (test.sh installs the Debian package); without it these tests fail, they never skip.
/// </summary>
public sealed partial class BrowserTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-browser-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Chromium's own background services (network time, component updates, account check) that start even with the
    /// flags above; the browser, not the page, makes them. Any other URL in the network log comes from the page.
    /// </summary>
    private static readonly string[] BrowserServices =
    [
        "://clients2.google.com/time/",
        "://update.googleapis.com/service/update2",
        "://accounts.google.com/ListAccounts",
        "://optimizationguide-pa.googleapis.com/", // model downloads of the optimization guide, when the browser runs long enough
    ];

    private static string Chromium()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("chromium is not installed: the report's browser test needs headless Chromium. Run ./test.sh (it apt-get installs 'chromium') or 'apt-get install chromium'.");
        return string.Empty;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunChromiumAsync(params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("lambdastorm-chromium-").FullName;
        var psi = new ProcessStartInfo(Chromium())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,OptimizationHintsFetching",
            // Nothing may leave the machine even if something tried: every host name resolves to nothing.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
        }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 2 minutes");
        }

        var result = (process.ExitCode, await stdout, await stderr);
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium's helpers may still hold the profile for a moment; it is a temp folder.
        }

        return result;
    }

    private async Task<string> ReportAsync()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        return Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile);
    }

    [Fact]
    public async Task Headless_chromium_renders_a_non_blank_screenshot()
    {
        var report = await ReportAsync();
        var png = Path.Combine(_root, "report.png");

        var run = await RunChromiumAsync($"--screenshot={png}", "--window-size=1280,2000", "--hide-scrollbars", new Uri(report).AbsoluteUri);

        Assert.True(File.Exists(png), $"chromium wrote no screenshot (exit {run.ExitCode}): {run.Stderr}");
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal(1280, bitmap.Width);
        Assert.Equal(2000, bitmap.Height);

        var colours = new HashSet<uint>();
        long nonWhite = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                if (c.Red < 240 || c.Green < 240 || c.Blue < 240)
                {
                    nonWhite++;
                }
            }
        }

        var share = (double)nonWhite / (bitmap.Width / 2 * (bitmap.Height / 2));
        Assert.True(colours.Count > 200, $"the screenshot looks blank: only {colours.Count} distinct colours");
        Assert.True(share > 0.05, $"the screenshot looks blank: only {share:P1} of it is not white");

        // The chart lines are drawn: the screenshot holds the charts' saturated line colours (blue, green, red).
        Assert.Contains(colours, c => IsNear(c, 0x25, 0x63, 0xeb));
        Assert.Contains(colours, c => IsNear(c, 0xdc, 0x26, 0x26));
    }

    [Fact]
    public async Task The_rendered_dom_has_charts_with_drawn_paths_and_makes_no_network_requests()
    {
        var report = await ReportAsync();
        var html = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
        HtmlReportTests.AssertSelfContained(html);

        var dom = await DumpDomOfflineAsync(report);

        // The charts: five inline SVGs, each with at least one path carrying real data (many points).
        var svgs = SvgElement().Matches(dom).Select(m => m.Value).ToList();
        Assert.Equal(5, svgs.Count);
        foreach (var svg in svgs)
        {
            var chart = ChartName().Match(svg).Groups[1].Value;
            var drawn = PathData().Matches(svg).Select(m => m.Groups[1].Value).Count(IsDataLine);
            Assert.True(drawn > 0, $"chart '{chart}' has no path with data");
        }
    }

    /// <summary>
    /// The DOM headless Chromium built from <paramref name="report"/>, after checking that it made no fetch: nothing in
    /// the DOM points off the page, and the browser's log shows no request to a network URL.
    /// </summary>
    private async Task<string> DumpDomOfflineAsync(string report)
    {
        var run = await RunChromiumAsync("--dump-dom", "--enable-logging=stderr", "--v=1", new Uri(report).AbsoluteUri);
        var dom = run.Stdout;
        Assert.True(dom.Contains("</html>", StringComparison.Ordinal), $"chromium dumped no DOM (exit {run.ExitCode}): {run.Stderr[..Math.Min(2000, run.Stderr.Length)]}");
        Assert.DoesNotMatch(ExternalRef(), dom);
        var fetches = NetworkLog().Matches(run.Stderr).Select(m => m.Value).Where(v => !BrowserServices.Any(b => v.Contains(b, StringComparison.Ordinal))).ToList();
        Assert.True(fetches.Count == 0, "chromium fetched: " + string.Join("\n", fetches));
        return dom;
    }

    [Fact]
    public async Task A_game_day_report_shows_chaos_bands_markers_and_the_findings_table_in_the_browser_offline()
    {
        var outcome = await ReportRuns.SimulateAsync(_root, ReportRuns.GameDayYaml, "report-gameday.yaml");
        var report = Path.Combine(outcome.ResultsPath, ResultsArtifacts.ReportFile);

        var dom = await DumpDomOfflineAsync(report);

        // Inside every chart the browser built: one band per applied fault (with its shaded rect) and the markers.
        var svgs = SvgElement().Matches(dom).Select(m => m.Value).ToList();
        Assert.Equal(5, svgs.Count);
        foreach (var svg in svgs)
        {
            var chart = ChartName().Match(svg).Groups[1].Value;
            Assert.True(2 == ChaosReportHtmlTests.ChaosBand().Count(svg), $"chart '{chart}' does not have two chaos bands");
            Assert.True(2 == Regex.Count(svg, "<rect class=\"chaos-active\""), $"chart '{chart}' does not shade two chaos bands");
            Assert.True(Regex.Count(svg, "<g class=\"chaos-marker ") >= 4, $"chart '{chart}' lacks the steady-state and recovery markers");
        }

        ChaosReportHtmlTests.AssertChaos(dom);
    }

    /// <summary>
    /// A drawn data line, not a grid or axis: many points that vary in both x and y (a grid line has two values of x or two of y).
    /// </summary>
    private static bool IsDataLine(string d)
    {
        var points = PathPoint().Matches(d).Select(m => (X: m.Groups[1].Value, Y: m.Groups[2].Value)).ToList();
        return points.Count >= 10 && points.Select(p => p.X).Distinct().Count() >= 5 && points.Select(p => p.Y).Distinct().Count() >= 3;
    }

    private static bool IsNear(uint argb, int r, int g, int b)
    {
        var c = (SKColor)argb;
        return Math.Abs(c.Red - r) < 12 && Math.Abs(c.Green - g) < 12 && Math.Abs(c.Blue - b) < 12;
    }

    [GeneratedRegex("(src|href|xlink:href|action|poster|srcset)\\s*=\\s*[\"']?\\s*(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalRef();

    // Chromium's verbose network log names the URL of every request it starts.
    [GeneratedRegex("(URLRequest|url_request|network_delegate|Fetch|navigation_request)[^\\n]*https?://[^\\s\"']+", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkLog();

    [GeneratedRegex("<svg[\\s>].*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("data-chart=\"([^\"]+)\"")]
    private static partial Regex ChartName();

    [GeneratedRegex("<path[^>]*\\sd=\"([^\"]+)\"")]
    private static partial Regex PathData();

    [GeneratedRegex("[ML]\\s*(-?[0-9.]+)[ ,](-?[0-9.]+)")]
    private static partial Regex PathPoint();
}
