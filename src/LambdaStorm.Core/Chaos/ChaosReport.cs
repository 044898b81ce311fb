using System.Collections.Immutable;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Chaos;

/// <summary>
/// One entry of the chaos timeline, journaled as a <c>chaos</c> line where it happened: an action requested, applied,
/// effective (the first invocation that showed it), reverted or failed; the steady-state verdict before the faults; an
/// abort; the final rollback.
/// </summary>
/// <param name="At">Seconds since the start of the load.</param>
/// <param name="Kind">
/// <c>requested</c>, <c>applied</c>, <c>effective</c>, <c>reverted</c>, <c>failed</c>, <c>not-applicable</c> (an agent
/// action in a run without cluster agents), <c>steady-state</c>, <c>abort</c>, <c>rolled-back</c>, <c>rollback-failed</c>.
/// </param>
/// <param name="Action">The action's label (<see cref="ChaosAction.Label"/>), or null for run-wide events.</param>
/// <param name="Detail">Free text for people.</param>
public sealed record ChaosEvent(double At, string Kind, string? Action, string Detail)
{
    /// <summary>The action's kind (e.g. <c>reserved-concurrency</c>), for metrics labels; null for run-wide events.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ActionKind { get; init; }

    /// <summary>The function or queue the action acts on, for metrics labels.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Target { get; init; }

    /// <summary>True when <see cref="Target"/> is a queue.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool OnQueue { get; init; }
}

/// <summary>Watches the chaos timeline as it happens (metrics, the live view); calls come from the controller, keep them quick.</summary>
public interface IChaosObserver
{
    /// <summary>One chaos event, as journaled.</summary>
    void OnChaos(ChaosEvent e);
}

/// <summary>A steady-state check over a window of the run.</summary>
/// <param name="From">Window start, seconds since the start of the load.</param>
/// <param name="To">Window end.</param>
/// <param name="Held">Whether every rule held.</param>
/// <param name="Rules">The verdict of each rule.</param>
public sealed record SteadyStateVerdict(double From, double To, bool Held, ImmutableArray<ThresholdVerdict> Rules);

/// <summary>What one chaos action did: the findings line of the report.</summary>
/// <param name="Action">Its label.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Target">What it acted on.</param>
/// <param name="Description">What was injected, for people.</param>
/// <param name="RequestedAt">When it was requested (s), or null when it never was (the run ended first, or the steady state failed).</param>
/// <param name="EffectiveAt">When the first invocation showed it (or, for actions no invocation shows, when the control plane accepted it).</param>
/// <param name="EffectiveBy">
/// <c>invocation</c> (the first invocation that showed it; on a real cluster the earliest an agent reported),
/// <c>interval</c> (the first merged interval that showed it, on a real cluster when no agent reported an invocation),
/// <c>control-plane</c> (no invocation can show it), <c>agent-lost</c> (the
/// coordinator's agent-lost mark of an agent action), or null when never effective.
/// </param>
/// <param name="RevertedAt">When it was reverted (by its <c>for</c>, or by the rollback at the end).</param>
/// <param name="Error">Why it could not be applied, or null.</param>
/// <param name="Completed">Invocations completed while it was active.</param>
/// <param name="Errors">Of those, not ok (throttles included).</param>
/// <param name="Throttles">Of those, throttled.</param>
/// <param name="During">The steady state over the time it was active, or null without a hypothesis.</param>
/// <param name="RecoverySeconds">Seconds from its revert until the steady state held again over a whole window; null when it never did.</param>
/// <param name="Ledger">
/// The delivery ledger's count of the async and queue ids sent while it was active, by how they ended; null without a
/// ledger (sync or http paths only) or when the action was never active.
/// </param>
public sealed record ChaosFinding(
    string Action,
    string Kind,
    string Target,
    string Description,
    double? RequestedAt,
    double? EffectiveAt,
    string? EffectiveBy,
    double? RevertedAt,
    string? Error,
    long Completed,
    long Errors,
    long Throttles,
    SteadyStateVerdict? During,
    double? RecoverySeconds,
    ChaosLedgerCounts? Ledger = null);

