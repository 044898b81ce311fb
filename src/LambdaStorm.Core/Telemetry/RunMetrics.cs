using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Prometheus;

namespace LambdaStorm.Telemetry;

/// <summary>
/// Turns a run's interval snapshots into Prometheus series (names in <see cref="MetricNames"/>). Counters add each
/// interval's counts; the latency and lateness histograms are filled from the interval's HdrHistograms, value by
/// recorded value, so they carry the full distribution and sum exactly across agents. Pass a factory over a registry
/// of its own (never the global one). Calls come from the engine, scrapes from the HTTP server; prometheus-net
/// children are thread-safe, and the phase bookkeeping is locked. The delivery ledger's series (<c>lambdastorm_ledger_*</c>,
/// <c>lambdastorm_queue_*</c>) come from its live snapshots (<see cref="ILedgerObserver"/>): class gauges and cumulative
/// counters set to the ledger's totals, depth gauges from the newest GetQueueAttributes sample of each queue, and the
/// end-to-end histogram observing each id once, when it is first processed. Part of internal API.
/// </summary>
internal sealed class RunMetrics : IRunObserver, ILedgerObserver, Chaos.IChaosObserver
{
    private const double MicrosPerSecond = 1_000_000.0;
    private static readonly string[] ScenarioLabel = ["scenario"];
    private static readonly string[] ScenarioPath = ["scenario", "path"];

    private readonly Lock _gate = new();
    private readonly Counter _invocations;
    private readonly Histogram _duration;
    private readonly Counter _offered;
    private readonly Counter _started;
    private readonly Counter _dropped;
    private readonly Counter _late;
    private readonly Histogram _lateness;
    private readonly Counter _coldStartSamples;
    private readonly Counter _coldStarts;
    private readonly Gauge _targetRate;
    private readonly Gauge _achievedRate;
    private readonly Gauge _targetCopies;
    private readonly Gauge _inFlight;
    private readonly Gauge _elapsed;
    private readonly Counter _snapshots;
    private readonly Gauge _phase;
    private readonly Gauge _runInfo;
    private readonly Gauge _ledgerIds;
    private readonly Counter _ledgerSent;
    private readonly Counter _ledgerPoison;
    private readonly Counter _ledgerDuplicates;
    private readonly Counter _ledgerDeadLetters;
    private readonly Counter _ledgerProcessed;
    private readonly Counter _ledgerAttempts;
    private readonly Counter _ledgerRedeliveries;
    private readonly Counter _ledgerDelayedGood;
    private readonly Histogram _ledgerEndToEnd;
    private readonly Gauge _queueDepth;
    private readonly Gauge _queueDrain;
    private readonly Gauge _chaosActive;
    private readonly Counter _chaosEvents;
    private string _scenario = "";
    private string? _activePhase;

