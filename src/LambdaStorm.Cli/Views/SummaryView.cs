using System.Globalization;
using LambdaStorm.Results;
using Spectre.Console;

namespace LambdaStorm.Cli.Views;

/// <summary>Prints a run summary and the threshold verdicts.</summary>
internal static class SummaryView
{
    public static void Print(IAnsiConsole console, RunSummary s, string resultsPath)
    {
        var status = s.Status switch
        {
            "completed" => "[green]completed[/]",
            "stopped" => "[yellow]stopped early[/]",
            _ => $"[red]{Markup.Escape(s.Status)}[/]",
        };
        console.MarkupLine($"[bold]{Markup.Escape(s.Scenario)}[/] {status} in {s.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s  (run {s.RunId}{(s.Simulated ? ", simulated" : string.Empty)})");

        var totals = new Table().Border(TableBorder.Rounded).Title("totals");
        totals.AddColumns("scheduled", "started", "dropped", "completed", "interrupted", "target avg", "achieved", "error rate", "throttle rate");
        totals.AddRow(
            N(s.Totals.ScheduledArrivals), N(s.Totals.Started), s.Totals.Dropped > 0 ? $"[red]{N(s.Totals.Dropped)}[/]" : N(s.Totals.Dropped), N(s.Totals.Completed), N(s.Totals.Interrupted),
            $"{s.Rates.TargetAverage.ToString("0.#", CultureInfo.InvariantCulture)}/s", $"{s.Rates.Achieved.ToString("0.#", CultureInfo.InvariantCulture)}/s", Pct(s.Rates.ErrorRate), Pct(s.Rates.ThrottleRate));
        console.Write(totals);

        var latency = new Table().Border(TableBorder.Rounded).Title("latency from intended start");
        latency.AddColumns("series", "count", "p50", "p90", "p95", "p99", "p99.9", "p99.99", "max");
        void Row(string name, LatencyStats l) => latency.AddRow(Markup.Escape(name), N(l.Count), Ms(l.P50), Ms(l.P90), Ms(l.P95), Ms(l.P99), Ms(l.P999), Ms(l.P9999), Ms(l.Max));
        Row("all", s.LatencyMs);
        foreach (var o in s.Outcomes)
        {
            Row($"{o.Path} {o.Outcome}{(o.Reason is null ? string.Empty : $" ({o.Reason})")}", o.LatencyMs);
        }

        if (s.LatenessMs.Count > 0)
        {
            Row("lateness", s.LatenessMs);
        }

        console.Write(latency);
        foreach (var p in s.Paths.Where(p => p.ColdStartsSampled > 0))
        {
            console.MarkupLineInterpolated($"{p.Path}: {p.ColdStarts:N0} cold starts in {p.ColdStartsSampled:N0} invocations with a known start ({(double)p.ColdStarts / p.ColdStartsSampled:P2})");
        }

        if (s.Thresholds.Length > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title("thresholds");
            t.AddColumns("", "threshold", "actual");
            foreach (var v in s.Thresholds)
            {
                t.AddRow(v.Passed ? "[green]PASS[/]" : "[red]FAIL[/]", Markup.Escape(v.Expression), Markup.Escape(v.Note is null ? v.ActualText : $"{v.ActualText} ({v.Note})"));
            }

            console.Write(t);
        }

        if (s.Lambda is { } l)
        {
            PrintLambda(console, l);
        }

        if (s.Ledger is { } ledger)
        {
            PrintLedger(console, ledger);
        }

        foreach (var w in s.Warnings)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
        }

        if (s.Chaos is { } chaos)
        {
            PrintChaos(console, chaos);
        }

        console.MarkupLineInterpolated($"results: {resultsPath}");
        if (s.Thresholds.Length > 0)
        {
            console.MarkupLine(s.Passed ? "[green]all thresholds passed[/]" : $"[red]{s.Thresholds.Count(v => !v.Passed)} of {s.Thresholds.Length} thresholds failed[/]");
        }
    }

