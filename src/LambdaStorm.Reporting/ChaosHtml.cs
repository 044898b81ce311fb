using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using LambdaStorm.Chaos;

namespace LambdaStorm.Reporting;

/// <summary>
/// The chaos timeline read back from the journal's <c>chaos</c> lines: one band per action (applied to reverted, with
/// its requested and effective moments) and markers for the steady-state verdicts, recoveries and the abort.
/// </summary>
internal static class ChaosTimeline
{
    /// <param name="events">The journal's chaos events, in order.</param>
    /// <param name="chaos">The run's chaos findings (kinds and targets, recoveries, the steady state after), or null.</param>
    /// <param name="end">The end of the run (seconds): an action never reverted runs to here.</param>
    public static (ImmutableArray<TimelineBand> Bands, ImmutableArray<TimelineMarker> Markers) From(IReadOnlyList<ChaosEvent> events, ChaosReport? chaos, double end)
    {
        var bands = ImmutableArray.CreateBuilder<TimelineBand>();
        var markers = new List<TimelineMarker>();
        foreach (var action in events.Where(e => e.Action is not null).Select(e => e.Action!).Distinct(StringComparer.Ordinal))
        {
            double? At(string kind) => events.FirstOrDefault(e => e.Action == action && e.Kind == kind)?.At;
            var applied = At("applied");
            if (applied is not { } start)
            {
                continue; // never applied (failed, or the run ended first): nothing was active, the findings table says why
            }

            var finding = chaos?.Findings.FirstOrDefault(f => f.Action == action);
            var requested = At("requested");
            var effective = events.FirstOrDefault(e => e.Action == action && e.Kind == "effective");
            var reverted = At("reverted");
            var by = finding?.EffectiveBy ?? (effective is null ? null : effective.Detail.StartsWith("control plane", StringComparison.Ordinal) ? "control-plane" : "invocation");
            var label = finding is null ? action : $"{finding.Kind} {finding.Target}";
            var detail = new StringBuilder(finding?.Description ?? action);
            detail.Append(CultureInfo.InvariantCulture, $": requested {S(requested)}, applied {S(start)}, effective {(effective is null ? "never" : $"{S(effective.At)} ({by switch { "invocation" => "first invocation that showed it", "control-plane" => "control plane accepted it", _ => by }})")}, ");
            detail.Append(reverted is { } r ? $"reverted {S(r)}" : "never reverted before the end of the run");
            bands.Add(new TimelineBand("chaos", label, start, Math.Max(start, reverted ?? end))
            {
                Action = action,
                RequestedAt = requested,
                EffectiveAt = effective?.At,
                EffectiveBy = by,
                RevertedAt = reverted,
                Detail = detail.ToString(),
            });
            if (finding is { RevertedAt: { } rv, RecoverySeconds: { } recovery })
            {
                markers.Add(new TimelineMarker("recovered", "recovered", rv + recovery, true,
                    $"steady state held again over a whole window {S(recovery)} after {label} was reverted") { LongLabel = $"{label} recovered" });
            }
        }

        foreach (var e in events)
        {
            if (e.Kind == "steady-state")
            {
                var held = e.Detail.StartsWith("held", StringComparison.Ordinal);
                markers.Add(new TimelineMarker("steady-state", held ? "steady ✓" : "steady ✗", e.At, held, "steady state " + e.Detail));
            }
            else if (e.Kind == "abort")
            {
                markers.Add(new TimelineMarker("abort", "abort", e.At, false, e.Detail));
            }
        }

        if (chaos?.After is { } after)
        {
            markers.Add(new TimelineMarker("steady-state", after.Held ? "after ✓" : "after ✗", after.To, after.Held,
                $"steady state over the run's last window ({S(after.From)}–{S(after.To)}) {(after.Held ? "held" : "did not hold")}: {Rules(after)}"));
        }

        return (bands.ToImmutable(), [.. markers.OrderBy(m => m.At)]);
    }

    internal static string Rules(SteadyStateVerdict v) => string.Join(", ", v.Rules.Select(r => $"{r.Expression}: {r.ActualText}{(r.Passed ? string.Empty : " FAILED")}"));

    internal static string S(double? seconds) => seconds is { } s ? s.ToString("0.##", CultureInfo.InvariantCulture) + " s" : "—";
}

