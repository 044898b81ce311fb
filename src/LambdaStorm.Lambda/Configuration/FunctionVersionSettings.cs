using System.Collections.Frozen;
using System.Text;

namespace LambdaStorm.Lambda;

/// <summary>
/// The immutable configuration of one function version: what <c>PublishVersion</c> snapshots and what
/// <c>UpdateFunctionConfiguration</c> replaces on <c>$LATEST</c>. Holds both the configured values (for round trips
/// back to <see cref="FunctionOptions"/>) and the compiled samplers the model uses on every invocation.
/// </summary>
internal sealed record FunctionVersionSettings
{
    /// <summary>Description.</summary>
    public required string Description { get; init; }

    /// <summary>Memory, MB.</summary>
    public required int MemoryMb { get; init; }

    /// <summary>Timeout, s.</summary>
    public required int TimeoutSeconds { get; init; }

    /// <summary>Architecture.</summary>
    public required FunctionArchitecture Architecture { get; init; }

    /// <summary>Runtime identifier.</summary>
    public required string Runtime { get; init; }

    /// <summary>Environment variables.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Configured mean duration, ms.</summary>
    public required double DurationMs { get; init; }

    /// <summary>Configured P99 duration, ms.</summary>
    public required double? DurationP99Ms { get; init; }

    /// <summary>Configured distribution kind (null = automatic).</summary>
    public required DurationDistributionKind? DurationDistribution { get; init; }

    /// <summary>CPU-bound share of the duration.</summary>
    public required double CpuBoundShare { get; init; }

    /// <summary>Memory at which the duration was measured, MB.</summary>
    public required int DurationReferenceMemoryMb { get; init; }

    /// <summary>Configured init duration (P50 or fixed), ms.</summary>
    public required double? InitDurationMs { get; init; }

    /// <summary>Configured init P99, ms.</summary>
    public required double? InitDurationP99Ms { get; init; }

    /// <summary>Error probability.</summary>
    public required double ErrorRate { get; init; }

    /// <summary>Poison-pill marker.</summary>
    public required string? PoisonMarker { get; init; }

    /// <summary>Downstream concurrency limit.</summary>
    public required int? DownstreamLimit { get; init; }

    /// <summary>Downstream behaviour above the limit.</summary>
    public required DownstreamMode DownstreamMode { get; init; }

    /// <summary>Downstream slowdown factor.</summary>
    public required double DownstreamSlowdownFactor { get; init; }

    /// <summary>Extra latency, ms.</summary>
    public required double ExtraLatencyMs { get; init; }

    /// <summary>Success response payload (text).</summary>
    public required string ResponsePayload { get; init; }

    /// <summary>What the function returns for an SQS batch with failed records.</summary>
    public BatchResponseMode BatchResponse { get; init; }

    /// <summary>Queue (name, URL or ARN) receiving one receipt per processed attempt, or null.</summary>
    public string? ReceiptsQueue { get; init; }

    /// <summary>Chaos faults read from the <c>LAMBDASTORM_FAULT_*</c> variables of <see cref="Environment"/>.</summary>
    internal FunctionFaults Faults { get; init; } = FunctionFaults.None;

    /// <summary>Compiled duration distribution at the reference memory, ms.</summary>
    internal required Distribution Duration { get; init; }

    /// <summary>Compiled init-duration distribution, ms.</summary>
    internal required Distribution Init { get; init; }

    /// <summary>Multiplier applied to sampled durations for the memory size (CPU-bound share).</summary>
    internal required double CpuScale { get; init; }

    /// <summary>UTF-8 of <see cref="PoisonMarker"/>.</summary>
    internal required byte[]? PoisonMarkerUtf8 { get; init; }

    /// <summary>UTF-8 of <see cref="ResponsePayload"/>.</summary>
    internal required byte[] ResponseUtf8 { get; init; }

    /// <summary>Timeout in ticks.</summary>
    internal long TimeoutTicks => TimeoutSeconds * TimeSpan.TicksPerSecond;

