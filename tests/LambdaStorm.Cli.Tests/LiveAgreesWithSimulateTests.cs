using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// One model, two clocks: the same scenario run live (HTTP, signed Invoke calls against the embedded emulator, real
/// time) and simulated (virtual time, no HTTP) must tell the same story.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed class LiveAgreesWithSimulateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-agree-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string Scenario = """
        name: agree
        description: a spike past a reserved-concurrency cap, with 1 s functions
        target:
          type: emulator
          functions:
            capped: { duration: 1s, distribution: fixed, reservedConcurrency: 20, memory: 256 }
        seed: 5
        gracefulStop: 5s
        load:
          - inject: { rate: 10, during: 4s }
          - spike: { rate: 60, during: 4s, recover: 4s }
        """;

    [Fact]
    public async Task A_spike_past_a_reserved_cap_agrees_within_5_percent()
    {
        var scenario = ScenarioLoader.Load(Scenario, "agree.yaml").GetOrThrow();

        var live = (await ScenarioRunner.RunAsync(scenario, new RunOptions(_root) { EmulatorLauncher = EmbeddedEmulatorLauncher.Instance }, TimeProvider.System, null, CancellationToken.None)).Summary;
        var simulated = (await ScenarioRunner.SimulateAsync(scenario, new RunOptions(_root), null, CancellationToken.None)).Summary;

        Assert.False(live.Simulated);
        Assert.True(simulated.Simulated);
        Assert.Contains("lambda capped at http://127.0.0.1:", live.Target, StringComparison.Ordinal); // through the HTTP API
        static void Close(string what, double a, double b)
            => Assert.True(Math.Abs(a - b) <= Math.Max(1, 0.05 * Math.Max(a, b)), $"{what}: live {a}, simulated {b}");

        Close("invocations", live.Lambda!.Invocations, simulated.Lambda!.Invocations);
        Close("throttles", Throttles(live), Throttles(simulated));
        Close("cold starts", live.Lambda.ColdStarts, simulated.Lambda.ColdStarts);
        Close("peak concurrency", live.Lambda.PeakAccountConcurrency, simulated.Lambda.PeakAccountConcurrency);
        Assert.Equal(20, simulated.Lambda.PeakAccountConcurrency);
        Assert.True(Throttles(simulated) > 100, "the spike must throttle");
        Assert.Equal(live.Totals.Started, simulated.Totals.Started);
    }

    private static long Throttles(RunSummary s) => s.Outcomes.Where(o => o.Outcome == "throttled").Sum(o => o.Count);
}
