namespace LambdaStorm.Lambda;

/// <summary>Validated, immutable configuration of a <see cref="LambdaModel"/>.</summary>
internal sealed record LambdaModelSettings
{
    /// <summary>Account settings.</summary>
    public required AccountSettings Account { get; init; }

    /// <summary>Functions created when the model starts, in order.</summary>
    public required IReadOnlyList<FunctionSettings> Functions { get; init; }

    /// <summary>SQS queues created when the model starts, in order.</summary>
    public IReadOnlyList<QueueSettings> Queues { get; init; } = [];

    /// <summary>Event source mappings created when the model starts, in order.</summary>
    public IReadOnlyList<EventSourceMappingSettings> EventSourceMappings { get; init; } = [];

    /// <summary>Random seed.</summary>
    public required int Seed { get; init; }
}
