using System.Text.Json;

namespace LambdaStorm.Cli.Tests;

/// <summary>The repository's scenarios, run live the way the README runs them: a real process, the embedded emulator, HTTP.</summary>
[Collection(LiveRuns.Name)]
public sealed class LiveScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-live-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("quickstart", 0)] // the README's first command
    [InlineData("spike", 2)]      // the spike throttles past its reserved concurrency: its throttle threshold fails, as it should
    [InlineData("ramp", 0)]
    public async Task Scenario_runs_live_against_the_embedded_emulator(string name, int expectedExit)
    {
        var results = Path.Combine(_dir, "results");
        using var p = CliProcess.Start(CliTests.RepoRoot(), "run", $"scenarios/{name}.yaml", "--results", results, "--metrics-port", "0");
        var code = await p.WaitAsync(TimeSpan.FromMinutes(6));

        Assert.True(code == expectedExit, $"exit {code}\n{p.StdOut}\n{p.StdErr}");
        var folder = Assert.Single(Directory.GetDirectories(results));
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"))).RootElement;
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.StartsWith("lambda ", summary.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:", summary.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Equal(summary.GetProperty("totals").GetProperty("started").GetInt64(), summary.GetProperty("totals").GetProperty("completed").GetInt64());
        Assert.True(summary.GetProperty("lambda").GetProperty("coldStarts").GetInt64() > 0);
        Assert.Contains("Lambda model", p.StdOut, StringComparison.Ordinal);
    }
}

/// <summary>Live runs measure real time; they run one at a time so they do not compete for the two cores.</summary>
[CollectionDefinition(Name)]
public sealed class LiveRuns
{
    public const string Name = "live runs";
}
