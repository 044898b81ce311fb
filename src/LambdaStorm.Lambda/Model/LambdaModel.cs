namespace LambdaStorm.Lambda;

/// <summary>
/// The pure, clock-driven model of AWS Lambda: the account concurrency pool, both scaling models, reserved and
/// provisioned concurrency, execution environments (cold starts, reuse, reaping, recycling), timeouts, the
/// asynchronous event queue with retries, event age and destinations, and SQS standard queues (LambdaModel.Queues.cs).
/// </summary>
/// <remarks>
/// <para><b>Time.</b> The model is a discrete-event simulation. It reads time only from the injected
/// <see cref="System.TimeProvider"/> (via <see cref="System.TimeProvider.GetTimestamp"/>, anchored to
/// <see cref="System.TimeProvider.GetUtcNow"/> once at construction), never sleeps and never starts timers. It keeps a
/// priority queue of its own future events (execution ends, async retries, reap checks, provisioned-concurrency ramp
/// steps). A driver calls <see cref="RunDue"/> when <see cref="NextEventTime"/> has passed — in virtual time
/// (<see cref="VirtualTimeSimulation"/>) or in real time (<see cref="ModelPump"/>). Every public call first processes
/// the events that are already due, so the model is consistent even if the driver is late; events are processed at
/// their own due time, not at the time the driver noticed them.</para>
/// <para><b>Threads.</b> One lock guards all state; every public member takes it, so the model may be called from many
/// threads (the emulator's HTTP requests) at once. Observers, per-invocation callbacks and the destination sink are
/// invoked under that lock and must not block or call back into the model. Tasks returned by
/// <see cref="InvokeResponse.Completion"/> run their continuations asynchronously, outside the lock.</para>
/// <para><b>Determinism.</b> All randomness comes from one <see cref="Random"/> seeded from
/// <see cref="LambdaModelSettings.Seed"/>, drawn in event order, so the same calls at the same model times give the
/// same results.</para>
/// </remarks>
internal sealed partial class LambdaModel
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _originTimestamp;
    private readonly long _originTicks;
    private readonly Random _random;
    private readonly EventQueue _events = new();
    private readonly Dictionary<string, FunctionState> _functions = new(StringComparer.Ordinal);
    private readonly AccountSettings _account;
    private readonly TokenBucket _requestRate;
    private readonly TokenBucket? _legacyBucket;
    private ILambdaModelObserver[] _observers = [];
    private Action[] _wakeCallbacks = [];
    private IDestinationSink? _sink;
    private long _nowTicks;
    private long _nextEnvironmentId;
    private long _nextAsyncSeq;
    private long _functionOrder;
    private int _sumReserved;
    private int _unreservedInUse;
    private int _accountRunning;
    private int _pendingAsync;

    /// <summary>Creates a model from validated settings; the functions in the settings exist from the start.</summary>
    /// <param name="settings">Validated settings (see <see cref="LambdaModelOptions.ToSettings"/>).</param>
    /// <param name="timeProvider">The only source of time: <see cref="VirtualTimeProvider"/>, a FakeTimeProvider, or <see cref="TimeProvider.System"/>.</param>
    /// <param name="destinationSink">Receives destination/DLQ deliveries to ARNs that are not functions in the model.</param>
    public LambdaModel(LambdaModelSettings settings, TimeProvider timeProvider, IDestinationSink? destinationSink = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _account = settings.Account;
        _originTicks = timeProvider.GetUtcNow().UtcTicks;
        _originTimestamp = timeProvider.GetTimestamp();
        _nowTicks = _originTicks;
        _random = new Random(settings.Seed);
        _sink = destinationSink;
        Seed = settings.Seed;

        // Account request-rate limit [S4] (§2.1): a bucket holding one second of requests, refilled continuously.
        _requestRate = new TokenBucket(_account.RequestRateLimit, (long)_account.RequestRateLimit * 60, _nowTicks);
        if (_account.ScalingModel == ScalingModel.LegacyBurst)
        {
            // Legacy model [S3] (§1.1): one account-wide bucket: burst by region, then +500 environments/min.
            _legacyBucket = new TokenBucket(_account.LegacyBurst, _account.LegacyScaleRatePerMinute, _nowTicks);
        }

        foreach (var function in settings.Functions)
        {
            AddFunctionLocked(function);
        }

        foreach (var queue in settings.Queues)
        {
            AddQueueLocked(queue);
        }

        for (var i = 0; i < settings.EventSourceMappings.Count; i++)
        {
            var created = CreateEventSourceMappingLocked(settings.EventSourceMappings[i].ToOptions(), checkVisibility: false);
            if (!created.IsSuccess)
            {
                throw new LambdaOptionsException([$"EventSourceMappings[{i}]: {created.Error.Message}"]);
            }
        }
    }

    /// <summary>Validates <paramref name="options"/> and creates a model.</summary>
    /// <exception cref="LambdaOptionsException">When the options are invalid, listing every problem.</exception>
    public static LambdaModel Create(LambdaModelOptions options, TimeProvider timeProvider, IDestinationSink? destinationSink = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LambdaModel(options.ToSettings(), timeProvider, destinationSink);
    }

    /// <summary>Account settings in force.</summary>
    public AccountSettings Account => _account;

    /// <summary>The seed of the model's random generator.</summary>
    public int Seed { get; }

    /// <summary>The clock the model reads.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Model time: the clock, or the last processed event if the clock has not caught up.</summary>
    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                return ToTime(Math.Max(_nowTicks, ClockTicks()));
            }
        }
    }

    /// <summary>Due time of the earliest future event, or null when nothing is scheduled.</summary>
    public DateTimeOffset? NextEventTime
    {
        get
        {
            lock (_gate)
            {
                return _events.NextTicks is { } t ? ToTime(t) : null;
            }
        }
    }

    /// <summary>Due time of the earliest future event in UTC ticks (allocation-free form for drivers).</summary>
    internal long? NextEventTicks
    {
        get
        {
            lock (_gate)
            {
                return _events.NextTicks;
            }
        }
    }

    /// <summary>
    /// True when no traffic is in flight: no execution running and no async event pending. Housekeeping may still be
    /// scheduled (reap checks of idle environments, provisioned-concurrency ramp steps).
    /// </summary>
    public bool IsQuiescent
    {
        get
        {
            lock (_gate)
            {
                return _accountRunning == 0 && _pendingAsync == 0;
            }
        }
    }

    /// <summary>Receives destination and DLQ deliveries to ARNs that are not functions in this model.</summary>
    public IDestinationSink? DestinationSink
    {
        get
        {
            lock (_gate)
            {
                return _sink;
            }
        }

        set
        {
            lock (_gate)
            {
                _sink = value;
            }
        }
    }

    /// <summary>Processes every event due at or before the clock's current time; returns how many were processed.</summary>
    public int RunDue()
    {
        lock (_gate)
        {
            return AdvanceLocked();
        }
    }

    /// <summary>Adds an observer (called under the model lock; see <see cref="ILambdaModelObserver"/>).</summary>
    public void AddObserver(ILambdaModelObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers = [.. _observers, observer];
        }
    }

    /// <summary>Removes an observer.</summary>
    public void RemoveObserver(ILambdaModelObserver observer)
    {
        lock (_gate)
        {
            _observers = [.. _observers.Where(o => !ReferenceEquals(o, observer))];
        }
    }

    /// <summary>
    /// Registers a callback invoked (under the lock) whenever a newly scheduled event becomes the earliest one, so that a
    /// real-time driver sleeping until <see cref="NextEventTime"/> can wake early. Dispose the result to unregister.
    /// </summary>
    internal IDisposable RegisterWakeUp(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            _wakeCallbacks = [.. _wakeCallbacks, callback];
        }

        return new WakeRegistration(this, callback);
    }

    /// <summary>The task of an execution, created on first use (see <see cref="InvokeResponse.Completion"/>).</summary>
    internal Task<ExecutionResult> GetCompletion(Execution execution)
    {
        lock (_gate)
        {
            if (execution.Result is { } result)
            {
                return Task.FromResult(result);
            }

            execution.Completion ??= new TaskCompletionSource<ExecutionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            return execution.Completion.Task;
        }
    }

    private long ClockTicks() => _originTicks + _time.GetElapsedTime(_originTimestamp).Ticks;

    private static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    private static long MsToTicks(double ms) => (long)Math.Round(ms * TimeSpan.TicksPerMillisecond);

    private static int RetryAfterSeconds(long ticks) => (int)Math.Clamp((ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond, 1, int.MaxValue);

    private int UnreservedPool => Math.Max(0, _account.ConcurrencyLimit - _sumReserved);

    /// <summary>Processes due events (each at its own due time), then moves model time up to the clock.</summary>
    private int AdvanceLocked()
    {
        var clock = ClockTicks();
        var processed = 0;
        while (_events.TryDequeueDue(clock, out var kind, out var target, out var ticks))
        {
            if (ticks > _nowTicks)
            {
                _nowTicks = ticks;
            }

            switch (kind)
            {
                case ModelEventKind.ExecutionEnd:
                    EndExecution((Execution)target);
                    break;
                case ModelEventKind.ReapCheck:
                    ReapCheck((VersionState)target);
                    break;
                case ModelEventKind.AsyncAttempt:
                    AttemptAsync((AsyncEvent)target);
                    break;
                case ModelEventKind.ProvisionedRamp:
                    ProvisionedRampStep((FunctionState)target);
                    break;
                case ModelEventKind.ConfigurationUpdated:
                    CompleteConfigurationUpdate((FunctionState)target);
                    break;
                case ModelEventKind.QueueMessageVisible:
                    OnQueueMessageVisible((QueueMessage)target, ticks);
                    break;
                case ModelEventKind.QueueRetention:
                    OnQueueRetention((QueueState)target, ticks);
                    break;
                case ModelEventKind.EventSourcePoll:
                    OnPollEvent((EventSourceMappingState)target, ticks);
                    break;
                case ModelEventKind.EventSourceRetry:
                    RetryHeldBatch((QueueBatch)target);
                    break;
            }

            processed++;
        }

        if (clock > _nowTicks)
        {
            _nowTicks = clock;
        }

        return processed;
    }

    private void Schedule(long ticks, ModelEventKind kind, object target)
    {
        if (_events.Schedule(ticks, kind, target) && _wakeCallbacks.Length > 0)
        {
            foreach (var callback in _wakeCallbacks)
            {
                callback();
            }
        }
    }

    private void NotifyConcurrency(FunctionState function)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var e = new ConcurrencyChanged(ToTime(_nowTicks), function.Name, function.Running, _accountRunning);
        foreach (var o in _observers)
        {
            o.OnConcurrencyChanged(in e);
        }
    }

    private sealed class WakeRegistration(LambdaModel model, Action callback) : IDisposable
    {
        public void Dispose()
        {
            lock (model._gate)
            {
                model._wakeCallbacks = [.. model._wakeCallbacks.Where(c => c != callback)];
            }
        }
    }
}
