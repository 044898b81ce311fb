using LambdaStorm.Reporting;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Reporting.Tests;

/// <summary>Real results folders for the tests: scenarios simulated in virtual time, with the artifacts writer.</summary>
internal static class ReportRuns
{
    /// <summary>A short spike against a function capped at 20 reserved concurrency: throttles, cold starts, two thresholds (one fails).</summary>
    public const string SpikeYaml = """
        name: report-spike
        description: a short spike that throttles
        target:
          type: emulator
          functions:
            checkout:
              duration: 200ms
              durationP99: 400ms
              memory: 512
              reservedConcurrency: 20
        path: sync
        seed: 11
        maxInFlight: 5000
        gracefulStop: 2s
        load:
          - inject: { rate: 40, during: 5s }
          - spike: { rate: 300, during: 5s, recover: 5s }
        thresholds:
          - throttle_rate < 5%
          - p99{outcome=ok} < 5s
        """;

    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LambdaStorm.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException("LambdaStorm.sln not found above " + AppContext.BaseDirectory);
    }

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static Task<RunOutcome> SimulateAsync(string root, string yaml = SpikeYaml, string file = "report-spike.yaml")
        => ScenarioRunner.SimulateAsync(
            ScenarioLoader.Load(yaml, file).GetOrThrow(),
            new RunOptions(root) { Artifacts = ResultsArtifacts.Instance },
            null,
            CancellationToken.None);
}
