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
    public async Task The_AWS_JavaScript_SDK_drives_the_emulator_as_it_drives_Lambda()
    {
        NodeScript.RequireInstalledPackages();
        using var emulator = await EmulatorProcess.StartAsync(StartTimeout);

        var (exitCode, output) = await NodeScript.RunAsync(
            new Dictionary<string, string> { ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint },
            ScriptTimeout);

        Assert.True(exitCode == 0, $"node {NodeScript.Script} exited with {exitCode} against {emulator.Endpoint}\n{output}\n{emulator.Output}");
    }

    [Fact]
    public async Task With_require_auth_the_right_secret_passes_and_a_wrong_one_gets_a_signature_error()
    {
        NodeScript.RequireInstalledPackages();
        using var emulator = await EmulatorProcess.StartAsync(StartTimeout, "--require-auth", "test:secret");

        var (exitCode, output) = await NodeScript.RunAsync(
            new Dictionary<string, string>
            {
                ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint,
                ["LAMBDASTORM_ACCESS_KEY"] = "test",
                ["LAMBDASTORM_SECRET_KEY"] = "secret",
            },
            ScriptTimeout);
        Assert.True(exitCode == 0, $"with the right secret, node {NodeScript.Script} exited with {exitCode}\n{output}\n{emulator.Output}");

        (exitCode, output) = await NodeScript.RunAsync(
            new Dictionary<string, string>
            {
                ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint,
                ["LAMBDASTORM_ACCESS_KEY"] = "test",
                ["LAMBDASTORM_SECRET_KEY"] = "not-the-secret",
                ["LAMBDASTORM_EXPECT_AUTH_FAILURE"] = "1",
            },
            ScriptTimeout);
        Assert.True(exitCode == 0, $"with a wrong secret, node {NodeScript.Script} (LAMBDASTORM_EXPECT_AUTH_FAILURE=1) exited with {exitCode}\n{output}\n{emulator.Output}");
    }
}
