using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// <c>run</c> without <c>--cluster</c>: a one-node cluster in this process (coordinator singleton and one agent in one
/// actor system on loopback), through the same coordinator and agent code as a real cluster.
/// </summary>
public sealed class LocalClusterRunTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("lambdastorm-local-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    [Fact]
    public async Task A_one_node_cluster_fires_the_whole_schedule_and_writes_the_results_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioLoader.Load("""
            name: local-noop
            target: { type: noop, latency: 1ms }
            gracefulStop: 2s
            load:
              - inject: { rate: 200, during: 3s }
            thresholds:
              - error_rate < 1%
            """, "local-noop.yaml").GetOrThrow();
        var observer = new Watcher();
        var outcome = await LocalClusterRun.RunAsync(scenario, new RunOptions(_results), observer, ct);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Equal(_results, Path.GetDirectoryName(outcome.ResultsPath));
        Assert.Single(Directory.GetDirectories(_results));
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("completed", journal.End!.Status);
        Assert.Equal("noop", journal.Header.Target.Split(' ')[0]);

        // Every arrival of the schedule was offered exactly once by the one agent, and the summary says so.
        var schedule = LoadSchedule.Create(scenario.Load);
        Assert.Equal(schedule.TotalArrivals, journal.Intervals.Sum(i => i.Paths.Sum(p => p.Offered)));
        Assert.Equal(schedule.TotalArrivals, outcome.Summary.Totals.Started + outcome.Summary.Totals.Dropped);
        Assert.Equal(journal.Intervals.Length, observer.Intervals);
        Assert.Equal(1, observer.Started);
    }

    [Fact]
    public async Task An_agent_beyond_the_scenarios_generator_bounds_makes_the_run_generator_limited()
    {
        var ct = TestContext.Current.CancellationToken;

        // One invocation in flight at a time, each taking 50 ms, at 100/s: most arrivals are dropped, every interval.
        var scenario = ScenarioLoader.Load("""
            name: local-limited
            target: { type: noop, latency: 50ms }
            maxInFlight: 1
            gracefulStop: 1s
            generator: { maxLatenessP99: 1s, maxDropRate: 5%, sustained: 2 }
            load:
              - inject: { rate: 100, during: 4s }
            """, "local-limited.yaml").GetOrThrow();
        Assert.Equal(new GeneratorBounds(TimeSpan.FromSeconds(1), 0.05, 2), scenario.Generator);
        var observer = new Watcher();
        var outcome = await LocalClusterRun.RunAsync(scenario, new RunOptions(_results), observer, ct);

        var mark = Assert.Single(observer.Marks, m => m.Kind == "generator-limited");
        Assert.Equal(LocalClusterRun.AgentName, mark.Agent);
        Assert.Contains("(bound 5.0", mark.Detail, StringComparison.Ordinal);
        Assert.True(outcome.Summary.Cluster!.GeneratorLimited);
        Assert.Contains(outcome.Summary.Warnings, w => w.StartsWith("generator-limited", StringComparison.Ordinal));
    }

    private sealed class Watcher : IRunObserver
    {
        public int Started;
        public int Intervals;
        public readonly List<JournalMark> Marks = [];

        public void OnStarted(RunStarted run) => Interlocked.Increment(ref Started);

        public void OnInterval(IntervalSnapshot snapshot) => Interlocked.Increment(ref Intervals);

        public void OnMark(JournalMark mark)
        {
            lock (Marks)
            {
                Marks.Add(mark);
            }
        }
    }
}
