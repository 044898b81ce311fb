namespace LambdaStorm.Lambda;

/// <summary>Point-in-time state of the model, for metrics endpoints and tests.</summary>
internal sealed record ModelSnapshot
{
    /// <summary>Model time of the snapshot.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Account concurrency limit.</summary>
    public required int AccountLimit { get; init; }

    /// <summary>The limit minus all reserved concurrency.</summary>
    public required int UnreservedPool { get; init; }

    /// <summary>Concurrency used from the unreserved pool (on-demand busy plus provisioned allocated, of unreserved functions).</summary>
    public required int UnreservedInUse { get; init; }

    /// <summary>Executions running (initialising or handling), all functions.</summary>
    public required int AccountConcurrency { get; init; }

    /// <summary>Async events waiting (queued or backing off), all functions.</summary>
    public required int PendingAsyncEvents { get; init; }

    /// <summary>Per-function state, in creation order.</summary>
    public required IReadOnlyList<FunctionSnapshot> Functions { get; init; }
}

/// <summary>Point-in-time state of one function.</summary>
internal sealed record FunctionSnapshot
{
    /// <summary>Function name.</summary>
    public required string Name { get; init; }

    /// <summary>Reserved concurrency, if any.</summary>
    public required int? ReservedConcurrency { get; init; }

    /// <summary>Executions running (on-demand and provisioned).</summary>
    public required int Concurrency { get; init; }

    /// <summary>Busy on-demand environments (including initialising).</summary>
    public required int OnDemandBusy { get; init; }

    /// <summary>Warm idle on-demand environments.</summary>
    public required int WarmIdle { get; init; }

    /// <summary>Allocated provisioned environments (busy or idle).</summary>
    public required int ProvisionedAllocated { get; init; }

    /// <summary>Busy provisioned environments.</summary>
    public required int ProvisionedBusy { get; init; }

    /// <summary>Async events waiting for an attempt.</summary>
    public required int AsyncQueueDepth { get; init; }

    /// <summary>Age of the oldest async event still pending, if any.</summary>
    public required TimeSpan? OldestAsyncEventAge { get; init; }

    /// <summary>Tokens left in the function's scaling bucket (per-function model), or in the account bucket (legacy).</summary>
    public required double ScaleTokens { get; init; }
}
