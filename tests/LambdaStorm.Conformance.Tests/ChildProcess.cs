using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace LambdaStorm.Conformance.Tests;

/// <summary>Runs a child process to its end with stdout and stderr collected together; kills it (and fails) past a timeout.</summary>
internal static class ChildProcess
{
    /// <summary>
    /// A <c>lambdastorm</c> child (this test build's CLI) in <paramref name="dir"/> whose only AWS credentials are the
    /// given ones, from environment variables (the standard chain's first source; no other <c>AWS_*</c> variable leaks
    /// in), with its own rollback state folder under <paramref name="dir"/> (never the user's).
    /// </summary>
    public static ProcessStartInfo Lambdastorm(string dir, string accessKey, string secret, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lambdastorm.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["LAMBDASTORM_STATE_DIR"] = Path.Combine(dir, "state");
        return psi;
    }

    /// <summary>Starts <paramref name="psi"/> (output redirection is set here) and waits for it.</summary>
    /// <param name="psi">What to start.</param>
    /// <param name="timeout">How long it may run before it is killed and the test fails.</param>
    /// <param name="what">Names the run in failure messages.</param>
    /// <param name="startHint">Added to the failure message when the program cannot be started at all.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo psi, TimeSpan timeout, string what, string? startHint = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            p.Start();
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"cannot start {psi.FileName} for {what}: {ex.Message}" + (startHint is null ? "" : " " + startHint));
        }

        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
            lock (output)
            {
                Assert.Fail($"{what} did not finish within {timeout.TotalSeconds:0} s\n{output}");
            }
        }

        p.WaitForExit(); // drains the redirected output
        lock (output)
        {
            return (p.ExitCode, output.ToString());
        }
    }
}
