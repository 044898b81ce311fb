using System.ComponentModel;
using System.Net;
using LambdaStorm.Cli.Telemetry;
using LambdaStorm.Cluster;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Telemetry;
using Prometheus;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary>Settings shared by <c>coordinator</c> and <c>agent</c>: where the node listens and whom it joins.</summary>
internal abstract class NodeSettings : CommandSettings
{
    [CommandOption("--seed <ADDRESS>")]
    [Description("Seed node to join, akka.tcp://lambdastorm@HOST:PORT (repeatable). Default for the coordinator: none, it starts the cluster")]
    public string[] Seeds { get; set; } = [];

    [CommandOption("--host <ADDRESS>")]
    [Description("Address the node binds to. Default: 127.0.0.1 (loopback only)")]
    [DefaultValue("127.0.0.1")]
    public string Host { get; set; } = "127.0.0.1";

    [CommandOption("--public-host <NAME>")]
    [Description("Address other nodes use to reach this one (e.g. a container name), when it differs from --host")]
    public string? PublicHost { get; set; }

    [CommandOption("--port <PORT>")]
    [Description("Akka remoting port; 0 picks a free one. Default: 4053 for the coordinator, 0 for agents")]
    public int? Port { get; set; }

    [CommandOption("--metrics-port <PORT>")]
    [Description("Serve Prometheus /metrics on this port; 0 turns it off. Default: 9464")]
    [DefaultValue(9464)]
    public int MetricsPort { get; set; } = 9464;

    [CommandOption("--metrics-host <ADDRESS>")]
    [Description("Address /metrics binds to. Default: 127.0.0.1")]
    [DefaultValue("127.0.0.1")]
    public string MetricsHost { get; set; } = "127.0.0.1";

    public override ValidationResult Validate()
    {
        if (Port is < 0 or > 65535 || MetricsPort is < 0 or > 65535)
        {
            return ValidationResult.Error("--port and --metrics-port must be between 0 and 65535");
        }

        if (!IPAddress.TryParse(Host, out _) && !Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--host must be an IP address or 'localhost', not '{Host}'");
        }

        var bad = Seeds.FirstOrDefault(s => !ClusterAddresses.IsValid(s));
        return bad is null ? ValidationResult.Success() : ValidationResult.Error($"--seed must look like akka.tcp://lambdastorm@HOST:PORT, not '{bad}'");
    }

    /// <summary>Starts /metrics for a registry, or returns null when turned off.</summary>
    public async Task<RunMetricsServer?> ServeMetricsAsync(CollectorRegistry registry, CancellationToken ct)
        => MetricsPort == 0 ? null : await RunMetricsServer.StartAsync(MetricsHost, MetricsPort, registry, ct);

    /// <summary>Waits for Ctrl-C or SIGTERM.</summary>
    public static async Task WaitForStopAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM: leave the cluster gracefully.
        }
    }
}

/// <summary><c>lambdastorm coordinator</c>: starts a node that hosts the coordinator singleton.</summary>
internal sealed class CoordinatorCommand : AsyncCommand<CoordinatorCommand.Settings>
{
    public sealed class Settings : NodeSettings
    {
        [CommandOption("--results <DIR>")]
        [Description("Folder under which the coordinator keeps its copy of every run's results. Default: results")]
        [DefaultValue("results")]
        public string Results { get; set; } = "results";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var registry = Metrics.NewCustomRegistry();
        // Agents export the run series of their shares (Grafana sums them); the coordinator exports only what needs the
        // merge (agents, shares, gaps, exact merged percentiles), so that nothing is counted twice.
        var cluster = new ClusterMetrics(Metrics.WithCustomRegistry(registry));
        await using var server = await settings.ServeMetricsAsync(registry, cancellationToken);
        var options = new RunOptions(settings.Results) { Artifacts = Reporting.ResultsArtifacts.Instance };
        var node = new NodeOptions("coordinator", settings.Host, settings.Port ?? 4053, settings.Seeds, settings.PublicHost);
        await using var running = await ClusterSetup.StartAsync(node, b => b.WithCoordinator(CoordinatorSettings.For(options, TimeProvider.System, null, cluster)), cancellationToken);
        Console.Out.WriteLine($"coordinator listening on {running.Address}");
        Console.Out.WriteLine($"  agents join with: lambdastorm agent --seed {running.Address}");
        Console.Out.WriteLine($"  runs are submitted with: lambdastorm run SCENARIO --cluster {running.Address}");
        if (server is not null)
        {
            Console.Out.WriteLine($"  metrics: {server.Address}");
        }