    public RunMetrics(IMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _invocations = factory.CreateCounter(MetricNames.Invocations,
            "Completed invocations by scenario, path (http, sync, async, queue), outcome (ok, function_error, throttled, timeout, client_error, server_error, transport_error) and reason (the throttle reason, empty otherwise).",
            ["scenario", "path", "outcome", "reason"]);
        _duration = factory.CreateHistogram(MetricNames.InvocationDuration,
            "Latency from the intended start to completion (coordinated omission corrected), by scenario, path and outcome.",
            new HistogramConfiguration { LabelNames = ["scenario", "path", "outcome"], Buckets = MetricNames.DurationBuckets });
        _offered = factory.CreateCounter(MetricNames.Offered, "Arrivals that were due (started plus dropped), by scenario and path.", ScenarioPath);
        _started = factory.CreateCounter(MetricNames.Started, "Invocations started, by scenario and path.", ScenarioPath);
        _dropped = factory.CreateCounter(MetricNames.Dropped, "Arrivals dropped because the in-flight cap was reached (not queued), by scenario and path.", ScenarioPath);
        _late = factory.CreateCounter(MetricNames.LateArrivals,
            "Arrivals started more than 1 ms after their intended time (the generator fell behind), by scenario and path.", ScenarioPath);
        _lateness = factory.CreateHistogram(MetricNames.ArrivalLateness, "Actual minus intended start time of arrivals (open model), by scenario and path.",
            new HistogramConfiguration { LabelNames = ScenarioPath, Buckets = MetricNames.LatenessBuckets });
        _coldStartSamples = factory.CreateCounter(MetricNames.ColdStartSamples,
            "Completed invocations whose cold-start status is known (log tail requested, or the model), by scenario and path.", ScenarioPath);
        _coldStarts = factory.CreateCounter(MetricNames.ColdStarts, "Sampled invocations that ran an init phase (cold starts), by scenario and path.", ScenarioPath);
        _targetRate = factory.CreateGauge(MetricNames.TargetRate, "Target arrival rate per second at the end of the last interval, by scenario.", ScenarioLabel);
        _achievedRate = factory.CreateGauge(MetricNames.AchievedRate, "Invocations started per second over the last interval, by scenario.", ScenarioLabel);
        _targetCopies = factory.CreateGauge(MetricNames.TargetCopies, "Target copies in flight (closed model; 0 in open-model phases), by scenario.", ScenarioLabel);
        _inFlight = factory.CreateGauge(MetricNames.InFlight, "Invocations in flight at the end of the last interval (client-observed concurrency), by scenario.", ScenarioLabel);
        _elapsed = factory.CreateGauge(MetricNames.Elapsed, "Seconds since the run started, at the end of the last interval, by scenario.", ScenarioLabel);
        _snapshots = factory.CreateCounter(MetricNames.Snapshots, "Interval snapshots measured (one per second), by scenario.", ScenarioLabel);
        _phase = factory.CreateGauge(MetricNames.PhaseInfo,
            "1 for the schedule phase that is active now, 0 for phases that are over, by scenario and phase; use it for Grafana annotations.", ["scenario", "phase"]);
        _runInfo = factory.CreateGauge(MetricNames.RunInfo, "1 while the run is going; its labels name the scenario, run id, target and function.",
            ["scenario", "run_id", "target", "function"]);
        _ledgerIds = factory.CreateGauge(MetricNames.LedgerIds,
            "Sent ids of the async and queue paths by delivery class now (first_attempt, after_retry, dlq, expired, in_flight, lost, unknown, rejected), by scenario, path and class; in_flight holds ids without an outcome until the final reconciliation decides in_flight or lost.",
            ["scenario", "path", "class"]);
        _ledgerSent = factory.CreateCounter(MetricNames.LedgerSent, "Ids the delivery ledger recorded as sent (async Invoke, SQS SendMessage), by scenario and path.", ScenarioPath);
        _ledgerPoison = factory.CreateCounter(MetricNames.LedgerPoisonPills, "Sent ids that carried a poison pill, by scenario (compare with DLQ arrivals).", ScenarioLabel);
        _ledgerDuplicates = factory.CreateCounter(MetricNames.LedgerDuplicates, "Extra successful processings of ids that were already processed (duplicates), by scenario.", ScenarioLabel);
        _ledgerDeadLetters = factory.CreateCounter(MetricNames.LedgerDeadLetterArrivals,
            "Messages for sent ids that arrived in a dead-letter queue or an on-failure destination, by scenario.", ScenarioLabel);
        _ledgerProcessed = factory.CreateCounter(MetricNames.LedgerProcessed,
            "Processed ids by the attempt that first succeeded (1 = first attempt, 2 = after one retry, ...), by scenario and attempt.", ["scenario", "attempt"]);
        _ledgerAttempts = factory.CreateCounter(MetricNames.LedgerAttempts,
            "Processing attempts the function reported in receipts, by scenario and outcome (ok, failed: error or timeout).", ["scenario", "outcome"]);
        _ledgerRedeliveries = factory.CreateCounter(MetricNames.LedgerRedeliveries,
            "Processing attempts after the first (SQS re-deliveries, async retries), by scenario.", ScenarioLabel);
        _ledgerDelayedGood = factory.CreateCounter(MetricNames.LedgerDelayedGood,
            "Good (not poisoned) ids that were processed only after a failed attempt, i.e. delayed by re-delivery, by scenario.", ScenarioLabel);
        _ledgerEndToEnd = factory.CreateHistogram(MetricNames.LedgerEndToEnd,
            "End-to-end latency from the intended send to the end of the first successful attempt, observed once per id when it is processed, by scenario and path.",
            new HistogramConfiguration { LabelNames = ScenarioPath, Buckets = MetricNames.EndToEndBuckets });
        _queueDepth = factory.CreateGauge(MetricNames.QueueDepth,
            "Messages in a queue at its last GetQueueAttributes sample, by scenario, queue, role (source, dlq, receipts) and state (visible, not_visible, delayed).",
            ["scenario", "queue", "role", "state"]);
        _queueDrain = factory.CreateGauge(MetricNames.QueueDrain,
            "Seconds from the end of the load until every source queue first held nothing (absent until it has), by scenario.", ScenarioLabel);
        _chaosActive = factory.CreateGauge(MetricNames.ChaosActive,
            "1 while a chaos action is applied and 0 once it is reverted, by scenario, reason (the action kind, e.g. reserved-concurrency) and the function or queue it acts on.",
            ["scenario", "reason", "function", "queue"]);
        _chaosEvents = factory.CreateCounter(MetricNames.ChaosEvents,
            "Chaos timeline events by scenario, reason (the action kind, or run), function or queue, and event: requested, applied, effective, reverted, failed, steady-state, abort, rolled-back.",
            ["scenario", "reason", "function", "queue", "event"]);
    }

