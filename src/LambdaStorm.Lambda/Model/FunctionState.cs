namespace LambdaStorm.Lambda;

/// <summary>Mutable runtime state of one function inside the model. Part of internal API; guarded by the model lock.</summary>
internal sealed class FunctionState
{
    public FunctionState(string name, string arn, long order)
    {
        Name = name;
        Arn = arn;
        Order = order;
    }

    /// <summary>Function name.</summary>
    public string Name { get; }

    /// <summary>Unqualified ARN.</summary>
    public string Arn { get; }

    /// <summary>Creation order (for deterministic listings).</summary>
    public long Order { get; }

    /// <summary>Versions by id, including <c>$LATEST</c>.</summary>
    public Dictionary<string, VersionState> Versions { get; } = new(StringComparer.Ordinal);

    /// <summary><c>$LATEST</c>.</summary>
    public VersionState Latest { get; set; } = null!;

    /// <summary>Highest published version number.</summary>
    public int LastPublishedVersion { get; set; }

    /// <summary>Aliases by name.</summary>
    public Dictionary<string, AliasState> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Reserved concurrency, or null.</summary>
    public int? Reserved { get; set; }

    /// <summary>How long a configuration update stays in progress (0: done at once).</summary>
    public long UpdateDurationTicks { get; set; }

    /// <summary>
    /// A configuration update in progress: applied (<see cref="LambdaModel"/>'s <c>ConfigurationUpdated</c> event) at
    /// <see cref="PendingUpdate"/>'s due time; until then invocations run the previous configuration. Null when none.
    /// </summary>
    public PendingConfigurationUpdate? PendingUpdate { get; set; }

    /// <summary>Provisioned pools by qualifier.</summary>
    public Dictionary<string, ProvisionedPool> Provisioned { get; } = new(StringComparer.Ordinal);

    /// <summary>Explicit async configs by qualifier key ($LATEST for unqualified).</summary>
    public Dictionary<string, (EventInvokeSettings Settings, long ModifiedTicks)> EventInvokeConfigs { get; } = new(StringComparer.Ordinal);

    /// <summary>Async config used for qualifiers without their own.</summary>
    public EventInvokeSettings DefaultAsyncConfig { get; set; } = EventInvokeSettings.Default;

    /// <summary>Dead-letter target.</summary>
    public string? DeadLetterArn { get; set; }

    /// <summary>Duplicate async delivery probability.</summary>
    public double DuplicateProbability { get; set; }

    /// <summary>Per-function scaling bucket (per-function model only).</summary>
    public TokenBucket? ScaleBucket { get; set; }

    /// <summary>Busy on-demand environments (initialising or running).</summary>
    public int OnDemandBusy { get; set; }

    /// <summary>Busy provisioned environments.</summary>
    public int ProvisionedBusy { get; set; }

    /// <summary>Allocated provisioned environments (busy or idle).</summary>
    public int ProvisionedAllocated { get; set; }

    /// <summary>Running executions: what CloudWatch calls ConcurrentExecutions.</summary>
    public int Running => OnDemandBusy + ProvisionedBusy;

    /// <summary>Concurrency this function holds against its reservation or the unreserved pool.</summary>
    public int Held => OnDemandBusy + ProvisionedAllocated;

    /// <summary>Async events not yet finished, by sequence number.</summary>
    public Dictionary<long, AsyncEvent> PendingAsync { get; } = [];

    /// <summary>True while a provisioned ramp step is scheduled.</summary>
    public bool RampScheduled { get; set; }

    /// <summary>Start of the current provisioned ramp, ticks.</summary>
    public long RampStartTicks { get; set; }

    /// <summary>Provisioned environments allocated since <see cref="RampStartTicks"/>.</summary>
    public long RampAllocated { get; set; }

    /// <summary>True once deleted.</summary>
    public bool Deleted { get; set; }

