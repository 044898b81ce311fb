namespace LambdaStorm.Lambda;

/// <summary>Status of a provisioned-concurrency configuration (AWS <c>ProvisionedConcurrencyStatusEnum</c>).</summary>
internal enum ProvisionedConcurrencyStatus
{
    /// <summary>Environments are still being allocated (<c>IN_PROGRESS</c>).</summary>
    InProgress,

    /// <summary>All requested environments are allocated (<c>READY</c>).</summary>
    Ready,

    /// <summary>Allocation failed (<c>FAILED</c>; not produced by the model).</summary>
    Failed,
}

/// <summary>A provisioned-concurrency configuration as <c>GetProvisionedConcurrencyConfig</c> describes it [S8].</summary>
internal sealed record ProvisionedConcurrencyConfig
{
    /// <summary>Qualified function ARN.</summary>
    public required string FunctionArn { get; init; }

    /// <summary>Version or alias.</summary>
    public required string Qualifier { get; init; }

    /// <summary>Requested environments.</summary>
    public required int RequestedProvisionedConcurrentExecutions { get; init; }

    /// <summary>Allocated environments that are ready to serve.</summary>
    public required int AvailableProvisionedConcurrentExecutions { get; init; }

    /// <summary>Allocated environments.</summary>
    public required int AllocatedProvisionedConcurrentExecutions { get; init; }

    /// <summary>IN_PROGRESS until all requested environments are allocated, then READY.</summary>
    public required ProvisionedConcurrencyStatus Status { get; init; }

    /// <summary>Why allocation is stalled, if it is.</summary>
    public string? StatusReason { get; init; }

    /// <summary>When the configuration was last changed.</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>The AWS wire value of <see cref="Status"/>.</summary>
    public string StatusText => Status switch
    {
        ProvisionedConcurrencyStatus.Ready => "READY",
        ProvisionedConcurrencyStatus.Failed => "FAILED",
        _ => "IN_PROGRESS",
    };
}
