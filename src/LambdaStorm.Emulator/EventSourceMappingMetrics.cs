using LambdaStorm.Lambda;
using Prometheus;

namespace LambdaStorm.Emulator;

/// <summary>
/// The emulator's event source mapping and receipt metrics, in <see cref="EmulatorMetrics"/>'s registry and naming
/// (<c>lambdastorm_emulator_esm_*</c>, labels <c>function</c> and <c>outcome</c>). An <see cref="ILambdaModelObserver"/>
/// called under the model lock: it only touches prometheus-net children and its own small map. Part of internal API.
/// </summary>
internal sealed class EventSourceMappingMetrics : ILambdaModelObserver
{
    private static readonly string[] FunctionLabel = ["function"];
    private static readonly string[] FunctionOutcome = ["function", "outcome"];

    private readonly Dictionary<string, (string Function, int Pollers)> _pollers = new(StringComparer.Ordinal);
    private readonly Counter _batches;
    private readonly Counter _records;
    private readonly Counter _recordsReturned;
    private readonly Counter _throttledBatches;
    private readonly Gauge _pollerConcurrency;
    private readonly Counter _receipts;

    public EventSourceMappingMetrics(MetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        const string prefix = EmulatorMetrics.Prefix;
        _batches = factory.CreateCounter(prefix + "esm_batches_total",
            "SQS batches an event source mapping's function finished, by function and outcome: success, partial_failure, function_error or invalid_response.", FunctionOutcome);
        _records = factory.CreateCounter(prefix + "esm_records_total", "Records in those batches, by function.", FunctionLabel);
        _recordsReturned = factory.CreateCounter(prefix + "esm_records_returned_total",
            "Records left in the queue to become visible again (whole-batch failures and reported item failures), by function.", FunctionLabel);
        _throttledBatches = factory.CreateCounter(prefix + "esm_throttled_batches_total",
            "Batch invocations the function throttled (held at the source and retried), by function.", FunctionLabel);
        _pollerConcurrency = factory.CreateGauge(prefix + "esm_poller_concurrency",
            "Concurrent batches the mappings of a function may run now (standard-mode poller scaling), by function.", FunctionLabel);
        _receipts = factory.CreateCounter(prefix + "receipts_total",
            "Receipts the functions wrote, by function and outcome: delivered, or failed (no such receipts queue).", FunctionOutcome);
    }

    void ILambdaModelObserver.OnEventSourceBatchCompleted(in EventSourceBatchCompleted e)
    {
        _batches.WithLabels(e.FunctionName, e.Outcome switch
        {
            BatchOutcome.PartialFailure => "partial_failure",
            BatchOutcome.FunctionError => "function_error",
            BatchOutcome.InvalidResponse => "invalid_response",
            _ => "success",
        }).Inc();
        _records.WithLabels(e.FunctionName).Inc(e.Records);
        _recordsReturned.WithLabels(e.FunctionName).Inc(e.Returned);
    }

    void ILambdaModelObserver.OnEventSourceBatchThrottled(in EventSourceBatchThrottled e) => _throttledBatches.WithLabels(e.FunctionName).Inc();

    void ILambdaModelObserver.OnPollerConcurrencyChanged(in PollerConcurrencyChanged e)
    {
        _pollers[e.Uuid] = (e.FunctionName, e.Concurrency);
        var total = 0;
        foreach (var (function, pollers) in _pollers.Values)
        {
            if (function == e.FunctionName)
            {
                total += pollers;
            }
        }

        _pollerConcurrency.WithLabels(e.FunctionName).Set(total);
    }

    void ILambdaModelObserver.OnReceiptWritten(in ReceiptWritten e) => _receipts.WithLabels(e.FunctionName, e.Delivered ? "delivered" : "failed").Inc();
}
