using LambdaStorm.Lambda;
using Prometheus;

namespace LambdaStorm.Emulator;

/// <summary>
/// The emulator's Prometheus metrics, in a registry of its own (never the global one, so hosts and tests stay apart).
/// Counters and histograms follow the model's events (an <see cref="ILambdaModelObserver"/>, called under the model
/// lock: each handler only touches prometheus-net children); gauges are read from <see cref="LambdaModel.GetSnapshot"/>
/// just before each scrape. Names start with <c>lambdastorm_emulator_</c>, use base units (<c>_seconds</c>,
/// <c>_total</c>, <c>_usd</c>), and labels come from a fixed set: <c>function</c>, <c>reason</c>, <c>outcome</c>.
/// docs/emulator.md lists them. Part of internal API.
/// </summary>
internal sealed class EmulatorMetrics : ILambdaModelObserver
{
    /// <summary>Prefix of every metric name.</summary>
    public const string Prefix = "lambdastorm_emulator_";

    private static readonly string[] FunctionLabel = ["function"];
    private static readonly string[] FunctionReason = ["function", "reason"];
    private static readonly string[] FunctionOutcome = ["function", "outcome"];

    private readonly LambdaModel _model;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Queued, int Pending)> _asyncQueuedAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _gaugeFunctions = new(StringComparer.Ordinal);

    private readonly Counter _invocations;
    private readonly Histogram _duration;
    private readonly Counter _throttles;
    private readonly Counter _rejected;
    private readonly Counter _coldStarts;
    private readonly Histogram _initDuration;
    private readonly Counter _cost;
    private readonly Counter _asyncReceived;
    private readonly Counter _asyncRetries;
    private readonly Counter _asyncFinished;
    private readonly Counter _asyncDropped;
    private readonly Counter _asyncLost;
    private readonly Counter _queueLost;
    private readonly Histogram _asyncEventAge;
    private readonly Counter _destinations;
    private readonly Gauge _concurrent;
    private readonly Gauge _reserved;
    private readonly Gauge _warm;
    private readonly Gauge _busy;
    private readonly Gauge _provisioned;
    private readonly Gauge _provisionedBusy;
    private readonly Gauge _queueDepth;
    private readonly Gauge _oldestEvent;
    private readonly Gauge _accountConcurrent;
    private readonly Gauge _accountLimit;
    private readonly Gauge _unreservedPool;
    private readonly Gauge _unreservedInUse;
    private readonly Gauge _accountQueueDepth;
    private readonly Gauge _functionCount;
    private readonly Gauge _queueMessages;
    private readonly Counter[] _queueTotals;
    private readonly HashSet<string> _gaugeQueues = new(StringComparer.Ordinal);
    private readonly EventSourceMappingMetrics _eventSourceMappings;

    public EmulatorMetrics(LambdaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);

        _invocations = f.CreateCounter(Prefix + "invocations_total",
            "Completed executions (sync and async attempts) by function and outcome: success, error (unhandled function error) or timeout.", FunctionOutcome);
        _duration = f.CreateHistogram(Prefix + "invocation_duration_seconds",
            "Handler duration of completed executions (without init), by function.",
            new HistogramConfiguration { LabelNames = FunctionLabel, Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] });
        _throttles = f.CreateCounter(Prefix + "throttles_total",
            "Throttled invocations (sync 429s and async attempts that backed off) by function and AWS ThrottleReason.", FunctionReason);
        _rejected = f.CreateCounter(Prefix + "rejected_invocations_total",
            "Invoke calls rejected before running for a reason other than throttling, by AWS exception name (ResourceNotFoundException, RequestTooLargeException, ...).",
            new CounterConfiguration { LabelNames = ["reason"] });
        _coldStarts = f.CreateCounter(Prefix + "cold_starts_total", "Invocations that created their execution environment (an init phase ran first), by function.", FunctionLabel);
        _initDuration = f.CreateHistogram(Prefix + "init_duration_seconds", "Init (cold start) duration, by function.",
            new HistogramConfiguration { LabelNames = FunctionLabel, Buckets = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] });
        _cost = f.CreateCounter(Prefix + "estimated_cost_usd_total",
            "Estimated charge of completed executions at the account's prices: requests plus billed GB-seconds (init included) at the function's architecture, by function.", FunctionLabel);
        _asyncReceived = f.CreateCounter(Prefix + "async_events_received_total", "Events accepted into the asynchronous queue (AWS AsyncEventsReceived), by function.", FunctionLabel);
        _asyncRetries = f.CreateCounter(Prefix + "async_retries_total",
            "Asynchronous attempts scheduled again, by function and reason: function_error (uses MaximumRetryAttempts) or throttled (backs off, does not).", FunctionReason);
        _asyncFinished = f.CreateCounter(Prefix + "async_events_finished_total",
            "Asynchronous events that reached a final state, by function and outcome: success, retries_exhausted, event_age_exceeded or function_deleted.", FunctionOutcome);
        _asyncDropped = f.CreateCounter(Prefix + "async_events_dropped_total",
            "Asynchronous events discarded without success (AWS AsyncEventsDropped), by function and reason: retries_exhausted, event_age_exceeded or function_deleted.", FunctionReason);
        _asyncLost = f.CreateCounter(Prefix + "async_events_lost_total",
            "Asynchronous events discarded leaving no record (no on-failure destination or DLQ took them, or the function was deleted), counted once per request id when its last delivery is discarded, by function and reason: retries_exhausted, event_age_exceeded or function_deleted. The harness's live 'lost' count on a separate emulator.",
            FunctionReason);
        _queueLost = f.CreateCounter(Prefix + "queue_messages_lost_total",
            "SQS messages removed unprocessed while no consumer held them and without a dead-letter queue, by queue and reason: purged (PurgeQueue) or retention_expired. The harness's live 'lost' count on a separate emulator.",
            new CounterConfiguration { LabelNames = ["queue", "reason"] });
        _asyncEventAge = f.CreateHistogram(Prefix + "async_event_age_seconds",
            "Time from queueing to each attempt of an asynchronous event (AWS AsyncEventAge), by function.",
            new HistogramConfiguration { LabelNames = FunctionLabel, Buckets = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 10800, 21600] });
        _destinations = f.CreateCounter(Prefix + "destination_deliveries_total",
            "Invocation records and DLQ messages handed to a target, by function, reason (on_success, on_failure, dead_letter) and outcome (delivered, failed).",
            new CounterConfiguration { LabelNames = ["function", "reason", "outcome"] });

        _concurrent = f.CreateGauge(Prefix + "concurrent_executions", "Executions running now (initialising or handling), by function.", FunctionLabel);
        _reserved = f.CreateGauge(Prefix + "reserved_concurrency", "Reserved concurrency of functions that have it, by function.", FunctionLabel);
        _warm = f.CreateGauge(Prefix + "environments_warm", "Warm idle on-demand execution environments, by function.", FunctionLabel);
        _busy = f.CreateGauge(Prefix + "environments_busy", "Busy on-demand execution environments (initialising included), by function.", FunctionLabel);
        _provisioned = f.CreateGauge(Prefix + "environments_provisioned", "Allocated provisioned-concurrency environments (busy or idle), by function.", FunctionLabel);
        _provisionedBusy = f.CreateGauge(Prefix + "environments_provisioned_busy", "Busy provisioned-concurrency environments, by function.", FunctionLabel);
        _queueDepth = f.CreateGauge(Prefix + "async_queue_depth", "Asynchronous events waiting for an attempt, by function.", FunctionLabel);
        _oldestEvent = f.CreateGauge(Prefix + "async_oldest_event_age_seconds", "Age of the oldest pending asynchronous event (0 when none), by function.", FunctionLabel);
        _accountConcurrent = f.CreateGauge(Prefix + "account_concurrent_executions", "Executions running now, all functions (AWS ConcurrentExecutions).");
        _accountLimit = f.CreateGauge(Prefix + "account_concurrency_limit", "Account concurrency limit (GetAccountSettings ConcurrentExecutions).");
        _unreservedPool = f.CreateGauge(Prefix + "unreserved_concurrency",
            "The account limit minus all reserved concurrency (GetAccountSettings UnreservedConcurrentExecutions).");
        _unreservedInUse = f.CreateGauge(Prefix + "unreserved_concurrent_executions",
            "Unreserved concurrency in use: on-demand executions and provisioned environments of functions without reserved concurrency (AWS UnreservedConcurrentExecutions).");
        _accountQueueDepth = f.CreateGauge(Prefix + "account_async_pending_events", "Asynchronous events not yet finished, all functions.");
        _functionCount = f.CreateGauge(Prefix + "functions", "Functions in the account (GetAccountSettings FunctionCount).");

        // SQS queues (issue 5): depth by state, and lifetime totals read from the model before each scrape.
        _queueMessages = f.CreateGauge(Prefix + "queue_messages",
            "Messages in an SQS queue by state: visible (ApproximateNumberOfMessages), not_visible (in flight) or delayed.",
            new GaugeConfiguration { LabelNames = ["queue", "state"] });
        string[] queueLabel = ["queue"];
        _queueTotals =
        [
            f.CreateCounter(Prefix + "queue_messages_sent_total", "Messages accepted into an SQS queue (SendMessage, batches, destinations, receipts).", queueLabel),
            f.CreateCounter(Prefix + "queue_messages_received_total", "Messages returned by receives from an SQS queue (every receive of a message counts).", queueLabel),
            f.CreateCounter(Prefix + "queue_messages_deleted_total", "Messages deleted from an SQS queue with a receipt handle.", queueLabel),
            f.CreateCounter(Prefix + "queue_messages_dead_lettered_total", "Messages moved from an SQS queue to its dead-letter queue after maxReceiveCount receives.", queueLabel),
            f.CreateCounter(Prefix + "queue_messages_expired_total", "Messages removed from an SQS queue because they outlived its retention period.", queueLabel),
            f.CreateCounter(Prefix + "queue_messages_purged_total", "Messages removed from an SQS queue by PurgeQueue.", queueLabel),
        ];

        Registry.AddBeforeCollectCallback(UpdateGauges);
        Registry.AddBeforeCollectCallback(UpdateQueues);
        model.AddObserver(this);
        model.AddObserver(new LostWorkTracker(CountLost));
        _eventSourceMappings = new EventSourceMappingMetrics(f);
        model.AddObserver(_eventSourceMappings);
    }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Stops observing the model.</summary>
    public void Detach()
    {
        _model.RemoveObserver(this);
        _model.RemoveObserver(_eventSourceMappings);
    }

    void ILambdaModelObserver.OnInvocationCompleted(ExecutionResult result)
    {
        var outcome = result.TimedOut ? "timeout" : result.IsSuccess ? "success" : "error";
        _invocations.WithLabels(result.FunctionName, outcome).Inc();
        _duration.WithLabels(result.FunctionName).Observe(result.Duration.TotalSeconds);
        var account = _model.Account;
        var gbSeconds = result.BilledDurationMs / 1000.0 * (result.MemorySizeMb / 1024.0);
        var price = result.Architecture == FunctionArchitecture.Arm64 ? account.PricePerGbSecondArm64 : account.PricePerGbSecondX86;
        _cost.WithLabels(result.FunctionName).Inc((account.PricePerMillionRequests / 1_000_000.0) + (gbSeconds * price));
    }

    void ILambdaModelObserver.OnThrottled(in InvocationThrottled e) => _throttles.WithLabels(e.FunctionName, e.Reason.ToString()).Inc();

    void ILambdaModelObserver.OnRejected(in InvocationRejected e) => _rejected.WithLabels(e.Error.ExceptionName).Inc();

    void ILambdaModelObserver.OnColdStart(in ColdStartObserved e)
    {
        _coldStarts.WithLabels(e.FunctionName).Inc();
        _initDuration.WithLabels(e.FunctionName).Observe(e.InitDuration.TotalSeconds);
    }

    void ILambdaModelObserver.OnInvocationAdmitted(in InvocationAdmitted e)
    {
        if (e.InvocationType != InvocationType.Event)
        {
            return;
        }

        lock (_gate)
        {
            if (_asyncQueuedAt.TryGetValue(e.RequestId, out var queued))
            {
                _asyncEventAge.WithLabels(e.FunctionName).Observe(Math.Max(0, (e.Time - queued.Queued).TotalSeconds));
            }
        }
    }

    void ILambdaModelObserver.OnAsyncEventQueued(in AsyncEventQueued e)
    {
        _asyncReceived.WithLabels(e.FunctionName).Inc();
        lock (_gate)
        {
            // Duplicates share the request id (and their own queue time is the same moment).
            _asyncQueuedAt[e.RequestId] = _asyncQueuedAt.TryGetValue(e.RequestId, out var q) ? (q.Queued, q.Pending + 1) : (e.Time, 1);
        }
    }

    void ILambdaModelObserver.OnAsyncEventRetryScheduled(in AsyncEventRetryScheduled e) =>
        _asyncRetries.WithLabels(e.FunctionName, e.Cause == AsyncRetryCause.Throttled ? "throttled" : "function_error").Inc();

    void ILambdaModelObserver.OnAsyncEventFinished(in AsyncEventFinished e)
    {
        var outcome = Snake(e.Condition);
        _asyncFinished.WithLabels(e.FunctionName, outcome).Inc();
        if (e.Condition != AsyncCondition.Success)
        {
            _asyncDropped.WithLabels(e.FunctionName, outcome).Inc();
        }

        lock (_gate)
        {
            if (_asyncQueuedAt.TryGetValue(e.RequestId, out var q))
            {
                if (q.Pending <= 1)
                {
                    _asyncQueuedAt.Remove(e.RequestId);
                }
                else
                {
                    _asyncQueuedAt[e.RequestId] = (q.Queued, q.Pending - 1);
                }
            }
        }
    }

    /// <summary>Counts work the model discarded for good (see <see cref="LostWorkTracker"/>).</summary>
    private void CountLost(LostWork w)
    {
        if (w.Function is { } function)
        {
            _asyncLost.WithLabels(function, w.Reason).Inc();
        }
        else if (w.Queue is { } queue)
        {
            _queueLost.WithLabels(queue, w.Reason).Inc();
        }
    }

    void ILambdaModelObserver.OnDestinationDelivered(DestinationDelivery delivery, bool delivered)
    {
        var kind = delivery.Kind switch
        {
            DestinationKind.OnSuccess => "on_success",
            DestinationKind.OnFailure => "on_failure",
            _ => "dead_letter",
        };
        _destinations.WithLabels(delivery.FunctionName, kind, delivered ? "delivered" : "failed").Inc();
    }

    private static string Snake(AsyncCondition condition) => condition switch
    {
        AsyncCondition.Success => "success",
        AsyncCondition.RetriesExhausted => "retries_exhausted",
        AsyncCondition.EventAgeExceeded => "event_age_exceeded",
        _ => "function_deleted",
    };

    private void UpdateGauges()
    {
        var snapshot = _model.GetSnapshot();
        _accountConcurrent.Set(snapshot.AccountConcurrency);
        _accountLimit.Set(snapshot.AccountLimit);
        _unreservedPool.Set(snapshot.UnreservedPool);
        _unreservedInUse.Set(snapshot.UnreservedInUse);
        _accountQueueDepth.Set(snapshot.PendingAsyncEvents);
        _functionCount.Set(snapshot.Functions.Count);
        lock (_gate)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var fs in snapshot.Functions)
            {
                present.Add(fs.Name);
                _gaugeFunctions.Add(fs.Name);
                _concurrent.WithLabels(fs.Name).Set(fs.Concurrency);
                if (fs.ReservedConcurrency is { } reserved)
                {
                    _reserved.WithLabels(fs.Name).Set(reserved);
                }
                else
                {
                    _reserved.RemoveLabelled(fs.Name);
                }

                _warm.WithLabels(fs.Name).Set(fs.WarmIdle);
                _busy.WithLabels(fs.Name).Set(fs.OnDemandBusy);
                _provisioned.WithLabels(fs.Name).Set(fs.ProvisionedAllocated);
                _provisionedBusy.WithLabels(fs.Name).Set(fs.ProvisionedBusy);
                _queueDepth.WithLabels(fs.Name).Set(fs.AsyncQueueDepth);
                _oldestEvent.WithLabels(fs.Name).Set(fs.OldestAsyncEventAge?.TotalSeconds ?? 0);
            }

            // Deleted functions leave the gauges (their counters stay, as counters do).
            foreach (var gone in _gaugeFunctions.Where(n => !present.Contains(n)).ToList())
            {
                foreach (var gauge in new[] { _concurrent, _reserved, _warm, _busy, _provisioned, _provisionedBusy, _queueDepth, _oldestEvent })
                {
                    gauge.RemoveLabelled(gone);
                }

                _gaugeFunctions.Remove(gone);
            }
        }
    }

    private void UpdateQueues()
    {
        var queues = _model.GetQueueSnapshots();
        lock (_gate)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var q in queues)
            {
                present.Add(q.Name);
                _gaugeQueues.Add(q.Name);
                _queueMessages.WithLabels(q.Name, "visible").Set(q.Counters.Visible);
                _queueMessages.WithLabels(q.Name, "not_visible").Set(q.Counters.NotVisible);
                _queueMessages.WithLabels(q.Name, "delayed").Set(q.Counters.Delayed);
                long[] totals = [q.Sent, q.Received, q.Deleted, q.MovedToDeadLetter, q.Expired, q.Purged];
                for (var i = 0; i < totals.Length; i++)
                {
                    _queueTotals[i].WithLabels(q.Name).IncTo(totals[i]);
                }
            }

            // Deleted queues leave every series (a queue re-created with the same name starts again from zero).
            foreach (var gone in _gaugeQueues.Where(n => !present.Contains(n)).ToList())
            {
                foreach (var state in (string[])["visible", "not_visible", "delayed"])
                {
                    _queueMessages.RemoveLabelled(gone, state);
                }

                foreach (var counter in _queueTotals)
                {
                    counter.RemoveLabelled(gone);
                }

                _gaugeQueues.Remove(gone);
            }
        }
    }
}
