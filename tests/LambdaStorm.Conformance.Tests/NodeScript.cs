using System.Diagnostics;

namespace LambdaStorm.Conformance.Tests;

/// <summary>Runs <c>node tests/conformance/lambda.mjs</c> (or another script there, e.g. sqs.mjs) from the repository root against an emulator endpoint.</summary>
internal static class NodeScript
{
    public const string Script = "tests/conformance/lambda.mjs";

    /// <summary>The SQS part (issue 5), driven through @aws-sdk/client-sqs.</summary>
    public const string SqsScript = "tests/conformance/sqs.mjs";

    /// <summary>The event source mapping part (issue 5), driven through @aws-sdk/client-lambda and @aws-sdk/client-sqs.</summary>
    public const string EsmScript = "tests/conformance/esm.mjs";

    /// <summary>The repository root: the first directory above the test binaries that holds LambdaStorm.sln.</summary>
    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LambdaStorm.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException($"LambdaStorm.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Fails (never skips) when the npm packages are not installed: <c>./test.sh</c> runs <c>npm ci</c> in
    /// tests/conformance when node_modules is missing.
    /// </summary>
    public static void RequireInstalledPackages(string package = "client-lambda")
    {
        var sdk = Path.Combine(RepoRoot(), "tests", "conformance", "node_modules", "@aws-sdk", package);
        if (!Directory.Exists(sdk))
        {
            Assert.Fail($"{sdk} is missing: run ./test.sh (it runs `npm ci` in tests/conformance), " +
                        "or `npm ci` in tests/conformance yourself, before running the conformance tests.");
        }
    }

    /// <summary>Runs the script with <c>LAMBDASTORM_*</c> variables; returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string script = Script)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoRoot(),
        };
        psi.ArgumentList.Add("--test-reporter=spec");
        psi.ArgumentList.Add(script);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("LAMBDASTORM_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["NO_COLOR"] = "1";
        return await ChildProcess.RunAsync(psi, timeout, $"node {script}", "Node.js 20 or later must be on PATH for the conformance tests.");
    }

    /// <summary>Runs <paramref name="script"/> against a fresh <c>lambdastorm emulator</c>; fails with the script's and the emulator's output.</summary>
    public static async Task PassesAgainstEmulatorAsync(string script, string package, TimeSpan startTimeout, TimeSpan scriptTimeout)
    {
        RequireInstalledPackages(package);
        using var emulator = await EmulatorProcess.StartAsync(startTimeout);

        var (exitCode, output) = await RunAsync(new Dictionary<string, string> { ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint }, scriptTimeout, script);

        Assert.True(exitCode == 0, $"node {script} exited with {exitCode} against {emulator.Endpoint}\n{output}\n{emulator.Output}");
    }

    /// <summary>
    /// Against an emulator started with <c>--require-auth test:secret</c>: <paramref name="script"/> passes with the right
    /// secret, and with a wrong one (<c>LAMBDASTORM_EXPECT_AUTH_FAILURE=1</c>) checks that every call is refused.
    /// </summary>
    public static async Task PassesWithRequiredAuthAsync(string script, string package, TimeSpan startTimeout, TimeSpan scriptTimeout)
    {
        RequireInstalledPackages(package);
        using var emulator = await EmulatorProcess.StartAsync(startTimeout, "--require-auth", "test:secret");

        var (exitCode, output) = await RunAsync(
            new Dictionary<string, string>
            {
                ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint,
                ["LAMBDASTORM_ACCESS_KEY"] = "test",
                ["LAMBDASTORM_SECRET_KEY"] = "secret",
            },
            scriptTimeout,
            script);
        Assert.True(exitCode == 0, $"with the right secret, node {script} exited with {exitCode}\n{output}\n{emulator.Output}");

        (exitCode, output) = await RunAsync(
            new Dictionary<string, string>
            {
                ["LAMBDASTORM_ENDPOINT"] = emulator.Endpoint,
                ["LAMBDASTORM_ACCESS_KEY"] = "test",
                ["LAMBDASTORM_SECRET_KEY"] = "not-the-secret",
                ["LAMBDASTORM_EXPECT_AUTH_FAILURE"] = "1",
            },
            scriptTimeout,
            script);
        Assert.True(exitCode == 0, $"with a wrong secret, node {script} (LAMBDASTORM_EXPECT_AUTH_FAILURE=1) exited with {exitCode}\n{output}\n{emulator.Output}");
    }
}