    private static void PrintLambda(IAnsiConsole console, LambdaSummary l)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"Lambda model ({l.ScalingModel} scaling)");
        t.AddColumns("measure", "value");
        t.AddRow("invocations / completed", $"{N(l.Invocations)} / {N(l.Completed)}");
        t.AddRow("cold starts", l.ColdStarts == 0 ? "0" : $"{N(l.ColdStarts)}  (init p50 {Ms(l.InitDurationMs.P50)}, p99 {Ms(l.InitDurationMs.P99)}, max {Ms(l.InitDurationMs.Max)})");
        t.AddRow("throttles", l.ThrottlesByReason.Count == 0 ? "0" : Markup.Escape(string.Join(", ", l.ThrottlesByReason.OrderByDescending(x => x.Value).Select(x => $"{x.Key} {N(x.Value)}"))));
        t.AddRow("peak concurrency", $"{N(l.PeakAccountConcurrency)} of account limit {N(l.AccountLimit)}" + string.Concat(l.Functions.Where(f => f.ReservedConcurrency is not null).Select(f => $"; {Markup.Escape(f.Name)} peak {f.PeakConcurrency} of reserved {f.ReservedConcurrency}")));
        var b = l.Burst;
        t.AddRow("burst ceiling", b.SustainedThrottling && b.BurstCeiling is { } ceiling
            ? $"{ceiling.ToString("0", CultureInfo.InvariantCulture)} (sustained throttling from {b.OnsetSeconds?.ToString("0", CultureInfo.InvariantCulture)}s at concurrency {b.ConcurrencyAtOnset})"
            : "no sustained scaling throttles");
        if (b.SlopePerMinute is { } slope)
        {
            t.AddRow("scaling slope", $"{slope.ToString("0", CultureInfo.InvariantCulture)}/min  ({b.SlopePer10Seconds?.ToString("0", CultureInfo.InvariantCulture)} per 10 s)");
        }

        if (b.TargetConcurrency is { } target && (b.TimeToTargetSeconds is not null || l.SyncThrottles + l.AsyncThrottles > 0))
        {
            t.AddRow("time to target", b.TimeToTargetSeconds is { } ttt ? $"{ttt.ToString("0", CultureInfo.InvariantCulture)}s to reach {target}" : $"{target} not reached");
        }

        if (l.Async.Queued > 0)
        {
            var a = l.Async;
            t.AddRow("async outcomes", Markup.Escape($"queued {N(a.Queued)}: first try {N(a.FirstTrySuccess)}, " +
                string.Concat(a.SuccessAfterRetry.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"after {x.Key} {N(x.Value)}, ")) +
                $"retries exhausted {N(a.RetriesExhausted)}, event age exceeded {N(a.EventAgeExceeded)}, pending {N(a.Pending)}"));
        }

        t.AddRow("estimated cost", $"x86_64 ${l.Cost.TotalX86Usd.ToString("0.######", CultureInfo.InvariantCulture)}, arm64 ${l.Cost.TotalArm64Usd.ToString("0.######", CultureInfo.InvariantCulture)} ({l.Cost.BilledGbSeconds.ToString("0.##", CultureInfo.InvariantCulture)} GB-s, {N(l.Cost.Requests)} requests)");
        console.Write(t);
    }

    /// <summary>The delivery ledger: every sent id in one class, duplicates, attempts, end-to-end latency, drain time.</summary>
    internal static void PrintLedger(IAnsiConsole console, Ledger.LedgerReport l)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"delivery ledger ({N(l.Sent)} ids sent on the async and queue paths; source {l.Source} at the end)");
        t.AddColumns("first attempt", "after retry", "dlq", "expired", "in flight", "lost", "unknown", "rejected", "duplicates");
        string Bad(long v) => v > 0 ? $"[red]{N(v)}[/]" : N(v);
        t.AddRow(
            N(l.Count(Ledger.DeliveryClass.FirstAttempt)), N(l.Count(Ledger.DeliveryClass.AfterRetry)), N(l.Count(Ledger.DeliveryClass.DeadLettered)),
            N(l.Count(Ledger.DeliveryClass.Expired)), N(l.Count(Ledger.DeliveryClass.InFlight)), Bad(l.Count(Ledger.DeliveryClass.Lost)),
            N(l.Count(Ledger.DeliveryClass.Unknown)), N(l.Count(Ledger.DeliveryClass.Rejected)), N(l.Duplicates));
        console.Write(t);
        var e = l.EndToEndMs;
        console.MarkupLineInterpolated($"ledger: {l.Attempts:N0} attempts ({l.FailedAttempts:N0} failed, {l.Redeliveries:N0} re-deliveries); processed by attempt: {string.Join(", ", l.ProcessedByAttempt.Select(kv => $"#{kv.Key} {kv.Value:N0}"))}");
        if (e.Count > 0)
        {
            console.MarkupLineInterpolated($"ledger: end to end (intended send to processed) p50 {Ms(e.P50)}, p99 {Ms(e.P99)}, max {Ms(e.Max)}{(l.DrainSeconds is { } d ? $"; drained {d.ToString("0.#", CultureInfo.InvariantCulture)}s after the load" : string.Empty)}");
        }

        if (l.Poisoned > 0)
        {
            console.MarkupLineInterpolated($"ledger: {l.Poisoned:N0} poison pills, {l.PoisonedDeadLettered:N0} of them in the DLQ; {l.GoodDeadLettered:N0} good ids in the DLQ; {l.DelayedGood:N0} good ids delayed by re-delivery{(l.DelayedGood > 0 ? $" (p50 {Ms(l.DelayedGoodMs.P50)}, max {Ms(l.DelayedGoodMs.Max)})" : string.Empty)}");
        }
    }

    /// <summary>The game-day findings: one row per chaos action, then the steady state before and after, the abort and the rollback.</summary>
    internal static void PrintChaos(IAnsiConsole console, Chaos.ChaosReport c)
    {
        static string S(double? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) + "s" : "-";
        static string Verdict(Chaos.SteadyStateVerdict? v) => v is null ? "-" : v.Held ? "[green]held[/]" : "[red]failed[/] " + Markup.Escape(string.Join(", ", v.Rules.Where(r => !r.Passed).Select(r => $"{r.Expression} ({r.ActualText})")));
        if (!c.Findings.IsEmpty)
        {
            var ledger = c.Findings.Any(f => f.Ledger is not null);
            var t = new Table().Border(TableBorder.Rounded).Title("game day: findings");
            t.AddColumns("action", "injected", "requested", "effective", "reverted", "steady state during", "recovery", "completed / errors / throttles");
            if (ledger)
            {
                t.AddColumn("ids sent: lost / duplicated / dlq / after retry");
            }

            foreach (var f in c.Findings)
            {
                var reverted = f.RevertedAt is { } r ? S(r) : f.Error is not null ? "[red]failed[/]: " + Markup.Escape(f.Error) : f.RequestedAt is null ? "not started" : "-";
                var recovery = f.RecoverySeconds is { } rs ? S(rs) : f.RevertedAt is not null && f.During is not null ? "[red]did not recover[/]" : "-";
                var cells = new List<string>
                {
                    Markup.Escape(f.Action), Markup.Escape(f.Description), S(f.RequestedAt), f.EffectiveAt is { } e ? $"{S(e)} ({f.EffectiveBy})" : "-", reverted,
                    Verdict(f.During), recovery, $"{N(f.Completed)} / {N(f.Errors)} / {N(f.Throttles)}",
                };
                if (ledger)
                {
                    cells.Add(f.Ledger is { } l ? $"{N(l.Sent)}: {(l.Lost > 0 ? $"[red]{N(l.Lost)}[/]" : "0")} / {N(l.Duplicated)} / {N(l.DeadLettered)} / {N(l.AfterRetry)}" : "-");
                }

                t.AddRow([.. cells]);
            }

            console.Write(t);
        }

        if (c.Before is { } before)
        {
            console.MarkupLine($"game day: steady state before the faults {Verdict(before)}");
        }

        if (c.After is { } after)
        {
            console.MarkupLine($"game day: steady state after (last window {S(after.From)}-{S(after.To)}) {Verdict(after)}");
        }

        if (c.Aborted is { } aborted)
        {
            console.MarkupLineInterpolated($"[red]game day: aborted:[/] {aborted}");
        }

        console.MarkupLine(c.RolledBack ? "game day: every applied fault was rolled back" : "[red]game day: not every applied fault was rolled back[/]; run 'lambdastorm rollback' on the results folder");
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Pct(double r) => (r * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double ms) => LiveView.FormatMs(ms);
}
