using System.Globalization;
using System.Text;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Aws;

/// <summary>What a plan knows about the invoked function, and where each number came from.</summary>
/// <param name="Name">Function name or ARN.</param>
/// <param name="Qualifier">Version or alias, or null for $LATEST.</param>
/// <param name="MemoryMb">Memory, MB.</param>
/// <param name="Architecture"><c>arm64</c> or <c>x86_64</c>.</param>
/// <param name="Timeout">The function timeout, when known.</param>
/// <param name="DurationSeconds">The billed duration the estimate assumes per invocation.</param>
/// <param name="ConfigurationSource">Where memory and architecture came from (GetFunctionConfiguration, or the scenario).</param>
/// <param name="DurationSource">Where the duration came from.</param>
internal sealed record AwsFunctionFacts(
    string Name, string? Qualifier, int MemoryMb, string Architecture, TimeSpan? Timeout, double DurationSeconds, string ConfigurationSource, string DurationSource)
{
    /// <summary>Lambda's defaults when neither the configuration nor the scenario says: 128 MB, x86_64, 3 s.</summary>
    public const int DefaultMemoryMb = 128;

    /// <summary>The default architecture.</summary>
    public const string DefaultArchitecture = "x86_64";

    /// <summary>The default timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Combines what was read (may be null) with what the scenario states. The duration is the scenario's, else the
    /// function's timeout: the most an invocation can be billed, so the estimate errs high, never low.
    /// </summary>
    public static AwsFunctionFacts From(AwsFunction stated, FunctionConfiguration? read)
    {
        var memory = read?.MemoryMb ?? stated.MemoryMb ?? DefaultMemoryMb;
        var architecture = read?.Architecture ?? stated.Architecture ?? DefaultArchitecture;
        var source = read is not null ? "read with GetFunctionConfiguration"
            : stated.MemoryMb is not null || stated.Architecture is not null ? "stated in the scenario" : "Lambda's defaults (not readable, not stated)";
        var timeout = read?.Timeout;
        var (duration, durationSource) = stated.Duration is { } d
            ? (d.TotalSeconds, "scenario 'duration'")
            : ((timeout ?? DefaultTimeout).TotalSeconds, timeout is null ? "Lambda's default timeout (upper bound)" : "the function timeout (upper bound)");
        return new AwsFunctionFacts(stated.Name, stated.Qualifier, memory, architecture, timeout, duration, source, durationSource);
    }

    /// <summary>The estimated cost of one invocation.</summary>
    public double InvocationUsd => AwsPricing.InvocationUsd(MemoryMb, Architecture, DurationSeconds);
}

/// <summary>The parts of GetFunctionConfiguration's answer the plan and preflight use.</summary>
/// <param name="MemoryMb">MemorySize.</param>
/// <param name="Architecture">Architectures[0].</param>
/// <param name="Timeout">Timeout.</param>
internal sealed record FunctionConfiguration(int MemoryMb, string Architecture, TimeSpan Timeout);

