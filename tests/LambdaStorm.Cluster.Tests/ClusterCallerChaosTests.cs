using System.Collections.Concurrent;
using HdrHistogram;
using LambdaStorm.Chaos;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// The coordinator's chaos messages to the agents of a real cluster (a coordinator and two agents on loopback, one
/// process): <c>client-faults</c> act on every agent's own calls from the apply to the revert, and are stopped on every
/// agent by the revert, an abort and a stop; each agent reports the first of its invocations that showed an applied
/// action, and the earliest report is the action's effective moment (<c>effectiveBy: invocation</c>).
/// </summary>
public sealed class ClusterCallerChaosTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();
    private readonly ConcurrentQueue<SnapshotReport> _snapshots = new();
    private readonly ConcurrentDictionary<string, AgentWatcher> _agents = new(StringComparer.Ordinal);

    private string ResultsRoot => _cluster.Results;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private Task<string[]> StartClusterAsync(CancellationToken ct)
        => _cluster.StartAsync(["agent-1", "agent-2"], ct, _snapshots.Enqueue, name => _agents.GetOrAdd(name, _ => new AgentWatcher()));

    /// <summary>Calls an agent's own snapshots of [from, to] failed at the caller by a client fault.</summary>
    private long ClientFaultFailures(string agent, double from, double to) => _snapshots
        .Where(r => r.Agent == agent && r.Start >= from - 1e-6 && r.End <= to + 1e-6)
        .Select(SnapshotWire.ToSnapshot)
        .Sum(s => s.Series.Where(x => x.Key.Outcome == Outcome.ClientError && x.Key.Reason == ClientFaultInjector.Reason).Sum(x => x.Count));

    /// <summary>The slowest call (ms) of an agent's own snapshots of [from, to].</summary>
    private double SlowestMs(string agent, double from, double to) => _snapshots
        .Where(r => r.Agent == agent && r.Start >= from - 1e-6 && r.End <= to + 1e-6)
        .Select(SnapshotWire.ToSnapshot)
        .SelectMany(s => s.Series).Where(x => x.Count > 0).Select(x => x.Histogram.GetMaxValue() / 1000.0).DefaultIfEmpty(0).Max();

    [Fact]
    public async Task Client_faults_act_on_every_agents_calls_during_their_window_and_not_after_the_revert()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);
        var scenario = ScenarioLoader.Load("""
            name: cluster-client-faults
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 100, during: 12s }
            chaos:
              - { at: 3s, for: 4s, client-faults: { failRate: 40%, latency: 400ms, latencyRate: 20% } }
            """, "cluster-client-faults.yaml").GetOrThrow();

        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(2, outcome.Summary.Cluster!.Agents);
        foreach (var agent in new[] { "agent-1", "agent-2" })
        {
            // Each agent's own results: failed sends and added latency inside the window, no failed send before it,
            // and none once the revert reached the agent (a second of slack on each side for the messages).
            Assert.True(ClientFaultFailures(agent, 3.5, 6.5) > 20, $"{agent}: {ClientFaultFailures(agent, 3.5, 6.5)} failed sends in the window");
            Assert.True(SlowestMs(agent, 3.5, 6.5) >= 400, $"{agent}: slowest call in the window {SlowestMs(agent, 3.5, 6.5):0} ms");
            Assert.Equal(0, ClientFaultFailures(agent, 0, 2.5));
            Assert.Equal(0, ClientFaultFailures(agent, 8, 20));

            // The agent's own timeline (its /metrics): applied, effective, reverted; nothing injected at the end.
            var events = _agents[agent].Events.Where(e => e.Action == "1-client-faults-client").ToList();
            Assert.Equal(["applied", "effective", "reverted"], events.Select(e => e.Kind));
            Assert.InRange(events[0].At, 2.5, 4.5);
            Assert.InRange(events[2].At, 6.5, 8.5);
            Assert.Equal("client-faults", events[0].ActionKind);
        }

        // The coordinator's timeline: applied at the agents, effective at the earliest agent's first faulted call.
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        var chaos = journal.Chaos.Where(e => e.Action == "1-client-faults-client").ToList();
        Assert.Equal(["requested", "applied", "effective", "reverted"], chaos.Select(e => e.Kind));
        Assert.EndsWith("(at every agent of the cluster)", chaos[1].Detail, StringComparison.Ordinal);
        Assert.Matches(@"^first call showing it: .+, on agent-[12]$", chaos[2].Detail);
        var finding = Assert.Single(outcome.Summary.Chaos!.Findings);
        Assert.Equal("invocation", finding.EffectiveBy);
        Assert.InRange(finding.EffectiveAt!.Value, finding.RequestedAt!.Value, finding.RequestedAt.Value + 1.5);
        var earliest = _agents.Values.Select(a => a.Events.First(e => e.Action == "1-client-faults-client" && e.Kind == "effective").At).Min();
        Assert.Equal(Math.Round(Math.Max(earliest, chaos[1].At), 3), finding.EffectiveAt.Value, 3);
        Assert.True(outcome.Summary.Chaos.RolledBack);
    }

    [Fact]
    public async Task An_abort_stops_the_client_faults_on_every_agent()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);

        // Every send fails from 2 s on, with no 'for': only the abort's rollback (and the stop) can end it.
        var scenario = ScenarioLoader.Load("""
            name: cluster-client-faults-abort
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 100, during: 60s }
            abort:
              - error_rate > 50% for 2s
            chaos:
              - { at: 2s, client-faults: { failRate: 100% } }
            """, "cluster-client-faults-abort.yaml").GetOrThrow();

        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        Assert.StartsWith("abort condition 'error_rate > 50% for 2s' fired", outcome.Summary.Chaos!.Aborted);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.True(journal.End!.ElapsedSeconds < 20, $"the load ran {journal.End.ElapsedSeconds:0.#} s of 60");
        var abort = Assert.Single(journal.Chaos, e => e.Kind == "abort");
        foreach (var agent in new[] { "agent-1", "agent-2" })
        {
            Assert.True(ClientFaultFailures(agent, 2.5, abort.At) > 0, $"{agent} never failed a send");
            var events = _agents[agent].Events.Where(e => e.Action == "1-client-faults-client").Select(e => e.Kind).ToList();
            Assert.Equal("applied", events[0]);
            Assert.Equal("reverted", events[^1]);
        }

        Assert.True(outcome.Summary.Chaos.RolledBack);
        Assert.Equal("invocation", Assert.Single(outcome.Summary.Chaos.Findings).EffectiveBy);
    }

    [Fact]
    public async Task A_stop_from_the_client_stops_the_client_faults_on_every_agent()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);
        var scenario = ScenarioLoader.Load("""
            name: cluster-client-faults-stop
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 50, during: 60s }
            chaos:
              - { at: 2s, client-faults: { latency: 50ms } }
            """, "cluster-client-faults-stop.yaml").GetOrThrow();

        // Ctrl-C on the client once the fault is effective on the cluster.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var client = new StopWhenEffective(stop);
        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), client, TextWriter.Null, stop.Token)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("stopped", journal.End!.Status);
        Assert.True(journal.End.ElapsedSeconds < 20, $"the load ran {journal.End.ElapsedSeconds:0.#} s of 60");
        foreach (var agent in new[] { "agent-1", "agent-2" })
        {
            var events = _agents[agent].Events.Where(e => e.Action == "1-client-faults-client").ToList();
            Assert.Equal("applied", events[0].Kind);
            var reverted = events[^1];
            Assert.Equal("reverted", reverted.Kind);
            Assert.Contains("stopped on " + agent, reverted.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(["requested", "applied", "effective", "reverted"], journal.Chaos.Where(e => e.Action == "1-client-faults-client").Select(e => e.Kind));
        Assert.True(outcome.Summary.Chaos!.RolledBack);
    }

    [Fact]
    public async Task An_agent_cut_off_drops_the_client_faults_when_it_notices_and_gets_them_again_when_it_rejoins()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);

        // agent-2 is partitioned off from 4 s to 9 s while the client faults are on (2 s to 16 s): it notices the
        // cut after the detection pause (3 s), stops its load and its faults; back, it rejoins and gets them again.
        var scenario = ScenarioLoader.Load("""
            name: cluster-client-faults-rejoin
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 100, during: 20s }
            chaos:
              - { at: 2s, for: 14s, client-faults: { failRate: 30% } }
              - { at: 4s, for: 5s, partition-agent: { agent: agent-2 } }
            """, "cluster-client-faults-rejoin.yaml").GetOrThrow();

        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        var marks = string.Join("\n", journal.Marks.Select(m => $"{m.At:0.00} {m.Kind} {m.Agent} {m.Detail}"));
        var rejoined = journal.Marks.FirstOrDefault(m => m.Kind == "resplit" && m.Detail.StartsWith("agent-2 joined", StringComparison.Ordinal));
        Assert.True(rejoined is not null, marks);

        var events = _agents["agent-2"].Events.Where(e => e.Action == "1-client-faults-client").ToList();
        var story = string.Join("\n", events.Select(e => $"{e.At:0.00} {e.Kind} {e.Detail}"));
        Assert.True(events.Count >= 4, story);
        Assert.Equal("applied", events[0].Kind);
        var dropped = events.FindIndex(e => e.Kind == "reverted");
        Assert.True(dropped > 0, story);
        Assert.Contains("stopped on agent-2: the coordinator is unreachable", events[dropped].Detail, StringComparison.Ordinal);
        Assert.InRange(events[dropped].At, 6, 9);
        var again = events.FindIndex(dropped, e => e.Kind == "applied");
        Assert.True(again > dropped, story);
        Assert.InRange(events[again].At, rejoined!.At - 0.5, 15);
        Assert.Equal("reverted", events[^1].Kind);

        // agent-2's own calls fail again once it is back, and agent-1's all along; none after the revert at 16 s.
        Assert.True(ClientFaultFailures("agent-2", Math.Ceiling(events[again].At), 15.5) > 0, story);
        Assert.True(ClientFaultFailures("agent-1", 3, 15.5) > 0);
        Assert.Equal(0, ClientFaultFailures("agent-1", 17, 30) + ClientFaultFailures("agent-2", 17, 30));
    }

    [Fact]
    public async Task Agents_that_lose_their_coordinator_stop_injecting_client_faults()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);
        var scenario = ScenarioLoader.Load("""
            name: cluster-client-faults-orphaned
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 50, during: 60s }
            chaos:
              - { at: 1s, client-faults: { failRate: 20% } }
            """, "cluster-client-faults-orphaned.yaml").GetOrThrow();
        var applied = _agents.Keys.Order().Select(a => _agents[a].When(e => e.Kind == "applied")).ToList();
        Assert.Equal(2, applied.Count);
        var run = ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct);
        await Task.WhenAll(applied).WaitAsync(TimeSpan.FromSeconds(30), ct);

        // The coordinator's process dies with the fault on: each agent stops its load and its faults on its own.
        var reverted = _agents.Values.Select(a => a.When(e => e.Kind == "reverted")).ToList();
        await _cluster.Coordinator.CrashAsync();
        var stops = await Task.WhenAll(reverted).WaitAsync(TimeSpan.FromSeconds(30), ct);
        foreach (var stop in stops)
        {
            Assert.Matches(@"^stopped on agent-[12]: the coordinator", stop.Detail);
        }

        // The client hears that the coordinator was lost (its journal so far ends as aborted).
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.Equal("aborted", JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl")).End!.Status);
        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);

        // 'lambdastorm report' on the client's folder gives the same code (no abort condition fired: the end status says it).
        Assert.Equal(ExitCodes.Aborted, (await ScenarioRunner.ReportAsync(outcome.ResultsPath, ct)).ExitCode);
    }

    [Fact]
    public async Task A_function_faults_effective_moment_is_the_earliest_agents_first_invocation_that_showed_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(ct);
        var scenario = ScenarioLoader.Load("""
            name: cluster-effective
            target:
              type: emulator
              functions:
                hello: { duration: 5ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 40, during: 9s }
            chaos:
              - { at: 3s, for: 3s, function-errors: { function: hello, rate: 100% } }
            """, "cluster-effective.yaml").GetOrThrow();
        await using var emulator = await LambdaStorm.Emulator.EmulatorHost.StartAsync(
            new LambdaStorm.Emulator.EmulatorOptions { Model = ((TargetSpec.Emulator)scenario.Target).Model, Port = 0 }, ct);

        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, emulator.BaseAddress.ToString()), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var finding = Assert.Single(outcome.Summary.Chaos!.Findings);
        Assert.Equal("invocation", finding.EffectiveBy);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        var effective = Assert.Single(journal.Chaos, e => e.Kind == "effective");
        Assert.Matches(@"^first invocation showing it: function_error.*, on agent-[12]$", effective.Detail);

        // Both agents watched for it; the earliest first invocation of the two is the action's effective moment.
        var shown = _agents.Values.Select(a => a.Events.Single(e => e.Action == effective.Action && e.Kind == "effective").At).ToList();
        Assert.Equal(2, shown.Count);
        var applied = Assert.Single(journal.Chaos, e => e.Kind == "applied");
        Assert.Equal(Math.Round(Math.Max(shown.Min(), applied.At), 3), effective.At, 3);
        Assert.InRange(effective.At, 3, 4.5);
    }

    /// <summary>An agent's own observer: its chaos events.</summary>
    private sealed class AgentWatcher : IRunObserver, IChaosObserver
    {
        private readonly List<ChaosEvent> _events = [];
        private readonly List<(Func<ChaosEvent, bool> Match, TaskCompletionSource<ChaosEvent> Seen)> _waiting = [];

        /// <summary>The first event (so far or to come) that matches.</summary>
        public Task<ChaosEvent> When(Func<ChaosEvent, bool> match)
        {
            lock (_events)
            {
                if (_events.FirstOrDefault(match) is { } seen)
                {
                    return Task.FromResult(seen);
                }

                var waiter = new TaskCompletionSource<ChaosEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((match, waiter));
                return waiter.Task;
            }
        }

        public IReadOnlyList<ChaosEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void OnStarted(RunStarted run)
        {
        }

        public void OnInterval(IntervalSnapshot snapshot)
        {
        }

        public void OnChaos(ChaosEvent e)
        {
            lock (_events)
            {
                _events.Add(e);
                foreach (var w in _waiting.Where(w => w.Match(e)).ToList())
                {
                    _waiting.Remove(w);
                    w.Seen.TrySetResult(e);
                }
            }
        }
    }

    /// <summary>The client's observer: cancels the run (Ctrl-C) once an action is effective.</summary>
    private sealed class StopWhenEffective(CancellationTokenSource stop) : IRunObserver, IChaosObserver
    {
        public void OnStarted(RunStarted run)
        {
        }

        public void OnInterval(IntervalSnapshot snapshot)
        {
        }

        public void OnChaos(ChaosEvent e)
        {
            if (e.Kind == "effective")
            {
                stop.Cancel();
            }
        }
    }
}
