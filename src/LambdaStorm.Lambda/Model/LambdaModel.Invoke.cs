using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>Data plane: synchronous invoke, admission (throttling) and executions.</summary>
internal sealed partial class LambdaModel
{
    /// <summary>Error type of an injected (error-rate) failure.</summary>
    public const string InjectedErrorType = "Error";

    /// <summary>Error type of a poison-pill failure.</summary>
    public const string PoisonPillErrorType = "PoisonPillError";

    /// <summary>Error type of a failure above the downstream limit in fail mode.</summary>
    public const string DownstreamErrorType = "DownstreamLimitError";

    /// <summary>
    /// Synchronous (<c>RequestResponse</c>) invoke, now. Returns at once: throttled (429 with a reason and Retry-After),
    /// rejected (unknown function/qualifier, payload too large), or admitted — then the result arrives when the model
    /// processes the execution's end: through <see cref="InvokeResponse.Completion"/>, <paramref name="onCompleted"/>
    /// (called under the model lock) and <see cref="ILambdaModelObserver.OnInvocationCompleted"/>.
    /// </summary>
    /// <param name="functionName">Name, <c>name:qualifier</c>, or a full or partial ARN.</param>
    /// <param name="qualifier">Version, alias or <c>$LATEST</c>; null for unqualified.</param>
    /// <param name="payload">Request payload (inspected for the poison marker; not retained).</param>
    /// <param name="requestId">Request id to use; a deterministic one is generated when null.</param>
    /// <param name="onCompleted">Optional callback with the result.</param>
    public InvokeResponse InvokeSync(string functionName, string? qualifier, ReadOnlyMemory<byte> payload, string? requestId = null, Action<ExecutionResult>? onCompleted = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            return InvokeSyncLocked(functionName, qualifier, payload, requestId, onCompleted);
        }
    }

    /// <summary>Synchronous invoke with a text payload (UTF-8).</summary>
    public InvokeResponse InvokeSync(string functionName, string? qualifier, string payload, string? requestId = null, Action<ExecutionResult>? onCompleted = null) =>
        InvokeSync(functionName, qualifier, Encoding.UTF8.GetBytes(payload ?? ""), requestId, onCompleted);

    /// <summary>The poison-pill marker of a function's <c>$LATEST</c>, if it has one (simulation drivers use it to build poison payloads).</summary>
    public string? GetPoisonMarker(string functionName)
    {
        lock (_gate)
        {
            return _functions.TryGetValue(functionName, out var f) ? f.Latest.Settings.PoisonMarker : null;
        }
    }

    private InvokeResponse InvokeSyncLocked(string functionName, string? qualifier, ReadOnlyMemory<byte> payload, string? requestId, Action<ExecutionResult>? onCompleted)
    {
        requestId ??= RequestIds.Next(_random);
        var error = Resolve(functionName, qualifier, out var f, out var v, out var key);
        if (error is null && payload.Length > _account.MaxSyncPayloadBytes)
        {
            error = LambdaErrors.PayloadTooLarge(_account.MaxSyncPayloadBytes); // 6 MB sync [S8] (§3)
        }

        if (error is not null)
        {
            NotifyRejected(functionName, requestId, InvocationType.RequestResponse, error);
            return InvokeResponse.Rejected(requestId, error);
        }

        var env = TryAdmit(f!, v!, key!, out var reason, out var retryAfterTicks, out var cold);
        if (env is null)
        {
            var throttle = LambdaErrors.Throttled(reason, RetryAfterSeconds(retryAfterTicks));
            NotifyThrottled(f!, key!, requestId, InvocationType.RequestResponse, reason, throttle.RetryAfterSeconds!.Value);
            return InvokeResponse.Throttled(requestId, throttle);
        }

        var execution = StartExecution(f!, env, key!, cold, InvocationType.RequestResponse, payload, requestId, null, 1, onCompleted);
        return InvokeResponse.Admitted(this, execution);
    }

    /// <summary>Resolves FunctionName + Qualifier to a function and version; returns the AWS error if it cannot.</summary>
    private LambdaError? Resolve(string functionName, string? qualifier, out FunctionState? function, out VersionState? version, out string? qualifierKey)
    {
        function = null;
        version = null;
        qualifierKey = null;
        if (!FunctionReference.TryParse(functionName, out var reference))
        {
            return LambdaErrors.InvalidParameter($"Invalid function name: {functionName}");
        }

        if (string.IsNullOrEmpty(qualifier))
        {
            qualifier = null;
        }

        if (reference.Qualifier is not null && qualifier is not null && reference.Qualifier != qualifier)
        {
            return LambdaErrors.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
        }

        var key = qualifier ?? reference.Qualifier ?? FunctionVersions.Latest;
        if (!_functions.TryGetValue(reference.Name, out var f))
        {
            var given = qualifier ?? reference.Qualifier;
            return LambdaErrors.FunctionNotFound(FunctionArn(reference.Name) + (given is null ? "" : ":" + given));
        }

        var v = f.ResolveVersion(key);
        if (v is null)
        {
            return LambdaErrors.FunctionNotFound($"{f.Arn}:{key}");
        }

        function = f;
        version = v;
        qualifierKey = key;
        return null;
    }

    /// <summary>The unqualified ARN of a function name in this account and region.</summary>
    public string FunctionArn(string functionName) => $"arn:aws:lambda:{_account.Region}:{_account.AccountId}:function:{functionName}";

    /// <summary>
    /// Admission: finds an environment for one invocation now, or says why not. Order of checks:
    /// reserved = 0 [S5]; account request rate [S4]; an idle provisioned environment of the qualifier [S6];
    /// the reserved cap or the unreserved pool [S5]; a warm idle on-demand environment (most recently used first);
    /// otherwise a new environment, if the scaling bucket allows [S1][S3].
    /// </summary>
    private ExecutionEnvironment? TryAdmit(FunctionState f, VersionState v, string qualifierKey, out ThrottleReason reason, out long retryAfterTicks, out bool cold)
    {
        var now = _nowTicks;
        cold = false;
        reason = default;
        retryAfterTicks = 0;

        if (f.Reserved == 0)
        {
            // Reserved concurrency 0 throttles everything [S5] (§1.3).
            reason = ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded;
            retryAfterTicks = TimeSpan.TicksPerSecond;
            return null;
        }

        if (!_requestRate.HasToken(now))
        {
            // Account RPS limit, 10 × concurrency [S4] (§2.1); reported as a rate limit (§2.2).
            reason = ThrottleReason.FunctionInvocationRateLimitExceeded;
            retryAfterTicks = _requestRate.TicksUntilToken(now);
            return null;
        }

        if (f.Provisioned.Count > 0 && f.Provisioned.TryGetValue(qualifierKey, out var pool))
        {
            while (pool.Idle.PopLast() is { } penv)
            {
                if (penv.Generation != pool.Generation)
                {
                    DestroyEnvironment(penv, EnvironmentEndReason.Stale);
                    EnsureRamp(f);
                    continue;
                }

                _requestRate.Take();
                penv.Busy = true;
                f.ProvisionedBusy++;
                _accountRunning++;
                return penv;
            }
        }

        // On-demand: the function's reservation is both its cap and its guarantee; everyone else shares the rest [S5].
        if (f.Reserved is { } reserved)
        {
            if (f.Held + 1 > reserved)
            {
                reason = ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded;
                retryAfterTicks = TimeSpan.TicksPerSecond;
                return null;
            }
        }
        else if (_unreservedInUse + 1 > UnreservedPool)
        {
            reason = ThrottleReason.ConcurrentInvocationLimitExceeded;
            retryAfterTicks = TimeSpan.TicksPerSecond;
            return null;
        }

        while (v.Idle.PopLast() is { } env)
        {
            if (env.Generation != v.Generation)
            {
                DestroyEnvironment(env, EnvironmentEndReason.Stale);
                continue;
            }

            if (now - env.CreatedTicks >= _account.MaxEnvironmentLifetime.Ticks)
            {
                DestroyEnvironment(env, EnvironmentEndReason.Lifetime);
                continue;
            }

            _requestRate.Take();
            MarkOnDemandBusy(f, env);
            return env;
        }

        // A new environment: charged to the scaling bucket (per function [S1], or account-wide legacy [S3]).
        var bucket = _legacyBucket ?? f.ScaleBucket!;
        if (!bucket.TryTake(now))
        {
            reason = ThrottleReason.FunctionInvocationRateLimitExceeded;
            retryAfterTicks = bucket.TicksUntilToken(now);
            return null;
        }

        _requestRate.Take();
        var created = CreateEnvironment(f, v, null, v.Generation);
        MarkOnDemandBusy(f, created);
        cold = true;
        return created;
    }

    private void MarkOnDemandBusy(FunctionState f, ExecutionEnvironment env)
    {
        env.Busy = true;
        f.OnDemandBusy++;
        if (f.Reserved is null)
        {
            _unreservedInUse++;
        }

        _accountRunning++;
    }

    /// <summary>Samples the execution's init and handler durations and outcome, and schedules its end.</summary>
    private Execution StartExecution(
        FunctionState f, ExecutionEnvironment env, string qualifierKey, bool cold, InvocationType type,
        ReadOnlyMemory<byte> payload, string requestId, AsyncEvent? asyncEvent, int attempt, Action<ExecutionResult>? callback, QueueBatch? batch = null)
    {
        var s = env.Version.Settings;
        long initTicks = 0;
        if (cold)
        {
            // Init is clamped to the on-demand init limit, 10 s [S20] (§6).
            initTicks = Math.Min(MsToTicks(s.Init.Sample(_random)), _account.InitTimeout.Ticks);
        }

        var ms = s.Duration.Sample(_random) * s.CpuScale;
        string? errorType = null;
        string? errorMessage = null;

        // Chaos faults (LAMBDASTORM_FAULT_*): random draws only while a fault is set, so runs without chaos keep their sequence.
        var faults = s.Faults;
        var faultError = faults.ErrorRate > 0 && _random.NextDouble() < faults.ErrorRate;
        var faultTimeout = faults.TimeoutShare > 0 && _random.NextDouble() < faults.TimeoutShare;
        if (faults.LatencyMs > 0 && (faults.LatencyShare >= 1 || _random.NextDouble() < faults.LatencyShare))
        {
            ms += faults.LatencyMs;
        }

        var downstreamLimit = faults.DownstreamLimit is { } faultLimit ? Math.Min(faultLimit, s.DownstreamLimit ?? int.MaxValue) : s.DownstreamLimit;
        if (downstreamLimit is { } limit && f.Running > limit)
        {
            if (s.DownstreamMode == DownstreamMode.Slow)
            {
                ms *= s.DownstreamSlowdownFactor;
            }
            else
            {
                errorType = DownstreamErrorType;
                errorMessage = string.Create(CultureInfo.InvariantCulture, $"Downstream limit exceeded: {f.Running} concurrent executions (limit {limit})");
            }
        }

        ms += s.ExtraLatencyMs;
        var injected = s.ErrorRate > 0 && _random.NextDouble() < s.ErrorRate;
        if (faultError && faults.PreventExecution)
        {
            // FIS preventExecution: the error comes back without the handler running.
            ms = 0;
        }

        var durationTicks = Math.Max(0, MsToTicks(ms));
        if (faultTimeout && !(faultError && faults.PreventExecution))
        {
            durationTicks = s.TimeoutTicks + 1;
        }

        var timedOut = false;
        byte[]? response = null;
        if (durationTicks > s.TimeoutTicks)
        {
            // Timeout [S36] (§3): {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 3.00 seconds"}
            durationTicks = s.TimeoutTicks;
            timedOut = true;
            errorType = ExecutionResult.TimeoutErrorType;
            errorMessage = string.Create(CultureInfo.InvariantCulture, $"RequestId: {requestId} Error: Task timed out after {s.TimeoutSeconds:0.00} seconds");
        }
        else if (faultError)
        {
            errorType = FunctionFaults.ErrorType;
            errorMessage = string.Create(CultureInfo.InvariantCulture, $"Injected fault (LAMBDASTORM_FAULT_ERROR_RATE {faults.ErrorRate})");
        }
        else if (batch is not null)
        {
            if (errorType is null)
            {
                (errorType, errorMessage, response) = RunBatchHandler(s, batch);
            }
        }
        else if (s.PoisonMarkerUtf8 is { } marker && payload.Span.IndexOf(marker) >= 0)
        {
            errorType = PoisonPillErrorType;
            errorMessage = $"Poison pill: the payload contains the marker '{s.PoisonMarker}'";
        }
        else if (errorType is null && injected)
        {
            errorType = InjectedErrorType;
            errorMessage = string.Create(CultureInfo.InvariantCulture, $"Injected failure (error rate {s.ErrorRate})");
        }

        var execution = new Execution
        {
            RequestId = requestId,
            Function = f,
            Version = env.Version,
            Settings = s,
            Environment = env,
            Qualifier = qualifierKey,
            Type = type,
            ColdStart = cold,
            StartTicks = _nowTicks,
            InitTicks = initTicks,
            DurationTicks = durationTicks,
            Attempt = attempt,
            ErrorType = errorType,
            ErrorMessage = errorMessage,
            TimedOut = timedOut,
            AsyncEvent = asyncEvent,
            Callback = callback,
            Batch = batch,
            Response = response,
            ReceiptId = s.ReceiptsQueue is null || batch is not null ? null : Receipt.IdFromPayload(payload.Span),
        };
        Schedule(execution.EndTicks, ModelEventKind.ExecutionEnd, execution);

        if (_observers.Length > 0)
        {
            var time = ToTime(_nowTicks);
            var admitted = new InvocationAdmitted(time, f.Name, qualifierKey, env.Version.Version, requestId, type, cold, env.IsProvisioned, attempt);
            foreach (var o in _observers)
            {
                o.OnInvocationAdmitted(in admitted);
            }

            if (cold)
            {
                var coldStart = new ColdStartObserved(time, f.Name, env.Version.Version, requestId, env.Id, TimeSpan.FromTicks(initTicks));
                foreach (var o in _observers)
                {
                    o.OnColdStart(in coldStart);
                }
            }

            NotifyConcurrency(f);
        }

        return execution;
    }

    private void EndExecution(Execution ex)
    {
        var f = ex.Function;
        var env = ex.Environment;
        env.Busy = false;
        _accountRunning--;
        if (env.IsProvisioned)
        {
            f.ProvisionedBusy--;
            ReleaseProvisioned(env);
        }
        else
        {
            f.OnDemandBusy--;
            if (f.Reserved is null)
            {
                _unreservedInUse--;
            }

            ReleaseOnDemand(env);
        }

        var result = BuildResult(ex);
        ex.Result = result;
        if (_observers.Length > 0)
        {
            foreach (var o in _observers)
            {
                o.OnInvocationCompleted(result);
            }

            NotifyConcurrency(f);
        }

        ex.Completion?.TrySetResult(result);
        ex.Callback?.Invoke(result);
        WriteAttemptReceipt(ex, result);
        if (ex.AsyncEvent is { } asyncEvent)
        {
            OnAsyncAttemptEnded(asyncEvent, result);
        }

        if (ex.Batch is { } batch)
        {
            OnBatchEnded(ex, batch, result);
        }
    }

    private static ExecutionResult BuildResult(Execution ex)
    {
        var s = ex.Settings;
        var failed = ex.ErrorType is not null;
        var initMs = ex.InitTicks / (double)TimeSpan.TicksPerMillisecond;
        var durationMs = ex.DurationTicks / (double)TimeSpan.TicksPerMillisecond;
        return new ExecutionResult
        {
            RequestId = ex.RequestId,
            FunctionName = ex.Function.Name,
            Qualifier = ex.Qualifier,
            ExecutedVersion = ex.Version.Version,
            InvocationType = ex.Type,
            ColdStart = ex.ColdStart,
            Provisioned = ex.Environment.IsProvisioned,
            InitDuration = TimeSpan.FromTicks(ex.InitTicks),
            Duration = TimeSpan.FromTicks(ex.DurationTicks),
            // 1 ms billing [S24]; init billed for on-demand cold starts since 1 Aug 2025 [S23] (§3, §6).
            BilledDurationMs = (long)Math.Ceiling(durationMs + initMs - 1e-9),
            MemorySizeMb = s.MemoryMb,
            Architecture = s.Architecture,
            FunctionError = failed ? ExecutionResult.Unhandled : null,
            ErrorType = ex.ErrorType,
            ErrorMessage = ex.ErrorMessage,
            TimedOut = ex.TimedOut,
            ResponsePayload = failed ? ErrorPayload(ex.ErrorType!, ex.ErrorMessage!) : ex.Response ?? s.ResponseUtf8,
            StartTime = ToTime(ex.StartTicks),
            EndTime = ToTime(ex.EndTicks),
            EnvironmentId = ex.Environment.Id,
            Attempt = ex.Attempt,
            IsDuplicate = ex.AsyncEvent?.IsDuplicate ?? false,
        };
    }

    /// <summary>The function-error body: <c>{"errorMessage","errorType","stackTrace"}</c> [S12] (§3).</summary>
    private static byte[] ErrorPayload(string errorType, string errorMessage)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + errorMessage.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("errorMessage", errorMessage);
            w.WriteString("errorType", errorType);
            w.WriteStartArray("stackTrace");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void NotifyRejected(string functionName, string requestId, InvocationType type, LambdaError error)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var e = new InvocationRejected(ToTime(_nowTicks), functionName, requestId, type, error);
        foreach (var o in _observers)
        {
            o.OnRejected(in e);
        }
    }

    private void NotifyThrottled(FunctionState f, string qualifier, string requestId, InvocationType type, ThrottleReason reason, int retryAfterSeconds)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var e = new InvocationThrottled(ToTime(_nowTicks), f.Name, qualifier, requestId, type, reason, retryAfterSeconds);
        foreach (var o in _observers)
        {
            o.OnThrottled(in e);
        }
    }
}