    /// <inheritdoc />
    public void OnChaos(Chaos.ChaosEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string scenario;
        lock (_gate)
        {
            scenario = _scenario;
        }

        var function = e.OnQueue ? string.Empty : e.Target ?? string.Empty;
        var queue = e.OnQueue ? e.Target ?? string.Empty : string.Empty;
        _chaosEvents.WithLabels(scenario, e.ActionKind ?? "run", function, queue, e.Kind).Inc();
        if (e.ActionKind is { } kind && e.Kind is "applied" or "reverted")
        {
            _chaosActive.WithLabels(scenario, kind, function, queue).Set(e.Kind == "applied" ? 1 : 0);
        }
    }

    /// <inheritdoc />
    public void OnLedger(LedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        string scenario;
        lock (_gate)
        {
            scenario = _scenario;
        }

        var report = snapshot.Report;
        foreach (var (path, classes) in report.ClassesByPath)
        {
            long sent = 0;
            foreach (var c in DeliveryClasses.All)
            {
                var n = classes.GetValueOrDefault(c.Name());
                sent += n;
                _ledgerIds.WithLabels(scenario, path, c.Name()).Set(n);
            }

            _ledgerSent.WithLabels(scenario, path).IncTo(sent);
        }

        _ledgerPoison.WithLabels(scenario).IncTo(report.Poisoned);
        _ledgerDuplicates.WithLabels(scenario).IncTo(report.Duplicates);
        _ledgerDeadLetters.WithLabels(scenario).IncTo(report.DeadLetterArrivals);
        foreach (var (attempt, n) in report.ProcessedByAttempt)
        {
            _ledgerProcessed.WithLabels(scenario, attempt).IncTo(n);
        }

        _ledgerAttempts.WithLabels(scenario, "ok").IncTo(report.Attempts - report.FailedAttempts);
        _ledgerAttempts.WithLabels(scenario, "failed").IncTo(report.FailedAttempts);
        _ledgerRedeliveries.WithLabels(scenario).IncTo(report.Redeliveries);
        _ledgerDelayedGood.WithLabels(scenario).IncTo(report.DelayedGood);
        foreach (var (path, seconds) in snapshot.Processed)
        {
            _ledgerEndToEnd.WithLabels(scenario, path.Name()).Observe(seconds);
        }

        foreach (var sample in snapshot.Depth)
        {
            var role = QueueDepthSample.RoleName(sample.Role);
            _queueDepth.WithLabels(scenario, sample.Queue, role, "visible").Set(sample.Visible);
            _queueDepth.WithLabels(scenario, sample.Queue, role, "not_visible").Set(sample.NotVisible);
            _queueDepth.WithLabels(scenario, sample.Queue, role, "delayed").Set(sample.Delayed);
        }

        if (report.DrainSeconds is { } drain)
        {
            _queueDrain.WithLabels(scenario).Set(drain);
        }
    }

