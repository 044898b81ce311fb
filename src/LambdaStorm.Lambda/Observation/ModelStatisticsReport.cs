namespace LambdaStorm.Lambda;

/// <summary>Everything <see cref="ModelStatistics"/> measured, as an immutable snapshot.</summary>
internal sealed record ModelStatisticsReport
{
    /// <summary>Start of the measurement.</summary>
    public required DateTimeOffset Origin { get; init; }

    /// <summary>Model time of the snapshot.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Invocations admitted (sync plus async attempts).</summary>
    public required long Invocations { get; init; }

    /// <summary>Executions that ended.</summary>
    public required long Completed { get; init; }

    /// <summary>Executions that ended with a function error (timeouts included).</summary>
    public required long FunctionErrors { get; init; }

    /// <summary>Executions that timed out.</summary>
    public required long Timeouts { get; init; }

    /// <summary>Cold starts (new on-demand environments).</summary>
    public required long ColdStarts { get; init; }

    /// <summary>Invocations rejected with a non-throttle error.</summary>
    public required long Rejected { get; init; }

    /// <summary>Environments created (on-demand and provisioned).</summary>
    public required long EnvironmentsCreated { get; init; }

    /// <summary>Environments reaped after idling.</summary>
    public required long EnvironmentsReapedIdle { get; init; }

    /// <summary>Throttles returned to sync callers.</summary>
    public required long SyncThrottles { get; init; }

    /// <summary>Throttled async attempts (each one backs off).</summary>
    public required long AsyncThrottles { get; init; }

    /// <summary>All throttles by reason (sync and async).</summary>
    public required IReadOnlyDictionary<ThrottleReason, long> ThrottlesByReason { get; init; }

    /// <summary>Init-duration percentiles of cold starts, ms.</summary>
    public required PercentileSummary InitDuration { get; init; }

    /// <summary>Async outcomes by attempt.</summary>
    public required AsyncOutcomeSummary Async { get; init; }

    /// <summary>SQS event source mappings that did anything, in first-seen order.</summary>
    public IReadOnlyList<EventSourceMappingStatistics> EventSourceMappings { get; init; } = [];

    /// <summary>Highest account concurrency seen.</summary>
    public required int PeakAccountConcurrency { get; init; }

    /// <summary>When it was first reached.</summary>
    public required DateTimeOffset? PeakAccountConcurrencyTime { get; init; }

    /// <summary>Account concurrency limit now.</summary>
    public required int AccountLimit { get; init; }

    /// <summary>Unreserved pool now (limit minus reservations).</summary>
    public required int UnreservedPool { get; init; }

    /// <summary>Per-function figures, in first-seen order.</summary>
    public required IReadOnlyList<FunctionStatistics> Functions { get; init; }

    /// <summary>Estimated cost.</summary>
    public required CostEstimate Cost { get; init; }

    /// <summary>Account-wide per-second series.</summary>
    public required ConcurrencySeries AccountSeries { get; init; }
}

/// <summary>Per-function figures.</summary>
internal sealed record FunctionStatistics
{
    /// <summary>Function name.</summary>
    public required string Name { get; init; }

    /// <summary>Invocations admitted.</summary>
    public required long Invocations { get; init; }

    /// <summary>Cold starts.</summary>
    public required long ColdStarts { get; init; }

    /// <summary>Function errors.</summary>
    public required long FunctionErrors { get; init; }

    /// <summary>Throttles (sync and async).</summary>
    public required long Throttles { get; init; }

    /// <summary>Highest concurrency seen.</summary>
    public required int PeakConcurrency { get; init; }

    /// <summary>When it was first reached.</summary>
    public required DateTimeOffset? PeakConcurrencyTime { get; init; }

    /// <summary>Reserved concurrency now (null: unreserved).</summary>
    public required int? ReservedConcurrency { get; init; }

    /// <summary>Provisioned environments allocated now.</summary>
    public required int ProvisionedAllocated { get; init; }
}

/// <summary>Outcomes of async events: the classes the ledger reconciles (§1 of the design: first-try success, success after retry, retries exhausted, expired).</summary>
internal sealed record AsyncOutcomeSummary
{
    /// <summary>Events queued (including duplicates and destination re-invocations).</summary>
    public required long Queued { get; init; }

    /// <summary>Extra deliveries.</summary>
    public required long Duplicates { get; init; }

    /// <summary>Succeeded on attempt 1.</summary>
    public required long FirstTrySuccess { get; init; }

