using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using LambdaStorm.Cluster.Actors;
using LambdaStorm.Cluster.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LambdaStorm.Cluster;

/// <summary>Type key of the coordinator singleton (and its proxy) in the actor registry.</summary>
public sealed class CoordinatorKey;

/// <summary>Type key of this node's agent actor in the actor registry.</summary>
public sealed class AgentKey;

/// <summary>Where a node listens and whom it joins.</summary>
/// <param name="Role"><c>coordinator</c>, <c>agent</c> or <c>client</c>.</param>
/// <param name="Host">Address to bind (and to advertise). Default 127.0.0.1.</param>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="Seeds">Seed node addresses (<c>akka.tcp://lambdastorm@HOST:PORT</c>); none means "I am the first node: join myself".</param>
/// <param name="PublicHost">Address other nodes use to reach this one (e.g. a container name), or null for <paramref name="Host"/>.</param>
/// <param name="Alone">True for the one-node cluster of <c>run</c>: nobody else joins, so the cluster's periodic tasks start at once and the singleton proxy looks for the coordinator every 50 ms (startup in well under a second).</param>
internal sealed record NodeOptions(string Role, string Host, int Port, IReadOnlyList<string> Seeds, string? PublicHost = null, bool Alone = false);

/// <summary>
/// The Akka.Hosting configuration of every LambdaStorm node. One place decides the cluster's settings:
/// <list type="bullet">
/// <item>remoting on the given host and port (127.0.0.1 by default, never all interfaces unless asked);</item>
/// <item>clustering with role <c>coordinator</c>, <c>agent</c> or <c>client</c> and the seed nodes;</item>
/// <item>the split-brain resolver <b>keep-oldest</b> restricted to the <c>coordinator</c> role, with
/// <c>down-if-alone = off</c>: the side of a partition that holds the coordinator survives and agents cut off from it
/// down themselves (and stop their load, since their coordinator is unreachable). There is one coordinator, so a
/// majority rule would make the outcome depend on how many agents happen to be on each side, and could down the
/// coordinator's side and with it the run's journal; keep-oldest keeps the run alive wherever its coordinator is;</item>
/// <item>the coordinator as a cluster singleton on the <c>coordinator</c> role, and a singleton proxy on the other roles;</item>
/// <item>every protocol message bound to <see cref="ProtocolSerializer"/>.</item>
/// </list>
/// Part of internal API.
/// </summary>
internal static class ClusterSetup
{
    /// <summary>The actor system's name, part of every node address.</summary>
    public const string SystemName = "lambdastorm";

    /// <summary>Singleton name.</summary>
    public const string CoordinatorName = "coordinator";

    /// <summary>Failure detection and downing, tuned so that a lost agent is noticed in a few seconds.</summary>
    private const string Hocon = """
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 5s
        akka.cluster.down-removal-margin = 2s
        akka.cluster.singleton.hand-over-retry-interval = 1s
        akka.cluster.singleton-proxy.singleton-identification-interval = 1s
        akka.remote.dot-netty.tcp.maximum-frame-size = 4MiB
        akka.coordinated-shutdown.exit-clr = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """;

    /// <summary>A node that stays alone (the one-node cluster of <c>run</c>) need not wait for anyone.</summary>
    private const string AloneHocon = """
        akka.cluster.periodic-tasks-initial-delay = 10ms
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.gossip-interval = 100ms
        akka.cluster.singleton-proxy.singleton-identification-interval = 50ms
        """;

    /// <summary>Configures remoting, clustering, the split-brain resolver and the serializer of a node.</summary>
    public static AkkaConfigurationBuilder WithLambdaStormNode(this AkkaConfigurationBuilder builder, NodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(node);
        builder
            .ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel)
            .AddHocon(node.Alone ? AloneHocon + "\n" + Hocon : Hocon, HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = node.Host, Port = node.Port, PublicHostName = node.PublicHost ?? node.Host })
            .WithClustering(new ClusterOptions
            {
                Roles = [node.Role],
                SeedNodes = [.. node.Seeds],
                SplitBrainResolver = new KeepOldestOption { Role = "coordinator", DownIfAlone = false },
            })
            .WithCustomSerializer("lambdastorm", [typeof(IClusterMessage)], system => new ProtocolSerializer(system));
        if (node.Seeds.Count == 0)
        {
            builder.AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        }

        return node.Role == "coordinator"
            ? builder
            : builder.WithSingletonProxy<CoordinatorKey>(CoordinatorName, new ClusterSingletonOptions { Role = "coordinator", LogSingletonIdentificationFailure = false });
    }

    /// <summary>Adds the coordinator singleton.</summary>
    public static AkkaConfigurationBuilder WithCoordinator(this AkkaConfigurationBuilder builder, CoordinatorSettings settings)
        => builder.WithSingleton<CoordinatorKey>(CoordinatorName, CoordinatorActor.Props(settings), new ClusterSingletonOptions { Role = "coordinator", LogSingletonIdentificationFailure = false }, createProxyToo: true);

    /// <summary>Adds this node's agent actor.</summary>
    public static AkkaConfigurationBuilder WithAgent(this AkkaConfigurationBuilder builder, string name, TimeProvider time, Action<SnapshotReport>? onSnapshot = null, Runs.IRunObserver? observer = null,
        Targets.IInvocationTarget? local = null)
        => builder.WithActors((system, registry) =>
        {
            var agent = system.ActorOf(AgentActor.Props(name, registry.Get<CoordinatorKey>(), time, onSnapshot, observer, local), "agent");
            registry.Register<AgentKey>(agent);
        });

    /// <summary>Starts a node with the given extra configuration; dispose it to leave the cluster gracefully.</summary>
    public static async Task<ClusterNode> StartAsync(NodeOptions node, Action<AkkaConfigurationBuilder> configure, CancellationToken ct)
    {
        var host = new HostBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services => services.AddAkka(SystemName, b =>
            {
                b.WithLambdaStormNode(node);
                configure(b);
            }))
            .Build();
        await host.StartAsync(ct).ConfigureAwait(false);
        return new ClusterNode(host);
    }
}

/// <summary>A running node; disposing it leaves the cluster (coordinated shutdown) and stops the actor system.</summary>
internal sealed class ClusterNode(IHost host) : IAsyncDisposable
{
    /// <summary>The actor system.</summary>
    public ActorSystem System { get; } = host.Services.GetRequiredService<ActorSystem>();

    /// <summary>The actor registry.</summary>
    public IActorRegistry Registry { get; } = host.Services.GetRequiredService<IActorRegistry>();

    /// <summary>This node's address (<c>akka.tcp://lambdastorm@HOST:PORT</c>).</summary>
    public string Address => Akka.Cluster.Cluster.Get(System).SelfAddress.ToString();

    /// <summary>Ends the node's process abruptly in tests (no leave): what a SIGKILL does to a real node.</summary>
    public Task CrashAsync() => System.Terminate();

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        host.Dispose();
    }
}

/// <summary>Checks cluster node addresses as users type them. Part of internal API.</summary>
internal static class ClusterAddresses
{
    /// <summary>True for <c>akka.tcp://lambdastorm@HOST:PORT</c>.</summary>
    public static bool IsValid(string address)
        => Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == "akka.tcp" && uri.UserInfo == ClusterSetup.SystemName && uri.Port > 0;
}