    public void OnStarted(RunStarted run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            _scenario = run.Scenario.Name;
        }

        _runInfo.WithLabels(run.Scenario.Name, run.RunId, run.Target, run.Scenario.Function ?? "").Set(1);
    }

    public void OnInterval(IntervalSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        string scenario;
        lock (_gate)
        {
            scenario = _scenario;
            if (!string.Equals(_activePhase, snapshot.Phase, StringComparison.Ordinal))
            {
                if (_activePhase is not null)
                {
                    _phase.WithLabels(scenario, _activePhase).Set(0);
                }

                _phase.WithLabels(scenario, snapshot.Phase).Set(1);
                _activePhase = snapshot.Phase;
            }
        }

        foreach (var series in snapshot.Series)
        {
            var path = series.Key.Path.Name();
            var outcome = series.Key.Outcome.Name();
            _invocations.WithLabels(scenario, path, outcome, series.Key.Reason ?? "").Inc(series.Count);
            var duration = _duration.WithLabels(scenario, path, outcome);
            foreach (var (seconds, count) in Recorded(series.Histogram))
            {
                duration.Observe(seconds, count);
            }
        }

        foreach (var p in snapshot.Paths)
        {
            var path = p.Path.Name();
            _offered.WithLabels(scenario, path).Inc(p.Offered);
            _started.WithLabels(scenario, path).Inc(p.Started);
            _dropped.WithLabels(scenario, path).Inc(p.Dropped);
            _coldStartSamples.WithLabels(scenario, path).Inc(p.Sampled);
            _coldStarts.WithLabels(scenario, path).Inc(p.ColdStarts);
            var lateness = _lateness.WithLabels(scenario, path);
            long late = 0;
            foreach (var (seconds, count) in Recorded(p.Lateness))
            {
                lateness.Observe(seconds, count);
                if (seconds > MetricNames.LateThresholdSeconds)
                {
                    late += count;
                }
            }

            _late.WithLabels(scenario, path).Inc(late);
        }

        var length = snapshot.End - snapshot.Start;
        _targetRate.WithLabels(scenario).Set(snapshot.TargetRate);
        _achievedRate.WithLabels(scenario).Set(length > 0 ? snapshot.Started / length : 0);
        _targetCopies.WithLabels(scenario).Set(snapshot.TargetCopies);
        _inFlight.WithLabels(scenario).Set(snapshot.InFlight);
        _elapsed.WithLabels(scenario).Set(snapshot.End);
        _snapshots.WithLabels(scenario).Inc();
    }

    /// <summary>Each recorded value (microseconds) as seconds, with its count; the bucket's median stands for it.</summary>
    private static IEnumerable<(double Seconds, long Count)> Recorded(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            yield break;
        }

        foreach (var v in histogram.RecordedValues())
        {
            if (v.CountAtValueIteratedTo > 0)
            {
                yield return (histogram.MedianEquivalentValue(v.ValueIteratedTo) / MicrosPerSecond, v.CountAtValueIteratedTo);
            }
        }
    }
}
