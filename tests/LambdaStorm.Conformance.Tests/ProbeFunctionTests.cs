using System.Diagnostics;
using System.Text;

namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// The probe function's handler tests (functions/probe/test, <c>node:test</c>) run under <c>dotnet test</c>, so
/// <c>./test.sh</c> covers them: an injected SQS client for the behaviour, and the real <c>@aws-sdk/client-sqs</c>
/// for the commands and the wire form. <c>./test.sh</c> runs <c>npm ci</c> in functions/probe.
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

        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = probe,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--test");
        psi.ArgumentList.Add("--test-reporter=tap");
        psi.ArgumentList.Add("test/");
        psi.Environment["NO_COLOR"] = "1";
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
            Assert.Fail($"node --test functions/probe/test did not finish within {Timeout.TotalSeconds:0} s\n{output}");
        }

        p.WaitForExit();
        var text = output.ToString();
        Assert.True(p.ExitCode == 0, $"node --test functions/probe/test exited with {p.ExitCode}\n{text}");

        // The TAP summary must show the tests actually ran: at least the handler cases, none failed.
        var passed = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# pass ", StringComparison.Ordinal));
        Assert.NotNull(passed);
        Assert.True(int.Parse(passed["# pass ".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 15, text);
        Assert.Contains("# fail 0", text, StringComparison.Ordinal);
    }
}
