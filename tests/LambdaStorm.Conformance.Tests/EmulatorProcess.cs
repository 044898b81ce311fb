using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace LambdaStorm.Conformance.Tests;

/// <summary>
/// The real <c>lambdastorm emulator</c>, started as a child process (<c>dotnet lambdastorm.dll emulator --port 0 …</c>)
/// the way a user starts it; ready once it prints <c>emulator listening on http://127.0.0.1:PORT</c>.
/// </summary>
internal sealed partial class EmulatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EmulatorProcess(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lambdastorm.dll"));
        psi.ArgumentList.Add("emulator");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_out)
            {
                _out.AppendLine(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } m)
            {
                _listening.TrySetResult(new Uri(m.Groups["url"].Value));
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_err)
                {
                    _err.AppendLine(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => _listening.TrySetException(
            new InvalidOperationException($"the emulator exited before listening (exit code {_process.ExitCode})\n{Output}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The emulator's endpoint, e.g. <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Everything the emulator printed so far.</summary>
    public string Output
    {
        get
        {
            string o, e;
            lock (_out)
            {
                o = _out.ToString();
            }

            lock (_err)
            {
                e = _err.ToString();
            }

            return $"--- emulator stdout ---\n{o}--- emulator stderr ---\n{e}";
        }
    }

    /// <summary>Starts the emulator on a free port and waits (up to <paramref name="timeout"/>) for its listening line.</summary>
    public static async Task<EmulatorProcess> StartAsync(TimeSpan timeout, params string[] extraArgs)
    {
        var p = new EmulatorProcess(["--port", "0", .. extraArgs]);
        try
        {
            var uri = await p._listening.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
            p.Endpoint = uri.GetLeftPart(UriPartial.Authority);
            return p;
        }
        catch (TimeoutException)
        {
            var output = p.Output;
            p.Dispose();
            throw new TimeoutException($"no 'emulator listening on http://…' line within {timeout.TotalSeconds:0} s\n{output}");
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"emulator listening on (?<url>https?://[^\s/]+)")]
    private static partial Regex ListeningLine();
}
