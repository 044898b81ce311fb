namespace LambdaStorm.Lambda;

/// <summary>One invocation to make during a <see cref="VirtualTimeSimulation"/>.</summary>
/// <param name="Offset">When, relative to the start of the simulation. Arrivals must be in non-decreasing order.</param>
/// <param name="Function">Function name (or ARN).</param>
/// <param name="Qualifier">Version, alias or null.</param>
/// <param name="Type">Sync or async.</param>
/// <param name="Payload">Payload (ignored when <paramref name="Poison"/> is set).</param>
/// <param name="Poison">True to send a payload containing the function's poison-pill marker.</param>
/// <param name="Id">Caller's id for this invocation; used as the AWS request id when set, so outcomes can be matched.</param>
internal readonly record struct Arrival(
    TimeSpan Offset,
    string Function,
    string? Qualifier = null,
    InvocationType Type = InvocationType.RequestResponse,
    ReadOnlyMemory<byte> Payload = default,
    bool Poison = false,
    string? Id = null);

/// <summary>What a <see cref="VirtualTimeSimulation"/> run did.</summary>
internal sealed record SimulationSummary
{
    /// <summary>Virtual start time.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Virtual time when the run stopped.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Virtual time of the last arrival.</summary>
    public required DateTimeOffset LastArrival { get; init; }

    /// <summary>Arrivals offered to the model.</summary>
    public required long Offered { get; init; }

    /// <summary>Sync arrivals admitted.</summary>
    public required long SyncAdmitted { get; init; }

    /// <summary>Sync arrivals throttled.</summary>
    public required long SyncThrottled { get; init; }

    /// <summary>Async arrivals accepted (202).</summary>
    public required long AsyncAccepted { get; init; }

    /// <summary>Arrivals rejected with another error.</summary>
    public required long Rejected { get; init; }

    /// <summary>Poison arrivals for functions without a poison marker (sent, but they will not fail).</summary>
    public required long PoisonWithoutMarker { get; init; }

    /// <summary>Model events processed outside arrivals.</summary>
    public required long EventsProcessed { get; init; }

    /// <summary>True when the model became quiescent; false when the drain limit stopped the run first.</summary>
    public required bool Drained { get; init; }
}