/// <summary>
/// The plan printed before any load is sent to an <c>aws</c> target: region, endpoint, functions (with the memory and
/// architecture the estimate uses), queues, phases, estimated invocations and the estimated cost split into requests,
/// GB-seconds and SQS requests, and the caps. Part of internal API.
/// </summary>
internal sealed record AwsPlan(
    TargetSpec.Aws Target,
    AwsFunctionFacts Function,
    long EstimatedInvocations,
    double RequestsUsd,
    double GbSeconds,
    double ComputeUsd,
    long SqsRequests,
    double SqsUsd,
    string Phases)
{
    /// <summary>The total estimated cost.</summary>
    public double TotalUsd => RequestsUsd + ComputeUsd + SqsUsd;

    /// <summary>
    /// Builds the plan. Open phases contribute their scheduled arrivals; closed phases N copies for D seconds at the
    /// assumed duration contribute N × D / duration. With a receipts queue, each invocation adds one SQS request (the
    /// probe's SendMessageBatch); each queue-path message adds its SendMessage, and each 10 of them a ReceiveMessage and
    /// a DeleteMessageBatch of the event source mapping. Async retries are not in the estimate (the cost cap still counts what is sent).
    /// </summary>
    public static AwsPlan Build(Scenario scenario, TargetSpec.Aws target, AwsFunctionFacts function)
    {
        var schedule = LoadSchedule.Create(scenario.Load);
        double closed = 0;
        foreach (var phase in scenario.Load)
        {
            closed += phase switch
            {
                LoadPhase.KeepConstant k => k.Copies * k.During.TotalSeconds / Math.Max(function.DurationSeconds, 0.001),
                LoadPhase.RampingConstant rc => rc.Copies / 2.0 * rc.During.TotalSeconds / Math.Max(function.DurationSeconds, 0.001),
                _ => 0,
            };
        }

        var invocations = schedule.TotalArrivals + (long)Math.Ceiling(closed);
        var gbSeconds = invocations * AwsPricing.GbSeconds(function.MemoryMb, function.DurationSeconds);
        // Queue path: one SendMessage per message, and the event source mapping's ReceiveMessage and DeleteMessageBatch
        // per batch of (up to) 10. Receipts: one send per invocation.
        var queueMessages = scenario.Paths.Entries.Any(e => e.Path == InvocationPath.Queue)
            ? (long)Math.Ceiling(invocations * scenario.Paths.Entries.Where(e => e.Path == InvocationPath.Queue).Sum(e => e.Weight) / scenario.Paths.Entries.Sum(e => e.Weight))
            : 0;
        var sqsRequests = (target.ReceiptsQueue is null ? 0 : invocations) + queueMessages + (2 * ((queueMessages + 9) / 10));
        return new AwsPlan(
            target,
            function,
            invocations,
            invocations * AwsPricing.RequestUsd,
            gbSeconds,
            gbSeconds * AwsPricing.GbSecondUsd(function.Architecture),
            sqsRequests,
            sqsRequests * AwsPricing.SqsRequestUsd,
            DescribePhases(scenario));
    }

    private static string DescribePhases(Scenario scenario)
    {
        var parts = scenario.Load.Select((p, i) => $"{i + 1}. " + p switch
        {
            LoadPhase.Inject x => $"inject {N(x.Rate)}/s for {x.During.TotalSeconds:0.#}s",
            LoadPhase.RampingInject x => $"ramp to {N(x.Rate)}/s over {x.During.TotalSeconds:0.#}s",
            LoadPhase.Spike x => $"spike to {N(x.Rate)}/s for {x.During.TotalSeconds:0.#}s, recover {x.Recover.TotalSeconds:0.#}s",
            LoadPhase.KeepConstant x => $"{x.Copies} copies for {x.During.TotalSeconds:0.#}s",
            LoadPhase.RampingConstant x => $"ramp to {x.Copies} copies over {x.During.TotalSeconds:0.#}s",
            LoadPhase.Pause x => $"pause {x.During.TotalSeconds:0.#}s",
            _ => p.ToString(),
        });
        return string.Join("; ", parts);
    }

    private static string N(double v) => v.ToString("#,0.##", CultureInfo.InvariantCulture);

    /// <summary>The plan as printed: one fact per line, no credentials (only where they come from).</summary>
    public string Render(Scenario scenario)
    {
        var f = Function;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Plan: scenario '{scenario.Name}' against AWS").AppendLine();
        sb.Append(inv, $"  region        {Target.Region}").AppendLine();
        sb.Append(inv, $"  endpoint      {Target.LambdaEndpoint}{(Target.Endpoint is null ? "" : " (override)")}").AppendLine();
        sb.Append(inv, $"  credentials   {(Target.Profile is null ? "the default AWS chain (environment, shared profile, SSO, container or instance role)" : $"profile '{Target.Profile}'")}").AppendLine();
        sb.Append(inv, $"  function      {f.Name}{(f.Qualifier is null ? "" : ":" + f.Qualifier)}: {f.MemoryMb} MB {f.Architecture}{(f.Timeout is { } t ? $", timeout {t.TotalSeconds:0.#} s" : "")} ({f.ConfigurationSource}); assumed duration {f.DurationSeconds * 1000:0.#} ms ({f.DurationSource})").AppendLine();
        foreach (var other in Target.Functions.Where(o => o.Name != f.Name))
        {
            sb.Append(inv, $"  also listed   {other.Name}{(other.Qualifier is null ? "" : ":" + other.Qualifier)} (not invoked by the load)").AppendLine();
        }

        sb.Append(inv, $"  queues        {(Target.Queues.IsEmpty ? "none" : string.Join(", ", Target.Queues))}").AppendLine();
        sb.Append(inv, $"  receipts      {Target.ReceiptsQueue ?? "none"}").AppendLine();
        sb.Append(inv, $"  paths         {string.Join(", ", scenario.Paths.Entries.Select(e => $"{e.Path.Name()} {100 * e.Weight / scenario.Paths.TotalWeight:0.#}%"))}").AppendLine();
        sb.Append(inv, $"  phases        {Phases}").AppendLine();
        sb.Append(inv, $"  invocations   ~{EstimatedInvocations:#,0}").AppendLine();
        sb.Append(inv, $"  est. cost     {AwsPricing.Usd(TotalUsd)} = requests {AwsPricing.Usd(RequestsUsd)} + compute {GbSeconds:#,0.###} GB-s {AwsPricing.Usd(ComputeUsd)} + SQS {SqsRequests:#,0} requests {AwsPricing.Usd(SqsUsd)}").AppendLine();
        sb.Append(inv, $"                (list prices, before free tier; async retries and redeliveries come on top)").AppendLine();
        sb.Append(inv, $"  caps          stop at {Target.MaxInvocations:#,0} invocations or {AwsPricing.Usd(Target.MaxCostUsd)} estimated, whichever comes first");
        if (EstimatedInvocations > Target.MaxInvocations || TotalUsd > Target.MaxCostUsd)
        {
            sb.AppendLine().Append("  note          the estimate exceeds a cap: the run will stop early at the cap");
        }

        return sb.ToString();
    }
}
