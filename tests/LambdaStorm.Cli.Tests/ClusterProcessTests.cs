using System.Globalization;
using System.Text;
using System.Text.Json;
using LambdaStorm.Engine;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// The cluster end to end, every node its own <c>lambdastorm</c> process on loopback: an emulator, a coordinator and
/// three agents; <c>run scenarios/spike.yaml --cluster</c> submits the spike; one agent is killed with SIGKILL halfway.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class ClusterProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-cluster-").FullName;
    private readonly List<CliProcess> _processes = [];
    private PrometheusServer? _prometheus;

    public void Dispose()
    {
        _prometheus?.Dispose();
        foreach (var p in _processes)
        {
            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private CliProcess Start(params string[] args)
    {
        var p = CliProcess.Start(CliTests.RepoRoot(), args);
        _processes.Add(p);
        return p;
    }

    /// <summary>The emulator configuration of spike.yaml: its target's keys without <c>type</c>.</summary>
    private static string EmulatorConfigOf(string scenarioPath)
    {
        var config = new StringBuilder();
        var inTarget = false;
        foreach (var line in File.ReadAllLines(scenarioPath))
        {
            if (line.StartsWith("target:", StringComparison.Ordinal))
            {
                inTarget = true;
                continue;
            }

            if (inTarget && !line.StartsWith("  ", StringComparison.Ordinal))
            {
                break;
            }

            if (inTarget && !line.TrimStart().StartsWith("type:", StringComparison.Ordinal))
            {
                config.AppendLine(line[2..]);
            }
        }

        return config.ToString();
    }

    [Fact]
    public async Task Spike_on_three_agent_processes_survives_a_SIGKILLed_agent()
    {
        var spike = Path.Combine(CliTests.RepoRoot(), "scenarios", "spike.yaml");
        var emulatorConfig = Path.Combine(_dir, "emulator.yaml");
        await File.WriteAllTextAsync(emulatorConfig, EmulatorConfigOf(spike));
        var emulatorPort = FreePort();
        var emulator = Start("emulator", "--port", emulatorPort.ToString(CultureInfo.InvariantCulture), "--config", emulatorConfig, "--seed", "7");
        await emulator.WaitForOutputAsync("emulator listening", TimeSpan.FromSeconds(60));

        var clusterPort = FreePort();
        var address = $"akka.tcp://lambdastorm@127.0.0.1:{clusterPort}";
        var coordinatorMetrics = FreePort();
        var agentMetrics = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        var coordinator = Start("coordinator", "--port", clusterPort.ToString(CultureInfo.InvariantCulture), "--metrics-port", coordinatorMetrics.ToString(CultureInfo.InvariantCulture),
            "--results", Path.Combine(_dir, "coordinator"));
        await coordinator.WaitForOutputAsync("coordinator listening", TimeSpan.FromSeconds(60));
        var agents = Enumerable.Range(1, 3).Select(k => Start("agent", "--seed", address, "--name", $"agent-{k}", "--metrics-port", agentMetrics[k - 1].ToString(CultureInfo.InvariantCulture))).ToList();
        _prometheus = PrometheusServer.Start(_dir, ("lambdastorm-coordinator", [coordinatorMetrics]), ("lambdastorm-agent", agentMetrics));

        var results = Path.Combine(_dir, "results");
        var run = Start("run", "scenarios/spike.yaml", "--cluster", address, "--min-agents", "3", "--emulator", $"http://127.0.0.1:{emulatorPort}",
            "--results", results, "--metrics-port", "0", "--plain");

        // Halfway through the 80 s schedule, agent-2's process is killed outright.
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (IntervalsSoFar(results) < 40)
        {
            Assert.True(DateTime.UtcNow < until, $"the run did not reach 40 s\n{run.StdOut}\n{run.StdErr}\n{coordinator.StdOut}\n{coordinator.StdErr}");
            await Task.Delay(250);
        }

        // The cluster panels of the "cluster and generator health" dashboard, against the real Prometheus scraping the
        // coordinator and the agents: every query parses and returns data (issue 6).
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var failures = new List<string>();
        var clusterQueries = DashboardQueries.All().Where(q => q.Requires == "cluster").ToList();
        Assert.True(clusterQueries.Count >= 5, $"only {clusterQueries.Count} cluster panel queries");
        foreach (var q in clusterQueries)
        {
            var (ok, error, series) = await _prometheus.QueryAsync(q.Substituted("spike"), at);
            if (!ok || series == 0)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': {(ok ? "no series" : error)}\n    {q.Expr}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} cluster panel queries failed:\n{string.Join('\n', failures)}\nprometheus:\n{_prometheus.Logged()}");

        agents[1].Signal("KILL");
        var code = await run.WaitAsync(TimeSpan.FromMinutes(4));

        Assert.True(code is 0 or 2, $"exit {code}\n{run.StdOut}\n{run.StdErr}");
        var folder = Assert.Single(Directory.GetDirectories(results));
        var lines = await File.ReadAllLinesAsync(Path.Combine(folder, "journal.jsonl"));
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("start", records[0].GetProperty("type").GetString());
        var end = records[^1];
        Assert.Equal("end", end.GetProperty("type").GetString());
        Assert.Equal("completed", end.GetProperty("status").GetString());
        var marks = records.Where(r => r.GetProperty("type").GetString() == "mark").ToList();
        Assert.Contains(marks, m => m.GetProperty("kind").GetString() == "agent-lost" && m.GetProperty("agent").GetString() == "agent-2");
        Assert.Contains(marks, m => m.GetProperty("kind").GetString() == "gap" && m.GetProperty("agent").GetString() == "agent-2");
        Assert.Contains(marks, m => m.GetProperty("kind").GetString() == "resplit" && m.GetProperty("detail").GetString()!.Contains("agent-1, agent-3", StringComparison.Ordinal));

        // Every interval of the schedule is in the journal, in order (none skipped).
        var seqs = records.Where(r => r.GetProperty("type").GetString() == "interval").Select(r => r.GetProperty("seq").GetInt64()).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => (long)i), seqs);
        Assert.True(seqs.Count >= 80, $"{seqs.Count} intervals");

        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        Assert.Equal(1, summary.GetProperty("cluster").GetProperty("agentsLost").GetInt32());
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.True(File.Exists(Path.Combine(folder, "junit.xml")));

        // The delivery ledger of spike.yaml's async share, kept by the coordinator from what the agents reported and
        // what it read from the emulator's queues: every async arrival of the schedule is accounted for, none is lost
        // or left in flight, and the only unknown ids are agent-2's async arrivals between its last report and the
        // re-split (slot 1 of 3: agent-1, agent-2, agent-3 in name order).
        var journal = JournalReader.Read(Path.Combine(folder, "journal.jsonl"));
        var scenario = ScenarioLoader.Load(await File.ReadAllTextAsync(spike), spike).GetOrThrow();
        var factory = new InvocationFactory(scenario, journal.Header.RunId);
        var schedule = LoadSchedule.Create(scenario.Load);
        var lost = journal.Marks.First(m => m.Kind == "agent-lost" && m.Agent == "agent-2");
        var resplit = journal.Marks.First(m => m.Kind == "resplit");
        var lastReported = lost.Sequence is { } s && s >= 0 ? s + 1.0 : 0;
        var asyncArrivals = Enumerable.Range(0, (int)schedule.TotalArrivals).Where(i => factory.PathOf(i) == Scenarios.InvocationPath.Async).ToList();
        var gapIds = asyncArrivals.Where(i => i % 3 == 1 && i < resplit.Arrivals && i >= schedule.ArrivalsBefore(Math.Max(0, lastReported - 1))).Select(i => factory.IdOf(i)).ToHashSet();
        var ledger = summary.GetProperty("ledger");
        var classes = ledger.GetProperty("classes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        var detail = $"{ledger.GetProperty("classes")} source {ledger.GetProperty("source")}\n{run.StdOut}";
        Assert.True(asyncArrivals.Count == ledger.GetProperty("sent").GetInt64(), detail);
        Assert.True(classes["lost"] == 0, detail);
        Assert.True(classes["in_flight"] == 0, detail);
        Assert.True(classes["first_attempt"] + classes["after_retry"] > asyncArrivals.Count * 0.9, detail);
        var unknownIds = records.Where(r => r.GetProperty("type").GetString() == "ledger" && r.TryGetProperty("unknown", out _))
            .SelectMany(r => r.GetProperty("unknown").EnumerateArray().Select(x => x.GetString()!)).ToHashSet();
        Assert.True(unknownIds.Count > 0, $"no id of agent-2's gap was marked unknown\n{detail}");
        Assert.Subset(gapIds, unknownIds);
        Assert.InRange(classes["unknown"], 0, unknownIds.Count); // a marked id whose receipt came is processed after all

        // 'lambdastorm report' rebuilds the same ledger classes from the client's journal.
        var (reportCode, reportOut, reportErr) = await CliProcess.RunAsync(_dir, "report", folder);
        Assert.True(reportCode is 0 or 2, reportOut + reportErr);
        var rebuilt = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement.GetProperty("ledger");
        Assert.Equal(ledger.GetProperty("classes").GetRawText(), rebuilt.GetProperty("classes").GetRawText());
    }

    [Fact]
    public async Task Client_faults_act_on_every_agent_process_and_the_effective_moment_is_an_agents_invocation()
    {
        var scenario = Path.Combine(_dir, "client-faults.yaml");
        await File.WriteAllTextAsync(scenario, """
            name: cluster-client-faults
            target: { type: noop, latency: 2ms }
            gracefulStop: 1s
            load:
              - inject: { rate: 60, during: 14s }
            chaos:
              - { at: 3s, for: 8s, client-faults: { failRate: 30% } }
            """);
        var clusterPort = FreePort();
        var address = $"akka.tcp://lambdastorm@127.0.0.1:{clusterPort}";
        var coordinator = Start("coordinator", "--port", clusterPort.ToString(CultureInfo.InvariantCulture), "--results", Path.Combine(_dir, "coordinator"));
        await coordinator.WaitForOutputAsync("coordinator listening", TimeSpan.FromSeconds(60));
        var agentMetrics = Enumerable.Range(0, 2).Select(_ => FreePort()).ToArray();
        foreach (var k in new[] { 1, 2 })
        {
            Start("agent", "--seed", address, "--name", $"agent-{k}", "--metrics-port", agentMetrics[k - 1].ToString(CultureInfo.InvariantCulture));
        }

        var results = Path.Combine(_dir, "results");
        var run = Start("run", scenario, "--cluster", address, "--min-agents", "2", "--results", results, "--plain");

        // Each agent process's own /metrics shows the fault active while it injects.
        using var http = new HttpClient();
        var seen = new HashSet<int>();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (seen.Count < 2 && !run.HasExited)
        {
            Assert.True(DateTime.UtcNow < until, $"the agents never showed the fault active\n{run.StdOut}\n{run.StdErr}");
            foreach (var port in agentMetrics.Where(p => !seen.Contains(p)))
            {
                string text;
                try
                {
                    text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
                }
                catch (HttpRequestException)
                {
                    continue; // the agent's metrics server is not up yet
                }

                if (text.Split('\n').Any(l => l.StartsWith("lambdastorm_chaos_active{", StringComparison.Ordinal) && l.Contains("reason=\"client-faults\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)))
                {
                    seen.Add(port);
                }
            }

            await Task.Delay(250);
        }

        var code = await run.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"exit {code}\n{run.StdOut}\n{run.StdErr}");
        Assert.Equal(2, seen.Count);
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        var finding = Assert.Single(summary.GetProperty("chaos").GetProperty("findings").EnumerateArray());
        Assert.Equal("invocation", finding.GetProperty("effectiveBy").GetString());
        Assert.True(finding.GetProperty("errors").GetInt64() > 0, finding.GetRawText());
        var effective = File.ReadLines(Path.Combine(folder, "journal.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(r => r.GetProperty("type").GetString() == "chaos" && r.GetProperty("kind").GetString() == "effective");
        Assert.Matches(@"^first call showing it: a send failed at the caller, on agent-[12]$", effective.GetProperty("detail").GetString());
    }

    private static int IntervalsSoFar(string results)
    {
        var folder = Directory.Exists(results) ? Directory.GetDirectories(results).FirstOrDefault() : null;
        if (folder is null || !File.Exists(Path.Combine(folder, "journal.jsonl")))
        {
            return 0;
        }

        using var stream = new FileStream(Path.Combine(folder, "journal.jsonl"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains("\"type\":\"interval\"", StringComparison.Ordinal))
            {
                n++;
            }
        }

        return n;
    }

    private static int FreePort() => PrometheusServer.FreePort();
}
