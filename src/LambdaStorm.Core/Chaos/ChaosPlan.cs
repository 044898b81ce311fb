using System.Collections.Immutable;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Chaos;

/// <summary>
/// The game-day part of a scenario: the chaos timeline, the steady-state hypothesis and the abort conditions. Built only
/// by <see cref="ScenarioLoader"/>, which refuses targets outside the scenario's blast radius and actions the target
/// cannot take.
/// </summary>
/// <param name="Actions">The chaos actions, in file order.</param>
/// <param name="SteadyState">The steady-state hypothesis, or null.</param>
/// <param name="Abort">The abort conditions (evaluated every second on the merged data).</param>
public sealed record ChaosPlan(ImmutableArray<ChaosAction> Actions, SteadyState? SteadyState, ImmutableArray<AbortRule> Abort)
{
    /// <summary>An empty plan.</summary>
    public static readonly ChaosPlan None = new([], null, []);

    /// <summary>True when the plan does nothing.</summary>
    public bool IsEmpty => Actions.IsEmpty && SteadyState is null && Abort.IsEmpty;
}

/// <summary>
/// The cluster side of agent actions (<see cref="ChaosAction.AgentAction"/>), implemented by the coordinator: the
/// controller stays free of Akka. Calls come from the controller's timers. Part of internal API.
/// </summary>
internal interface IChaosAgents
{
    /// <summary>Why agent actions cannot apply to this run (one process, no cluster agents), or null when they can.</summary>
    string? NotApplicable { get; }

    /// <summary>Cuts the agent off (kill or partition); returns the agent's name.</summary>
    /// <exception cref="ChaosControlPlaneException">When there is no such agent in the run; the message says why.</exception>
    Task<string> CutAsync(ChaosAction.AgentAction action, CancellationToken ct);

    /// <summary>Lets the agent back: it may rejoin and take a share at the next re-split.</summary>
    Task RestoreAsync(ChaosAction.AgentAction action, string agent, CancellationToken ct);
}

/// <summary>
/// The steady-state hypothesis: rules in the threshold language, checked before the faults (over the warm-up window;
/// the faults do not start when it fails), during each fault (reported) and after (recovery and how long it took).
/// </summary>
/// <param name="Rules">The rules (not delivery-ledger metrics: those are known only at the end).</param>
/// <param name="WarmUp">How long the load runs before the first check; no action may start earlier.</param>
/// <param name="Window">The sliding window the during/after checks evaluate the rules over.</param>
public sealed record SteadyState(ImmutableArray<Threshold> Rules, TimeSpan WarmUp, TimeSpan Window)
{
    /// <summary>Default sliding window of the during/after checks.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(5);
}

/// <summary>
/// An abort condition such as <c>throttle_rate &gt; 20% for 10s</c>: when the rule holds (the threshold expression
/// is what must <em>not</em> happen) on every one-second interval for <see cref="For"/>, the run aborts: the load stops,
/// every fault rolls back and the exit code is 3. Counts (<c>errors</c>, <c>throttles</c>) are over the run so far.
/// Of the delivery-ledger metrics <c>dlq_depth</c> (dead-letter arrivals so far) and, on emulator targets, <c>lost</c>
/// (ids the source discarded leaving no record) may be used, read from the ledger's snapshot after every interval; the
/// other classes are final only once the ledger settles after the load.
/// </summary>
/// <param name="Expression">The rule as written.</param>
/// <param name="Condition">The threshold expression; the abort fires while it holds.</param>
/// <param name="For">How long it must hold before the abort fires (zero: at once).</param>
public sealed record AbortRule(string Expression, Threshold Condition, TimeSpan For);

/// <summary>What a chaos action acts on.</summary>
public enum ChaosTargetKind
{
    /// <summary>A function (reserved/provisioned concurrency, function faults, downstream limit).</summary>
    Function,
    /// <summary>A queue (visibility timeout, purge).</summary>
    Queue,
    /// <summary>The load generator itself (client-side faults).</summary>
    Client,
    /// <summary>A cluster agent (kill, partition).</summary>
    Agent,
}

/// <summary>One entry of the chaos timeline.</summary>
/// <param name="Index">1-based position in the scenario's <c>chaos</c> list; names the action in journal and metrics.</param>
/// <param name="At">When it is applied, from the start of the load.</param>
/// <param name="For">When set, how long it stays before it reverts; without it, it stays until the run ends.</param>
/// <param name="Target">The function or queue it acts on (the blast radius), or <c>client</c>.</param>
public abstract record ChaosAction(int Index, TimeSpan At, TimeSpan? For, string Target)
{
    /// <summary>The action's kind as written in YAML (e.g. <c>reserved-concurrency</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>What kind of thing <see cref="Target"/> is.</summary>
    public virtual ChaosTargetKind TargetKind => ChaosTargetKind.Function;

