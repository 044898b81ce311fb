namespace LambdaStorm.Lambda;

/// <summary>
/// Mutable configuration of one SQS event source mapping: a queue polled for batches that invoke a function
/// (lambda-semantics.md §5.1). Validated into an immutable <see cref="EventSourceMappingSettings"/> by
/// <see cref="LambdaModelOptions.ToSettings"/>, or by <c>CreateEventSourceMapping</c>; every problem is named.
/// </summary>
internal sealed class EventSourceMappingOptions
{
    /// <summary>Most records in a batch, standard queue [S8] (§5.1).</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Batches larger than this need a batching window of at least 1 s [S8] (§5.1).</summary>
    public const int MaxBatchSizeWithoutWindow = 10;

    /// <summary>Longest batching window [S8] (§5.1).</summary>
    public static readonly TimeSpan MaxBatchingWindow = TimeSpan.FromSeconds(300);

    /// <summary>The event source: a queue name, URL or ARN. Required.</summary>
    public string Queue { get; set; } = "";

    /// <summary>The function: a name, <c>name:qualifier</c>, or ARN. Required.</summary>
    public string Function { get; set; } = "";

    /// <summary>Most records per batch, 1–10,000. <value>Defaults to 10 [S8] (§5.1).</value></summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>How long to gather records before invoking, 0–300 s. <value>Defaults to 0 [S8] (§5.1).</value></summary>
    public TimeSpan MaximumBatchingWindow { get; set; } = TimeSpan.Zero;

    /// <summary><c>ScalingConfig.MaximumConcurrency</c>, 2–1,000. <value>Defaults to none: the poller ceiling [S8][S13] (§5.1).</value></summary>
    public int? MaximumConcurrency { get; set; }

    /// <summary><c>FunctionResponseTypes: ["ReportBatchItemFailures"]</c>. <value>Defaults to false [S16] (§5.1).</value></summary>
    public bool ReportBatchItemFailures { get; set; }

    /// <summary>Whether the mapping polls. <value>Defaults to true.</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every problem with the mapping's own fields, each naming the field (queue and function existence are checked by the model).</summary>
    internal IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Queue))
        {
            yield return $"{path}.Queue: must name a queue (name, URL or ARN)";
        }

        if (string.IsNullOrWhiteSpace(Function))
        {
            yield return $"{path}.Function: must name a function (name or ARN)";
        }

        if (BatchSize is < 1 or > MaxBatchSize)
        {
            yield return $"{path}.BatchSize: must be between 1 and {MaxBatchSize} (was {BatchSize})";
        }

        if (MaximumBatchingWindow < TimeSpan.Zero || MaximumBatchingWindow > MaxBatchingWindow)
        {
            yield return $"{path}.MaximumBatchingWindow: must be between 0 and 300 s (was {MaximumBatchingWindow.TotalSeconds} s)";
        }
        else if (MaximumBatchingWindow.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return $"{path}.MaximumBatchingWindow: must be whole seconds (was {MaximumBatchingWindow.TotalSeconds} s)";
        }

        if (BatchSize > MaxBatchSizeWithoutWindow && MaximumBatchingWindow < TimeSpan.FromSeconds(1))
        {
            yield return $"{path}.BatchSize: more than {MaxBatchSizeWithoutWindow} needs MaximumBatchingWindow of at least 1 s (BatchSize {BatchSize}, window {MaximumBatchingWindow.TotalSeconds} s)";
        }

        if (MaximumConcurrency is < 2 or > 1000)
        {
            yield return $"{path}.MaximumConcurrency: must be between 2 and 1000 when set (was {MaximumConcurrency})";
        }
    }

    internal EventSourceMappingSettings Build() => new()
    {
        Queue = Queue.Trim(),
        Function = Function.Trim(),
        BatchSize = BatchSize,
        MaximumBatchingWindow = MaximumBatchingWindow,
        MaximumConcurrency = MaximumConcurrency,
        ReportBatchItemFailures = ReportBatchItemFailures,
        Enabled = Enabled,
    };
}

/// <summary>Validated, immutable configuration of one event source mapping.</summary>
internal sealed record EventSourceMappingSettings
{
    /// <summary>Queue name, URL or ARN as given.</summary>
    public required string Queue { get; init; }

    /// <summary>Function name, <c>name:qualifier</c> or ARN as given.</summary>
    public required string Function { get; init; }

    /// <summary>Most records per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Batching window.</summary>
    public required TimeSpan MaximumBatchingWindow { get; init; }

    /// <summary>Concurrency cap of the mapping, or null.</summary>
    public required int? MaximumConcurrency { get; init; }

    /// <summary>True when the function may report failed items.</summary>
    public required bool ReportBatchItemFailures { get; init; }

    /// <summary>True when the mapping polls.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Mutable options with the same values.</summary>
    internal EventSourceMappingOptions ToOptions() => new()
    {
        Queue = Queue,
        Function = Function,
        BatchSize = BatchSize,
        MaximumBatchingWindow = MaximumBatchingWindow,
        MaximumConcurrency = MaximumConcurrency,
        ReportBatchItemFailures = ReportBatchItemFailures,
        Enabled = Enabled,
    };
}
