using LambdaStorm.Cluster.Actors;
using LambdaStorm.Runs;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// A coordinator and named agents on loopback ports in this process, with a temporary results folder; disposing stops
/// every node (agents first) and deletes the folder.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly List<ClusterNode> _nodes = [];

    /// <summary>The coordinator's node (started first).</summary>
    public ClusterNode Coordinator => _nodes[0];

    /// <summary>A temporary folder for the coordinator's and the client's results.</summary>
    public string Results { get; } = Directory.CreateTempSubdirectory("lambdastorm-test-cluster-").FullName;

    /// <summary>Starts the coordinator (results under <c>Results/coordinator</c>) and the agents; returns the seeds to submit to.</summary>
    /// <param name="agents">The agents' names.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <param name="onSnapshot">Sees every snapshot an agent sends (each agent's own results), or null.</param>
    /// <param name="observer">Each agent's own observer (its share as measured, its chaos events), by name, or null.</param>
    public async Task<string[]> StartAsync(IEnumerable<string> agents, CancellationToken ct, Action<Protocol.SnapshotReport>? onSnapshot = null, Func<string, IRunObserver?>? observer = null)
    {
        var coordinator = await ClusterSetup.StartAsync(new NodeOptions("coordinator", "127.0.0.1", 0, []),
            b => b.WithCoordinator(CoordinatorSettings.For(new RunOptions(Path.Combine(Results, "coordinator")), TimeProvider.System)), ct);
        _nodes.Add(coordinator);
        foreach (var name in agents)
        {
            _nodes.Add(await ClusterSetup.StartAsync(new NodeOptions("agent", "127.0.0.1", 0, [coordinator.Address]), b => b.WithAgent(name, TimeProvider.System, onSnapshot, observer?.Invoke(name)), ct));
        }

        return [coordinator.Address];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Enumerable.Reverse(_nodes))
        {
            await n.DisposeAsync();
        }

        Directory.Delete(Results, recursive: true);
    }
}
