using System.Runtime.CompilerServices;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// Points the per-user state folder (where runs register their rollback journals, docs/chaos.md) at a temporary folder
/// for this test assembly, so that tests which apply chaos through an HTTP control plane never touch the user's own.
/// </summary>
internal static class StateFolder
{
    [ModuleInitializer]
    internal static void Isolate()
        => Environment.SetEnvironmentVariable("LAMBDASTORM_STATE_DIR", Directory.CreateTempSubdirectory("lambdastorm-state-").FullName);
}
