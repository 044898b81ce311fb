namespace LambdaStorm.Cluster.Protocol;

/// <summary>
/// Marker of every message that crosses nodes. Each one is bound to <see cref="ProtocolSerializer"/> (never to the
/// default object serializer) and round-trips through it in the specs. Messages carry no actor references: replies go
/// to the sender, which Akka's remoting carries alongside the message.
/// </summary>
public interface IClusterMessage;

/// <summary>Agent → coordinator: "I am here" (repeated until acknowledged; the sender is the agent actor).</summary>
/// <param name="Name">The agent's name (unique in the cluster).</param>
public sealed record RegisterAgent(string Name) : IClusterMessage;

/// <summary>Coordinator → agent: registration acknowledged.</summary>
/// <param name="Agents">Agents now registered.</param>
public sealed record AgentRegistered(int Agents) : IClusterMessage;

/// <summary>Client → coordinator: run this scenario (the sender receives the run's stream).</summary>
/// <param name="ScenarioPath">Where the scenario came from (for messages and the journal echo).</param>
/// <param name="ScenarioText">The YAML text.</param>
/// <param name="MinAgents">Agents to wait for before starting.</param>
/// <param name="EmulatorEndpoint">For emulator targets: the base URL of the emulator the agents invoke, or null.</param>
/// <param name="Variant">
/// The variant to run (a name from the scenario's <c>variants:</c>), or null for the scenario itself: the coordinator
/// loads the text and applies that variant's override, exactly as the client did.
/// </param>
public sealed record SubmitRun(string ScenarioPath, string ScenarioText, int MinAgents, string? EmulatorEndpoint, string? Variant = null) : IClusterMessage;

/// <summary>Coordinator → client: the run cannot start.</summary>
/// <param name="Reason">Why, for people.</param>
/// <param name="ExitCode">The exit code the client should end with.</param>
public sealed record RunRejected(string Reason, int ExitCode) : IClusterMessage;

/// <summary>Coordinator → client: the run is starting.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Agents">Agents taking part.</param>
/// <param name="StartsInSeconds">Time until the common start.</param>
public sealed record RunAccepted(string RunId, string[] Agents, double StartsInSeconds) : IClusterMessage;

/// <summary>Coordinator → agent: get ready for a run (build the target, warm it up) and answer with the local time.</summary>
/// <param name="RunId">Run id (prefix of every invocation id).</param>
/// <param name="ScenarioPath">Scenario path, for messages.</param>
/// <param name="ScenarioText">Scenario YAML.</param>
/// <param name="EmulatorEndpoint">Emulator base URL for emulator targets, or null.</param>
/// <param name="SentAtUtcTicks">The coordinator's clock when it sent this (for the clock offset).</param>
public sealed record PrepareRun(string RunId, string ScenarioPath, string ScenarioText, string? EmulatorEndpoint, long SentAtUtcTicks) : IClusterMessage;

/// <summary>Agent → coordinator: ready (or not), with the agent's clock when it answered.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Agent">Agent name.</param>
/// <param name="EchoSentAtUtcTicks">The coordinator's send time, echoed (t0).</param>
/// <param name="ReceivedUtcTicks">The agent's clock when the request arrived (t1).</param>
/// <param name="AgentUtcTicks">The agent's clock when it answered (t2), after building and warming its target.</param>
/// <param name="Error">Why the agent cannot take part, or null.</param>
public sealed record AgentReady(string RunId, string Agent, long EchoSentAtUtcTicks, long ReceivedUtcTicks, long AgentUtcTicks, string? Error) : IClusterMessage
{
    /// <summary>
    /// The agent's clock minus the coordinator's, NTP-style: ((t1 − t0) + (t2 − t3)) / 2, where t3 is when the answer
    /// arrived; the time the agent spent preparing cancels out.
    /// </summary>
    public TimeSpan ClockOffset(long answerArrivedUtcTicks)
        => TimeSpan.FromTicks(((ReceivedUtcTicks - EchoSentAtUtcTicks) + (AgentUtcTicks - answerArrivedUtcTicks)) / 2);