    /// <summary>Succeeded after retry n (key n = 1, 2): attempt n + 1.</summary>
    public required IReadOnlyDictionary<int, long> SuccessAfterRetry { get; init; }

    /// <summary>Every allowed attempt failed (or reserved concurrency was 0).</summary>
    public required long RetriesExhausted { get; init; }

    /// <summary>Expired (MaximumEventAgeInSeconds).</summary>
    public required long EventAgeExceeded { get; init; }

    /// <summary>Discarded because the function was deleted.</summary>
    public required long DiscardedByDelete { get; init; }

    /// <summary>Retries scheduled after function errors.</summary>
    public required long RetriesAfterFunctionError { get; init; }

    /// <summary>Re-queues after throttles.</summary>
    public required long RetriesAfterThrottle { get; init; }

    /// <summary>Destination and DLQ messages delivered.</summary>
    public required long DestinationDeliveries { get; init; }

    /// <summary>Destination and DLQ messages with no such target.</summary>
    public required long DestinationFailures { get; init; }

    /// <summary>Events still pending when the report was taken.</summary>
    public required long Pending { get; init; }
}

/// <summary>Estimated cost of what ran (us-east-1 prices by default [S24]); provisioned-concurrency charges are not included.</summary>
internal sealed record CostEstimate
{
    /// <summary>Billed requests.</summary>
    public required long Requests { get; init; }

    /// <summary>Billed GB-seconds, init included (since 1 Aug 2025 [S23]).</summary>
    public required double BilledGbSeconds { get; init; }

    /// <summary>Request charge, USD.</summary>
    public required double RequestCostUsd { get; init; }

    /// <summary>Compute charge if everything ran on x86_64, USD.</summary>
    public required double ComputeCostX86Usd { get; init; }

    /// <summary>Compute charge if everything ran on arm64, USD.</summary>
    public required double ComputeCostArm64Usd { get; init; }

    /// <summary>Requests plus compute on x86_64, USD.</summary>
    public double TotalX86Usd => RequestCostUsd + ComputeCostX86Usd;

    /// <summary>Requests plus compute on arm64, USD.</summary>
    public double TotalArm64Usd => RequestCostUsd + ComputeCostArm64Usd;

    /// <summary>Requests plus compute at each function's configured architecture, USD.</summary>
    public required double AsConfiguredUsd { get; init; }
}

/// <summary>Percentiles of a sample, ms (nearest-rank).</summary>
internal sealed record PercentileSummary(long Count, double Mean, double P50, double P90, double P99, double Max)
{
    /// <summary>An empty sample.</summary>
    public static PercentileSummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Summarises a sample.</summary>
    public static PercentileSummary From(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        return new PercentileSummary(sorted.Length, sorted.Average(), Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>What one SQS event source mapping did (see <see cref="ILambdaModelObserver.OnEventSourceBatchCompleted"/>).</summary>
internal sealed record EventSourceMappingStatistics
{
    /// <summary>Mapping UUID.</summary>
    public required string Uuid { get; init; }

    /// <summary>Function.</summary>
    public required string FunctionName { get; init; }

    /// <summary>Polled queue (null until a batch finished).</summary>
    public required string? QueueName { get; init; }

    /// <summary>Batches the function finished.</summary>
    public required long Batches { get; init; }

    /// <summary>Records in them.</summary>
    public required long Records { get; init; }

    /// <summary>Records deleted after processing.</summary>
    public required long RecordsDeleted { get; init; }

    /// <summary>Batches that failed as a whole (function error, timeout or invalid partial response).</summary>
    public required long BatchFailures { get; init; }

    /// <summary>Of those, invalid partial batch responses.</summary>
    public required long InvalidResponses { get; init; }

    /// <summary>Batches with a valid partial response that returned some records.</summary>
    public required long PartialFailureBatches { get; init; }

    /// <summary>Records those responses returned to the queue.</summary>
    public required long PartialFailureRecords { get; init; }

    /// <summary>Batch invocations the function throttled (each held at the source and retried).</summary>
    public required long ThrottledBatches { get; init; }

    /// <summary>Highest poller concurrency (concurrent batches allowed).</summary>
    public required int PeakPollerConcurrency { get; init; }

    /// <summary>Every change of the poller concurrency, in time order.</summary>
    public required IReadOnlyList<(DateTimeOffset Time, int Concurrency)> PollerConcurrency { get; init; }
}
