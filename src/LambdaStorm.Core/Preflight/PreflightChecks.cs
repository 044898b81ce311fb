using System.Globalization;
using LambdaStorm.Aws;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Preflight;

/// <summary>How much a finding risks under the scenario's load.</summary>
internal enum Severity
{
    /// <summary>Costs money or leaves performance on the table.</summary>
    Low,

    /// <summary>Degrades results under load (latency, cold starts, retries).</summary>
    Medium,

    /// <summary>Loses work, throttles, duplicates or overloads something under this load.</summary>
    High,
}

/// <summary>One preflight finding: a stable code, its grade, and what it risks under this scenario's load.</summary>
/// <param name="Code">Stable identifier (e.g. <c>memory-128</c>).</param>
/// <param name="Severity">The grade.</param>
/// <param name="Message">What was found and what it risks, with the scenario's numbers.</param>
internal sealed record Finding(string Code, Severity Severity, string Message);

/// <summary>
/// The configuration checklist, graded against the scenario's load: memory and timeout left at their defaults, async
/// invocation without a DLQ or on-failure destination, SQS mappings without ReportBatchItemFailures or with a visibility
/// timeout under 6 × the function timeout, no reserved concurrency in front of a declared downstream limit, provisioned
/// concurrency the load will not use (it invokes $LATEST), x86_64 where arm64 costs less, and the capacity arithmetic
/// (peak rate × duration against the concurrency available). Pure. Part of internal API.
/// </summary>
internal static class PreflightChecks
{
    public static IReadOnlyList<Finding> Run(Scenario scenario, PreflightFacts facts)
    {
        var inv = CultureInfo.InvariantCulture;
        var findings = new List<Finding>();
        var schedule = LoadSchedule.Create(scenario.Load);
        var (peakRate, peakAt) = PeakRate(schedule);
        var copies = scenario.Load.Select(p => p switch
        {
            LoadPhase.KeepConstant k => k.Copies,
            LoadPhase.RampingConstant r => r.Copies,
            _ => 0,
        }).DefaultIfEmpty(0).Max();
        var duration = facts.DurationSeconds ?? facts.Timeout.TotalSeconds;
        var durationText = facts.DurationSeconds is null ? string.Create(inv, $"{duration:0.#} s (the timeout; no duration known)")
            : duration < 1 ? string.Create(inv, $"{duration * 1000:0.#} ms") : string.Create(inv, $"{duration:0.###} s");
        var uses = scenario.Paths.Entries.Select(e => e.Path).ToHashSet();
        var load = peakRate > 0 ? string.Create(inv, $"{peakRate:#,0.#}/s") : $"{copies} copies in flight";

        if (facts.MemoryMb == 128)
        {
            findings.Add(new("memory-128", Severity.Medium,
                $"memory is 128 MB, Lambda's default: about 1/14 of a vCPU, so CPU-bound work runs slowest here, and at {load} slower invocations " +
                "need more concurrency (rate × duration) and cold starts take longest; measure at 512–1,769 MB"));
        }

        if (facts.Timeout == AwsFunctionFacts.DefaultTimeout)
        {
            findings.Add(new("timeout-3s", Severity.Medium,
                $"the timeout is 3 s, Lambda's default: under load a slow downstream pushes calls past it, they fail as Sandbox.Timedout" +
                (uses.Contains(InvocationPath.Async) ? " and async events are retried twice more, multiplying the load" : "") +
                "; set it to what the slowest healthy call needs"));
        }

        if (uses.Contains(InvocationPath.Async) && facts.HasAsyncFailureTarget == false)
        {
            var asyncShare = scenario.Paths.Entries.Where(e => e.Path == InvocationPath.Async).Sum(e => e.Weight) / scenario.Paths.TotalWeight;
            findings.Add(new("async-no-failure-target", Severity.High,
                string.Create(inv, $"no DLQ or on-failure destination, and the load invokes it asynchronously ({asyncShare * peakRate:#,0.#}/s at peak): ") +
                "events that fail all 3 attempts or exceed the maximum event age are dropped silently; add an on-failure destination (or a DLQ)"));
        }

        foreach (var m in facts.Mappings ?? [])
        {
            if (!m.ReportBatchItemFailures)
            {
                findings.Add(new("esm-no-report-batch-item-failures", Severity.High,
                    $"the event source mapping from {m.Queue} lacks ReportBatchItemFailures: one poison pill fails its whole batch of up to {m.BatchSize}, " +
                    "and every good record in it is redelivered (duplicates) until the batch succeeds or all of it reaches the DLQ"));
            }

            if (m.VisibilityTimeout is { } vt && vt < 6 * facts.Timeout)
            {
                findings.Add(new("esm-visibility-timeout", Severity.High,
                    string.Create(inv, $"the visibility timeout of {m.Queue} is {vt.TotalSeconds:0.#} s, under 6 × the function timeout ({6 * facts.Timeout.TotalSeconds:0.#} s): ") +
                    "a batch still being processed (or retried after a throttle) becomes visible again and is delivered twice"));
            }
        }

        var needed = (peakRate * duration) + copies;
        if (facts.DownstreamLimit is { } downstream && facts.ReservedConcurrency is null)
        {
            findings.Add(new("downstream-no-reserved-concurrency", Severity.High,
                string.Create(inv, $"a downstream limit of {downstream} concurrent calls is declared but the function has no reserved concurrency: ") +
                string.Create(inv, $"at {load} with {durationText} functions up to {Math.Ceiling(needed):#,0} copies run at once and overload it; reserve at most {downstream}")));
        }

        if (facts.ProvisionedConcurrency is { Count: > 0 } pc && (facts.Qualifier is null or "$LATEST"))
        {
            var on = string.Join(", ", pc.Select(kv => $"{kv.Key} ({kv.Value})"));
            findings.Add(new("provisioned-unused-latest", Severity.Medium,
                $"provisioned concurrency is configured on {on}, but the load invokes $LATEST, which provisioned concurrency never serves: " +
                "every environment it needs is a cold start; invoke the alias or version that has it"));
        }

        if (facts.Architecture == "x86_64")
        {
            var gbs = needed > 0 ? schedule.TotalArrivals * AwsPricing.GbSeconds(facts.MemoryMb, duration) : 0;
            var saving = gbs * (AwsPricing.X86GbSecondUsd - AwsPricing.Arm64GbSecondUsd);
            findings.Add(new("x86-not-arm64", Severity.Low,
                string.Create(inv, $"the function runs on x86_64; arm64 costs 20% less per GB-second ({gbs:#,0.#} GB-s in this scenario: {AwsPricing.Usd(saving)} less) ") +
                "if its code and dependencies build for arm64"));
        }

        var available = Math.Min(facts.ReservedConcurrency ?? int.MaxValue, facts.AccountConcurrency ?? int.MaxValue);
        if (available < int.MaxValue && needed > available)
        {
            var which = facts.ReservedConcurrency is { } r && r <= (facts.AccountConcurrency ?? int.MaxValue)
                ? $"its reserved concurrency is {r}"
                : $"your account limit is {facts.AccountConcurrency:#,0}";
            var from = FirstOver(schedule, duration, copies, available);
            findings.Add(new("capacity", Severity.High,
                string.Create(inv, $"at {load} with {durationText} functions you need {Math.Ceiling(needed):#,0} concurrency; {which}: expect throttling from second {from:0}")));
        }

        return findings.OrderByDescending(f => f.Severity).ToList();
    }

