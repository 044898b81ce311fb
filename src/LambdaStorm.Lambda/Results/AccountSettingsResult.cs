namespace LambdaStorm.Lambda;

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
