using System.Globalization;
using System.Net;
using System.Text;
using LambdaStorm.Ledger;
using LambdaStorm.Results;

namespace LambdaStorm.Reporting;

/// <summary>
/// The report's delivery-ledger section: every sent id's class, duplicates, attempts and end-to-end latency, with
/// charts of the ledger classes and the queue depth over time (settle time included); and the side-by-side table of a
/// run that compares variants.
/// </summary>
internal static class LedgerHtml
{
    private static readonly string[] Palette = ["#2563eb", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#475569"];

    public static void Section(StringBuilder sb, LedgerData data, IReadOnlyList<TimelineBand> bands, IReadOnlyList<TimelineMarker> markers)
    {
        var l = data.Report;
        sb.Append($"<section id=\"ledger\">\n<h2>Delivery ledger <span class=\"muted\">{N(l.Sent)} ids sent on the async and queue paths; the source was {E(l.Source)} at the end</span></h2>\n");
        sb.Append("<table class=\"ledger-classes\">\n<thead><tr>");
        foreach (var c in DeliveryClasses.All)
        {
            sb.Append($"<th>{E(c.Name())}</th>");
        }

        sb.Append("<th>duplicates</th></tr></thead>\n<tbody><tr>");
        foreach (var c in DeliveryClasses.All)
        {
            var v = l.Count(c);
            var bad = v > 0 && c is DeliveryClass.Lost or DeliveryClass.InFlight or DeliveryClass.Unknown;
            sb.Append($"<td class=\"num{(bad ? " bad" : string.Empty)}\">{N(v)}</td>");
        }

        sb.Append($"<td class=\"num\">{N(l.Duplicates)}</td></tr></tbody>\n</table>\n");
        sb.Append("<table class=\"kv\">\n<tbody>\n");
        Kv(sb, "attempts (failed, re-deliveries)", $"{N(l.Attempts)} ({N(l.FailedAttempts)}, {N(l.Redeliveries)})");
        Kv(sb, "processed by attempt", l.ProcessedByAttempt.Count == 0 ? "—" : string.Join(", ", l.ProcessedByAttempt.Select(kv => $"#{kv.Key}: {N(kv.Value)}")));
        Kv(sb, "end to end (intended send → processed)", Latency(l.EndToEndMs));
        Kv(sb, "dead-letter arrivals", N(l.DeadLetterArrivals));
        if (l.Poisoned > 0)
        {
            Kv(sb, "poison pills (in the DLQ)", $"{N(l.Poisoned)} ({N(l.PoisonedDeadLettered)})");
            Kv(sb, "good ids in the DLQ", N(l.GoodDeadLettered));
            Kv(sb, "good ids delayed by re-delivery", $"{N(l.DelayedGood)}{(l.DelayedGood > 0 ? $": waited {Latency(l.DelayedGoodMs)}" : string.Empty)}");
        }

        Kv(sb, "time to drain", l.DrainSeconds is { } d ? Findings.Sec(d) : "not drained");
        foreach (var q in l.Queues)
        {
            Kv(sb, $"queue {q.Queue} ({q.Role})", $"peak {N(q.Peak)}, last {N(q.Last)} ({N(q.Samples)} samples)");
        }

        if (l.Unmatched > 0)
        {
            Kv(sb, "messages for ids never sent", N(l.Unmatched));
        }

        sb.Append("</tbody>\n</table>\n");
        if (data.Points.Length >= 2)
        {
            var xs = data.Points.Select(p => p.Seconds).ToArray();
            double[] Y(Func<LedgerCounts, long> f) => [.. data.Points.Select(p => (double)f(p.Counts))];
            var classes = new TimeChart("ledger", "Delivery ledger classes", "ids (cumulative)", xs,
            [
                new("first attempt", Y(c => c.FirstAttempt), "#16a34a", Filled: true),
                new("after retry", Y(c => c.AfterRetry), "#d97706"),
                new("dlq", Y(c => c.DeadLettered), "#dc2626"),
                new("expired", Y(c => c.Expired), "#7c3aed"),
                .. data.Points.Any(p => p.Counts.Lost > 0) ? [new ChartSeries("lost", Y(c => c.Lost), "#111827")] : Array.Empty<ChartSeries>(),
                new("outstanding", Y(c => c.Outstanding), "#2563eb", Dashed: true),
            ], []);
            Figure(sb, classes, bands, markers, "Sent ids by class over time: processed on the first attempt or after a retry, dead-lettered, expired, lost when the source reported discarding them, and outstanding (sent, no outcome yet).");
        }

        var queues = data.Depth.GroupBy(p => (p.Queue, p.Role)).Where(g => g.Key.Role != "receipts").ToList();
        if (queues.Count > 0 && data.Depth.Length >= 2)
        {
            var times = data.Depth.Select(p => p.Seconds).Distinct().Order().ToArray();
            var series = queues.Select((g, i) =>
            {
                var byTime = g.GroupBy(p => p.Seconds).ToDictionary(x => x.Key, x => (double)x.Last().Visible + x.Last().NotVisible + x.Last().Delayed);
                var last = 0.0;
                var ys = times.Select(t => byTime.TryGetValue(t, out var v) ? last = v : last).ToArray();
                return new ChartSeries($"{g.Key.Queue} ({g.Key.Role})", ys, g.Key.Role == "dlq" ? "#dc2626" : Palette[i % Palette.Length], Filled: g.Key.Role == "source");
            }).ToList();
            Figure(sb, new TimeChart("queuedepth", "Queue depth", "messages", times, series, []), bands, markers,
                "Messages held by each queue (visible + in flight + delayed), from GetQueueAttributes every second, during the load and while it drained.");
        }

        sb.Append("</section>\n");
    }

    /// <summary>The side-by-side comparison of a run's variants (rows: measures; columns: variants).</summary>
    public static string Comparison(IReadOnlyList<(string Name, RunSummary Summary)> variants)
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"comparison\">\n<thead><tr><th>measure</th>");
        foreach (var (name, s) in variants)
        {
            sb.Append($"<th>{E(name)} <span class=\"pill {(s.Passed ? "ok" : "bad")}\">{(s.Passed ? "PASS" : "FAIL")}</span></th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        void Row(string measure, Func<RunSummary, string> value)
        {
            sb.Append($"<tr><th scope=\"row\">{E(measure)}</th>");
            foreach (var (_, s) in variants)
            {
                sb.Append($"<td class=\"num\">{E(value(s))}</td>");
            }

            sb.Append("</tr>\n");
        }

        string L(RunSummary s, Func<LedgerReport, string> f) => s.Ledger is { } l ? f(l) : "—";
        Row("ids sent", s => L(s, l => N(l.Sent)));
        Row("processed on the first attempt", s => L(s, l => N(l.Count(DeliveryClass.FirstAttempt))));
        Row("processed after a retry", s => L(s, l => N(l.Count(DeliveryClass.AfterRetry))));
        Row("good messages delayed by re-delivery", s => L(s, l => N(l.DelayedGood)));
        Row("… how long they waited (p50 / p99 / max)", s => L(s, l => l.DelayedGood == 0 ? "—" : $"{Findings.Ms(l.DelayedGoodMs.P50)} / {Findings.Ms(l.DelayedGoodMs.P99)} / {Findings.Ms(l.DelayedGoodMs.Max)}"));
        Row("extra attempts (failed processing attempts)", s => L(s, l => N(l.FailedAttempts)));
        Row("function invocations (the model)", s => s.Lambda is { } m ? N(m.Invocations) : "—");
        Row("poison pills sent", s => L(s, l => N(l.Poisoned)));
        Row("DLQ arrivals", s => L(s, l => N(l.Count(DeliveryClass.DeadLettered))));
        Row("good messages in the DLQ", s => L(s, l => N(l.GoodDeadLettered)));
        Row("lost", s => L(s, l => N(l.Count(DeliveryClass.Lost))));
        Row("in flight at the end", s => L(s, l => N(l.Count(DeliveryClass.InFlight))));
        Row("duplicates", s => L(s, l => N(l.Duplicates)));
        Row("end to end p50 / p99", s => L(s, l => l.EndToEndMs.Count == 0 ? "—" : $"{Findings.Ms(l.EndToEndMs.P50)} / {Findings.Ms(l.EndToEndMs.P99)}"));
        Row("time to drain", s => L(s, l => l.DrainSeconds is { } d ? Findings.Sec(d) : "not drained"));
        Row("thresholds", s => s.Thresholds.Length == 0 ? "—" : $"{s.Thresholds.Count(t => t.Passed)} of {s.Thresholds.Length} passed");
        sb.Append("</tbody>\n</table>\n");
        return sb.ToString();
    }

    private static void Figure(StringBuilder sb, TimeChart chart, IReadOnlyList<TimelineBand> bands, IReadOnlyList<TimelineMarker> markers, string caption)
    {
        sb.Append($"<figure class=\"chart\" id=\"chart-{chart.Id}\">\n<figcaption><strong>{E(chart.Title)}</strong> <span class=\"muted\">{E(caption)}</span></figcaption>\n");
        sb.Append(Charts.Svg(chart, bands, markers));
        sb.Append("\n</figure>\n");
    }

    private static string Latency(LatencyStats l) => l.Count == 0 ? "—" : $"p50 {Findings.Ms(l.P50)}, p99 {Findings.Ms(l.P99)}, max {Findings.Ms(l.Max)}";

    private static void Kv(StringBuilder sb, string k, string v) => sb.Append($"<tr><th scope=\"row\">{E(k)}</th><td>{E(v)}</td></tr>\n");

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
