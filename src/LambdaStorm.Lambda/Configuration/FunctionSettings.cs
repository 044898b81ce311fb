namespace LambdaStorm.Lambda;

/// <summary>Validated, immutable configuration of a function as defined up front (built from <see cref="FunctionOptions"/>).</summary>
internal sealed record FunctionSettings
{
    /// <summary>Function name.</summary>
    public required string Name { get; init; }

    /// <summary>Configuration of <c>$LATEST</c> (and of each version published at creation).</summary>
    public required FunctionVersionSettings Version { get; init; }

    /// <summary>Reserved concurrency, or null for the unreserved pool.</summary>
    public required int? ReservedConcurrency { get; init; }

    /// <summary>Versions 1..N published at creation.</summary>
    public required int PublishedVersions { get; init; }

    /// <summary>Alias name → version.</summary>
    public required IReadOnlyDictionary<string, string> Aliases { get; init; }

    /// <summary>Qualifier → provisioned environments.</summary>
    public required IReadOnlyDictionary<string, int> ProvisionedConcurrency { get; init; }

    /// <summary>Async configuration of the unqualified function (and fallback for qualifiers without their own).</summary>
    public required EventInvokeSettings AsyncConfig { get; init; }

    /// <summary>Dead-letter target ARN.</summary>
    public required string? DeadLetterTargetArn { get; init; }

    /// <summary>Duplicate async delivery probability.</summary>
    public required double DuplicateDeliveryProbability { get; init; }

    /// <summary>How long a configuration update stays in progress (<see cref="FunctionOptions.UpdateDurationMs"/>).</summary>
    public TimeSpan UpdateDuration { get; init; }

    /// <summary>Back to mutable options (a fresh copy).</summary>
    public FunctionOptions ToOptions()
    {
        var o = new FunctionOptions
        {
            Name = Name,
            ReservedConcurrency = ReservedConcurrency,
            PublishedVersions = PublishedVersions,
            Aliases = new Dictionary<string, string>(Aliases, StringComparer.Ordinal),
            ProvisionedConcurrency = new Dictionary<string, int>(ProvisionedConcurrency, StringComparer.Ordinal),
            AsyncConfig = AsyncConfig.ToOptions(),
            DeadLetterTargetArn = DeadLetterTargetArn,
            DuplicateDeliveryProbability = DuplicateDeliveryProbability,
        };
        Version.ApplyTo(o);
        return o;
    }
}

/// <summary>Well-known version identifiers.</summary>
internal static class FunctionVersions
{
    /// <summary>The unpublished, mutable version.</summary>
    public const string Latest = "$LATEST";
}
