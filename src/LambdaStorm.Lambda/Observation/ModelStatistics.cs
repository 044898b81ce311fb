using System.Runtime.InteropServices;

namespace LambdaStorm.Lambda;

/// <summary>
/// An observer that turns model events into measurements: per-second series (concurrency by function and account,
/// throttles by reason, cold starts, invocations), cold-start init-duration percentiles, throttles by reason, async
/// outcomes by attempt, peak concurrency against each limit, and the estimated cost (GB-s including billed init
/// since Aug 2025 [S23], and requests, at x86 and arm64 prices [S24]). Thread-safe; reports are snapshots.
/// </summary>
internal sealed class ModelStatistics : ILambdaModelObserver
{
    private static readonly int ReasonCount = Enum.GetValues<ThrottleReason>().Length;
    private readonly Lock _gate = new();
    private readonly LambdaModel _model;
    private readonly long _originTicks;
    private readonly Series _account;
    private readonly Dictionary<string, FunctionCounters> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MappingCounters> _mappings = new(StringComparer.Ordinal);
    private readonly List<double> _initMs = [];
    private readonly long[] _syncThrottles = new long[ReasonCount];
    private readonly long[] _asyncThrottles = new long[ReasonCount];
    private readonly SortedDictionary<int, long> _successByAttempt = [];
    private long _admitted, _completed, _errors, _timeouts, _coldStarts, _rejected, _environmentsCreated, _environmentsReaped;
    private long _asyncQueued, _asyncDuplicates, _retriesAfterError, _retriesAfterThrottle, _retriesExhausted, _eventAgeExceeded, _deletedEvents;
    private long _deliveries, _deliveryFailures, _requests;
    private double _gbSecondsX86, _gbSecondsArm64;
    private long _lastTicks;

    /// <summary>Creates the collector and attaches it to <paramref name="model"/>; series start at the model's current time.</summary>
    public ModelStatistics(LambdaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _originTicks = model.Now.UtcTicks;
        _lastTicks = _originTicks;
        _account = new Series();
        model.AddObserver(this);
    }

    /// <summary>Start of the series.</summary>
    public DateTimeOffset Origin => new(_originTicks, TimeSpan.Zero);

    /// <summary>The account-wide per-second series, up to the model's current time.</summary>
    public ConcurrencySeries GetAccountSeries()
    {
        var now = _model.Now.UtcTicks;
        lock (_gate)
        {
            return _account.ToSeries(Origin, IndexOf(Math.Max(now, _lastTicks)));
        }
    }

    /// <summary>One function's per-second series, up to the model's current time (all zeros if it never did anything).</summary>
    public ConcurrencySeries GetFunctionSeries(string functionName)
    {
        var now = _model.Now.UtcTicks;
        lock (_gate)
        {
            return (_functions.TryGetValue(functionName, out var f) ? f.Series : new Series()).ToSeries(Origin, IndexOf(Math.Max(now, _lastTicks)));
        }
    }

