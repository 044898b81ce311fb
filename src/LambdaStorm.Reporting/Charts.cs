using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;

namespace LambdaStorm.Reporting;

/// <summary>A horizontal reference line (a concurrency limit, say).</summary>
internal sealed record ChartLimit(string Label, double Value);

/// <summary>One line of a chart.</summary>
internal sealed record ChartSeries(string Label, double[] Ys, string Color, bool Dashed = false, bool Filled = false);

/// <summary>A chart over time, drawn with ScottPlot as inline SVG.</summary>
internal sealed record TimeChart(string Id, string Title, string YLabel, double[] Xs, IReadOnlyList<ChartSeries> Series, IReadOnlyList<ChartLimit> Limits);

/// <summary>Draws the report's time charts as SVG (ScottPlot 5) with phase and chaos bands.</summary>
internal static partial class Charts
{
    public const int Width = 1100;
    public const int Height = 300;

    /// <summary>Band fill colours by kind; chaos bands get a warmer colour once chaos lands.</summary>
    private static readonly Dictionary<string, string[]> BandColors = new(StringComparer.Ordinal)
    {
        ["phase"] = ["#2563eb", "#64748b"],
        ["chaos"] = ["#dc2626"],
    };

    public static string Svg(TimeChart chart, IReadOnlyList<TimelineBand> bands)
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
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var band in bands)
        {
            var palette = BandColors.GetValueOrDefault(band.Kind) ?? BandColors["phase"];
            var n = counters.GetValueOrDefault(band.Kind);
            counters[band.Kind] = n + 1;
            var span = plot.Add.HorizontalSpan(band.Start, band.End);
            span.FillStyle.Color = Color.FromHex(palette[n % palette.Length]).WithAlpha(band.Kind == "chaos" ? 0.16 : n % 2 == 0 ? 0.07 : 0.04);
            span.LineStyle.Width = 0;
            var text = plot.Add.Text(band.Label, band.Start + ((band.End - band.Start) / 2), yMax * 0.985);
            text.LabelFontSize = 11;
            text.LabelFontColor = Color.FromHex(band.Kind == "chaos" ? "#991b1b" : "#475569");
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

        return Inline(plot.GetSvgXml(Width, Height), chart.Id, chart.Title);
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
