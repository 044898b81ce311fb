using System.Globalization;
using LambdaStorm.Results;

namespace LambdaStorm.Reporting;

/// <summary>A plain-language statement derived from the data. <c>Severity</c> is info, warn or bad.</summary>
internal sealed record Finding(string Severity, string Text);

/// <summary>Derives findings from the summary and the timeline: what a person would say after reading the charts.</summary>
internal static class Findings
{
    public static List<Finding> From(RunSummary s, Timeline t)
    {
        var f = new List<Finding>();
        if (!s.Complete)
        {
            f.Add(new("bad", $"The run did not complete: the journal ends after {Sec(s.DurationSeconds)} of a {Sec(s.ScheduleSeconds)} schedule. Everything below covers what was journaled."));
        }
        else if (s.Status != "completed")
        {
            f.Add(new("warn", $"The run was {s.Status} after {Sec(s.DurationSeconds)} of a {Sec(s.ScheduleSeconds)} schedule."));
        }

        var failed = s.Thresholds.Where(v => !v.Passed).ToList();
        if (failed.Count > 0)
        {
            f.Add(new("bad", $"{failed.Count} of {s.Thresholds.Length} thresholds failed: {string.Join("; ", failed.Select(v => $"{v.Expression} (actual {v.ActualText})"))}."));
        }

        if (s.Chaos is { } chaos)
        {
            GameDay(f, chaos);
        }

        // Throttling: when it started, at what concurrency, and why.
        var firstThrottle = t.Points.FirstOrDefault(p => p.ThrottleReasons.Count > 0);
        if (firstThrottle is not null)
        {
            var reasons = s.Lambda?.ThrottlesByReason.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => kv.Key).ToList() is { Count: > 0 } r
                ? r
                : firstThrottle.ThrottleReasons.OrderByDescending(kv => kv.Value).Select(kv => kv.Key).ToList();
            var throttled = s.Outcomes.Where(o => o.Outcome == "throttled").Sum(o => o.Count);
            var lastThrottle = t.Points.Last(p => p.ThrottleReasons.Count > 0);
            f.Add(new("bad",
                $"Throttling started at {Sec(firstThrottle.Start)} (phase {firstThrottle.Phase}) at client concurrency {N(firstThrottle.InFlight)} ({string.Join(", ", reasons)}) " +
                $"and lasted until {Sec(lastThrottle.End)}: {N(throttled)} invocations throttled, {Pct(s.Rates.ThrottleRate)} of all completed."));
        }
        else if (s.Totals.Completed > 0)
        {
            f.Add(new("info", "No invocation was throttled."));
        }