/// <summary>The game-day findings of report.html: one row per chaos action, then the steady state before and after, the abort and the rollback.</summary>
internal static class ChaosHtml
{
    public static void Section(StringBuilder sb, ChaosReport c)
    {
        sb.Append("<section id=\"chaos-findings\">\n<h2>Game-day findings</h2>\n");
        sb.Append("<ul class=\"findings\">\n");
        if (c.Before is { } before)
        {
            sb.Append($"<li class=\"{(before.Held ? "info" : "bad")}\">Steady state before the faults (warm-up, {E(ChaosTimeline.S(before.From))}–{E(ChaosTimeline.S(before.To))}): {(before.Held ? "held" : "did not hold, so no fault was started")} ({E(ChaosTimeline.Rules(before))}).</li>\n");
        }

        if (c.Aborted is { } aborted)
        {
            sb.Append($"<li class=\"bad\">Aborted: {E(aborted)}.</li>\n");
        }

        sb.Append($"<li class=\"{(c.RolledBack ? "info" : "bad")}\">{(c.RolledBack ? "Every applied fault was rolled back." : "Not every applied fault was rolled back: run <code>lambdastorm rollback</code> on this folder.")}</li>\n");
        if (c.After is { } after)
        {
            sb.Append($"<li class=\"{(after.Held ? "info" : "warn")}\">Steady state after (the run's last window, {E(ChaosTimeline.S(after.From))}–{E(ChaosTimeline.S(after.To))}): {(after.Held ? "held" : "did not hold")} ({E(ChaosTimeline.Rules(after))}).</li>\n");
        }

        sb.Append("</ul>\n");
        if (c.Findings.IsEmpty)
        {
            sb.Append("<p class=\"muted\">The scenario injects no fault (steady state and abort conditions only).</p>\n</section>\n");
            return;
        }

        var ledger = c.Findings.Any(f => f.Ledger is not null);
        sb.Append("<table class=\"chaos-findings\">\n<thead><tr><th>action</th><th>injected</th><th>requested</th><th>effective</th><th>reverted</th><th>steady state during</th><th>recovery</th><th>completed</th><th>errors</th><th>throttles</th>");
        if (ledger)
        {
            sb.Append("<th title=\"async and queue ids sent while the fault was active\">sent</th><th>lost</th><th>duplicated</th><th>DLQ</th><th>after retry</th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var f in c.Findings)
        {
            var during = f.During is null ? "—" : f.During.Held ? "held" : "failed: " + string.Join(", ", f.During.Rules.Where(r => !r.Passed).Select(r => $"{r.Expression} ({r.ActualText})"));
            var recovery = f.RecoverySeconds is { } rs ? ChaosTimeline.S(rs) : f.RevertedAt is null ? "—" : f.During is null ? "—" : "did not recover";
            var effective = f.EffectiveAt is { } ea ? $"{ChaosTimeline.S(ea)} ({f.EffectiveBy})" : f.RequestedAt is null ? "—" : "never";
            var reverted = f.RevertedAt is { } ra ? ChaosTimeline.S(ra) : f.Error is not null ? "failed: " + f.Error : f.RequestedAt is null ? "not started" : "—";
            sb.Append($"<tr class=\"{(f.Error is not null ? "fail" : string.Empty)}\" data-action=\"{E(f.Action)}\"><td><code>{E(f.Action)}</code></td><td>{E(f.Description)}</td><td class=\"num\">{E(ChaosTimeline.S(f.RequestedAt))}</td><td class=\"num\">{E(effective)}</td><td class=\"num\">{E(reverted)}</td>");
            sb.Append($"<td>{E(during)}</td><td class=\"num\">{E(recovery)}</td><td class=\"num\">{N(f.Completed)}</td><td class=\"num\">{N(f.Errors)}</td><td class=\"num\">{N(f.Throttles)}</td>");
            if (ledger)
            {
                if (f.Ledger is { } l)
                {
                    sb.Append($"<td class=\"num\">{N(l.Sent)}</td><td class=\"num\">{N(l.Lost)}</td><td class=\"num\">{N(l.Duplicated)}</td><td class=\"num\">{N(l.DeadLettered)}</td><td class=\"num\">{N(l.AfterRetry)}</td>");
                }
                else
                {
                    sb.Append("<td class=\"num\">—</td><td class=\"num\">—</td><td class=\"num\">—</td><td class=\"num\">—</td><td class=\"num\">—</td>");
                }
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>\n");
        sb.Append("<p class=\"muted\">Counts are over the time each fault was active (from its effective moment, or its request, to its revert)");
        if (ledger)
        {
            sb.Append("; the ledger columns count the async and queue ids whose intended send time fell in that time, by how they ended");
        }

        sb.Append(".</p>\n");
        sb.Append("<details><summary>Timeline</summary>\n<table class=\"chaos-timeline\">\n<thead><tr><th>at</th><th>event</th><th>action</th><th>detail</th></tr></thead>\n<tbody>\n");
        foreach (var e in c.Timeline)
        {
            sb.Append($"<tr><td class=\"num\">{E(ChaosTimeline.S(e.At))}</td><td>{E(e.Kind)}</td><td>{E(e.Action ?? string.Empty)}</td><td>{E(e.Detail)}</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n</details>\n</section>\n");
    }

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

    private static string N(long v) => Findings.N(v);
}