    /// <summary>A stable label for metrics and the journal: <c>2-function-errors-hello</c>.</summary>
    public string Label => $"{Index}-{Kind}-{Target}";

    /// <summary>A short description for people.</summary>
    public abstract string Describe { get; }

    /// <summary>When it reverts (null: at the end of the run).</summary>
    public TimeSpan? Until => For is { } f ? At + f : null;

    /// <summary>Reserved concurrency set to <paramref name="Value"/> (0 is the emergency cut-off); reverts to the previous value.</summary>
    public sealed record ReservedConcurrency(int Index, TimeSpan At, TimeSpan? For, string Target, int Value) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "reserved-concurrency";

        /// <inheritdoc />
        public override string Describe => $"reserved concurrency of {Target} set to {Value}";
    }

    /// <summary>Provisioned concurrency on a version or alias set to <paramref name="Value"/>, or removed (null).</summary>
    public sealed record ProvisionedConcurrency(int Index, TimeSpan At, TimeSpan? For, string Target, string Qualifier, int? Value) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "provisioned-concurrency";

        /// <inheritdoc />
        public override string Describe => Value is { } v ? $"provisioned concurrency of {Target}:{Qualifier} set to {v}" : $"provisioned concurrency of {Target}:{Qualifier} removed";
    }

    /// <summary>A share of invocations fail (FIS <c>invocation-error</c>); with <paramref name="PreventExecution"/> without running the handler.</summary>
    public sealed record FunctionErrors(int Index, TimeSpan At, TimeSpan? For, string Target, double Rate, bool PreventExecution) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "function-errors";

        /// <inheritdoc />
        public override string Describe => $"{Rate:0.##%} of {Target}'s invocations fail{(PreventExecution ? " without running" : string.Empty)}";
    }

    /// <summary>Added latency for a share of invocations (FIS <c>invocation-add-delay</c>).</summary>
    public sealed record FunctionLatency(int Index, TimeSpan At, TimeSpan? For, string Target, TimeSpan Latency, double Percentage) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "function-latency";

        /// <inheritdoc />
        public override string Describe => $"{Latency.TotalMilliseconds:0} ms added to {Percentage:0.##%} of {Target}'s invocations";
    }

    /// <summary>A share of invocations run into the function's timeout.</summary>
    public sealed record FunctionTimeout(int Index, TimeSpan At, TimeSpan? For, string Target, double Percentage) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "function-timeout";

        /// <inheritdoc />
        public override string Describe => $"{Percentage:0.##%} of {Target}'s invocations time out";
    }

    /// <summary>The function's declared downstream capacity lowered to <paramref name="Limit"/> concurrent executions.</summary>
    public sealed record DownstreamLimit(int Index, TimeSpan At, TimeSpan? For, string Target, int Limit) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "downstream-limit";

        /// <inheritdoc />
        public override string Describe => $"downstream limit of {Target} lowered to {Limit}";
    }

    /// <summary>The queue's visibility timeout set to <paramref name="Value"/>.</summary>
    public sealed record QueueVisibilityTimeout(int Index, TimeSpan At, TimeSpan? For, string Target, TimeSpan Value) : ChaosAction(Index, At, For, Target)
    {
        /// <inheritdoc />
        public override string Kind => "queue-visibility-timeout";

        /// <inheritdoc />
        public override ChaosTargetKind TargetKind => ChaosTargetKind.Queue;

        /// <inheritdoc />
        public override string Describe => $"visibility timeout of {Target} set to {Value.TotalSeconds:0} s";
    }

    /// <summary>
    /// Faults on the caller's side, injected by Polly.Core's chaos strategies in front of the run's target (Simmy): added
    /// latency for a share of calls, sends that fail before they leave, and throttles answered at the caller. Nothing
    /// outside LambdaStorm changes, so there is nothing to roll back after a crash.
    /// </summary>
    /// <param name="Index">1-based position in the scenario's <c>chaos</c> list.</param>
    /// <param name="At">When it is applied, from the start of the load.</param>
    /// <param name="For">When set, how long it stays.</param>
    /// <param name="Latency">Added latency (zero: none).</param>
    /// <param name="LatencyRate">Share of calls that get <paramref name="Latency"/>.</param>
    /// <param name="FailRate">Share of calls whose send fails (outcome <c>client_error</c>, reason <c>client_fault</c>; never sent).</param>
    /// <param name="ThrottleRate">Share of calls answered by a throttle at the caller (outcome <c>throttled</c>, reason <c>client_fault</c>; never sent).</param>
    /// <param name="Paths">The paths whose calls are affected.</param>
    public sealed record ClientFaults(int Index, TimeSpan At, TimeSpan? For, TimeSpan Latency, double LatencyRate, double FailRate, double ThrottleRate, ImmutableArray<InvocationPath> Paths)
        : ChaosAction(Index, At, For, "client")
    {
        /// <inheritdoc />
        public override string Kind => "client-faults";

        /// <inheritdoc />
        public override ChaosTargetKind TargetKind => ChaosTargetKind.Client;

        /// <inheritdoc />
        public override string Describe
        {
            get
            {
                var parts = new List<string>();
                if (Latency > TimeSpan.Zero && LatencyRate > 0)
                {
                    parts.Add($"{Latency.TotalMilliseconds:0} ms added to {LatencyRate:0.##%} of calls");
                }

                if (FailRate > 0)
                {
                    parts.Add($"{FailRate:0.##%} of sends fail");
                }

                if (ThrottleRate > 0)
                {
                    parts.Add($"{ThrottleRate:0.##%} throttled at the caller");
                }

                return $"client faults on {string.Join("/", Paths.Select(p => p.Name()))}: {(parts.Count == 0 ? "none" : string.Join(", ", parts))}";
            }
        }
    }

    /// <summary>
    /// An action on a cluster agent, named by <paramref name="Agent"/> or by <paramref name="Slot"/> (its 0-based slot in the
    /// run's first split, agents in name order). <see cref="ChaosAction.Target"/> is the name, or <c>slot-N</c>. The
    /// coordinator applies it (<see cref="IChaosAgents"/>); a run with no cluster agents (one process) journals it as
    /// <c>not-applicable</c>.
    /// </summary>
    public abstract record AgentAction(int Index, TimeSpan At, TimeSpan? For, string? Agent, int? Slot)
        : ChaosAction(Index, At, For, Agent ?? $"slot-{Slot}")
    {
        /// <inheritdoc />
        public override ChaosTargetKind TargetKind => ChaosTargetKind.Agent;

        /// <summary>The agent as written, for people.</summary>
        public string Who => Agent is not null ? $"agent {Agent}" : $"the agent in slot {Slot}";
    }

    /// <summary>
    /// The agent's load stops at once and it leaves the run, as if its process died: the coordinator marks it lost and
    /// re-splits its share among the others. When <c>for</c> ends it may come back, and takes a share at the next re-split.
    /// </summary>
    public sealed record KillAgent(int Index, TimeSpan At, TimeSpan? For, string? Agent, int? Slot) : AgentAction(Index, At, For, Agent, Slot)
    {
        /// <inheritdoc />
        public override string Kind => "kill-agent";

        /// <inheritdoc />
        public override string Describe => $"{Who} killed (its load stops and it leaves the run{(For is null ? string.Empty : "; it may rejoin after " + ValueParsers.FormatDuration(For.Value))})";
    }

    /// <summary>
    /// The agent is cut off from the coordinator (both directions) for <c>for</c>: its snapshots stop arriving, the
    /// coordinator marks it lost when the failure detector would, and the agent stops its load when it notices; when the
    /// cut heals it may rejoin. An application-level cut (docs/chaos.md says why).
    /// </summary>
    public sealed record PartitionAgent(int Index, TimeSpan At, TimeSpan? For, string? Agent, int? Slot) : AgentAction(Index, At, For, Agent, Slot)
    {
        /// <inheritdoc />
        public override string Kind => "partition-agent";

        /// <inheritdoc />
        public override string Describe => $"{Who} cut off from the coordinator{(For is null ? " until the run ends" : " for " + ValueParsers.FormatDuration(For.Value))}";
    }

    /// <summary>Every message in the queue deleted (one shot; nothing to revert, the loss is what the ledger shows).</summary>
    public sealed record PurgeQueue(int Index, TimeSpan At, string Target) : ChaosAction(Index, At, null, Target)
    {
        /// <inheritdoc />
        public override string Kind => "purge-queue";

        /// <inheritdoc />
        public override ChaosTargetKind TargetKind => ChaosTargetKind.Queue;

        /// <inheritdoc />
        public override string Describe => $"queue {Target} purged";
    }
}
