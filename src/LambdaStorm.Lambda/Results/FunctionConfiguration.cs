namespace LambdaStorm.Lambda;

/// <summary>The configuration of a function version as <c>GetFunction</c> / <c>ListFunctions</c> describe it [S8].</summary>
internal sealed record FunctionConfiguration
{
    /// <summary>Function name.</summary>
    public required string FunctionName { get; init; }

    /// <summary>Function ARN (qualified with the version for published versions, unqualified for $LATEST as AWS does).</summary>
    public required string FunctionArn { get; init; }

    /// <summary><c>$LATEST</c> or a version number.</summary>
    public required string Version { get; init; }

    /// <summary>Settings of the version (memory, timeout, runtime, architecture, environment, simulated behaviour).</summary>
    public required FunctionVersionSettings Settings { get; init; }

    /// <summary>Reserved concurrency of the function, if any (<c>GetFunction</c>'s <c>Concurrency</c>).</summary>
    public required int? ReservedConcurrentExecutions { get; init; }

    /// <summary>Dead-letter target ARN.</summary>
    public required string? DeadLetterTargetArn { get; init; }

    /// <summary>When this version's configuration last changed.</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>Always <c>Active</c>: the model has no pending states.</summary>
    public string State => "Active";

    /// <summary>Memory, MB.</summary>
    public int MemorySize => Settings.MemoryMb;

    /// <summary>Timeout, s.</summary>
    public int Timeout => Settings.TimeoutSeconds;

    /// <summary>Runtime.</summary>
    public string Runtime => Settings.Runtime;
}

/// <summary>An alias as <c>CreateAlias</c> / <c>GetAlias</c> describe it [S8].</summary>
/// <param name="Name">Alias name.</param>
/// <param name="AliasArn">Alias ARN.</param>
/// <param name="FunctionVersion">Version the alias points to.</param>
/// <param name="Description">Description.</param>
internal sealed record AliasConfiguration(string Name, string AliasArn, string FunctionVersion, string Description);

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

/// <summary>An asynchronous-invocation configuration as <c>GetFunctionEventInvokeConfig</c> describes it [S8].</summary>
/// <param name="FunctionArn">Qualified function ARN.</param>
/// <param name="Settings">Retry attempts, maximum age and destinations.</param>
/// <param name="LastModified">When it was last changed.</param>
internal sealed record EventInvokeConfig(string FunctionArn, EventInvokeSettings Settings, DateTimeOffset LastModified);

/// <summary><c>GetAccountSettings</c>: <c>AccountLimit</c> and <c>AccountUsage</c> [S8], plus live usage from the model.</summary>
internal sealed record AccountSettingsResult
{
    /// <summary><c>AccountLimit.ConcurrentExecutions</c>.</summary>
    public required int ConcurrentExecutions { get; init; }

    /// <summary><c>AccountLimit.UnreservedConcurrentExecutions</c>: the limit minus all reserved concurrency.</summary>
    public required int UnreservedConcurrentExecutions { get; init; }

    /// <summary><c>AccountUsage.FunctionCount</c>.</summary>
    public required int FunctionCount { get; init; }

    /// <summary>Executions running now, all functions (CloudWatch <c>ConcurrentExecutions</c>).</summary>
    public required int ConcurrentExecutionsInUse { get; init; }

    /// <summary>Reserved concurrency plus the unreserved concurrency in use (CloudWatch <c>ClaimedAccountConcurrency</c> [S36]).</summary>
    public required int ClaimedAccountConcurrency { get; init; }

    /// <summary>Scaling model in force.</summary>
    public required ScalingModel ScalingModel { get; init; }
}
