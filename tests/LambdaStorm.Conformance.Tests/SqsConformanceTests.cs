namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// Conformance of the emulator's SQS API with AWS's own JavaScript client (issue 5): tests/conformance/sqs.mjs drives a
/// real <c>lambdastorm emulator</c> through <c>@aws-sdk/client-sqs</c> (AWS JSON 1.0) and asserts what the SDK parsed
/// (queue URLs, attributes, messages whose digests the SDK checks, long polling, visibility, redrive, exception classes
/// and codes). The script's own output is shown when it fails.
/// </summary>
public sealed class SqsConformanceTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public Task The_AWS_JavaScript_SDK_drives_the_emulators_SQS_as_it_drives_SQS() =>
        NodeScript.PassesAgainstEmulatorAsync(NodeScript.SqsScript, "client-sqs", StartTimeout, ScriptTimeout);

    [Fact]
    public Task With_require_auth_SQS_calls_signed_with_the_right_secret_pass_and_a_wrong_one_gets_a_signature_error() =>
        NodeScript.PassesWithRequiredAuthAsync(NodeScript.SqsScript, "client-sqs", StartTimeout, ScriptTimeout);
}