    /// <summary>A snapshot of everything measured so far, with the model's current limits for comparison.</summary>
    public ModelStatisticsReport GetReport()
    {
        // Read the model first (its lock), then our own, so the two locks are never held in the opposite order.
        var snapshot = _model.GetSnapshot();
        var account = _model.Account;
        lock (_gate)
        {
            var end = Math.Max(_lastTicks, snapshot.Time.UtcTicks);
            var requestCost = _requests / 1_000_000.0 * account.PricePerMillionRequests;
            var gbSeconds = _gbSecondsX86 + _gbSecondsArm64;
            return new ModelStatisticsReport
            {
                Origin = Origin,
                End = new DateTimeOffset(end, TimeSpan.Zero),
                Invocations = _admitted,
                Completed = _completed,
                FunctionErrors = _errors,
                Timeouts = _timeouts,
                ColdStarts = _coldStarts,
                Rejected = _rejected,
                EnvironmentsCreated = _environmentsCreated,
                EnvironmentsReapedIdle = _environmentsReaped,
                SyncThrottles = _syncThrottles.Sum(),
                AsyncThrottles = _asyncThrottles.Sum(),
                ThrottlesByReason = Enum.GetValues<ThrottleReason>()
                    .Where(r => _syncThrottles[(int)r] + _asyncThrottles[(int)r] > 0)
                    .ToDictionary(r => r, r => _syncThrottles[(int)r] + _asyncThrottles[(int)r]),
                InitDuration = PercentileSummary.From(_initMs),
                Async = new AsyncOutcomeSummary
                {
                    Queued = _asyncQueued,
                    Duplicates = _asyncDuplicates,
                    FirstTrySuccess = _successByAttempt.GetValueOrDefault(1),
                    SuccessAfterRetry = _successByAttempt.Where(kv => kv.Key > 1).ToDictionary(kv => kv.Key - 1, kv => kv.Value),
                    RetriesExhausted = _retriesExhausted,
                    EventAgeExceeded = _eventAgeExceeded,
                    DiscardedByDelete = _deletedEvents,
                    RetriesAfterFunctionError = _retriesAfterError,
                    RetriesAfterThrottle = _retriesAfterThrottle,
                    DestinationDeliveries = _deliveries,
                    DestinationFailures = _deliveryFailures,
                    Pending = snapshot.PendingAsyncEvents,
                },
                EventSourceMappings = [.. _mappings.Values.Select(m => m.ToStatistics())],
                PeakAccountConcurrency = _account.Peak,
                PeakAccountConcurrencyTime = _account.Peak == 0 ? null : new DateTimeOffset(_account.PeakTicks, TimeSpan.Zero),
                AccountLimit = snapshot.AccountLimit,
                UnreservedPool = snapshot.UnreservedPool,
                Functions = [.. _functions.Values.Select(f =>
                {
                    var live = snapshot.Functions.FirstOrDefault(s => s.Name == f.Name);
                    return new FunctionStatistics
                    {
                        Name = f.Name,
                        Invocations = f.Admitted,
                        ColdStarts = f.ColdStarts,
                        FunctionErrors = f.Errors,
                        Throttles = f.Throttles,
                        PeakConcurrency = f.Series.Peak,
                        PeakConcurrencyTime = f.Series.Peak == 0 ? null : new DateTimeOffset(f.Series.PeakTicks, TimeSpan.Zero),
                        ReservedConcurrency = live?.ReservedConcurrency,
                        ProvisionedAllocated = live?.ProvisionedAllocated ?? 0,
                    };
                })],
                Cost = new CostEstimate
                {
                    Requests = _requests,
                    BilledGbSeconds = gbSeconds,
                    RequestCostUsd = requestCost,
                    ComputeCostX86Usd = gbSeconds * account.PricePerGbSecondX86,
                    ComputeCostArm64Usd = gbSeconds * account.PricePerGbSecondArm64,
                    AsConfiguredUsd = requestCost + (_gbSecondsX86 * account.PricePerGbSecondX86) + (_gbSecondsArm64 * account.PricePerGbSecondArm64),
                },
                AccountSeries = _account.ToSeries(Origin, IndexOf(end)),
            };
        }
    }

    void ILambdaModelObserver.OnInvocationAdmitted(in InvocationAdmitted e)
    {
        lock (_gate)
        {
            var i = Touch(e.Time);
            var f = Function(e.FunctionName);
            _admitted++;
            f.Admitted++;
            _account.Bin(i).Invocations++;
            f.Series.Bin(i).Invocations++;
        }
    }

    void ILambdaModelObserver.OnThrottled(in InvocationThrottled e)
    {
        lock (_gate)
        {
            var i = Touch(e.Time);
            var f = Function(e.FunctionName);
            (e.InvocationType == InvocationType.Event ? _asyncThrottles : _syncThrottles)[(int)e.Reason]++;
            f.Throttles++;
            _account.Bin(i).AddThrottle(e.Reason);
            f.Series.Bin(i).AddThrottle(e.Reason);
        }
    }