        if (s.Lambda is { } l)
        {
            var fn = l.Functions.FirstOrDefault(x => x.PeakConcurrency == l.Functions.Max(y => y.PeakConcurrency));
            if (fn?.ReservedConcurrency is { } reserved && fn.PeakConcurrency >= reserved)
            {
                f.Add(new("warn", $"{fn.Name} reached its reserved concurrency of {N(reserved)}{(l.Burst.TimeToTargetSeconds is { } ttt ? $" {Sec(ttt)} into the run" : string.Empty)}; further invocations were refused."));
            }
            else
            {
                f.Add(new("info", $"Peak concurrency was {N(l.PeakAccountConcurrency)} of an account limit of {N(l.AccountLimit)}{(fn?.ReservedConcurrency is { } res ? $" ({fn.Name} reserved {N(res)})" : string.Empty)}."));
            }

            if (l.Burst.SustainedThrottling && l.Burst.BurstCeiling is { } ceiling)
            {
                var slope = l.Burst.SlopePerMinute is { } m ? $", then scaled at about {m.ToString("N0", CultureInfo.InvariantCulture)} per minute" : string.Empty;
                f.Add(new("warn", $"Scaling throttles were sustained from {Sec(l.Burst.OnsetSeconds ?? 0)}: the burst ceiling was about {ceiling.ToString("N0", CultureInfo.InvariantCulture)} concurrent executions{slope} ({l.ScalingModel} scaling)."));
            }

            if (l.FunctionErrors > 0 || l.Timeouts > 0)
            {
                f.Add(new("bad", $"The function failed {N(l.FunctionErrors)} times, {N(l.Timeouts)} of them timeouts."));
            }

            if (l.Async.Queued > 0)
            {
                var a = l.Async;
                f.Add(new(a.RetriesExhausted + a.EventAgeExceeded > 0 ? "bad" : "info",
                    $"Async: {N(a.Queued)} events queued, {N(a.FirstTrySuccess)} succeeded first try, {N(a.SuccessAfterRetry.Values.Sum())} after a retry, " +
                    $"{N(a.RetriesExhausted)} exhausted their retries, {N(a.EventAgeExceeded)} expired, {N(a.Duplicates)} duplicated, {N(a.Pending)} still pending."));
            }

            f.Add(new("info", $"Estimated cost of what ran: ${l.Cost.AsConfiguredUsd.ToString("0.######", CultureInfo.InvariantCulture)} ({N(l.Cost.Requests)} requests, {l.Cost.BilledGbSeconds.ToString("N1", CultureInfo.InvariantCulture)} GB-s)."));
        }

        // Cold starts.
        var sampled = s.Paths.Sum(p => p.ColdStartsSampled);
        var cold = s.Paths.Sum(p => p.ColdStarts);
        if (sampled > 0)
        {
            var init = s.Lambda is { InitDurationMs.Count: > 0 } lm ? $", init p99 {Ms(lm.InitDurationMs.P99)}" : string.Empty;
            var peak = t.Points.IsEmpty ? null : t.Points.MaxBy(p => p.ColdStartRate);
            var when = peak is { ColdStartRate: > 0 } ? $"; most arrived at {Sec(peak.Start)} (phase {peak.Phase})" : string.Empty;
            f.Add(new(cold > 0 ? "warn" : "info", $"{Pct((double)cold / sampled)} of invocations were cold starts ({N(cold)} of {N(sampled)} with a known start){init}{when}."));
        }

        // Generator health.
        if (s.Totals.Dropped > 0)
        {
            var firstDrop = t.Points.FirstOrDefault(p => p.DroppedRate > 0);
            f.Add(new("bad", $"{N(s.Totals.Dropped)} arrivals dropped: the generator hit maxInFlight{(firstDrop is null ? string.Empty : $", first at {Sec(firstDrop.Start)}")}. The target saw less load than the scenario asked for."));
        }

        if (s.Rates.TargetAverage > 0 && s.Rates.Achieved < s.Rates.TargetAverage * 0.95)
        {
            f.Add(new("warn", $"The achieved rate ({s.Rates.Achieved.ToString("N1", CultureInfo.InvariantCulture)}/s) fell short of the target ({s.Rates.TargetAverage.ToString("N1", CultureInfo.InvariantCulture)}/s)."));
        }

        if (s.LatenessMs.Count > 0 && s.LatenessMs.P99 > 50)
        {
            f.Add(new("warn", $"Arrivals were late: p99 lateness {Ms(s.LatenessMs.P99)}. Latency is measured from the intended start, so this delay is in the latency figures."));
        }

        // Latency peak.
        var withLatency = t.Points.Where(p => double.IsFinite(p.P99)).ToList();
        if (withLatency.Count > 0)
        {
            var worst = withLatency.MaxBy(p => p.P99)!;
            f.Add(new("info", $"Latency of successful invocations peaked at p99 {Ms(worst.P99)} at {Sec(worst.Start)} (phase {worst.Phase}); over the run p50 was {Ms(Ok(s)?.P50 ?? s.LatencyMs.P50)} and p99 {Ms(Ok(s)?.P99 ?? s.LatencyMs.P99)}."));
        }

        if (s.Rates.ErrorRate > 0 && firstThrottle is null)
        {
            f.Add(new("bad", $"{Pct(s.Rates.ErrorRate)} of completed invocations did not succeed."));
        }

        return f;
    }

    /// <summary>One line per fault that ran (details in the game-day findings table at the end), and the abort.</summary>
    private static void GameDay(List<Finding> f, Chaos.ChaosReport chaos)
    {
        if (chaos.Aborted is { } aborted)
        {
            f.Add(new("bad", $"The game day aborted: {aborted}; {(chaos.RolledBack ? "every fault was rolled back" : "not every fault was rolled back")}."));
        }

        foreach (var x in chaos.Findings.Where(x => x.RequestedAt is not null))
        {
            if (x.Error is not null)
            {
                f.Add(new("bad", $"{Capital(x.Description)}: could not be applied ({x.Error})."));
                continue;
            }

            var when = $"from {Sec(x.EffectiveAt ?? x.RequestedAt!.Value)}{(x.RevertedAt is { } r ? $" to {Sec(r)}" : string.Empty)}";
            var steady = x.During is null ? string.Empty : x.During.Held ? "; the steady state held" : "; the steady state failed";
            var recovery = x.RecoverySeconds is { } rs ? $" and recovered {Sec(rs)} after the revert" : x.During is not null && x.RevertedAt is not null ? " and did not recover before the end" : string.Empty;
            var ledger = x.Ledger is { } l && (l.Lost + l.DeadLettered + l.Duplicated) > 0 ? $"; of {N(l.Sent)} async/queue ids sent, {N(l.Lost)} lost, {N(l.DeadLettered)} in the DLQ, {N(l.Duplicated)} duplicated" : string.Empty;
            f.Add(new(x.During is { Held: false } || x.Ledger is { Lost: > 0 } ? "warn" : "info",
                $"{Capital(x.Description)} {when}: {N(x.Errors)} of {N(x.Completed)} invocations failed ({N(x.Throttles)} throttled){steady}{recovery}{ledger}."));
        }
    }

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static LatencyStats? Ok(RunSummary s)
    {
        var ok = s.Outcomes.Where(o => o.Outcome == "ok").ToList();
        return ok.Count == 1 ? ok[0].LatencyMs : null;
    }

    internal static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Sec(double seconds) => seconds >= 120
        ? $"{Math.Floor(seconds / 60).ToString("0", CultureInfo.InvariantCulture)} min {(seconds % 60).ToString("0", CultureInfo.InvariantCulture)} s"
        : $"{seconds.ToString("0.#", CultureInfo.InvariantCulture)} s";

    internal static string Ms(double ms) => ms >= 1000
        ? $"{(ms / 1000).ToString("0.00", CultureInfo.InvariantCulture)} s"
        : $"{ms.ToString(ms >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture)} ms";

    internal static string Pct(double ratio) => (ratio * 100).ToString(ratio is > 0 and < 0.01 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + "%";
}