    /// <summary>Resolves a qualifier to a version (alias → version).</summary>
    public VersionState? ResolveVersion(string qualifier)
    {
        if (Versions.TryGetValue(qualifier, out var version))
        {
            return version;
        }

        return Aliases.TryGetValue(qualifier, out var alias) && Versions.TryGetValue(alias.Version, out var target) ? target : null;
    }
}

/// <summary>An alias: name → version. Part of internal API.</summary>
internal sealed class AliasState
{
    public AliasState(string name, string version, string description)
    {
        Name = name;
        Version = version;
        Description = description;
    }

    /// <summary>Alias name.</summary>
    public string Name { get; }

    /// <summary>Target version.</summary>
    public string Version { get; set; }

    /// <summary>Description.</summary>
    public string Description { get; set; }
}

/// <summary>One version of a function: its settings and its idle on-demand environments. Part of internal API.</summary>
internal sealed class VersionState
{
    public VersionState(FunctionState function, string version, FunctionVersionSettings settings, long modifiedTicks)
    {
        Function = function;
        Version = version;
        Settings = settings;
        ModifiedTicks = modifiedTicks;
    }

    /// <summary>Owning function.</summary>
    public FunctionState Function { get; }

    /// <summary>$LATEST or a number.</summary>
    public string Version { get; }

    /// <summary>Current settings.</summary>
    public FunctionVersionSettings Settings { get; set; }

    /// <summary>Last configuration change, ticks.</summary>
    public long ModifiedTicks { get; set; }

    /// <summary>Bumped on each configuration change; environments of an older generation are stale.</summary>
    public int Generation { get; set; }

    /// <summary>Idle on-demand environments, least recently used first.</summary>
    public EnvironmentList Idle { get; } = new();

    /// <summary>Due time of the pending reap check, or <see cref="long.MaxValue"/> when none.</summary>
    public long ReapCheckTicks { get; set; } = long.MaxValue;

    /// <summary>Qualified ARN.</summary>
    public string Arn => $"{Function.Arn}:{Version}";
}

/// <summary>Provisioned concurrency of one qualifier: requested count and the allocated environments. Part of internal API.</summary>
internal sealed class ProvisionedPool
{
    public ProvisionedPool(FunctionState function, string qualifier, int requested, long modifiedTicks)
    {
        Function = function;
        Qualifier = qualifier;
        Requested = requested;
        ModifiedTicks = modifiedTicks;
    }

    /// <summary>Owning function.</summary>
    public FunctionState Function { get; }

    /// <summary>Version or alias.</summary>
    public string Qualifier { get; }

    /// <summary>Requested environments.</summary>
    public int Requested { get; set; }

    /// <summary>Allocated environments (busy or idle).</summary>
    public int Allocated { get; set; }

    /// <summary>Idle allocated environments, least recently used first.</summary>
    public EnvironmentList Idle { get; } = new();

    /// <summary>Bumped when the alias is retargeted; older environments are replaced.</summary>
    public int Generation { get; set; }

    /// <summary>Last change, ticks.</summary>
    public long ModifiedTicks { get; set; }

    /// <summary>Why the ramp is stalled, if it is.</summary>
    public string? StallReason { get; set; }

    /// <summary>True once the config was deleted.</summary>
    public bool Removed { get; set; }
}

/// <summary>A configuration update in progress (<c>LastUpdateStatus: InProgress</c>).</summary>
/// <param name="DueTicks">When it completes.</param>
/// <param name="Settings">The new <c>$LATEST</c> settings.</param>
/// <param name="RetireEnvironments">Whether existing environments are retired when it lands.</param>
/// <param name="DeadLetterArn">The new dead-letter target.</param>
/// <param name="DuplicateProbability">The new duplicate-delivery probability.</param>
/// <param name="UpdateDurationTicks">How long the function's next updates take.</param>
internal sealed record PendingConfigurationUpdate(long DueTicks, FunctionVersionSettings Settings, bool RetireEnvironments, string? DeadLetterArn, double DuplicateProbability, long UpdateDurationTicks);
