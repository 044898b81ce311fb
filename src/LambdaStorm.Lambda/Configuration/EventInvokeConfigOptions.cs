namespace LambdaStorm.Lambda;

/// <summary>
/// Mutable asynchronous-invocation configuration (AWS <c>PutFunctionEventInvokeConfig</c>, §4 [S8]).
/// Validated into an immutable <see cref="EventInvokeSettings"/>.
/// </summary>
internal sealed class EventInvokeConfigOptions
{
    /// <summary>Retries after a function error, 0–2. <value>Defaults to 2 [S8][S11] (§4).</value></summary>
    public int MaximumRetryAttempts { get; set; } = EventInvokeSettings.DefaultMaximumRetryAttempts;

    /// <summary>Oldest an event may get before it is discarded, 60–21,600 s. <value>Defaults to 21,600 (6 h) [S8] (§4).</value></summary>
    public int MaximumEventAgeInSeconds { get; set; } = EventInvokeSettings.DefaultMaximumEventAgeInSeconds;

    /// <summary>ARN that receives an invocation record after a success. <value>Defaults to none.</value></summary>
    public string? OnSuccess { get; set; }

    /// <summary>ARN that receives an invocation record after retries are exhausted or the event expired. <value>Defaults to none.</value></summary>
    public string? OnFailure { get; set; }

    internal IEnumerable<string> Validate(string path)
    {
        if (MaximumRetryAttempts is < 0 or > 2)
        {
            yield return $"{path}.MaximumRetryAttempts: must be between 0 and 2 (was {MaximumRetryAttempts})";
        }

        if (MaximumEventAgeInSeconds is < 60 or > 21600)
        {
            yield return $"{path}.MaximumEventAgeInSeconds: must be between 60 and 21600 (was {MaximumEventAgeInSeconds})";
        }

        if (OnSuccess is not null && !LooksLikeArn(OnSuccess))
        {
            yield return $"{path}.OnSuccess: must be an ARN (was '{OnSuccess}')";
        }

        if (OnFailure is not null && !LooksLikeArn(OnFailure))
        {
            yield return $"{path}.OnFailure: must be an ARN (was '{OnFailure}')";
        }
    }

    internal static bool LooksLikeArn(string text) => text.StartsWith("arn:", StringComparison.Ordinal) && text.Split(':').Length >= 6;

    internal EventInvokeSettings Build() => new(
        MaximumRetryAttempts,
        MaximumEventAgeInSeconds,
        string.IsNullOrWhiteSpace(OnSuccess) ? null : OnSuccess,
        string.IsNullOrWhiteSpace(OnFailure) ? null : OnFailure);
}

/// <summary>Validated asynchronous-invocation configuration of a function or qualifier.</summary>
/// <param name="MaximumRetryAttempts">Retries after a function error (0–2).</param>
/// <param name="MaximumEventAgeInSeconds">Maximum event age (60–21,600 s).</param>
/// <param name="OnSuccess">On-success destination ARN, if any.</param>
/// <param name="OnFailure">On-failure destination ARN, if any.</param>
internal sealed record EventInvokeSettings(int MaximumRetryAttempts, int MaximumEventAgeInSeconds, string? OnSuccess, string? OnFailure)
{
    /// <summary>AWS default: 2 retries [S8][S11].</summary>
    public const int DefaultMaximumRetryAttempts = 2;

    /// <summary>AWS default: 6 h [S8].</summary>
    public const int DefaultMaximumEventAgeInSeconds = 21600;

    /// <summary>AWS defaults, no destinations.</summary>
    public static EventInvokeSettings Default { get; } = new(DefaultMaximumRetryAttempts, DefaultMaximumEventAgeInSeconds, null, null);

    /// <summary>Back to mutable options.</summary>
    public EventInvokeConfigOptions ToOptions() => new()
    {
        MaximumRetryAttempts = MaximumRetryAttempts,
        MaximumEventAgeInSeconds = MaximumEventAgeInSeconds,
        OnSuccess = OnSuccess,
        OnFailure = OnFailure,
    };
}