        Console.Out.Flush();
        await NodeSettings.WaitForStopAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}

/// <summary><c>lambdastorm agent</c>: starts a load agent that joins the cluster and takes shares of runs.</summary>
internal sealed class AgentCommand : AsyncCommand<AgentCommand.Settings>
{
    public sealed class Settings : NodeSettings
    {
        [CommandOption("--name <NAME>")]
        [Description("Agent name (unique in the cluster; labels its metrics). Default: agent-HOST-PID")]
        public string? Name { get; set; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            return !b.Successful ? b : Seeds.Length == 0 ? ValidationResult.Error("an agent needs --seed akka.tcp://lambdastorm@HOST:PORT (the coordinator's address)") : b;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var name = settings.Name ?? $"agent-{Environment.MachineName}-{Environment.ProcessId}";
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var metrics = new AgentMetrics(factory, name);

        // The run series of this agent's share, with an 'agent' label on every series: Grafana sums them across agents.
        // They are the only copy of the run series in a cluster (the coordinator exports only what needs the merge, and
        // 'run --cluster' exports none), so scraping agents and coordinator together counts nothing twice.
        var share = new RunMetrics(factory.WithLabels(new Dictionary<string, string>(StringComparer.Ordinal) { ["agent"] = name }));
        await using var server = await settings.ServeMetricsAsync(registry, cancellationToken);
        var node = new NodeOptions("agent", settings.Host, settings.Port ?? 0, settings.Seeds, settings.PublicHost);
        await using var running = await ClusterSetup.StartAsync(node, b => b.WithAgent(name, TimeProvider.System, metrics.OnSnapshot, new CompositeRunObserver(share, metrics)), cancellationToken);
        Console.Out.WriteLine($"agent {name} listening on {running.Address}, joining {string.Join(", ", settings.Seeds)}");
        if (server is not null)
        {
            Console.Out.WriteLine($"  metrics: {server.Address}");
        }

        Console.Out.Flush();
        await NodeSettings.WaitForStopAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}

/// <summary>
/// An agent's own series: its generator health over each interval it sent, labelled with the scenario of the run it
/// takes part in (so the dashboards' scenario variable filters them) and the agent.
/// </summary>
internal sealed class AgentMetrics(IMetricFactory factory, string agent) : IRunObserver
{
    private static readonly string[] Labels = ["scenario", "agent"];
    private readonly Gauge _cpu = factory.CreateGauge(MetricNames.Prefix + "agent_cpu_percent", "Process CPU of the agent over the last interval, in percent of one core, by scenario and agent.", Labels);
    private readonly Gauge _lateness = factory.CreateGauge(MetricNames.Prefix + "agent_lateness_p99_seconds", "Arrival lateness p99 of the agent over the last interval, by scenario and agent.", Labels);
    private readonly Counter _dropped = factory.CreateCounter(MetricNames.Prefix + "agent_dropped_total", "Arrivals the agent dropped at its in-flight cap, by scenario and agent.", Labels);
    private readonly Counter _offered = factory.CreateCounter(MetricNames.Prefix + "agent_offered_total", "Arrivals due on the agent's share, by scenario and agent.", Labels);
    private readonly Counter _snapshots = factory.CreateCounter(MetricNames.Prefix + "agent_snapshots_total", "Interval snapshots the agent sent to the coordinator, by scenario and agent.", Labels);
    private volatile string _scenario = string.Empty;

    /// <summary>A run starts on this agent: its scenario labels the health series from now on.</summary>
    public void OnStarted(RunStarted run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _scenario = run.Scenario.Name;
    }

    /// <summary>Measured intervals are exported by the run series; health comes with the sent snapshot.</summary>
    public void OnInterval(IntervalSnapshot snapshot)
    {
    }

    /// <summary>Folds one sent snapshot in.</summary>
    public void OnSnapshot(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scenario = _scenario;
        _cpu.WithLabels(scenario, agent).Set(report.Health.CpuPercent);
        _lateness.WithLabels(scenario, agent).Set(report.Health.LatenessP99Ms / 1000);
        _dropped.WithLabels(scenario, agent).Inc(report.Health.Dropped);
        _offered.WithLabels(scenario, agent).Inc(report.Health.Offered);
        _snapshots.WithLabels(scenario, agent).Inc();
    }
}