    void ILambdaModelObserver.OnRejected(in InvocationRejected e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            _rejected++;
        }
    }

    void ILambdaModelObserver.OnColdStart(in ColdStartObserved e)
    {
        lock (_gate)
        {
            var i = Touch(e.Time);
            var f = Function(e.FunctionName);
            _coldStarts++;
            f.ColdStarts++;
            _initMs.Add(e.InitDuration.TotalMilliseconds);
            _account.Bin(i).ColdStarts++;
            f.Series.Bin(i).ColdStarts++;
        }
    }

    void ILambdaModelObserver.OnInvocationCompleted(ExecutionResult result)
    {
        lock (_gate)
        {
            var i = Touch(result.EndTime);
            var f = Function(result.FunctionName);
            _completed++;
            _requests++; // every invocation that ran is a billed request [S24]
            var gbSeconds = result.BilledDurationMs / 1000.0 * (result.MemorySizeMb / 1024.0);
            if (result.Architecture == FunctionArchitecture.Arm64)
            {
                _gbSecondsArm64 += gbSeconds;
            }
            else
            {
                _gbSecondsX86 += gbSeconds;
            }

            if (!result.IsSuccess)
            {
                _errors++;
                f.Errors++;
                _account.Bin(i).Errors++;
                f.Series.Bin(i).Errors++;
                if (result.TimedOut)
                {
                    _timeouts++;
                }
            }
        }
    }

    void ILambdaModelObserver.OnAsyncEventQueued(in AsyncEventQueued e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            _asyncQueued++;
            if (e.IsDuplicate)
            {
                _asyncDuplicates++;
            }
        }
    }

    void ILambdaModelObserver.OnAsyncEventRetryScheduled(in AsyncEventRetryScheduled e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            if (e.Cause == AsyncRetryCause.FunctionError)
            {
                _retriesAfterError++;
            }
            else
            {
                _retriesAfterThrottle++;
            }
        }
    }

    void ILambdaModelObserver.OnAsyncEventFinished(in AsyncEventFinished e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            switch (e.Condition)
            {
                case AsyncCondition.Success:
                    _successByAttempt[e.InvokeCount] = _successByAttempt.GetValueOrDefault(e.InvokeCount) + 1;
                    break;
                case AsyncCondition.RetriesExhausted:
                    _retriesExhausted++;
                    break;
                case AsyncCondition.EventAgeExceeded:
                    _eventAgeExceeded++;
                    break;
                default:
                    _deletedEvents++;
                    break;
            }
        }
    }

    void ILambdaModelObserver.OnDestinationDelivered(DestinationDelivery delivery, bool delivered)
    {
        lock (_gate)
        {
            if (delivered)
            {
                _deliveries++;
            }
            else
            {
                _deliveryFailures++;
            }
        }
    }

    void ILambdaModelObserver.OnEnvironmentCreated(in EnvironmentCreated e)
    {
        lock (_gate)
        {
            _environmentsCreated++;
        }
    }

    void ILambdaModelObserver.OnEnvironmentDestroyed(in EnvironmentDestroyed e)
    {
        lock (_gate)
        {
            if (e.Reason == EnvironmentEndReason.Idle)
            {
                _environmentsReaped++;
            }
        }
    }

    void ILambdaModelObserver.OnConcurrencyChanged(in ConcurrencyChanged e)
    {
        lock (_gate)
        {
            var i = Touch(e.Time);
            var ticks = e.Time.UtcTicks;
            _account.SetConcurrency(i, e.AccountConcurrency, ticks);
            Function(e.FunctionName).Series.SetConcurrency(i, e.FunctionConcurrency, ticks);
        }
    }

    private int IndexOf(long ticks) => (int)Math.Max(0, (ticks - _originTicks) / TimeSpan.TicksPerSecond);

    private int Touch(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        if (ticks > _lastTicks)
        {
            _lastTicks = ticks;
        }

        return IndexOf(ticks);
    }

    private FunctionCounters Function(string name)
    {
        if (!_functions.TryGetValue(name, out var f))
        {
            f = new FunctionCounters(name);
            _functions[name] = f;
        }

        return f;
    }

    private sealed class FunctionCounters(string name)
    {
        public string Name { get; } = name;

        public Series Series { get; } = new();

        public long Admitted { get; set; }

        public long ColdStarts { get; set; }

        public long Errors { get; set; }

        public long Throttles { get; set; }
    }

    private struct Bin
    {
        public int ConcurrencyMax;
        public int Invocations;
        public int ColdStarts;
        public int Throttles;
        public int RateThrottles;
        public int AccountThrottles;
        public int ReservedThrottles;
        public int Errors;

        public void AddThrottle(ThrottleReason reason)
        {
            Throttles++;
            switch (reason)
            {
                case ThrottleReason.FunctionInvocationRateLimitExceeded:
                    RateThrottles++;
                    break;
                case ThrottleReason.ConcurrentInvocationLimitExceeded:
                    AccountThrottles++;
                    break;
                case ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded:
                    ReservedThrottles++;
                    break;
            }
        }
    }

    private sealed class Series
    {
        private readonly List<Bin> _bins = [];
        private int _current;

        public int Peak { get; private set; }

        public long PeakTicks { get; private set; }

        public ref Bin Bin(int index)
        {
            while (_bins.Count <= index)
            {
                // A new second starts at the concurrency the last one ended with.
                _bins.Add(new Bin { ConcurrencyMax = _current });
            }

            return ref CollectionsMarshal.AsSpan(_bins)[index];
        }

        public void SetConcurrency(int index, int value, long ticks)
        {
            ref var bin = ref Bin(index);
            _current = value;
            if (value > bin.ConcurrencyMax)
            {
                bin.ConcurrencyMax = value;
            }

            if (value > Peak)
            {
                Peak = value;
                PeakTicks = ticks;
            }
        }

        public ConcurrencySeries ToSeries(DateTimeOffset origin, int lastIndex)
        {
            if (_bins.Count > 0 || lastIndex > 0)
            {
                Bin(lastIndex);
            }

            var bins = CollectionsMarshal.AsSpan(_bins);
            return new ConcurrencySeries
            {
                Origin = origin,
                Interval = TimeSpan.FromSeconds(1),
                Concurrency = Project(bins, static b => b.ConcurrencyMax),
                Invocations = Project(bins, static b => b.Invocations),
                ColdStarts = Project(bins, static b => b.ColdStarts),
                Throttles = Project(bins, static b => b.Throttles),
                RateThrottles = Project(bins, static b => b.RateThrottles),
                AccountLimitThrottles = Project(bins, static b => b.AccountThrottles),
                ReservedLimitThrottles = Project(bins, static b => b.ReservedThrottles),
                Errors = Project(bins, static b => b.Errors),
            };
        }

        private static int[] Project(ReadOnlySpan<Bin> bins, Func<Bin, int> select)
        {
            var result = new int[bins.Length];
            for (var i = 0; i < bins.Length; i++)
            {
                result[i] = select(bins[i]);
            }

            return result;
        }
    }

    void ILambdaModelObserver.OnEventSourceBatchCompleted(in EventSourceBatchCompleted e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            var m = Mapping(e.Uuid, e.FunctionName);
            m.Queue = e.QueueName;
            m.Batches++;
            m.Records += e.Records;
            m.Deleted += e.Deleted;
            switch (e.Outcome)
            {
                case BatchOutcome.FunctionError:
                    m.BatchFailures++;
                    break;
                case BatchOutcome.InvalidResponse:
                    m.BatchFailures++;
                    m.InvalidResponses++;
                    break;
                case BatchOutcome.PartialFailure:
                    m.PartialFailureBatches++;
                    m.PartialFailureRecords += e.Returned;
                    break;
            }
        }
    }

    void ILambdaModelObserver.OnEventSourceBatchThrottled(in EventSourceBatchThrottled e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            Mapping(e.Uuid, e.FunctionName).ThrottledBatches++;
        }
    }

    void ILambdaModelObserver.OnPollerConcurrencyChanged(in PollerConcurrencyChanged e)
    {
        lock (_gate)
        {
            Touch(e.Time);
            var m = Mapping(e.Uuid, e.FunctionName);
            m.Pollers.Add((e.Time, e.Concurrency));
            m.PeakPollers = Math.Max(m.PeakPollers, e.Concurrency);
        }
    }

    private MappingCounters Mapping(string uuid, string function)
    {
        if (!_mappings.TryGetValue(uuid, out var m))
        {
            m = new MappingCounters(uuid, function);
            _mappings.Add(uuid, m);
        }

        return m;
    }

    private sealed class MappingCounters(string uuid, string function)
    {
        public string? Queue { get; set; }

        public long Batches { get; set; }

        public long Records { get; set; }

        public long Deleted { get; set; }

        public long BatchFailures { get; set; }

        public long InvalidResponses { get; set; }

        public long PartialFailureBatches { get; set; }

        public long PartialFailureRecords { get; set; }

        public long ThrottledBatches { get; set; }

        public int PeakPollers { get; set; }

        public List<(DateTimeOffset Time, int Concurrency)> Pollers { get; } = [];

        public EventSourceMappingStatistics ToStatistics() => new()
        {
            Uuid = uuid,
            FunctionName = function,
            QueueName = Queue,
            Batches = Batches,
            Records = Records,
            RecordsDeleted = Deleted,
            BatchFailures = BatchFailures,
            InvalidResponses = InvalidResponses,
            PartialFailureBatches = PartialFailureBatches,
            PartialFailureRecords = PartialFailureRecords,
            ThrottledBatches = ThrottledBatches,
            PeakPollerConcurrency = PeakPollers,
            PollerConcurrency = [.. Pollers],
        };
    }
}
