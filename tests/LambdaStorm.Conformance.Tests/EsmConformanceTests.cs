namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// Conformance of the emulator's event source mappings with AWS's own JavaScript clients (issue 5):
/// tests/conformance/esm.mjs drives a real <c>lambdastorm emulator</c> through <c>@aws-sdk/client-lambda</c> (the five
/// mapping calls, their shapes and errors by exception class) and <c>@aws-sdk/client-sqs</c> (queues, a batch with a
/// poison pill that must reach the DLQ, receipts). The script's own output is shown when it fails.
/// </summary>
public sealed class EsmConformanceTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_AWS_JavaScript_SDK_drives_the_emulators_event_source_mappings_end_to_end()
    {
        NodeScript.RequireInstalledPackages("client-sqs");
        await NodeScript.PassesAgainstEmulatorAsync(NodeScript.EsmScript, "client-lambda", StartTimeout, ScriptTimeout);
    }
}
