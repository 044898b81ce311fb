using System.Diagnostics;

namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// The probe function's handler tests (functions/probe/test, <c>node:test</c>) run under <c>dotnet test</c>, so
/// <c>./test.sh</c> covers them: an injected SQS client for the behaviour, the real <c>@aws-sdk/client-sqs</c> for the
/// commands and the wire form, and the chaos fault variables (<c>LAMBDASTORM_FAULT_*</c>) read on every invocation. <c>./test.sh</c> runs <c>npm ci</c> in functions/probe.
/// </summary>
public sealed class ProbeFunctionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_probe_handler_tests_pass_under_node_test()
    {
        var probe = Path.Combine(NodeScript.RepoRoot(), "functions", "probe");
        if (!Directory.Exists(Path.Combine(probe, "node_modules", "@aws-sdk", "client-sqs")))
        {
            Assert.Fail($"{probe}/node_modules is missing: run ./test.sh (it runs `npm ci` in functions/probe), or `npm ci` there yourself.");
        }

        var psi = new ProcessStartInfo("node") { WorkingDirectory = probe };
        psi.ArgumentList.Add("--test");
        psi.ArgumentList.Add("--test-reporter=tap");
        psi.ArgumentList.Add("test/");
        psi.Environment["NO_COLOR"] = "1";
        var (exitCode, text) = await ChildProcess.RunAsync(psi, Timeout, "node --test functions/probe/test");
        Assert.True(exitCode == 0, $"node --test functions/probe/test exited with {exitCode}\n{text}");

        // The TAP summary must show the tests actually ran: at least the handler cases, none failed.
        var passed = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# pass ", StringComparison.Ordinal));
        Assert.NotNull(passed);
        Assert.True(int.Parse(passed["# pass ".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 22, text);
        Assert.Contains("# fail 0", text, StringComparison.Ordinal);

        // The chaos fault variables (LAMBDASTORM_FAULT_*): read on every invocation, through the injected environment
        // and through index.mjs's process.env, with errors, latency and timeouts checked.
        foreach (var name in new[]
        {
            "LAMBDASTORM_FAULT_ERROR_RATE fails invocations with LambdaStormInjectedFault",
            "preventExecution fails at once without the work",
            "LAMBDASTORM_FAULT_LATENCY_MS adds latency",
            "LAMBDASTORM_FAULT_TIMEOUT_PERCENTAGE runs the drawn share into the function timeout",
            "index.handler reads LAMBDASTORM_FAULT_* from process.env on every invocation",
        })
        {
            Assert.Contains(text.Split('\n'), l => l.Trim().StartsWith("ok ", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal));
        }
    }
}
