using Akka.Actor;
using Akka.Cluster;
using LambdaStorm.Cluster.Protocol;

namespace LambdaStorm.Cluster.Actors;

/// <summary>How a submitted run ended, seen from the client.</summary>
/// <param name="ExitCode">Exit code for the client process.</param>
/// <param name="Reason">Why the run was refused or aborted, or null when it ran.</param>
/// <param name="Ended">The coordinator's end message, when the run ended normally.</param>
internal sealed record SubmittedRunResult(int ExitCode, string? Reason, RunEnded? Ended);

/// <summary>
/// The client side of <c>run --cluster</c>: submits the scenario to the coordinator singleton, receives the journal as
/// the coordinator writes it, and completes when the run ends, is refused, or the coordinator is lost (then the run
/// ended aborted: the agents stop on their own). Part of internal API.
/// </summary>
internal sealed class SubmitterActor : ReceiveActor
{
    private readonly SubmitRun _submit;
    private readonly IActorRef _proxy;
    private readonly TaskCompletionSource<SubmittedRunResult> _done;
    private IActorRef? _coordinator;
    private string? _runId;
    private bool _stopAsked;

    public SubmitterActor(IActorRef proxy, SubmitRun submit, IRunStream stream, TaskCompletionSource<SubmittedRunResult> done)
    {
        _proxy = proxy;
        _submit = submit;
        _done = done;
        Receive<RunRejected>(m => Complete(new SubmittedRunResult(m.ExitCode, m.Reason, null)));
        Receive<RunAccepted>(m =>
        {
            _runId = m.RunId;
            _coordinator = Sender;
            Context.Watch(Sender);
            stream.Accepted(m);
            if (_stopAsked)
            {
                Sender.Tell(new StopRun(m.RunId));
            }
        });
        Receive<JournalLines>(m => stream.Lines(m.Lines));
        Receive<RunEnded>(m => Complete(new SubmittedRunResult(m.ExitCode, null, m)));
        Receive<Stop>(_ =>
        {
            // A stop that comes before the run is accepted is passed on as soon as it is.
            _stopAsked = true;
            if (_runId is not null)
            {
                (_coordinator ?? _proxy).Tell(new StopRun(_runId));
            }
        });
        Receive<Terminated>(m =>
        {
            if (m.ActorRef.Equals(_coordinator))
            {
                Complete(new SubmittedRunResult(Runs.ExitCodes.Aborted, "the coordinator stopped during the run", null));
            }
        });
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (_coordinator is not null && m.Member.Address.Equals(_coordinator.Path.Address))
            {
                Complete(new SubmittedRunResult(Runs.ExitCodes.Aborted, "the coordinator's node became unreachable during the run", null));
            }
        });
        Receive<ClusterEvent.IReachabilityEvent>(_ => { });
    }

    /// <summary>Props.</summary>
    public static Props Props(IActorRef proxy, SubmitRun submit, IRunStream stream, TaskCompletionSource<SubmittedRunResult> done)
        => Akka.Actor.Props.Create(() => new SubmitterActor(proxy, submit, stream, done));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));
        _proxy.Tell(_submit);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Complete(SubmittedRunResult result)
    {
        _done.TrySetResult(result);
        Context.Stop(Self);
    }

    /// <summary>Asks the coordinator to stop the run (Ctrl-C).</summary>
    internal sealed class Stop
    {
        public static readonly Stop Instance = new();
    }
}

/// <summary>Receives what a submitted run streams back.</summary>
internal interface IRunStream
{
    /// <summary>The run starts.</summary>
    void Accepted(RunAccepted accepted);

    /// <summary>Journal lines, in order.</summary>
    void Lines(IReadOnlyList<string> lines);
}
