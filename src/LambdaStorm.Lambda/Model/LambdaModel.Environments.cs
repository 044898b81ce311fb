namespace LambdaStorm.Lambda;

/// <summary>Execution-environment lifecycle: creation, release after an invocation, reaping, recycling, provisioned ramp.</summary>
internal sealed partial class LambdaModel
{
    /// <summary>Provisioned environments are allocated in steps of one second at the ramp rate (6,000/min = 100 per step [S7]).</summary>
    private static readonly long ProvisionedRampStepTicks = TimeSpan.TicksPerSecond;

    private ExecutionEnvironment CreateEnvironment(FunctionState f, VersionState v, ProvisionedPool? pool, int generation)
    {
        var env = new ExecutionEnvironment(++_nextEnvironmentId, f, v, pool, _nowTicks, generation);
        if (_observers.Length > 0)
        {
            var e = new EnvironmentCreated(ToTime(_nowTicks), f.Name, v.Version, env.Id, pool is not null);
            foreach (var o in _observers)
            {
                o.OnEnvironmentCreated(in e);
            }
        }

        return env;
    }

    /// <summary>Destroys an idle (never a busy) environment; a provisioned one gives its concurrency back.</summary>
    private void DestroyEnvironment(ExecutionEnvironment env, EnvironmentEndReason reason)
    {
        if (env.Destroyed)
        {
            return;
        }

        env.Destroyed = true;
        env.List?.Remove(env);
        if (env.Pool is { } pool)
        {
            pool.Allocated--;
            env.Function.ProvisionedAllocated--;
            if (env.Function.Reserved is null)
            {
                _unreservedInUse--;
            }
        }

        if (_observers.Length > 0)
        {
            var e = new EnvironmentDestroyed(ToTime(_nowTicks), env.Function.Name, env.Version.Version, env.Id, env.IsProvisioned, reason);
            foreach (var o in _observers)
            {
                o.OnEnvironmentDestroyed(in e);
            }
        }
    }

    /// <summary>After an on-demand invocation: back to the warm pool, or destroyed when stale, too old or deleted.</summary>
    private void ReleaseOnDemand(ExecutionEnvironment env)
    {
        var v = env.Version;
        if (env.Function.Deleted || !ReferenceEquals(env.Function.ResolveVersion(v.Version), v))
        {
            DestroyEnvironment(env, EnvironmentEndReason.FunctionDeleted);
        }
        else if (env.Generation != v.Generation)
        {
            DestroyEnvironment(env, EnvironmentEndReason.Stale);
        }
        else if (_nowTicks - env.CreatedTicks >= _account.MaxEnvironmentLifetime.Ticks)
        {
            // Busy environments are recycled after about 2 h [S31] (§6).
            DestroyEnvironment(env, EnvironmentEndReason.Lifetime);
        }
        else
        {
            env.IdleSinceTicks = _nowTicks;
            v.Idle.AddLast(env);
            EnsureReapCheck(v);
        }
    }

    /// <summary>After a provisioned invocation: back to its pool, or destroyed when the pool shrank, moved or went away.</summary>
    private void ReleaseProvisioned(ExecutionEnvironment env)
    {
        var pool = env.Pool!;
        var f = env.Function;
        if (pool.Removed || f.Deleted)
        {
            DestroyEnvironment(env, f.Deleted ? EnvironmentEndReason.FunctionDeleted : EnvironmentEndReason.ProvisionedRemoved);
        }
        else if (env.Generation != pool.Generation)
        {
            DestroyEnvironment(env, EnvironmentEndReason.Stale);
            EnsureRamp(f);
        }
        else if (pool.Allocated > pool.Requested)
        {
            DestroyEnvironment(env, EnvironmentEndReason.ProvisionedRemoved);
        }
        else
        {
            env.IdleSinceTicks = _nowTicks;
            pool.Idle.AddLast(env);
        }
    }

    /// <summary>Keeps exactly one reap check pending per version with idle environments, due when its oldest idle one expires.</summary>
    private void EnsureReapCheck(VersionState v)
    {
        if (v.ReapCheckTicks != long.MaxValue || v.Idle.First is not { } oldest)
        {
            return;
        }

        v.ReapCheckTicks = oldest.IdleSinceTicks + _account.IdleReapAfter.Ticks;
        Schedule(v.ReapCheckTicks, ModelEventKind.ReapCheck, v);
    }

    /// <summary>Reaps environments idle for longer than the reap time (about 10 min [S31]) and re-arms the check.</summary>
    private void ReapCheck(VersionState v)
    {
        v.ReapCheckTicks = long.MaxValue;
        var idle = _account.IdleReapAfter.Ticks;
        while (v.Idle.First is { } oldest && oldest.IdleSinceTicks + idle <= _nowTicks)
        {
            DestroyEnvironment(oldest, EnvironmentEndReason.Idle);
        }

        EnsureReapCheck(v);
    }

    /// <summary>Schedules the next provisioned ramp step if any pool of the function still needs environments.</summary>
    private void EnsureRamp(FunctionState f)
    {
        if (f.RampScheduled || f.Deleted || !f.Provisioned.Values.Any(p => p.Allocated < p.Requested))
        {
            return;
        }

        if (f.RampStartTicks == 0)
        {
            f.RampStartTicks = _nowTicks;
            f.RampAllocated = 0;
        }

        f.RampScheduled = true;
        Schedule(_nowTicks + ProvisionedRampStepTicks, ModelEventKind.ProvisionedRamp, f);
    }

    /// <summary>
    /// One ramp step: allocates provisioned environments up to the ramp rate since the ramp began (6,000/min per function
    /// [S7] (§1.3)), within the function's reservation or the unreserved pool [S6].
    /// </summary>
    private void ProvisionedRampStep(FunctionState f)
    {
        f.RampScheduled = false;
        if (f.Deleted)
        {
            return;
        }

        var allowed = (long)((Int128)_account.ProvisionedRampPerMinute * (_nowTicks - f.RampStartTicks) / TimeSpan.TicksPerMinute) - f.RampAllocated;
        foreach (var pool in f.Provisioned.Values)
        {
            pool.StallReason = null;
            var version = f.ResolveVersion(pool.Qualifier);
            while (allowed > 0 && pool.Allocated < pool.Requested && version is not null)
            {
                var hasRoom = f.Reserved is { } reserved ? f.Held + 1 <= reserved : _unreservedInUse + 1 <= UnreservedPool;
                if (!hasRoom)
                {
                    pool.StallReason = "Waiting for concurrency: the function's reservation or the unreserved pool is in use.";
                    break;
                }

                var env = CreateEnvironment(f, version, pool, pool.Generation);
                env.IdleSinceTicks = _nowTicks;
                pool.Idle.AddLast(env);
                pool.Allocated++;
                f.ProvisionedAllocated++;
                if (f.Reserved is null)
                {
                    _unreservedInUse++;
                }

                f.RampAllocated++;
                allowed--;
            }
        }

        if (!f.Provisioned.Values.Any(p => p.Allocated < p.Requested))
        {
            f.RampStartTicks = 0;
            f.RampAllocated = 0;
        }

        EnsureRamp(f);
    }
}