    private static (double Rate, double At) PeakRate(LoadSchedule schedule)
    {
        double best = 0, at = 0;
        var end = schedule.Duration;
        for (var t = 0.0; t <= end; t += Math.Max(end / 2000, 0.01))
        {
            var r = schedule.RateAt(Math.Min(t, Math.Max(0, end - 1e-9)));
            if (r > best)
            {
                (best, at) = (r, t);
            }
        }

        return (best, at);
    }

    // The first second at which rate × duration (+ closed copies) exceeds what is available.
    private static double FirstOver(LoadSchedule schedule, double duration, int copies, int available)
    {
        var end = schedule.Duration;
        for (var t = 0.0; t <= end; t += Math.Max(end / 2000, 0.01))
        {
            if ((schedule.RateAt(Math.Min(t, Math.Max(0, end - 1e-9))) * duration) + copies > available)
            {
                return Math.Floor(t);
            }
        }

        return 0;
    }

    /// <summary>The report: one line per finding with its grade, or a line saying nothing was found.</summary>
    public static string Render(Scenario scenario, PreflightFacts facts, IReadOnlyList<Finding> findings, IEnumerable<string> notes)
    {
        var lines = new List<string>
        {
            $"preflight: '{scenario.Name}' → {facts.Function}{(facts.Qualifier is null ? "" : ":" + facts.Qualifier)} ({facts.MemoryMb} MB {facts.Architecture}, timeout {facts.Timeout.TotalSeconds:0.#} s; from {facts.Source})",
        };
        lines.AddRange(findings.Select(f => $"  {f.Severity.ToString().ToUpperInvariant(),-6} {f.Code}: {f.Message}"));
        lines.AddRange(notes.Select(n => "  note   " + n));
        lines.Add(findings.Count == 0
            ? "  no findings"
            : $"  {findings.Count} finding{(findings.Count == 1 ? "" : "s")}: {findings.Count(f => f.Severity == Severity.High)} high, {findings.Count(f => f.Severity == Severity.Medium)} medium, {findings.Count(f => f.Severity == Severity.Low)} low");
        return string.Join(Environment.NewLine, lines);
    }
}
