namespace LambdaStorm.Lambda;

/// <summary>
/// One event source mapping as the Lambda API returns it (<c>EventSourceMappingConfiguration</c>) [S8]: its UUID,
/// state, queue and function ARNs and batching settings.
/// </summary>
internal sealed record EventSourceMappingConfiguration
{
    /// <summary>The mapping's UUID.</summary>
    public required string Uuid { get; init; }

    /// <summary><c>Creating</c>, <c>Enabled</c>, <c>Disabled</c>, <c>Updating</c> or <c>Deleting</c>.</summary>
    public required string State { get; init; }

    /// <summary>Why the state last changed.</summary>
    public required string StateTransitionReason { get; init; }

    /// <summary>The queue's ARN.</summary>
    public required string EventSourceArn { get; init; }

    /// <summary>The function's ARN (qualified when the mapping names a qualifier).</summary>
    public required string FunctionArn { get; init; }

    /// <summary>Last change.</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>Configuration.</summary>
    public required EventSourceMappingSettings Settings { get; init; }

    /// <summary>Concurrent batches the pollers allow now.</summary>
    public required int PollerConcurrency { get; init; }

    /// <summary>Batches being processed now (running or held after a throttle).</summary>
    public required int BatchesInFlight { get; init; }
}