/// <summary>
/// What became of the async and queue ids whose intended send time fell while a fault was active (from its effective
/// moment, or its request, to its revert or the end of the load): the delivery ledger's final classes.
/// </summary>
/// <param name="Sent">Ids sent in that time.</param>
/// <param name="Lost">Of those, lost (no outcome although the source reported nothing left).</param>
/// <param name="Duplicated">Of those, processed successfully more than once.</param>
/// <param name="DeadLettered">Of those, in a dead-letter queue or an on-failure destination.</param>
/// <param name="Expired">Of those, dropped for their age.</param>
/// <param name="AfterRetry">Of those, processed only after a retry or re-delivery.</param>
/// <param name="InFlight">Of those, still without an outcome when the run ended while the source had work.</param>
public sealed record ChaosLedgerCounts(long Sent, long Lost, long Duplicated, long DeadLettered, long Expired, long AfterRetry, long InFlight);

/// <summary>
/// The delivery ledger as the chaos findings read it: what became of the ids sent in a window of the run. Built from
/// the live ledger once it is reconciled, or from the ledger replayed out of a journal. Part of internal API.
/// </summary>
/// <param name="ledger">The ledger.</param>
/// <param name="origin">The run's start (the chaos timeline's zero).</param>
/// <param name="source">What the source reported at the end (whether ids without an outcome are lost or in flight).</param>
internal sealed class ChaosLedgerSource(Ledger.DeliveryLedger ledger, DateTimeOffset origin, Ledger.SourceState source)
{
    /// <summary>The ids whose intended send time lies between <paramref name="from"/> and <paramref name="to"/> seconds since the start.</summary>
    public ChaosLedgerCounts Count(double from, double to) => ledger.CountSentBetween(origin.AddSeconds(from), origin.AddSeconds(to), source);
}

