namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// Conformance with AWS's own client (issue 4): tests/conformance/lambda.mjs drives a real <c>lambdastorm emulator</c>
/// through <c>@aws-sdk/client-lambda</c> and asserts what the SDK parsed (exception classes, Reason, status codes,
/// executed versions, the decoded log tail). The script's own output is shown when it fails.
/// </summary>
public sealed class AwsSdkConformanceTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public Task The_AWS_JavaScript_SDK_drives_the_emulator_as_it_drives_Lambda() =>
        NodeScript.PassesAgainstEmulatorAsync(NodeScript.Script, "client-lambda", StartTimeout, ScriptTimeout);

    [Fact]
    public Task With_require_auth_the_right_secret_passes_and_a_wrong_one_gets_a_signature_error() =>
        NodeScript.PassesWithRequiredAuthAsync(NodeScript.Script, "client-lambda", StartTimeout, ScriptTimeout);
}
