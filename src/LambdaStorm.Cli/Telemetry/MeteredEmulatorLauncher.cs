using LambdaStorm.Emulator;
using LambdaStorm.Lambda;
using LambdaStorm.Targets;

namespace LambdaStorm.Cli.Telemetry;

/// <summary>
/// Starts the embedded emulator as <see cref="EmbeddedEmulatorLauncher"/> does (in process, 127.0.0.1, a free port)
/// and adds its registry to the run's <c>/metrics</c> endpoint for as long as it runs.
/// </summary>
internal sealed class MeteredEmulatorLauncher(RunMetricsServer server) : IEmulatorLauncher
{
    public async Task<IEmbeddedEmulator> StartAsync(LambdaModelOptions model, TimeProvider time, CancellationToken cancellationToken)
    {
        var host = await EmulatorHost.StartAsync(new EmulatorOptions { Model = model, TimeProvider = time, Port = 0 }, cancellationToken).ConfigureAwait(false);
        server.Add(host.MetricsRegistry);
        return new Embedded(host, server);
    }

    private sealed class Embedded(EmulatorHost host, RunMetricsServer server) : IEmbeddedEmulator
    {
        public Uri BaseAddress => host.BaseAddress;

        public LambdaModel Model => host.Model;

        public ValueTask DisposeAsync()
        {
            server.Remove(host.MetricsRegistry);
            return host.DisposeAsync();
        }
    }
}
