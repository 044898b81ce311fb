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

    /// <summary>
    /// A game day on the in-process model: reserved concurrency cut to 0 for 10 s, then 30% errors for 10 s, with a
    /// steady-state hypothesis (held before, failed during both faults, recovered after each).
    /// </summary>
    public const string GameDayYaml = """
        name: report-gameday
        function: hello
        seed: 3
        target:
          type: emulator
          functions:
            hello: { duration: 50ms, initDuration: 0ms }
        load:
          - inject: { rate: 20, during: 50s }
        steadyState:
          warmUp: 10s
          window: 5s
          rules: [ error_rate < 5%, p99 < 400ms ]
        chaos:
          - { at: 15s, for: 10s, reserved-concurrency: { function: hello, value: 0 } }
          - { at: 32s, for: 10s, function-errors: { function: hello, rate: 30% } }
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