/// <summary>The findings section of summary.json and report.html.</summary>
/// <param name="Findings">One entry per action, in timeline order.</param>
/// <param name="Before">The steady state over the warm-up, or null without a hypothesis.</param>
/// <param name="After">The steady state over the last window of the run, after every fault was rolled back.</param>
/// <param name="Aborted">The abort condition that fired and when, or null.</param>
/// <param name="RolledBack">True when every applied action was reverted.</param>
/// <param name="Timeline">Every chaos event, in order.</param>
public sealed record ChaosReport(
    ImmutableArray<ChaosFinding> Findings,
    SteadyStateVerdict? Before,
    SteadyStateVerdict? After,
    string? Aborted,
    bool RolledBack,
    ImmutableArray<ChaosEvent> Timeline)
{
    /// <summary>
    /// The same findings with each active fault's delivery-ledger counts (<see cref="ChaosFinding.Ledger"/>): the ids
    /// whose intended send time fell between its effective moment (or its request) and its revert (or
    /// <paramref name="end"/>, seconds since the start, for a fault still applied when the load ended).
    /// </summary>
    internal ChaosReport WithLedger(ChaosLedgerSource? ledger, double end)
    {
        if (ledger is null)
        {
            return this;
        }

        return this with
        {
            Findings = [.. Findings.Select(f => f.Error is null && (f.EffectiveAt ?? f.RequestedAt) is { } from
                ? f with { Ledger = ledger.Count(from, Math.Max(from, f.RevertedAt ?? end)) }
                : f)],
        };
    }

    /// <summary>Builds the findings from the plan, the chaos events and the merged intervals (live, or read back from a journal).</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="events">The chaos events.</param>
    /// <param name="intervals">The merged intervals.</param>
    /// <param name="ledger">The run's delivery ledger once reconciled (a journal read back), or null; see <see cref="WithLedger"/>.</param>
    internal static ChaosReport Build(ChaosPlan plan, IReadOnlyList<ChaosEvent> events, IReadOnlyList<IntervalSnapshot> intervals, ChaosLedgerSource? ledger = null)
    {
        var steady = plan.SteadyState;
        var end = intervals.Count == 0 ? 0 : intervals.Max(i => i.End);
        double? At(string label, string kind) => events.FirstOrDefault(e => e.Action == label && e.Kind == kind)?.At;
        var findings = ImmutableArray.CreateBuilder<ChaosFinding>();
        foreach (var a in plan.Actions)
        {
            var requested = At(a.Label, "requested");
            var effectiveEvent = events.FirstOrDefault(e => e.Action == a.Label && e.Kind == "effective");
            var reverted = At(a.Label, "reverted");
            var failed = events.FirstOrDefault(e => e.Action == a.Label && e.Kind is "failed" or "not-applicable") is { } f0
                ? (f0.Kind == "not-applicable" ? "not applicable: " : string.Empty) + f0.Detail
                : null;
            var from = effectiveEvent?.At ?? requested;
            var to = reverted ?? end;
            var window = from is { } f ? Window(intervals, f, to) : new RunAggregate();
            var during = steady is not null && from is { } f2 && to > f2 ? Check(steady, intervals, f2, to) : null;
            double? recovery = null;
            if (steady is not null && reverted is { } rv && failed is null)
            {
                recovery = Recovery(steady, intervals, rv);
            }

            findings.Add(new ChaosFinding(
                a.Label, a.Kind, a.Target, a.Describe, requested, effectiveEvent?.At,
                EffectiveBy(effectiveEvent),
                reverted, failed, window.Completed(), window.Completed() - window.Completed(outcome: Outcome.Ok), window.Completed(outcome: Outcome.Throttled),
                during, recovery));
        }

        SteadyStateVerdict? before = null;
        SteadyStateVerdict? after = null;
        if (steady is not null)
        {
            before = intervals.Any(i => i.End <= steady.WarmUp.TotalSeconds + 1e-6) ? Check(steady, intervals, 0, steady.WarmUp.TotalSeconds) : null;
            after = end > steady.Window.TotalSeconds ? Check(steady, intervals, end - steady.Window.TotalSeconds, end) : null;
        }

        var abort = events.FirstOrDefault(e => e.Kind == "abort");
        var applied = events.Where(e => e.Kind == "applied" && e.Action is not null).Select(e => e.Action!).Distinct().ToList();
        var rolledBack = applied.All(l => events.Any(e => e.Action == l && e.Kind == "reverted"));
        return new ChaosReport(findings.ToImmutable(), before, after, abort is null ? null : $"{abort.Detail} at {abort.At:0.#}s", rolledBack, [.. events]).WithLedger(ledger, end);
    }

    /// <summary>How an effective moment was established, from its event's detail (see <see cref="ChaosController"/>).</summary>
    private static string? EffectiveBy(ChaosEvent? e) => e?.Detail switch
    {
        null => null,
        var d when d.StartsWith("control plane", StringComparison.Ordinal) => "control-plane",
        var d when d.StartsWith("first merged interval", StringComparison.Ordinal) => "interval",
        var d when d.StartsWith("the coordinator marked", StringComparison.Ordinal) => "agent-lost",
        _ => "invocation",
    };

    /// <summary>The steady state over the intervals inside [<paramref name="from"/>, <paramref name="to"/>].</summary>
    internal static SteadyStateVerdict Check(SteadyState steady, IReadOnlyList<IntervalSnapshot> intervals, double from, double to)
    {
        var data = Window(intervals, from, to);
        var seconds = Math.Max(1e-9, to - from);
        var verdicts = steady.Rules.Select(r => ThresholdEvaluator.Evaluate(r, data, seconds)).ToImmutableArray();
        return new SteadyStateVerdict(Math.Round(from, 3), Math.Round(to, 3), verdicts.All(v => v.Passed), verdicts);
    }

    /// <summary>Seconds from <paramref name="revertedAt"/> to the end of the first whole window after it in which the steady state held.</summary>
    private static double? Recovery(SteadyState steady, IReadOnlyList<IntervalSnapshot> intervals, double revertedAt)
    {
        var window = steady.Window.TotalSeconds;
        foreach (var i in intervals.Where(i => i.End >= revertedAt + window - 1e-6).OrderBy(i => i.End))
        {
            if (Check(steady, intervals, i.End - window, i.End).Held)
            {
                return Math.Round(i.End - revertedAt, 3);
            }
        }

        return null;
    }

    private static RunAggregate Window(IReadOnlyList<IntervalSnapshot> intervals, double from, double to)
    {
        // An interval belongs to the window when most of it lies inside (intervals are one second long).
        var data = new RunAggregate();
        foreach (var i in intervals)
        {
            var mid = (i.Start + i.End) / 2;
            if (mid >= from - 1e-6 && mid <= to + 1e-6)
            {
                data.Add(i);
            }
        }

        return data;
    }
}
