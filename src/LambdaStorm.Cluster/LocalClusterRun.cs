using System.Text.Json;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cluster;

/// <summary>
/// <c>run SCENARIO</c> without <c>--cluster</c>: a one-node cluster inside this process. One actor system on 127.0.0.1
/// (ephemeral port, joining itself) hosts the coordinator singleton and one agent named <see cref="AgentName"/>; the
/// scenario is submitted to the coordinator exactly as <c>run --cluster</c> submits it, the agent fires the whole
/// schedule (share 0 of 1) and sends its snapshots, and the coordinator merges, journals, shows and evaluates them
/// through <see cref="RunRecorder"/>. What only this process can own (the embedded emulator, the in-process target,
/// the delivery ledger, the aws guard's client) is built once by <see cref="RunResources"/>, handed to the agent as its
/// target and to the coordinator for the settle after the load. Part of internal API.
/// </summary>
internal static class LocalClusterRun
{
    /// <summary>The in-process agent's name.</summary>
    public const string AgentName = "local";

    /// <summary>How far ahead the common start is set: one agent in this process is ready at once.</summary>
    public static readonly TimeSpan StartLead = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs the scenario; <paramref name="stop"/> (Ctrl-C, the aws guard) stops the load, and the results are still written.</summary>
    public static async Task<RunOutcome> RunAsync(Scenario scenario, RunOptions options, IRunObserver? observer, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        var time = TimeProvider.System;
        await using var resources = await RunResources.CreateAsync(scenario, options, time, stop).ConfigureAwait(false);
        // The agent invokes the run's target through a seam the coordinator's chaos controller observes (effective moments).
        var target = new ObservedTarget(resources.Invoked);
        var settings = CoordinatorSettings.For(options, time, observer) with { StartLead = StartLead, Local = new LocalRun(resources, stop, target) };
        await using var node = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, [], Alone: true),
            b => b.WithCoordinator(settings).WithAgent(AgentName, time, local: target), stop).ConfigureAwait(false);
        var done = new TaskCompletionSource<SubmittedRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var submit = ClusterRunClient.Submission(scenario, options, 1, null);
        var submitter = node.System.ActorOf(SubmitterActor.Props(node.Registry.Get<CoordinatorKey>(), submit, NoStream.Instance, done), "submit");
        var result = await WaitAsync(done.Task, submitter, stop).ConfigureAwait(false);
        if (result.Ended is { } ended)
        {
            var summary = JsonSerializer.Deserialize<RunSummary>(ended.SummaryJson, RunSummary.JsonOptions)!;
            return new RunOutcome(summary, ended.CoordinatorResultsPath, ended.ExitCode);
        }

        throw new ClusterRunRejectedException(result.Reason ?? "the run did not start", result.ExitCode);
    }

    private static async Task<SubmittedRunResult> WaitAsync(Task<SubmittedRunResult> done, Akka.Actor.IActorRef submitter, CancellationToken stop)
    {
        await using var onStop = stop.Register(() => submitter.Tell(SubmitterActor.Stop.Instance, Akka.Actor.ActorRefs.NoSender)).ConfigureAwait(false);
        return await done.ConfigureAwait(false);
    }

    /// <summary>The coordinator writes the results folder itself: nothing is streamed to this client.</summary>
    private sealed class NoStream : IRunStream
    {
        public static readonly NoStream Instance = new();

        public void Accepted(RunAccepted accepted)
        {
        }

        public void Lines(IReadOnlyList<string> lines)
        {
        }
    }
}