    /// <summary>How far <see cref="ClockOffset"/> may be off: half the round trip spent in transit (and mailboxes).</summary>
    public TimeSpan ClockUncertainty(long answerArrivedUtcTicks)
        => TimeSpan.FromTicks(Math.Max(0, (answerArrivedUtcTicks - EchoSentAtUtcTicks) - (AgentUtcTicks - ReceivedUtcTicks)) / 2);
}

/// <summary>Coordinator → agent: start the load at a common instant, firing one share of the schedule.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="StartAtUtcTicks">The run's start in the <b>agent's</b> clock (the coordinator corrected for the offset).</param>
/// <param name="Share">The agent's share from the start (or, for a late joiner, from its first arrival).</param>
public sealed record StartLoad(string RunId, long StartAtUtcTicks, ShareAssignment Share) : IClusterMessage;

/// <summary>One epoch of an agent's share: from global arrival <paramref name="FromArrival"/>, slot <paramref name="Slot"/> of <paramref name="Slots"/>.</summary>
/// <param name="FromArrival">First arrival of the epoch.</param>
/// <param name="Slot">The agent's slot (k).</param>
/// <param name="Slots">Agents sharing (n).</param>
public sealed record ShareAssignment(long FromArrival, int Slot, int Slots) : IClusterMessage;

/// <summary>Coordinator → agent: the schedule was re-split; from the given arrival on, fire this share.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Share">The new share.</param>
public sealed record Reshare(string RunId, ShareAssignment Share) : IClusterMessage;

/// <summary>Coordinator → agent: stop the load now (the run was stopped or aborted).</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Reason">Why.</param>
public sealed record StopLoad(string RunId, string Reason) : IClusterMessage;

/// <summary>
/// Coordinator → agent: a chaos agent action cuts this agent off (the last message before the cut). Until
/// <see cref="AgentRestore"/> the agent sends the coordinator nothing (no snapshots, no registration) and ignores what
/// it sends. <c>kill-agent</c>: the load stops at once. <c>partition-agent</c>: the load runs on until the agent
/// "notices" the coordinator is gone, after <paramref name="DetectAfterSeconds"/>, as with a real partition.
/// </summary>
/// <param name="RunId">Run id.</param>
/// <param name="Kind"><c>kill-agent</c> or <c>partition-agent</c>.</param>
/// <param name="Reason">The chaos action, for the agent's log.</param>
/// <param name="DetectAfterSeconds">For a partition: when the agent stops its load (the failure detector's pause).</param>
public sealed record AgentCut(string RunId, string Kind, string Reason, double DetectAfterSeconds) : IClusterMessage;

/// <summary>Coordinator → agent: the cut is over; register again and take a share at the next re-split.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Action">The chaos action that reverted.</param>
public sealed record AgentRestore(string RunId, string Action) : IClusterMessage;

/// <summary>
/// Coordinator → agent: a chaos action that acts where the calls are made was applied (<paramref name="Applied"/>
/// true) or reverted (false). The agent finds the action by its label in the scenario of the run (which it got with
/// <see cref="PrepareRun"/>): a <c>client-faults</c> action starts or stops injecting into the agent's own calls, and
/// every such action is watched until the first of the agent's invocations shows it (<see cref="ChaosEffect"/>). An
/// agent that (re)joins a run gets one for every action active at that moment, right after its <see cref="StartLoad"/>.
/// </summary>
/// <param name="RunId">Run id.</param>
/// <param name="Action">The action's label (e.g. <c>2-client-faults-client</c>).</param>
/// <param name="Applied">True when applied, false when reverted.</param>
public sealed record AgentChaos(string RunId, string Action, bool Applied) : IClusterMessage;

/// <summary>Agent → coordinator: the first of this agent's invocations that showed an applied chaos action.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Agent">Agent name.</param>
/// <param name="Action">The action's label.</param>
/// <param name="At">When that invocation ended, in seconds since the run's start (the agent's clock, whose start the coordinator corrected for the offset).</param>
/// <param name="Detail">What showed it, for people (e.g. <c>first call showing it: a send failed at the caller</c>).</param>
public sealed record ChaosEffect(string RunId, string Agent, string Action, double At, string Detail) : IClusterMessage;

