using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ScottPlot;

namespace LambdaStorm.Reporting;

/// <summary>A horizontal reference line (a concurrency limit, say).</summary>
internal sealed record ChartLimit(string Label, double Value);

/// <summary>One line of a chart.</summary>
internal sealed record ChartSeries(string Label, double[] Ys, string Color, bool Dashed = false, bool Filled = false);

/// <summary>A chart over time, drawn with ScottPlot as inline SVG.</summary>
internal sealed record TimeChart(string Id, string Title, string YLabel, double[] Xs, IReadOnlyList<ChartSeries> Series, IReadOnlyList<ChartLimit> Limits);

/// <summary>
/// Draws the report's time charts as SVG (ScottPlot 5) with phase bands; chaos bands and timeline markers are drawn
/// over the plot as SVG groups of their own (<c>g.chaos-band</c>, <c>g.chaos-marker</c>) with a tooltip each, placed
/// through the plot's own coordinate mapping.
/// </summary>
internal static partial class Charts
{
    public const int Width = 1100;
    public const int Height = 300;

    /// <summary>Phase band fill colours, alternating.</summary>
    private static readonly string[] PhaseColors = ["#2563eb", "#64748b"];

    /// <param name="chart">The chart.</param>
    /// <param name="bands">Phase and chaos bands.</param>
    /// <param name="markers">Steady-state verdicts, recoveries and the abort, or null.</param>
    public static string Svg(TimeChart chart, IReadOnlyList<TimelineBand> bands, IReadOnlyList<TimelineMarker>? markers = null)
    {
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#e5e7eb");
        plot.Axes.Color(Color.FromHex("#374151"));
        plot.XLabel("seconds since start", 13);
        plot.YLabel(chart.YLabel, 13);

        var yMax = 0.0;
        foreach (var s in chart.Series)
        {
            foreach (var y in s.Ys)
            {
                if (double.IsFinite(y))
                {
                    yMax = Math.Max(yMax, y);
                }
            }
        }

        foreach (var l in chart.Limits)
        {
            yMax = Math.Max(yMax, l.Value);
        }

        yMax = yMax <= 0 ? 1 : yMax * 1.12;

        // Bands first, so the lines are drawn over them.
        var n = 0;
        foreach (var band in bands.Where(b => b.Kind != "chaos"))
        {
            var span = plot.Add.HorizontalSpan(band.Start, band.End);
            span.FillStyle.Color = Color.FromHex(PhaseColors[n % PhaseColors.Length]).WithAlpha(n % 2 == 0 ? 0.07 : 0.04);
            span.LineStyle.Width = 0;
            n++;
            var text = plot.Add.Text(band.Label, band.Start + ((band.End - band.Start) / 2), yMax * 0.985);
            text.LabelFontSize = 11;
            text.LabelFontColor = Color.FromHex("#475569");
            text.LabelAlignment = Alignment.UpperCenter;
        }

        foreach (var limit in chart.Limits)
        {
            var line = plot.Add.HorizontalLine(limit.Value);
            line.Color = Color.FromHex("#b91c1c");
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"{limit.Label} ({limit.Value.ToString("N0", CultureInfo.InvariantCulture)})";
        }

        foreach (var s in chart.Series)
        {
            var color = Color.FromHex(s.Color);
            if (s.Filled)
            {
                var fill = plot.Add.FillY(chart.Xs, s.Ys, new double[s.Ys.Length]);
                fill.FillStyle.Color = color.WithAlpha(0.18);
                fill.LineStyle.Width = 0;
            }

            var line = plot.Add.ScatterLine(chart.Xs, s.Ys, color);
            line.LineWidth = 2;
            line.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            line.LegendText = s.Label;
        }

        var xMax = chart.Xs.Length == 0 ? 1 : chart.Xs[^1];
        plot.Axes.SetLimits(0, Math.Max(1, xMax), 0, yMax);
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Legend.FontSize = 12;
        plot.Legend.OutlineColor = Color.FromHex("#d1d5db");
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.85);

        var svg = plot.GetSvgXml(Width, Height);
        var overlay = Overlay(plot, [.. bands.Where(b => b.Kind == "chaos")], markers ?? []);
        if (overlay.Length > 0)
        {
            var close = svg.LastIndexOf("</svg>", StringComparison.Ordinal);
            svg = svg[..close] + overlay + svg[close..];
        }

