using System.Diagnostics;
using System.Text;

namespace LambdaStorm.Cli.Tests;

/// <summary>Runs the real <c>lambdastorm</c> program as a child process, as a user would.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    private readonly string? _stateFolder;

    private CliProcess(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lambdastorm.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";

        // The per-user state folder where runs register rollback journals (docs/chaos.md): a fresh one per process unless
        // the test shares one, so no test touches the user's, and no child replays another test's killed run.
        if (environment is null || !environment.ContainsKey("LAMBDASTORM_STATE_DIR"))
        {
            _stateFolder = Directory.CreateTempSubdirectory("lambdastorm-state-").FullName;
            psi.Environment["LAMBDASTORM_STATE_DIR"] = _stateFolder;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_out) { _out.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_err) { _err.AppendLine(e.Data); } } };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StdOut { get { lock (_out) { return _out.ToString(); } } }

    public string StdErr { get { lock (_err) { return _err.ToString(); } } }

    public static CliProcess Start(string workingDirectory, params string[] args) => new(workingDirectory, null, args);

    /// <summary>Starts <c>lambdastorm</c> with extra environment variables (e.g. a shared <c>LAMBDASTORM_STATE_DIR</c>).</summary>
    public static CliProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) => new(workingDirectory, environment, args);

    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        var code = await p.WaitAsync(TimeSpan.FromMinutes(2));
        return (code, p.StdOut, p.StdErr);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lambdastorm did not exit within {timeout}; stdout:\n{StdOut}\nstderr:\n{StdErr}");
        }

        _process.WaitForExit(); // drain redirected output
        return _process.ExitCode;
    }

    /// <summary>Waits until the standard output contains <paramref name="text"/>; fails the test after <paramref name="timeout"/> or when the process exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!StdOut.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until && !_process.HasExited, $"no '{text}' within {timeout}\n{StdOut}\n{StdErr}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a POSIX signal (INT for Ctrl-C, KILL for a crash).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        if (_stateFolder is not null)
        {
            try
            {
                Directory.Delete(_stateFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