/// <summary>Client → coordinator: the user asked to stop (Ctrl-C).</summary>
/// <param name="RunId">Run id.</param>
public sealed record StopRun(string RunId) : IClusterMessage;

/// <summary>Counters of one path in one interval, histograms in HdrHistogram's compressed V2 encoding.</summary>
/// <param name="Path">Invocation path (enum value).</param>
/// <param name="Offered">Arrivals due.</param>
/// <param name="Started">Started.</param>
/// <param name="Dropped">Dropped at the in-flight cap.</param>
/// <param name="Lateness">Lateness histogram (µs).</param>
/// <param name="Sampled">Cold-start samples.</param>
/// <param name="ColdStarts">Cold starts among them.</param>
public sealed record WirePath(int Path, long Offered, long Started, long Dropped, byte[] Lateness, long Sampled, long ColdStarts);

/// <summary>One (path, outcome, reason) latency histogram of one interval.</summary>
/// <param name="Path">Invocation path (enum value).</param>
/// <param name="Outcome">Outcome (enum value).</param>
/// <param name="Reason">Reason or null.</param>
/// <param name="Histogram">Latency histogram (µs), compressed V2 encoding.</param>
public sealed record WireSeries(int Path, int Outcome, string? Reason, byte[] Histogram);

/// <summary>How well an agent keeps up: its process CPU, its lateness p99 and its drops over the interval.</summary>
/// <param name="CpuPercent">Process CPU over the interval, in percent of one core.</param>
/// <param name="LatenessP99Ms">Lateness p99 over the interval, ms.</param>
/// <param name="Dropped">Arrivals dropped over the interval.</param>
/// <param name="Offered">Arrivals due over the interval.</param>
public sealed record AgentHealth(double CpuPercent, double LatenessP99Ms, long Dropped, long Offered);

/// <summary>Agent → coordinator: one interval measured by one agent (every second).</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Agent">Agent name.</param>
/// <param name="Sequence">Interval number.</param>
/// <param name="Start">Interval start, seconds since the run start.</param>
/// <param name="End">Interval end.</param>
/// <param name="Phase">Phase label.</param>
/// <param name="TargetRate">Whole-run target rate at the interval end.</param>
/// <param name="TargetCopies">Whole-run target copies at the interval end.</param>
/// <param name="InFlight">This agent's in-flight count at the interval end.</param>
/// <param name="Paths">Counters per path.</param>
/// <param name="Series">Latency histograms per series.</param>
/// <param name="Health">Generator health.</param>
/// <param name="Sends">
/// The async and queue sends since the previous snapshot, for the coordinator's delivery ledger (indices, failures,
/// sends in flight, frontier), or null when the run has no ledger.
/// </param>
public sealed record SnapshotReport(
    string RunId,
    string Agent,
    long Sequence,
    double Start,
    double End,
    string Phase,
    double TargetRate,
    int TargetCopies,
    long InFlight,
    WirePath[] Paths,
    WireSeries[] Series,
    AgentHealth Health,
    Ledger.SendBatch? Sends = null) : IClusterMessage;

/// <summary>Agent → coordinator: the agent's load is over (schedule done or stopped) and its last snapshot was sent.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Agent">Agent name.</param>
/// <param name="LastSequence">Sequence of its last snapshot.</param>
/// <param name="Interrupted">Invocations cancelled when its graceful stop ran out.</param>
/// <param name="Error">What went wrong on the agent, or null.</param>
public sealed record AgentDone(string RunId, string Agent, long LastSequence, long Interrupted, string? Error) : IClusterMessage;

/// <summary>Coordinator → client: journal lines as the coordinator wrote them (header, merged intervals, marks, end).</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Lines">JSON lines, in order.</param>
public sealed record JournalLines(string RunId, string[] Lines) : IClusterMessage;

/// <summary>Coordinator → client: the run is over.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="SummaryJson">summary.json as written by the coordinator.</param>
/// <param name="ExitCode">The exit code the run deserves.</param>
/// <param name="CoordinatorResultsPath">Where the coordinator wrote its copy of the results.</param>
public sealed record RunEnded(string RunId, string SummaryJson, int ExitCode, string CoordinatorResultsPath) : IClusterMessage;