        return Inline(svg, chart.Id, chart.Title);
    }

    /// <summary>
    /// Chaos bands and markers as SVG over the rendered plot: each band shades applied→reverted (dashed at the right
    /// when the run ended with it still applied), a lighter strip requested→applied, and a dashed line at the effective
    /// moment; each marker is a vertical line. Every group carries a <c>title</c> (the browser's tooltip).
    /// </summary>
    private static string Overlay(Plot plot, IReadOnlyList<TimelineBand> chaos, IReadOnlyList<TimelineMarker> markers)
    {
        if (chaos.Count == 0 && markers.Count == 0)
        {
            return string.Empty;
        }

        var rect = plot.LastRender.DataRect;
        double X(double seconds) => Math.Clamp(plot.GetPixel(new Coordinates(seconds, 0)).X, rect.Left, rect.Right);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        static string E(string s) => System.Net.WebUtility.HtmlEncode(s);
        var (top, bottom, height) = (rect.Top, rect.Bottom, rect.Bottom - rect.Top);
        var sb = new StringBuilder("<g class=\"chaos-overlay\">");
        for (var i = 0; i < chaos.Count; i++)
        {
            var b = chaos[i];
            var (x0, x1) = (X(b.Start), X(b.End));
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"chaos-band\" data-action=\"{E(b.Action ?? b.Label)}\"><title>{E(b.Detail ?? b.Label)}</title>");
            if (b.RequestedAt is { } req && X(req) < x0 - 0.5)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"chaos-requested\" x=\"{F(X(req))}\" y=\"{F(top)}\" width=\"{F(x0 - X(req))}\" height=\"{F(height)}\" fill=\"#dc2626\" fill-opacity=\"0.06\"/>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"chaos-active\" x=\"{F(x0)}\" y=\"{F(top)}\" width=\"{F(Math.Max(1, x1 - x0))}\" height=\"{F(height)}\" fill=\"#dc2626\" fill-opacity=\"0.13\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x0)}\" x2=\"{F(x0)}\" y1=\"{F(top)}\" y2=\"{F(bottom)}\" stroke=\"#dc2626\" stroke-width=\"1\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x1)}\" x2=\"{F(x1)}\" y1=\"{F(top)}\" y2=\"{F(bottom)}\" stroke=\"#dc2626\" stroke-width=\"1\"{(b.RevertedAt is null ? " stroke-dasharray=\"2 3\"" : string.Empty)}/>");
            if (b.EffectiveAt is { } eff)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"chaos-effective\" x1=\"{F(X(eff))}\" x2=\"{F(X(eff))}\" y1=\"{F(top)}\" y2=\"{F(bottom)}\" stroke=\"#7f1d1d\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>");
            }

            // Labels at the bottom of the data area (phase labels are at the top), staggered so neighbours do not overlap.
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x0 + 4)}\" y=\"{F(bottom - 6 - (i % 3 * 13))}\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#991b1b\">{E(b.Label)}</text></g>");
        }

        for (var i = 0; i < markers.Count; i++)
        {
            var m = markers[i];
            var x = X(m.At);
            var color = m.Kind == "abort" ? "#111827" : m.Good ? "#15803d" : "#b91c1c";
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"chaos-marker {E(m.Kind)}\" data-good=\"{(m.Good ? "true" : "false")}\"><title>{E(m.Detail)}</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{F(top)}\" y2=\"{F(bottom)}\" stroke=\"{color}\" stroke-width=\"{(m.Kind == "abort" ? "2.5" : "1.5")}\"/>");
            // Near the right edge the label goes to the left of its line, so that it stays inside the chart.
            var left = x > rect.Left + (0.8 * (rect.Right - rect.Left));
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left ? x - 3 : x + 3)}\" y=\"{F(top + 26 + (i % 3 * 13))}\"{(left ? " text-anchor=\"end\"" : string.Empty)} font-size=\"11\" font-family=\"sans-serif\" font-weight=\"600\" fill=\"{color}\">{E(m.Label)}</text></g>");
        }

        return sb.Append("</g>").ToString();
    }

    /// <summary>Makes ScottPlot's standalone SVG document embeddable: no XML declaration, scalable, labelled.</summary>
    private static string Inline(string svg, string id, string title)
    {
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        svg = start > 0 ? svg[start..] : svg;
        var open = svg.IndexOf('>', StringComparison.Ordinal);
        var tag = svg[..open];
        if (!tag.Contains("viewBox", StringComparison.Ordinal))
        {
            tag += string.Create(CultureInfo.InvariantCulture, $" viewBox=\"0 0 {Width} {Height}\"");
        }

        tag = SizeAttribute().Replace(tag, string.Empty);
        tag += $" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(title)}\" data-chart=\"{id}\" preserveAspectRatio=\"xMidYMid meet\"";
        return tag + svg[open..];
    }

    [GeneratedRegex("\\s(width|height)=\"[^\"]*\"")]
    private static partial Regex SizeAttribute();
}