    /// <summary>vCPU share bought by a memory size: 1,769 MB = 1 vCPU [S21]; a single-threaded handler gains nothing above 1.</summary>
    internal static double VcpuFor(int memoryMb) => Math.Min(memoryMb, FunctionOptions.OneVcpuMemoryMb) / (double)FunctionOptions.OneVcpuMemoryMb;

    internal static FunctionVersionSettings Build(FunctionOptions o, int referenceMemoryMb)
    {
        Distribution.TryFromMeanP99(o.EffectiveDistributionKind, o.DurationMs, o.DurationP99Ms ?? o.DurationMs, out var duration, out _);
        var cpuScale = (1 - o.CpuBoundShare) + (o.CpuBoundShare * VcpuFor(referenceMemoryMb) / VcpuFor(o.MemoryMb));
        return new FunctionVersionSettings
        {
            Description = o.Description ?? "",
            MemoryMb = o.MemoryMb,
            TimeoutSeconds = o.TimeoutSeconds,
            Architecture = o.Architecture,
            Runtime = o.Runtime.Trim(),
            Environment = (o.Environment ?? []).ToFrozenDictionary(StringComparer.Ordinal),
            Faults = FunctionFaults.From(o.Environment ?? []),
            DurationMs = o.DurationMs,
            DurationP99Ms = o.DurationP99Ms,
            DurationDistribution = o.DurationDistribution,
            CpuBoundShare = o.CpuBoundShare,
            DurationReferenceMemoryMb = referenceMemoryMb,
            InitDurationMs = o.InitDurationMs,
            InitDurationP99Ms = o.InitDurationP99Ms,
            ErrorRate = o.ErrorRate,
            PoisonMarker = o.PoisonMarker,
            DownstreamLimit = o.DownstreamLimit,
            DownstreamMode = o.DownstreamMode,
            DownstreamSlowdownFactor = o.DownstreamSlowdownFactor,
            ExtraLatencyMs = o.ExtraLatencyMs,
            ResponsePayload = o.ResponsePayload,
            BatchResponse = o.BatchResponse,
            ReceiptsQueue = string.IsNullOrWhiteSpace(o.ReceiptsQueue) ? null : o.ReceiptsQueue.Trim(),
            Duration = duration,
            Init = RuntimeProfiles.InitDistribution(o.Runtime, o.Architecture, o.InitDurationMs, o.InitDurationP99Ms),
            CpuScale = cpuScale,
            PoisonMarkerUtf8 = o.PoisonMarker is null ? null : Encoding.UTF8.GetBytes(o.PoisonMarker),
            ResponseUtf8 = Encoding.UTF8.GetBytes(o.ResponsePayload),
        };
    }

    /// <summary>Copies this version's configuration and behaviour back onto mutable options.</summary>
    internal void ApplyTo(FunctionOptions o)
    {
        o.Description = Description;
        o.MemoryMb = MemoryMb;
        o.TimeoutSeconds = TimeoutSeconds;
        o.Architecture = Architecture;
        o.Runtime = Runtime;
        o.Environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        o.DurationMs = DurationMs;
        o.DurationP99Ms = DurationP99Ms;
        o.DurationDistribution = DurationDistribution;
        o.CpuBoundShare = CpuBoundShare;
        o.DurationReferenceMemoryMb = DurationReferenceMemoryMb;
        o.InitDurationMs = InitDurationMs;
        o.InitDurationP99Ms = InitDurationP99Ms;
        o.ErrorRate = ErrorRate;
        o.PoisonMarker = PoisonMarker;
        o.DownstreamLimit = DownstreamLimit;
        o.DownstreamMode = DownstreamMode;
        o.DownstreamSlowdownFactor = DownstreamSlowdownFactor;
        o.ExtraLatencyMs = ExtraLatencyMs;
        o.ResponsePayload = ResponsePayload;
        o.BatchResponse = BatchResponse;
        o.ReceiptsQueue = ReceiptsQueue;
    }
}
