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

    /// <summary><c>InProgress</c> while a configuration update has not landed yet, else <c>Successful</c>.</summary>
    public string LastUpdateStatus { get; init; } = "Successful";

    /// <summary>Memory, MB.</summary>
    public int MemorySize => Settings.MemoryMb;

    /// <summary>Timeout, s.</summary>
    public int Timeout => Settings.TimeoutSeconds;

    /// <summary>Runtime.</summary>
    public string Runtime => Settings.Runtime;
}
