using System.Globalization;

namespace LambdaStorm.Lambda;

/// <summary>Control plane: functions, versions and aliases (<c>CreateFunction</c>, <c>GetFunction</c>, <c>PublishVersion</c>, …).</summary>
internal sealed partial class LambdaModel
{
    /// <summary>
    /// <c>CreateFunction</c>: adds a function. Provisioned concurrency in the options ramps up at the ramp rate (functions
    /// given to the constructor instead start with it allocated). Errors: <c>InvalidParameterValueException</c> (invalid
    /// options, unreserved minimum), <c>ResourceConflictException</c> (<c>Function already exist: NAME</c>).
    /// </summary>
    public LambdaResult<FunctionConfiguration> AddFunction(FunctionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            AdvanceLocked();
            var errors = options.Validate();
            if (errors.Count > 0)
            {
                return LambdaErrors.InvalidParameter(string.Join("; ", errors));
            }

            if (_functions.ContainsKey(options.Name))
            {
                return LambdaErrors.Conflict($"Function already exist: {options.Name}");
            }

            if (options.ReservedConcurrency is { } reserved && _account.ConcurrencyLimit - (_sumReserved + reserved) < _account.UnreservedMinimum)
            {
                return LambdaErrors.UnreservedBelowMinimum(_account.UnreservedMinimum);
            }

            var provisioned = options.ProvisionedConcurrency.Values.Sum();
            if (options.ReservedConcurrency is null && provisioned > 0 && UnreservedProvisionedRequested() + provisioned > UnreservedPool - _account.UnreservedMinimum)
            {
                return LambdaErrors.InvalidParameter($"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [{UnreservedPool}].");
            }

            var f = AddFunctionLocked(options.Build(), allocateProvisionedNow: false);
            return DescribeVersion(f, f.Latest);
        }
    }

    /// <summary><c>DeleteFunction</c>: the whole function, or one published version when a qualifier is given.</summary>
    public LambdaResult<Unit> DeleteFunction(string functionName, string? qualifier = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (qualifier is null)
            {
                DeleteFunctionLocked(f!);
                return Unit.Value;
            }

            if (qualifier == FunctionVersions.Latest || !f!.Versions.TryGetValue(qualifier, out var version))
            {
                return qualifier == FunctionVersions.Latest
                    ? LambdaErrors.InvalidParameter("$LATEST version cannot be deleted without deleting the function.")
                    : LambdaErrors.FunctionNotFound($"{f!.Arn}:{qualifier}");
            }

            if (f.Aliases.Values.FirstOrDefault(a => a.Version == qualifier) is { } alias)
            {
                return LambdaErrors.Conflict($"Unable to delete version because the following aliases reference it: [{alias.Name}]");
            }

            f.Versions.Remove(qualifier);
            if (f.Provisioned.Remove(qualifier, out var pool))
            {
                RemovePool(pool);
            }

            while (version.Idle.First is { } env)
            {
                DestroyEnvironment(env, EnvironmentEndReason.FunctionDeleted);
            }

            return Unit.Value;
        }
    }

    /// <summary><c>GetFunction</c>: the configuration of <c>$LATEST</c>, a version, or the version an alias points to.</summary>
    public LambdaResult<FunctionConfiguration> GetFunction(string functionName, string? qualifier = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            var version = f!.ResolveVersion(qualifier ?? FunctionVersions.Latest);
            return version is null ? LambdaErrors.FunctionNotFound($"{f.Arn}:{qualifier}") : DescribeVersion(f, version);
        }
    }

    /// <summary><c>ListFunctions</c>: every function's <c>$LATEST</c>, in creation order.</summary>
    public IReadOnlyList<FunctionConfiguration> ListFunctions()
    {
        lock (_gate)
        {
            AdvanceLocked();
            return [.. _functions.Values.OrderBy(f => f.Order).Select(f => DescribeVersion(f, f.Latest))];
        }
    }

    /// <summary>
    /// <c>UpdateFunctionConfiguration</c> of <c>$LATEST</c>: <paramref name="update"/> edits a copy of the current
    /// configuration (memory, timeout, runtime, architecture, environment, simulated behaviour, DLQ, duplicate
    /// probability; name, versions, aliases, concurrency and <see cref="FunctionOptions.AsyncConfig"/> are ignored —
    /// use the dedicated calls). To change the environment the way AWS does, call
    /// <see cref="FunctionOptions.ApplyEnvironment"/> in the update so that <c>LAMBDASTORM_*</c> variables take effect.
    /// Like AWS, existing <c>$LATEST</c> environments are retired (idle ones now, busy ones when their invocation ends),
    /// unless <paramref name="retireEnvironments"/> is false: chaos uses that to inject errors or latency the way the FIS
    /// extension does, without a redeploy and its cold starts (§8).
    /// </summary>
    public LambdaResult<FunctionConfiguration> UpdateFunctionConfiguration(string functionName, Action<FunctionOptions> update, bool retireEnvironments = true)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (f!.PendingUpdate is not null)
            {
                return LambdaErrors.Conflict($"The operation cannot be performed at this time. An update is in progress for resource: {f.Arn}");
            }

            var latest = f.Latest;
            var options = new FunctionOptions
            {
                Name = f.Name,
                DeadLetterTargetArn = f.DeadLetterArn,
                DuplicateDeliveryProbability = f.DuplicateProbability,
                UpdateDurationMs = TimeSpan.FromTicks(f.UpdateDurationTicks).TotalMilliseconds,
            };
            latest.Settings.ApplyTo(options);
            update(options);
            options.Name = f.Name;
            options.ReservedConcurrency = null;
            options.PublishedVersions = 0;
            options.Aliases = new(StringComparer.Ordinal);
            options.ProvisionedConcurrency = new(StringComparer.Ordinal);
            var errors = options.Validate();
            if (errors.Count > 0)
            {
                return LambdaErrors.InvalidParameter(string.Join("; ", errors));
            }

            var pending = new PendingConfigurationUpdate(
                _nowTicks + f.UpdateDurationTicks,
                FunctionVersionSettings.Build(options, options.DurationReferenceMemoryMb ?? latest.Settings.DurationReferenceMemoryMb),
                retireEnvironments,
                options.DeadLetterTargetArn,
                options.DuplicateDeliveryProbability,
                TimeSpan.FromMilliseconds(options.UpdateDurationMs).Ticks);
            latest.ModifiedTicks = _nowTicks;
            if (f.UpdateDurationTicks == 0)
            {
                ApplyConfigurationUpdate(f, pending);
                return DescribeVersion(f, latest);
            }

            // As on AWS: the response already shows the new configuration, InProgress; invocations run the old one until it lands.
            f.PendingUpdate = pending;
            Schedule(pending.DueTicks, ModelEventKind.ConfigurationUpdated, f);
            return DescribeVersion(f, latest);
        }
    }

    /// <summary>A configuration update in progress lands (its <see cref="FunctionOptions.UpdateDurationMs"/> has passed).</summary>
    private void CompleteConfigurationUpdate(FunctionState f)
    {
        if (f.PendingUpdate is { } pending && !f.Deleted)
        {
            f.PendingUpdate = null;
            ApplyConfigurationUpdate(f, pending);
        }
    }

    private void ApplyConfigurationUpdate(FunctionState f, PendingConfigurationUpdate update)
    {
        var latest = f.Latest;
        latest.Settings = update.Settings;
        if (update.RetireEnvironments)
        {
            latest.Generation++;
            while (latest.Idle.First is { } env)
            {
                DestroyEnvironment(env, EnvironmentEndReason.Stale);
            }
        }

        f.DeadLetterArn = update.DeadLetterArn;
        f.DuplicateProbability = update.DuplicateProbability;
        f.UpdateDurationTicks = update.UpdateDurationTicks;
    }

    /// <summary><c>PublishVersion</c>: snapshots <c>$LATEST</c> as the next version number.</summary>
    public LambdaResult<FunctionConfiguration> PublishVersion(string functionName, string? description = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (f!.PendingUpdate is not null)
            {
                return LambdaErrors.Conflict($"The operation cannot be performed at this time. An update is in progress for resource: {f.Arn}");
            }

            var number = (++f.LastPublishedVersion).ToString(CultureInfo.InvariantCulture);
            var settings = description is null ? f.Latest.Settings : f.Latest.Settings with { Description = description };
            var version = new VersionState(f, number, settings, _nowTicks);
            f.Versions[number] = version;
            return DescribeVersion(f, version);
        }
    }

    /// <summary><c>CreateAlias</c>: an alias pointing at <c>$LATEST</c> or a published version.</summary>
    public LambdaResult<AliasConfiguration> CreateAlias(string functionName, string aliasName, string functionVersion, string description = "")
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (!FunctionOptions.IsValidAliasName(aliasName))
            {
                return LambdaErrors.InvalidParameter($"Invalid alias name: {aliasName}");
            }

            if (f!.Aliases.ContainsKey(aliasName))
            {
                return LambdaErrors.Conflict($"Alias already exists: {f.Arn}:{aliasName}");
            }

            if (!f.Versions.ContainsKey(functionVersion))
            {
                return LambdaErrors.FunctionNotFound($"{f.Arn}:{functionVersion}");
            }

            var alias = new AliasState(aliasName, functionVersion, description ?? "");
            f.Aliases[aliasName] = alias;
            return Describe(f, alias);
        }
    }

    /// <summary><c>UpdateAlias</c>: retargets an alias; its provisioned environments are replaced for the new version.</summary>
    public LambdaResult<AliasConfiguration> UpdateAlias(string functionName, string aliasName, string? functionVersion, string? description = null)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (!f!.Aliases.TryGetValue(aliasName, out var alias))
            {
                return LambdaErrors.AliasNotFound($"{f.Arn}:{aliasName}");
            }

            if (functionVersion is not null && functionVersion != alias.Version)
            {
                if (!f.Versions.ContainsKey(functionVersion))
                {
                    return LambdaErrors.FunctionNotFound($"{f.Arn}:{functionVersion}");
                }

                alias.Version = functionVersion;
                if (f.Provisioned.TryGetValue(aliasName, out var pool))
                {
                    pool.Generation++;
                    pool.ModifiedTicks = _nowTicks;
                    while (pool.Idle.First is { } env)
                    {
                        DestroyEnvironment(env, EnvironmentEndReason.Stale);
                    }

                    EnsureRamp(f);
                }
            }

            if (description is not null)
            {
                alias.Description = description;
            }

            return Describe(f, alias);
        }
    }

    /// <summary><c>GetAlias</c>.</summary>
    public LambdaResult<AliasConfiguration> GetAlias(string functionName, string aliasName)
    {
        lock (_gate)
        {
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            return f!.Aliases.TryGetValue(aliasName, out var alias) ? Describe(f, alias) : LambdaErrors.AliasNotFound($"{f.Arn}:{aliasName}");
        }
    }

    /// <summary><c>ListAliases</c>.</summary>
    public LambdaResult<IReadOnlyList<AliasConfiguration>> ListAliases(string functionName)
    {
        lock (_gate)
        {
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            return LambdaResult<IReadOnlyList<AliasConfiguration>>.Ok([.. f!.Aliases.Values.Select(a => Describe(f, a))]);
        }
    }

    /// <summary><c>DeleteAlias</c> (its provisioned concurrency goes with it).</summary>
    public LambdaResult<Unit> DeleteAlias(string functionName, string aliasName)
    {
        lock (_gate)
        {
            AdvanceLocked();
            string? qualifier = null;
            if (FindFunction(functionName, ref qualifier, out var f) is { } error)
            {
                return error;
            }

            if (!f!.Aliases.Remove(aliasName))
            {
                return LambdaErrors.AliasNotFound($"{f.Arn}:{aliasName}");
            }

            if (f.Provisioned.Remove(aliasName, out var pool))
            {
                RemovePool(pool);
            }

            f.EventInvokeConfigs.Remove(aliasName);
            return Unit.Value;
        }
    }

    private FunctionState AddFunctionLocked(FunctionSettings s, bool allocateProvisionedNow = true)
    {
        var f = new FunctionState(s.Name, FunctionArn(s.Name), ++_functionOrder);
        var latest = new VersionState(f, FunctionVersions.Latest, s.Version, _nowTicks);
        f.Versions[FunctionVersions.Latest] = latest;
        f.Latest = latest;
        for (var i = 1; i <= s.PublishedVersions; i++)
        {
            var number = i.ToString(CultureInfo.InvariantCulture);
            f.Versions[number] = new VersionState(f, number, s.Version, _nowTicks);
        }

        f.LastPublishedVersion = s.PublishedVersions;
        foreach (var (alias, version) in s.Aliases)
        {
            f.Aliases[alias] = new AliasState(alias, version, "");
        }

        f.Reserved = s.ReservedConcurrency;
        f.UpdateDurationTicks = s.UpdateDuration.Ticks;
        _sumReserved += s.ReservedConcurrency ?? 0;
        f.DefaultAsyncConfig = s.AsyncConfig;
        if (s.AsyncConfig != EventInvokeSettings.Default)
        {
            f.EventInvokeConfigs[FunctionVersions.Latest] = (s.AsyncConfig, _nowTicks);
        }

        f.DeadLetterArn = s.DeadLetterTargetArn;
        f.DuplicateProbability = s.DuplicateDeliveryProbability;
        if (_account.ScalingModel == ScalingModel.PerFunction)
        {
            // Per-function scaling [S1] (§1.2): capacity 1,000, refill 100/s, no accrual.
            f.ScaleBucket = new TokenBucket(_account.PerFunctionScaleBurst, _account.PerFunctionScaleRatePerMinute, _nowTicks);
        }

        _functions[s.Name] = f;
        foreach (var (qualifier, count) in s.ProvisionedConcurrency)
        {
            var pool = new ProvisionedPool(f, qualifier, count, _nowTicks);
            f.Provisioned[qualifier] = pool;
            if (allocateProvisionedNow)
            {
                // Functions defined up front start in steady state: their provisioned concurrency is already READY.
                var version = f.ResolveVersion(qualifier)!;
                for (var i = 0; i < count; i++)
                {
                    var env = CreateEnvironment(f, version, pool, pool.Generation);
                    env.IdleSinceTicks = _nowTicks;
                    pool.Idle.AddLast(env);
                    pool.Allocated++;
                    f.ProvisionedAllocated++;
                    if (f.Reserved is null)
                    {
                        _unreservedInUse++;
                    }
                }
            }
        }

        EnsureRamp(f);
        return f;
    }

    private void DeleteFunctionLocked(FunctionState f)
    {
        f.Deleted = true;
        _functions.Remove(f.Name);
        if (f.Reserved is { } reserved)
        {
            // Its reservation is released; executions still running count against the unreserved pool until they end.
            _sumReserved -= reserved;
            _unreservedInUse += f.Held;
            f.Reserved = null;
        }

        foreach (var pool in f.Provisioned.Values.ToList())
        {
            RemovePool(pool);
        }

        foreach (var version in f.Versions.Values)
        {
            while (version.Idle.First is { } env)
            {
                DestroyEnvironment(env, EnvironmentEndReason.FunctionDeleted);
            }
        }

        foreach (var pending in f.PendingAsync.Values.Where(e => !e.Executing).ToList())
        {
            Finish(pending, AsyncCondition.FunctionDeleted);
        }
    }

    private void RemovePool(ProvisionedPool pool)
    {
        pool.Removed = true;
        while (pool.Idle.First is { } env)
        {
            DestroyEnvironment(env, EnvironmentEndReason.ProvisionedRemoved);
        }
    }

    /// <summary>Finds a function by name or ARN; an ARN's qualifier fills <paramref name="qualifier"/> when it is null.</summary>
    private LambdaError? FindFunction(string functionName, ref string? qualifier, out FunctionState? function)
    {
        function = null;
        if (!FunctionReference.TryParse(functionName, out var reference))
        {
            return LambdaErrors.InvalidParameter($"Invalid function name: {functionName}");
        }

        if (string.IsNullOrEmpty(qualifier))
        {
            qualifier = reference.Qualifier;
        }

        if (!_functions.TryGetValue(reference.Name, out var f))
        {
            return LambdaErrors.FunctionNotFound(FunctionArn(reference.Name));
        }

        function = f;
        return null;
    }

    private FunctionConfiguration DescribeVersion(FunctionState f, VersionState v)
    {
        // $LATEST with an update in progress is described as it will be, InProgress (as AWS does).
        var pending = v == f.Latest ? f.PendingUpdate : null;
        return new()
        {
            FunctionName = f.Name,
            FunctionArn = v.Version == FunctionVersions.Latest ? f.Arn : v.Arn,
            Version = v.Version,
            Settings = pending?.Settings ?? v.Settings,
            ReservedConcurrentExecutions = f.Reserved,
            DeadLetterTargetArn = pending is null ? f.DeadLetterArn : pending.DeadLetterArn,
            LastModified = ToTime(v.ModifiedTicks),
            LastUpdateStatus = pending is null ? "Successful" : "InProgress",
        };
    }

    private static AliasConfiguration Describe(FunctionState f, AliasState alias) => new(alias.Name, $"{f.Arn}:{alias.Name}", alias.Version, alias.Description);
}
