using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>
/// What one execution of a function produced: the data behind the Invoke response headers
/// (<c>X-Amz-Function-Error</c>, <c>X-Amz-Executed-Version</c>), the body, and the REPORT log line (§3).
/// </summary>
internal sealed record ExecutionResult
{
    /// <summary>The <c>Unhandled</c> function-error value (§3).</summary>
    public const string Unhandled = "Unhandled";

    /// <summary>Error type of a timed-out invocation [S36].</summary>
    public const string TimeoutErrorType = "Sandbox.Timedout";

    /// <summary>AWS request id (shared by every attempt of an async event).</summary>
    public required string RequestId { get; init; }

    /// <summary>Function name.</summary>
    public required string FunctionName { get; init; }

    /// <summary>Qualifier the caller used (<c>$LATEST</c> when unqualified).</summary>
    public required string Qualifier { get; init; }

    /// <summary>Version that ran, after alias resolution (<c>X-Amz-Executed-Version</c>).</summary>
    public required string ExecutedVersion { get; init; }

    /// <summary>How the invocation arrived.</summary>
    public required InvocationType InvocationType { get; init; }

    /// <summary>True when this invocation created its environment (an init phase ran first).</summary>
    public required bool ColdStart { get; init; }

    /// <summary>True when a provisioned (pre-initialised) environment served it.</summary>
    public required bool Provisioned { get; init; }

    /// <summary>Init duration (zero unless <see cref="ColdStart"/>).</summary>
    public required TimeSpan InitDuration { get; init; }

    /// <summary>Handler duration (capped at the timeout).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Billed duration, ms: ceil(Duration + InitDuration) — init is billed since 1 Aug 2025 [S23], 1 ms granularity [S24].</summary>
    public required long BilledDurationMs { get; init; }

    /// <summary>Configured memory, MB.</summary>
    public required int MemorySizeMb { get; init; }

    /// <summary>Architecture of the version that ran.</summary>
    public required FunctionArchitecture Architecture { get; init; }

    /// <summary><c>Unhandled</c> when the function failed (including timeouts), otherwise null.</summary>
    public string? FunctionError { get; init; }

    /// <summary>Error type, e.g. <c>Error</c> or <c>Sandbox.Timedout</c>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Error message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>True when the handler exceeded the function timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Response body: the configured payload on success, <c>{"errorMessage","errorType","stackTrace"}</c> on failure.</summary>
    public required ReadOnlyMemory<byte> ResponsePayload { get; init; }

    /// <summary>When the model admitted the invocation (the init phase, if any, starts here).</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>When the invocation finished.</summary>
    public required DateTimeOffset EndTime { get; init; }

    /// <summary>Model-unique id of the execution environment.</summary>
    public required long EnvironmentId { get; init; }

    /// <summary>Attempt number: 1 for sync; 1..3 for an async event.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>True for an extra delivery of an async event (§4: duplicates occur without errors [S11]).</summary>
    public bool IsDuplicate { get; init; }

    /// <summary>True when the function did not fail.</summary>
    public bool IsSuccess => FunctionError is null;

    /// <summary>Latency as the caller sees it: init plus handler duration.</summary>
    public TimeSpan TotalDuration => InitDuration + Duration;

    /// <summary>The START, END and REPORT log lines of this invocation, as <c>X-Amz-Log-Result</c> carries them (base64 is the host's job) [S22].</summary>
    public string FormatLogTail()
    {
        var report = string.Create(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {RequestId}\tDuration: {Duration.TotalMilliseconds:0.00} ms\tBilled Duration: {BilledDurationMs} ms\tMemory Size: {MemorySizeMb} MB\tMax Memory Used: {MaxMemoryUsedMb} MB");
        if (ColdStart)
        {
            report += string.Create(CultureInfo.InvariantCulture, $"\tInit Duration: {InitDuration.TotalMilliseconds:0.00} ms");
        }

        return $"START RequestId: {RequestId} Version: {ExecutedVersion}\nEND RequestId: {RequestId}\n{report}\t\n";
    }

    // Memory use is not modelled; the REPORT line needs a plausible number that never exceeds the configured size.
    private int MaxMemoryUsedMb => Math.Min(MemorySizeMb, 64 + (MemorySizeMb / 16));
}
