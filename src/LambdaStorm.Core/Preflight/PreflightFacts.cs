using LambdaStorm.Lambda;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Preflight;

/// <summary>An event source mapping of the checked function, with its queue's visibility timeout when known.</summary>
/// <param name="Queue">Queue name or ARN.</param>
/// <param name="ReportBatchItemFailures">Whether <c>FunctionResponseTypes</c> has <c>ReportBatchItemFailures</c>.</param>
/// <param name="BatchSize">Records per batch.</param>
/// <param name="VisibilityTimeout">The queue's visibility timeout, or null when unknown.</param>
internal sealed record MappingFacts(string Queue, bool ReportBatchItemFailures, int BatchSize, TimeSpan? VisibilityTimeout);

/// <summary>
/// What preflight knows about the invoked function and its account, read from the emulator's configuration or from the
/// Lambda API. Null members were not read; checks that need them say so instead of guessing. Part of internal API.
/// </summary>
internal sealed record PreflightFacts
{
    public required string Function { get; init; }

    /// <summary>The qualifier the load invokes (null: $LATEST).</summary>
    public string? Qualifier { get; init; }

    public required int MemoryMb { get; init; }

    public required TimeSpan Timeout { get; init; }

    public required string Architecture { get; init; }

    /// <summary>Expected duration of one invocation, seconds (the model's mean, or the scenario's stated duration).</summary>
    public double? DurationSeconds { get; init; }

    public int? ReservedConcurrency { get; init; }

    /// <summary>True when failed async events have somewhere to go (a DLQ or an on-failure destination); null when unknown.</summary>
    public bool? HasAsyncFailureTarget { get; init; }

    /// <summary>Qualifiers with provisioned concurrency, and how much; null when unknown.</summary>
    public IReadOnlyDictionary<string, int>? ProvisionedConcurrency { get; init; }

    /// <summary>The account's concurrency limit, when known.</summary>
    public int? AccountConcurrency { get; init; }

    /// <summary>The downstream's concurrency limit the scenario declares, or null.</summary>
    public int? DownstreamLimit { get; init; }

    /// <summary>The function's event source mappings; null when they could not be read.</summary>
    public IReadOnlyList<MappingFacts>? Mappings { get; init; }

    /// <summary>Where the facts came from, for the report.</summary>
    public required string Source { get; init; }

    /// <summary>Facts from an emulator target's configuration (the model the emulator runs).</summary>
    public static PreflightFacts FromModel(LambdaModelOptions model, string function)
    {
        var f = model.Functions.First(x => x.Name == function);
        var queues = (model.Queues ?? []).ToDictionary(q => q.Name, q => q.VisibilityTimeout, StringComparer.Ordinal);
        var mappings = (model.EventSourceMappings ?? [])
            .Where(m => m.Function == function || m.Function.EndsWith(":function:" + function, StringComparison.Ordinal))
            .Select(m =>
            {
                var name = m.Queue.Split(':', '/')[^1];
                return new MappingFacts(m.Queue, m.ReportBatchItemFailures, m.BatchSize, queues.TryGetValue(name, out var v) ? v : null);
            })
            .ToList();
        return new PreflightFacts
        {
            Function = function,
            MemoryMb = f.MemoryMb,
            Timeout = TimeSpan.FromSeconds(f.TimeoutSeconds),
            Architecture = f.Architecture == FunctionArchitecture.Arm64 ? "arm64" : "x86_64",
            DurationSeconds = (f.DurationMs + f.ExtraLatencyMs) / 1000.0,
            ReservedConcurrency = f.ReservedConcurrency,
            HasAsyncFailureTarget = f.DeadLetterTargetArn is not null || f.AsyncConfig.OnFailure is not null,
            ProvisionedConcurrency = new Dictionary<string, int>(f.ProvisionedConcurrency, StringComparer.Ordinal),
            AccountConcurrency = model.Account.ConcurrencyLimit,
            DownstreamLimit = f.DownstreamLimit,
            Mappings = mappings,
            Source = "the emulator target's configuration",
        };
    }
}
