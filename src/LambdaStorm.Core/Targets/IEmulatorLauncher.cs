using LambdaStorm.Lambda;

namespace LambdaStorm.Targets;

/// <summary>An emulator started for one run: its HTTP endpoint and the model behind it.</summary>
internal interface IEmbeddedEmulator : IAsyncDisposable
{
    /// <summary>Base address of the emulator's HTTP API (loopback, a free port).</summary>
    Uri BaseAddress { get; }

    /// <summary>The Lambda model the emulator serves.</summary>
    LambdaModel Model { get; }
}

/// <summary>
/// Starts the embedded emulator for <c>run</c>. Core knows only this seam; the CLI supplies the implementation backed by
/// LambdaStorm.Emulator, so that a live run goes through AWS's wire format exactly as a run against AWS would.
/// </summary>
internal interface IEmulatorLauncher
{
    Task<IEmbeddedEmulator> StartAsync(LambdaModelOptions model, TimeProvider time, CancellationToken cancellationToken);
}
