using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// Game days and variants on a real cluster (a coordinator and two agents on loopback, one process): the coordinator
/// evaluates the abort conditions on the merged intervals and stops every agent; a scenario's variants are submitted
/// one by one as the base text plus the variant's name and land in one combined results folder.
/// </summary>
public sealed class ClusterGameDayTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    private string ResultsRoot => _cluster.Results;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private Task<string[]> StartClusterAsync(int agents, CancellationToken ct) => _cluster.StartAsync(Enumerable.Range(1, agents).Select(i => $"agent-{i}"), ct);

    [Fact]
    public async Task An_abort_condition_on_the_merged_data_stops_every_agent_with_exit_code_3()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(2, ct);

        // A quarter of the calls fail on every agent; the merged error rate crosses the bound in the first seconds.
        var scenario = ScenarioLoader.Load("""
            name: cluster-abort
            target: { type: noop, latency: 2ms, errorRate: 25% }
            gracefulStop: 1s
            load:
              - inject: { rate: 100, during: 60s }
            abort:
              - error_rate > 10% for 2s
            """, "cluster-abort.yaml").GetOrThrow();
        var observer = new ChaosWatcher();
        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, null), new RunOptions(Path.Combine(ResultsRoot, "client")), observer, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("aborted", journal.End!.Status);
        Assert.True(journal.End.ElapsedSeconds < 20, $"the load ran {journal.End.ElapsedSeconds:0.#} s of 60");
        var abort = Assert.Single(journal.Chaos, e => e.Kind == "abort");
        Assert.StartsWith("abort condition 'error_rate > 10% for 2s' fired", abort.Detail, StringComparison.Ordinal);
        Assert.StartsWith("abort condition 'error_rate > 10% for 2s' fired", outcome.Summary.Chaos!.Aborted);
        Assert.Contains(outcome.Summary.Warnings, w => w.StartsWith("aborted: ", StringComparison.Ordinal));

        // Both agents took part, and the merged intervals came from both.
        Assert.Equal(2, outcome.Summary.Cluster!.Agents);
        Assert.Contains(observer.Chaos, e => e.Kind == "abort");
    }

    [Fact]
    public async Task A_dlq_depth_abort_fires_on_the_cluster_ledger_and_the_findings_count_the_faults_dead_letters()
    {
        var ct = TestContext.Current.CancellationToken;

        // Every async event fails while the fault is on; with no retries each lands in the failure destination, which
        // the coordinator's ledger reads through SQS at the emulator: its dead-letter count crosses the bound.
        var outcome = await AsyncGameDayOnEmulatorAsync("cluster-dlq-abort", "{ maximumRetryAttempts: 0, onFailure: failed-events }", "dlq_depth > 20", ct);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        Assert.StartsWith("abort condition 'dlq_depth > 20' fired", outcome.Summary.Chaos!.Aborted);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("aborted", journal.End!.Status);
        Assert.True(journal.End.ElapsedSeconds < 40, $"the load ran {journal.End.ElapsedSeconds:0.#} s of 60");

        // The fault's finding counts, from the coordinator's reconciled ledger, the ids that ended in the destination.
        var finding = Assert.Single(outcome.Summary.Chaos.Findings);
        Assert.NotNull(finding.Ledger);
        Assert.True(finding.Ledger.DeadLettered > 20, $"{finding.Ledger}");
        Assert.True(outcome.Summary.Chaos.RolledBack);
    }

    [Fact]
    public async Task A_lost_abort_fires_on_the_separate_emulators_count_of_events_it_dropped_with_nowhere_to_go()
    {
        var ct = TestContext.Current.CancellationToken;

        // Every async event fails while the fault is on; with no retries and no failure destination the emulator drops
        // each one leaving no record. The coordinator cannot name those ids, but the emulator's /metrics counts them
        // (lambdastorm_emulator_async_events_lost_total): its increase since the start is the live lost count.
        var outcome = await AsyncGameDayOnEmulatorAsync("cluster-lost-abort", "{ maximumRetryAttempts: 0 }", "lost > 20", ct);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var aborted = outcome.Summary.Chaos!.Aborted!;
        Assert.StartsWith("abort condition 'lost > 20' fired (lost = ", aborted);
        var live = long.Parse(System.Text.RegularExpressions.Regex.Match(aborted, @"\(lost = (\d+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var journal = JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("aborted", journal.End!.Status);
        Assert.True(journal.End.ElapsedSeconds < 40, $"the load ran {journal.End.ElapsedSeconds:0.#} s of 60");
        Assert.True(outcome.Summary.Chaos.RolledBack);

        // The final classes are per id: every id the emulator dropped ends lost once the ledger has settled, so the
        // count the abort read never exceeds them; nothing went to a DLQ.
        var ledger = outcome.Summary.Ledger!;
        Assert.Equal("quiescent", ledger.Source);
        Assert.True(ledger.Count(Ledger.DeliveryClass.Lost) >= live, $"final lost {ledger.Count(Ledger.DeliveryClass.Lost)} < live {live}");
        Assert.Equal(0, ledger.Count(Ledger.DeliveryClass.DeadLettered));
        Assert.Contains("\"sourceLost\":", await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, "journal.jsonl"), ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_purge_queue_on_a_cluster_counts_the_purged_messages_lost_from_the_emulators_metrics()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(2, ct);

        // The agents send to a queue nobody polls; the purge removes what waits there, and the emulator counts those
        // messages on /metrics (lambdastorm_emulator_queue_messages_lost_total{queue="orders",reason="purged"}).
        var scenario = ScenarioLoader.Load("""
            name: cluster-purge-lost
            function: worker
            path: queue
            queue: orders
            target:
              type: emulator
              functions:
                worker: { duration: 10ms }
              queues:
                orders: {}
            gracefulStop: 1s
            settle: 3s
            load:
              - inject: { rate: 40, during: 60s }
            abort:
              - lost > 50
            chaos:
              - { at: 4s, purge-queue: { queue: orders } }
            """, "cluster-purge-lost.yaml").GetOrThrow();
        await using var emulator = await LambdaStorm.Emulator.EmulatorHost.StartAsync(
            new LambdaStorm.Emulator.EmulatorOptions { Model = ((TargetSpec.Emulator)scenario.Target).Model, Port = 0 }, ct);
        var outcome = await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, emulator.BaseAddress.ToString()), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var aborted = outcome.Summary.Chaos!.Aborted!;
        Assert.StartsWith("abort condition 'lost > 50' fired (lost = ", aborted);
        var live = long.Parse(System.Text.RegularExpressions.Regex.Match(aborted, @"\(lost = (\d+)\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(live, 51, 200); // about 4 s of 40 a second waited in the queue when it was purged
        Assert.True(JournalReader.Read(Path.Combine(outcome.ResultsPath, "journal.jsonl")).End!.ElapsedSeconds < 20);

        // The final classes stay per id, and the coordinator cannot name the purged ones: with what was sent after the
        // purge still waiting, the source never goes quiet, so they end in flight with the rest (docs/chaos.md).
        var ledger = outcome.Summary.Ledger!;
        Assert.Equal("busy", ledger.Source);
        Assert.True(ledger.Count(Ledger.DeliveryClass.Lost) + ledger.Count(Ledger.DeliveryClass.InFlight) >= live, string.Join(", ", ledger.Classes));
    }

    [Fact]
    public async Task Variants_run_on_a_cluster_into_one_combined_folder_with_each_variants_override_applied()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(1, ct);
        var scenario = ScenarioLoader.Load("""
            name: twice
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 20, during: 2s }
            thresholds:
              - error_rate == 0
            variants:
              - name: plain
              - name: faster
                override:
                  load:
                    - inject: { rate: 50, during: 2s }
            """, "twice.yaml").GetOrThrow();
        var options = new RunOptions(Path.Combine(ResultsRoot, "client"));
        var request = new ClusterRunRequest(seeds, 1, null);

        var combined = await VariantRuns.RunAsync(scenario, options, (s, o) => ClusterRunClient.RunAsync(s, request, o, null, TextWriter.Null, ct), null, ct)
            .WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.Equal(ExitCodes.Ok, combined.Summary.ExitCode);
        Assert.Equal(["plain", "faster"], combined.Summary.Variants.Select(v => v.Name));
        Assert.True(File.Exists(Path.Combine(combined.ResultsPath, "summary.json")));

        // Each variant ran its own schedule on the cluster (the coordinator applied the override), into its subfolder.
        var plain = JournalReader.Read(Path.Combine(combined.ResultsPath, "plain", "journal.jsonl"));
        var faster = JournalReader.Read(Path.Combine(combined.ResultsPath, "faster", "journal.jsonl"));
        Assert.Equal("twice.plain", plain.Header.Scenario);
        Assert.Equal("twice.faster", faster.Header.Scenario);
        Assert.Equal(40, plain.Intervals.Sum(i => i.Paths.Sum(p => p.Offered)));
        Assert.Equal(100, faster.Intervals.Sum(i => i.Paths.Sum(p => p.Offered)));
        Assert.StartsWith("cluster of 1 agent(s)", faster.Header.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_variant_the_scenario_does_not_have_is_refused_by_the_coordinator()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = await StartClusterAsync(1, ct);
        var scenario = ScenarioLoader.Load("""
            name: once
            target: { type: noop }
            load:
              - inject: { rate: 5, during: 1s }
            variants:
              - name: only
            """, "once.yaml").GetOrThrow();
        var options = new RunOptions(ResultsRoot) { Variant = new VariantOf(scenario.Source, "missing") };

        var e = await Assert.ThrowsAsync<ClusterRunRejectedException>(() => ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 1, null), options, null, TextWriter.Null, ct));

        Assert.Equal("the scenario has no variant 'missing' (variants: only)", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    /// <summary>
    /// A game day of two agents on the async path of a separate emulator (in process, reached over HTTP like any other):
    /// 40 events a second for 60 s, every one failing from 3 s for 40 s, with <paramref name="asyncConfig"/> for the
    /// function and one abort condition.
    /// </summary>
    private async Task<RunOutcome> AsyncGameDayOnEmulatorAsync(string name, string asyncConfig, string abort, CancellationToken ct)
    {
        var seeds = await StartClusterAsync(2, ct);
        var scenario = ScenarioLoader.Load($$"""
            name: {{name}}
            target:
              type: emulator
              functions:
                worker:
                  duration: 10ms
                  async: {{asyncConfig}}
              queues:
                failed-events: {}
            path: async
            gracefulStop: 1s
            settle: 20s
            load:
              - inject: { rate: 40, during: 60s }
            abort:
              - {{abort}}
            chaos:
              - { at: 3s, for: 40s, function-errors: { function: worker, rate: 100% } }
            """, name + ".yaml").GetOrThrow();
        await using var emulator = await LambdaStorm.Emulator.EmulatorHost.StartAsync(
            new LambdaStorm.Emulator.EmulatorOptions { Model = ((TargetSpec.Emulator)scenario.Target).Model, Port = 0 }, ct);
        return await ClusterRunClient.RunAsync(scenario, new ClusterRunRequest(seeds, 2, emulator.BaseAddress.ToString()), new RunOptions(Path.Combine(ResultsRoot, "client")), null, TextWriter.Null, ct)
            .WaitAsync(TimeSpan.FromMinutes(2), ct);
    }

    private sealed class ChaosWatcher : IRunObserver, Chaos.IChaosObserver
    {
        private readonly List<Chaos.ChaosEvent> _chaos = [];

        public IReadOnlyList<Chaos.ChaosEvent> Chaos
        {
            get
            {
                lock (_chaos)
                {
                    return [.. _chaos];
                }
            }
        }

        public void OnStarted(RunStarted run)
        {
        }

        public void OnInterval(IntervalSnapshot snapshot)
        {
        }

        public void OnChaos(Chaos.ChaosEvent e)
        {
            lock (_chaos)
            {
                _chaos.Add(e);
            }
        }
    }
}
