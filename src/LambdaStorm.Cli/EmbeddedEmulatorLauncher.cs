using LambdaStorm.Cli.Telemetry;
using LambdaStorm.Emulator;
using LambdaStorm.Lambda;
using LambdaStorm.Targets;

namespace LambdaStorm.Cli;

/// <summary>
/// Starts the emulator in process, on 127.0.0.1 and a free port, for <c>run</c> against an emulator target, so that
/// the run's sync and async paths go through Lambda's Invoke API over HTTP, signed, exactly as against AWS. With a
/// metrics server, the emulator's registry is served on the run's <c>/metrics</c> for as long as it runs.
/// </summary>
internal sealed class EmbeddedEmulatorLauncher(RunMetricsServer? metrics = null) : IEmulatorLauncher
{
    /// <summary>A launcher that exports no metrics.</summary>
    public static readonly EmbeddedEmulatorLauncher Instance = new();

    public async Task<IEmbeddedEmulator> StartAsync(LambdaModelOptions model, TimeProvider time, CancellationToken cancellationToken)
    {
        var host = await EmulatorHost.StartAsync(new EmulatorOptions { Model = model, TimeProvider = time, Port = 0 }, cancellationToken).ConfigureAwait(false);
        metrics?.Add(host.MetricsRegistry);
        return new Embedded(host, metrics);
    }

    private sealed class Embedded(EmulatorHost host, RunMetricsServer? metrics) : IEmbeddedEmulator
    {
        public Uri BaseAddress => host.BaseAddress;

        public LambdaModel Model => host.Model;

        public ValueTask DisposeAsync()
        {
            metrics?.Remove(host.MetricsRegistry);
            return host.DisposeAsync();
        }
    }
}
