using System.ComponentModel;
using LambdaStorm.Aws;
using LambdaStorm.Cli.Telemetry;
using LambdaStorm.Cli.Views;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Telemetry;
using Prometheus;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LambdaStorm.Cli.Commands;

/// <summary><c>lambdastorm run SCENARIO</c>: runs in this process with a live view.</summary>
internal sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : ScenarioSettings
    {
        [CommandOption("--plain")]
        [Description("Print a plain progress line every few seconds instead of the live view (automatic when output is not a terminal)")]
        public bool Plain { get; set; }

        [CommandOption("--progress-interval <DURATION>")]
        [Description("How often the plain progress line is printed. Default: 5s")]
        [DefaultValue("5s")]
        public override string ProgressInterval { get; set; } = "5s";

        [CommandOption("--metrics-port <PORT>")]
        [Description("Serve Prometheus /metrics (the run's and the embedded emulator's series) on this port; 0 turns it off. Default: 9464")]
        [DefaultValue(9464)]
        public int MetricsPort { get; set; } = 9464;

        [CommandOption("--allow-aws")]
        [Description("Allow a scenario whose target is 'aws' to invoke real functions (after printing its plan and estimated cost)")]
        public bool AllowAws { get; set; }

        [CommandOption("--metrics-host <ADDRESS>")]
        [Description("Address /metrics binds to. Default: 127.0.0.1 (loopback only)")]
        [DefaultValue("127.0.0.1")]
        public string MetricsHost { get; set; } = "127.0.0.1";

        [CommandOption("--metrics-linger <DURATION>")]
        [Description("Keep serving /metrics this long after the run ends, so that Prometheus scrapes the final values (ledger classes, drain time). Default: 0s")]
        [DefaultValue("0s")]
        public string MetricsLinger { get; set; } = "0s";

        /// <summary>The parsed <see cref="MetricsLinger"/>.</summary>
        public TimeSpan MetricsLingerTime => Scenarios.ValueParsers.TryParseDuration(MetricsLinger, out var d) ? d : TimeSpan.Zero;

        [CommandOption("--cluster <ADDRESS>")]
        [Description("Submit the run to a running cluster through this node (akka.tcp://lambdastorm@HOST:PORT, e.g. the coordinator's); the live view and the results folder stay here")]
        public string? Cluster { get; set; }

        [CommandOption("--min-agents <N>")]
        [Description("With --cluster: wait for this many agents before starting. Default: 1")]
        [DefaultValue(1)]
        public int MinAgents { get; set; } = 1;

        [CommandOption("--emulator <URL>")]
        [Description("With --cluster and an emulator target: the emulator the agents invoke (lambdastorm emulator --config FILE)")]
        public string? Emulator { get; set; }

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful)
            {
                return baseResult;
            }

            if (Cluster is not null && !LambdaStorm.Cluster.ClusterAddresses.IsValid(Cluster))
            {
                return ValidationResult.Error($"--cluster must look like akka.tcp://lambdastorm@HOST:PORT, not '{Cluster}'");
            }

            if (MinAgents < 1)
            {
                return ValidationResult.Error($"--min-agents must be at least 1, not {MinAgents}");
            }

            if ((Emulator is not null || MinAgents != 1) && Cluster is null)
            {
                return ValidationResult.Error("--min-agents and --emulator only apply with --cluster");
            }

            if (Emulator is not null && !Uri.TryCreate(Emulator, UriKind.Absolute, out _))
            {
                return ValidationResult.Error($"--emulator must be a URL such as http://127.0.0.1:9001, not '{Emulator}'");
            }

            if (!Scenarios.ValueParsers.TryParseDuration(MetricsLinger, out var linger) || linger < TimeSpan.Zero)
            {
                return ValidationResult.Error($"--metrics-linger must be a duration such as 5s, not '{MetricsLinger}'");
            }

            if (MetricsPort is < 0 or > 65535)
            {
                return ValidationResult.Error($"--metrics-port must be between 0 and 65535, not {MetricsPort}");
            }

            return MetricsHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(MetricsHost, out _)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--metrics-host must be an IP address (or localhost), not '{MetricsHost}'");
        }
    }

    /// <summary>Keeps /metrics up for <c>--metrics-linger</c> after the run, so that Prometheus scrapes the final values.</summary>
    private static async Task LingerAsync(RunMetricsServer? server, Settings settings, CancellationToken ct)
    {
        if (server is not null && settings.MetricsLingerTime > TimeSpan.Zero)
        {
            await Task.Delay(settings.MetricsLingerTime, TimeProvider.System, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var scenario = ScenarioFiles.LoadOrReport(settings.Scenario);
        if (scenario is null)
        {
            return ExitCodes.BadInput;
        }

        if (settings.Cluster is { } cluster)
        {
            return await RunOnClusterAsync(scenario, cluster, settings, cancellationToken);
        }

        AwsSession? aws = null;
        if (scenario.Target is TargetSpec.Aws awsTarget)
        {
            (aws, var code) = await AwsRunGate.PrepareAsync(scenario, awsTarget, settings.AllowAws, Console.Out, Console.Error, cancellationToken);
            if (aws is null)
            {
                return code;
            }
        }

        using var guard = aws is null ? null : new AwsGuard(aws.Target, aws.Function, cancellationToken);
        var interactive = !settings.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var view = new LiveView(interactive, settings.ProgressEvery);
        var registry = Metrics.NewCustomRegistry();
        var metrics = new RunMetrics(Metrics.WithCustomRegistry(registry));
        RunMetricsServer? server = null;
        if (settings.MetricsPort != 0)
        {
            try
            {
                server = await RunMetricsServer.StartAsync(settings.MetricsHost, settings.MetricsPort, registry, cancellationToken);
            }
            catch (IOException e)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"[red]error:[/] cannot serve /metrics on {settings.MetricsHost}:{settings.MetricsPort} ({e.Message}); pass another --metrics-port, or 0 to turn metrics off");
                return ExitCodes.BadInput;
            }
        }

        await using var _ = server;
        var options = new RunOptions(settings.Results)
        {
            EmulatorLauncher = new EmbeddedEmulatorLauncher(server),
            Artifacts = Reporting.ResultsArtifacts.Instance,
            AwsTargetFactory = aws is null ? null : (s, time) => aws.CreateTarget(s, guard!, time),
            SummaryNotes = guard is null ? null : guard.SummaryNotes,
        };
        var observer = new CompositeRunObserver(view, metrics);
        // One run of a scenario (or of one of its variants); variants loop around it.
        async Task<RunOutcome> RunOne(Scenario s, RunOptions o)
        {
            // A one-node cluster in this process: the same coordinator and agent as 'run --cluster' (docs/cluster.md),
            // game days (driven by the coordinator) and variants (the coordinator applies the override) included.
            var single = await view.ShowWhileAsync(() => LambdaStorm.Cluster.LocalClusterRun.RunAsync(s, o, observer, guard?.Stop ?? cancellationToken));
            SummaryView.Print(AnsiConsole.Console, single.Summary, single.ResultsPath);
            return single;
        }

        if (!scenario.Variants.IsEmpty)
        {
            var combined = await VariantRuns.RunAsync(scenario, options, RunOne, (v, i) => VariantsView.Starting(AnsiConsole.Console, scenario, v, i), guard?.Stop ?? cancellationToken);
            VariantsView.Print(AnsiConsole.Console, combined);
            await LingerAsync(server, settings, cancellationToken);
            return guard?.StopReason is not null && combined.Summary.ExitCode == ExitCodes.Ok ? ExitCodes.Aborted : combined.Summary.ExitCode;
        }

        RunOutcome outcome;
        try
        {
            outcome = await RunOne(scenario, options);
        }
        catch (LambdaStorm.Cluster.ClusterRunRejectedException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] the run did not start: {e.Message}");
            return e.ExitCode;
        }

        await LingerAsync(server, settings, cancellationToken);

        if (guard?.AuthError is not null)
        {
            await Console.Error.WriteLineAsync(AwsRunGate.AuthFailureMessage(guard, aws!.Target));
            return ExitCodes.BadInput;
        }

        // A cap ended the load before its schedule did: the run was aborted by a guardrail, whatever the thresholds say.
        return guard?.StopReason is not null && outcome.ExitCode == ExitCodes.Ok ? ExitCodes.Aborted : outcome.ExitCode;
    }

    /// <summary>
    /// <c>run --cluster</c>: submits the scenario and writes the results here. This process serves no /metrics: the run
    /// series come from the agents (labelled with <c>agent</c>) and the merged ones from the coordinator, so that a
    /// Prometheus scraping every node counts nothing twice (docs/cluster.md).
    /// </summary>
    private static async Task<int> RunOnClusterAsync(Scenario scenario, string cluster, Settings settings, CancellationToken cancellationToken)
    {
        if (scenario.Target is TargetSpec.Aws)
        {
            // The invocation and cost caps are enforced by one process's guard; split over agents they would not hold.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {LambdaStorm.Cluster.ClusterRunClient.AwsRefusal}");
            return ExitCodes.BadInput;
        }

        var interactive = !settings.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var view = new LiveView(interactive, settings.ProgressEvery);
        var options = new RunOptions(settings.Results) { Artifacts = Reporting.ResultsArtifacts.Instance };
        var request = new LambdaStorm.Cluster.ClusterRunRequest([cluster], settings.MinAgents, settings.Emulator);
        async Task<RunOutcome> RunOne(Scenario s, RunOptions o)
        {
            var clustered = await view.ShowWhileAsync(() => LambdaStorm.Cluster.ClusterRunClient.RunAsync(s, request, o, view, Console.Error, cancellationToken));
            SummaryView.Print(AnsiConsole.Console, clustered.Summary, clustered.ResultsPath);
            return clustered;
        }

        try
        {
            if (!scenario.Variants.IsEmpty)
            {
                // Each variant is submitted as the base scenario's text and the variant's name; the coordinator applies the override.
                var combined = await VariantRuns.RunAsync(scenario, options, RunOne, (v, i) => VariantsView.Starting(AnsiConsole.Console, scenario, v, i), cancellationToken);
                VariantsView.Print(AnsiConsole.Console, combined);
                return combined.Summary.ExitCode;
            }

            return (await RunOne(scenario, options)).ExitCode;
        }
        catch (LambdaStorm.Cluster.ClusterRunRejectedException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] the cluster refused the run: {e.Message}");
            return e.ExitCode;
        }
    }
}
