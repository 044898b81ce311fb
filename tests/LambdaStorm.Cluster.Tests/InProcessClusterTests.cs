using System.Collections.Concurrent;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// Real Akka nodes in one process on loopback ports: a coordinator and three agents. One agent leaves in the middle of
/// the run; the coordinator re-splits its share among the two survivors.
/// </summary>
public sealed class InProcessClusterTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("lambdastorm-cluster-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private const string Yaml = """
        name: cluster-noop
        target:
          type: noop
          latency: 2ms
        seed: 3
        gracefulStop: 2s
        load:
          - inject: { rate: 300, during: 16s }
        thresholds:
          - error_rate < 1%
        """;

    [Fact]
    public async Task Losing_an_agent_mid_run_resplits_its_share_and_marks_the_gap()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioLoader.Load(Yaml, "cluster-noop.yaml").GetOrThrow();
        var sent = new ConcurrentDictionary<string, long>();
        var coordinatorRun = new RunOptions(Path.Combine(_results, "coordinator"));

        await using var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []),
            b => b.WithCoordinator(CoordinatorSettings.For(coordinatorRun, TimeProvider.System)), ct);
        string[] seeds = [coordinator.Address];
        var agents = new List<ClusterNode>();
        foreach (var name in new[] { "agent-a", "agent-b", "agent-c" })
        {
            agents.Add(await ClusterSetup.StartAsync(new NodeOptions("agent", "127.0.0.1", 0, seeds),
                b => b.WithAgent(name, TimeProvider.System, r => sent.AddOrUpdate(r.Agent, Completed(r), (_, n) => n + Completed(r))), ct));
        }

        await using var _ = new AsyncDisposables(agents);
        var observer = new Intervals();
        var run = ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 3, null), new RunOptions(Path.Combine(_results, "client")), observer, TextWriter.Null, ct);

        // A third of the way through, agent-c leaves the run: its actor stops (its node stays up, so every snapshot it
        // sent still arrives; the multi-process test kills a node outright).
        while (observer.Count < 5 && !run.IsCompleted)
        {
            await Task.Delay(100, ct);
        }

        agents[2].System.Stop(agents[2].Registry.Get<AgentKey>());
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.NotNull(journal.End);
        Assert.Equal("completed", journal.End!.Status);
        Assert.Contains(journal.Marks, m => m.Kind == "agent-lost" && m.Agent == "agent-c");
        var gap = Assert.Single(journal.Marks, m => m.Kind == "gap");
        Assert.Equal("agent-c", gap.Agent);
        var resplit = journal.Marks.Last(m => m.Kind == "resplit");
        Assert.Contains("agent-a, agent-b", resplit.Detail);

        // After the re-split the two survivors deliver the whole target: within 2% of the schedule.
        var schedule = LoadSchedule.Create(scenario.Load);
        var after = journal.Intervals.Where(i => i.Start >= Math.Ceiling(resplit.At) + 1 && i.End <= schedule.Duration).ToList();
        Assert.True(after.Count >= 5, string.Join("\n", journal.Marks.Select(m => $"{m.At:0.00} {m.Kind} {m.Agent} {m.Detail}")));
        var target = schedule.ArrivalsBefore(after[^1].End) - schedule.ArrivalsBefore(after[0].Start);
        var achieved = after.Sum(i => i.Paths.Sum(p => p.Offered));
        Assert.InRange(achieved, target * 0.98, target * 1.02);

        // The coordinator's totals are the sum of what the agents sent.
        var summary = outcome.Summary;
        Assert.Equal(sent.Values.Sum(), summary.Totals.Completed);
        Assert.Equal(3, summary.Cluster!.Agents);
        Assert.Equal(1, summary.Cluster.AgentsLost);
        Assert.True(summary.Cluster.GapArrivals > 0);

        // The local journal is a line-for-line copy of the coordinator's.
        var coordinatorJournal = Directory.GetFiles(coordinatorRun.ResultsRoot, "journal.jsonl", SearchOption.AllDirectories).Single();
        Assert.Equal(File.ReadAllLines(coordinatorJournal), File.ReadAllLines(Path.Combine(outcome.ResultsPath, "journal.jsonl")));
    }

    [Fact]
    public async Task A_run_waits_for_min_agents_and_is_refused_with_the_reason_when_they_never_come()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioLoader.Load(Yaml, "cluster-noop.yaml").GetOrThrow();
        var settings = CoordinatorSettings.For(new RunOptions(_results), TimeProvider.System) with { AgentWait = TimeSpan.FromSeconds(2) };
        await using var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []), b => b.WithCoordinator(settings), ct);
        var e = await Assert.ThrowsAsync<ClusterRunRejectedException>(
            () => ClusterRunClient.RunAsync(scenario, new ClusterRunRequest([coordinator.Address], 2, null), new RunOptions(_results), null, TextWriter.Null, ct));
        Assert.Contains("--min-agents 2", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public async Task An_agent_whose_clock_is_off_makes_the_coordinator_refuse_the_run_and_say_why()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioLoader.Load(Yaml, "cluster-noop.yaml").GetOrThrow();
        await using var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []),
            b => b.WithCoordinator(CoordinatorSettings.For(new RunOptions(_results), TimeProvider.System)), ct);
        await using var agent = await ClusterSetup.StartAsync(new NodeOptions("agent", "127.0.0.1", 0, [coordinator.Address]),
            b => b.WithAgent("skewed", new SkewedClock(TimeSpan.FromSeconds(3)), null), ct);
        var e = await Assert.ThrowsAsync<ClusterRunRejectedException>(
            () => ClusterRunClient.RunAsync(scenario, new ClusterRunRequest([coordinator.Address], 1, null), new RunOptions(_results), null, TextWriter.Null, ct));
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, "agent skewed's clock differs from the coordinator's by (\\d+) ms");
        Assert.True(match.Success, e.Message);
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 2800, 3200);
        Assert.Contains("beyond the bound of 100 ms", e.Message);
    }

    [Fact]
    public async Task An_aws_target_is_refused_by_the_coordinator_because_its_caps_would_not_hold_across_agents()
    {
        var ct = TestContext.Current.CancellationToken;
        const string aws = """
            name: aws-on-cluster
            target:
              type: aws
              region: us-east-1
              functions:
                probe: { memory: 512 }
              maxInvocations: 100
              maxCostUsd: 1
            load:
              - inject: { rate: 5, during: 2s }
            """;
        var scenario = ScenarioLoader.Load(aws, "aws-on-cluster.yaml").GetOrThrow();
        await using var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []),
            b => b.WithCoordinator(CoordinatorSettings.For(new RunOptions(_results), TimeProvider.System)), ct);
        var e = await Assert.ThrowsAsync<ClusterRunRejectedException>(
            () => ClusterRunClient.RunAsync(scenario, new ClusterRunRequest([coordinator.Address], 1, null), new RunOptions(_results), null, TextWriter.Null, ct));
        Assert.Equal(ClusterRunClient.AwsRefusal, e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.Empty(Directory.GetDirectories(_results));
    }

    /// <summary>The system clock, <paramref name="skew"/> ahead: another machine whose clock is off.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    private static long Completed(SnapshotReport r) => SnapshotWire.ToSnapshot(r).Completed;

    internal sealed class Intervals : IRunObserver
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnStarted(RunStarted run)
        {
        }

        public void OnInterval(IntervalSnapshot snapshot) => Interlocked.Increment(ref _count);
    }

    internal sealed class AsyncDisposables(List<ClusterNode> nodes) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var n in nodes)
            {
                try
                {
                    await n.DisposeAsync();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }
}
