namespace LambdaStorm.Lambda;

/// <summary>Control plane: reserved and provisioned concurrency, async configuration, account settings, snapshots.</summary>
internal sealed partial class LambdaModel
{
    /// <summary>
    /// <c>PutFunctionConcurrency</c>: sets reserved concurrency (≥ 0; 0 throttles everything). Rejected with AWS's
    /// <c>InvalidParameterValueException</c> when it would leave less than the unreserved minimum (100) unreserved [S8][S5].
    /// Executions already running are not interrupted.
    /// </summary>
    public LambdaResult<int> PutFunctionConcurrency(string functionName, int reservedConcurrentExecutions)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (reservedConcurrentExecutions < 0)
            {
                return LambdaErrors.InvalidParameter($"1 validation error detected: Value '{reservedConcurrentExecutions}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0");
            }

            var newSum = _sumReserved - (f!.Reserved ?? 0) + reservedConcurrentExecutions;
            if (_account.ConcurrencyLimit - newSum < _account.UnreservedMinimum)
            {
                return LambdaErrors.UnreservedBelowMinimum(_account.UnreservedMinimum);
            }

            SetReserved(f, reservedConcurrentExecutions);
            return reservedConcurrentExecutions;
        }
    }

    /// <summary><c>GetFunctionConcurrency</c>: the reserved concurrency, or null when none is set.</summary>
    public LambdaResult<int?> GetFunctionConcurrency(string functionName)
    {
        lock (_gate)
        {
            string? qualifier = null;
            return FindFunction(functionName, ref qualifier, out var f) is { } error ? error : LambdaResult<int?>.Ok(f!.Reserved);
        }
    }

    /// <summary><c>DeleteFunctionConcurrency</c>: the function returns to the unreserved pool.</summary>
    public LambdaResult<Unit> DeleteFunctionConcurrency(string functionName)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            SetReserved(f!, null);
            return Unit.Value;
        }
    }

    private void SetReserved(FunctionState f, int? reserved)
    {
        if (f.Reserved is null && reserved is not null)
        {
            _unreservedInUse -= f.Held;
        }
        else if (f.Reserved is not null && reserved is null)
        {
            _unreservedInUse += f.Held;
        }

        _sumReserved += (reserved ?? 0) - (f.Reserved ?? 0);
        f.Reserved = reserved;
        EnsureRamp(f);
    }

    /// <summary>
    /// <c>PutProvisionedConcurrencyConfig</c> on a published version or an alias (never <c>$LATEST</c>). Environments are
    /// allocated at the ramp rate (6,000/min [S7]); the config is IN_PROGRESS until all are allocated, then READY.
    /// Provisioned concurrency counts against the reservation, or the unreserved pool [S6].
    /// </summary>
    public LambdaResult<ProvisionedConcurrencyConfig> PutProvisionedConcurrencyConfig(string functionName, string qualifier, int provisionedConcurrentExecutions)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? q = qualifier;
            if (FindFunction(functionName, ref q, out var f) is { } error)
            {
                return error;
            }

            if (string.IsNullOrEmpty(q))
            {
                return LambdaErrors.InvalidParameter("Provisioned concurrency needs a qualifier: a published version or an alias.");
            }

            if (q == FunctionVersions.Latest)
            {
                return LambdaErrors.InvalidParameter(LambdaErrors.ProvisionedOnLatestMessage);
            }

            if (f!.ResolveVersion(q) is not { } version)
            {
                return LambdaErrors.FunctionNotFound($"{f.Arn}:{q}");
            }

            if (f.Aliases.ContainsKey(q) && version.Version == FunctionVersions.Latest)
            {
                return LambdaErrors.InvalidParameter(LambdaErrors.ProvisionedOnLatestMessage);
            }

            if (provisionedConcurrentExecutions < 1)
            {
                return LambdaErrors.InvalidParameter($"1 validation error detected: Value '{provisionedConcurrentExecutions}' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1");
            }

            var others = f.Provisioned.Values.Where(p => p.Qualifier != q).Sum(p => p.Requested);
            if (f.Reserved is { } reserved)
            {
                if (others + provisionedConcurrentExecutions > reserved)
                {
                    return LambdaErrors.InvalidParameter("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
                }
            }
            else
            {
                var unreservedOthers = UnreservedProvisionedRequested() - (f.Provisioned.TryGetValue(q, out var current) ? current.Requested : 0);
                if (unreservedOthers + provisionedConcurrentExecutions > UnreservedPool - _account.UnreservedMinimum)
                {
                    return LambdaErrors.InvalidParameter($"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [{UnreservedPool}].");
                }
            }

            if (!f.Provisioned.TryGetValue(q, out var pool))
            {
                pool = new ProvisionedPool(f, q, provisionedConcurrentExecutions, _nowTicks);
                f.Provisioned[q] = pool;
            }

            pool.Requested = provisionedConcurrentExecutions;
            pool.ModifiedTicks = _nowTicks;
            while (pool.Allocated > pool.Requested && pool.Idle.First is { } surplus)
            {
                DestroyEnvironment(surplus, EnvironmentEndReason.ProvisionedRemoved);
            }

            EnsureRamp(f);
            return Describe(f, pool);
        }
    }

    /// <summary><c>GetProvisionedConcurrencyConfig</c>; <c>ProvisionedConcurrencyConfigNotFoundException</c> when there is none.</summary>
    public LambdaResult<ProvisionedConcurrencyConfig> GetProvisionedConcurrencyConfig(string functionName, string qualifier)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? q = qualifier;
            if (FindFunction(functionName, ref q, out var f) is { } error)
            {
                return error;
            }

            return q is not null && f!.Provisioned.TryGetValue(q, out var pool)
                ? Describe(f, pool)
                : new LambdaError(LambdaErrors.ProvisionedConcurrencyConfigNotFound, "No Provisioned Concurrency Config found for this function", 404);
        }
    }

    /// <summary><c>DeleteProvisionedConcurrencyConfig</c>: idle provisioned environments go now, busy ones when they finish.</summary>
    public LambdaResult<Unit> DeleteProvisionedConcurrencyConfig(string functionName, string qualifier)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? q = qualifier;
            if (FindFunction(functionName, ref q, out var f) is { } error)
            {
                return error;
            }

            if (q is null || !f!.Provisioned.Remove(q, out var pool))
            {
                return new LambdaError(LambdaErrors.ProvisionedConcurrencyConfigNotFound, "No Provisioned Concurrency Config found for this function", 404);
            }

            RemovePool(pool);
            return Unit.Value;
        }
    }

    /// <summary>
    /// <c>PutFunctionEventInvokeConfig</c> for the unqualified function (null qualifier) or a version/alias: replaces the
    /// whole config (unset values take AWS's defaults) [S8].
    /// </summary>
    public LambdaResult<EventInvokeConfig> PutFunctionEventInvokeConfig(string functionName, string? qualifier, EventInvokeConfigOptions config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_gate)
        {
            AdvanceLocked();
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            var key = qualifier ?? FunctionVersions.Latest;
            if (f!.ResolveVersion(key) is null)
            {
                return LambdaErrors.FunctionNotFound($"{f.Arn}:{key}");
            }

            var errors = config.Validate("EventInvokeConfig").ToList();
            if (errors.Count > 0)
            {
                return LambdaErrors.InvalidParameter(string.Join("; ", errors));
            }

            var settings = config.Build();
            f.EventInvokeConfigs[key] = (settings, _nowTicks);
            return new EventInvokeConfig($"{f.Arn}:{key}", settings, ToTime(_nowTicks));
        }
    }

    /// <summary><c>GetFunctionEventInvokeConfig</c>; <c>ResourceNotFoundException</c> when none was put.</summary>
    public LambdaResult<EventInvokeConfig> GetFunctionEventInvokeConfig(string functionName, string? qualifier = null)
    {
        lock (_gate)
        {
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            var key = qualifier ?? FunctionVersions.Latest;
            return f!.EventInvokeConfigs.TryGetValue(key, out var entry)
                ? new EventInvokeConfig($"{f.Arn}:{key}", entry.Settings, ToTime(entry.ModifiedTicks))
                : LambdaErrors.FunctionNotFound($"{f.Arn}:{key}") with { Message = $"The function {f.Arn}:{key} doesn't have an EventInvokeConfig" };
        }
    }

    /// <summary><c>DeleteFunctionEventInvokeConfig</c>.</summary>
    public LambdaResult<Unit> DeleteFunctionEventInvokeConfig(string functionName, string? qualifier = null)
    {
        lock (_gate)
        {
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            var key = qualifier ?? FunctionVersions.Latest;
            return f!.EventInvokeConfigs.Remove(key)
                ? Unit.Value
                : LambdaErrors.FunctionNotFound($"{f.Arn}:{key}") with { Message = $"The function {f.Arn}:{key} doesn't have an EventInvokeConfig" };
        }
    }

    /// <summary><c>GetAccountSettings</c>.</summary>
    public AccountSettingsResult GetAccountSettings()
    {
        lock (_gate)
        {
            AdvanceLocked();
            return new AccountSettingsResult
            {
                ConcurrentExecutions = _account.ConcurrencyLimit,
                UnreservedConcurrentExecutions = UnreservedPool,
                FunctionCount = _functions.Count,
                ConcurrentExecutionsInUse = _accountRunning,
                ClaimedAccountConcurrency = _sumReserved + _unreservedInUse,
                ScalingModel = _account.ScalingModel,
            };
        }
    }

    /// <summary>A point-in-time snapshot of the whole model (for metrics and tests).</summary>
    public ModelSnapshot GetSnapshot()
    {
        lock (_gate)
        {
            AdvanceLocked();
            var now = _nowTicks;
            return new ModelSnapshot
            {
                Time = ToTime(now),
                AccountLimit = _account.ConcurrencyLimit,
                UnreservedPool = UnreservedPool,
                UnreservedInUse = _unreservedInUse,
                AccountConcurrency = _accountRunning,
                PendingAsyncEvents = _pendingAsync,
                Functions = [.. _functions.Values.OrderBy(f => f.Order).Select(f => new FunctionSnapshot
                {
                    Name = f.Name,
                    ReservedConcurrency = f.Reserved,
                    Concurrency = f.Running,
                    OnDemandBusy = f.OnDemandBusy,
                    WarmIdle = f.Versions.Values.Sum(v => v.Idle.Count),
                    ProvisionedAllocated = f.ProvisionedAllocated,
                    ProvisionedBusy = f.ProvisionedBusy,
                    AsyncQueueDepth = f.PendingAsync.Values.Count(e => !e.Executing),
                    OldestAsyncEventAge = f.PendingAsync.Count == 0 ? null : TimeSpan.FromTicks(now - f.PendingAsync.Values.Min(e => e.EnqueuedTicks)),
                    ScaleTokens = (_legacyBucket ?? f.ScaleBucket!).Available(now),
                })],
            };
        }
    }

    private int UnreservedProvisionedRequested() =>
        _functions.Values.Where(f => f.Reserved is null).Sum(f => f.Provisioned.Values.Sum(p => p.Requested));

    private ProvisionedConcurrencyConfig Describe(FunctionState f, ProvisionedPool pool) => new()
    {
        FunctionArn = $"{f.Arn}:{pool.Qualifier}",
        Qualifier = pool.Qualifier,
        RequestedProvisionedConcurrentExecutions = pool.Requested,
        AvailableProvisionedConcurrentExecutions = Math.Min(pool.Allocated, pool.Requested),
        AllocatedProvisionedConcurrentExecutions = Math.Min(pool.Allocated, pool.Requested),
        Status = pool.Allocated >= pool.Requested ? ProvisionedConcurrencyStatus.Ready : ProvisionedConcurrencyStatus.InProgress,
        StatusReason = pool.StallReason,
        LastModified = ToTime(pool.ModifiedTicks),
    };
}
