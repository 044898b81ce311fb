using LambdaStorm.Emulator;
using LambdaStorm.Lambda;
using LambdaStorm.Targets;

namespace LambdaStorm.Cli;

/// <summary>
/// Starts the emulator in process, on 127.0.0.1 and a free port, for <c>run</c> against an emulator target, so that
/// the run's sync and async paths go through Lambda's Invoke API over HTTP, signed, exactly as against AWS.
/// </summary>
internal sealed class EmbeddedEmulatorLauncher : IEmulatorLauncher
{
    public static readonly EmbeddedEmulatorLauncher Instance = new();

    public async Task<IEmbeddedEmulator> StartAsync(LambdaModelOptions model, TimeProvider time, CancellationToken cancellationToken)
        => new Embedded(await EmulatorHost.StartAsync(new EmulatorOptions { Model = model, TimeProvider = time, Port = 0 }, cancellationToken).ConfigureAwait(false));

    private sealed class Embedded(EmulatorHost host) : IEmbeddedEmulator
    {
        public Uri BaseAddress => host.BaseAddress;

        public LambdaModel Model => host.Model;

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }
}
