namespace LambdaStorm.Lambda;

/// <summary>
/// One execution environment (sandbox): serves one invocation at a time. On-demand environments live in their
/// version's idle list when idle; provisioned ones in their pool's. Part of internal API.
/// </summary>
internal sealed class ExecutionEnvironment
{
    public ExecutionEnvironment(long id, FunctionState function, VersionState version, ProvisionedPool? pool, long createdTicks, int generation)
    {
        Id = id;
        Function = function;
        Version = version;
        Pool = pool;
        CreatedTicks = createdTicks;
        Generation = generation;
    }

    /// <summary>Model-unique id.</summary>
    public long Id { get; }

    /// <summary>Owning function.</summary>
    public FunctionState Function { get; }

    /// <summary>Version whose code it runs.</summary>
    public VersionState Version { get; }

    /// <summary>Provisioned pool, or null for on-demand.</summary>
    public ProvisionedPool? Pool { get; }

    /// <summary>Creation time, ticks.</summary>
    public long CreatedTicks { get; }

    /// <summary>The version's (or pool's) configuration generation at creation; a mismatch means stale.</summary>
    public int Generation { get; }

    /// <summary>When it last became idle, ticks.</summary>
    public long IdleSinceTicks { get; set; }

    /// <summary>True while initialising or running an invocation.</summary>
    public bool Busy { get; set; }

    /// <summary>True once destroyed.</summary>
    public bool Destroyed { get; set; }

    /// <summary>True for a provisioned environment.</summary>
    public bool IsProvisioned => Pool is not null;

    // Intrusive links for EnvironmentList (no per-node allocation).
    internal ExecutionEnvironment? Previous;
    internal ExecutionEnvironment? Next;
    internal EnvironmentList? List;
}

/// <summary>
/// An intrusive doubly-linked list of idle environments, oldest-idle first. Reuse takes the most recently used
/// (<see cref="PopLast"/>) so that the least recently used drift to the front and are reaped first. Part of internal API.
/// </summary>
internal sealed class EnvironmentList
{
    /// <summary>Least recently used.</summary>
    public ExecutionEnvironment? First { get; private set; }

    /// <summary>Most recently used.</summary>
    public ExecutionEnvironment? Last { get; private set; }

    /// <summary>Number of environments.</summary>
    public int Count { get; private set; }

    /// <summary>Appends as most recently used.</summary>
    public void AddLast(ExecutionEnvironment env)
    {
        env.List = this;
        env.Previous = Last;
        env.Next = null;
        if (Last is null)
        {
            First = env;
        }
        else
        {
            Last.Next = env;
        }

        Last = env;
        Count++;
    }

    /// <summary>Removes and returns the most recently used, or null.</summary>
    public ExecutionEnvironment? PopLast()
    {
        var env = Last;
        if (env is not null)
        {
            Remove(env);
        }

        return env;
    }

    /// <summary>Removes an environment from this list.</summary>
    public void Remove(ExecutionEnvironment env)
    {
        if (env.List != this)
        {
            return;
        }

        if (env.Previous is null)
        {
            First = env.Next;
        }
        else
        {
            env.Previous.Next = env.Next;
        }

        if (env.Next is null)
        {
            Last = env.Previous;
        }
        else
        {
            env.Next.Previous = env.Previous;
        }

        env.Previous = env.Next = null;
        env.List = null;
        Count--;
    }
}
