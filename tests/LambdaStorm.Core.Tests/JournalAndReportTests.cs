using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests;

public sealed class JournalAndReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-tests-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<RunOutcome> RunAsync(string yaml)
    {
        var scenario = ScenarioLoader.Load(yaml, "test.yaml").GetOrThrow();
        var run = ScenarioRunner.RunAsync(scenario, new RunOptions(_root), _time, null, CancellationToken.None);
        for (var i = 0; i < 100_000 && !run.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
        }

        return await run;
    }

    private const string Scenario = """
        name: journaled
        target: { type: noop, latency: 20ms, jitter: 80ms, errorRate: 5% }
        seed: 3
        load:
          - ramping-inject: { rate: 200, during: 3s }
          - inject: { rate: 200, during: 2s }
        thresholds:
          - p99 < 1s
          - error_rate < 1%
        """;

    [Fact]
    public async Task A_run_writes_a_journal_line_per_interval_and_a_summary_with_threshold_verdicts()
    {
        var outcome = await RunAsync(Scenario);

        var lines = File.ReadAllLines(Path.Combine(outcome.ResultsPath, "journal.jsonl"));
        Assert.Equal("start", JsonDocument.Parse(lines[0]).RootElement.GetProperty("type").GetString());
        Assert.Equal("end", JsonDocument.Parse(lines[^1]).RootElement.GetProperty("type").GetString());
        Assert.Equal(6, lines.Length - 2); // five whole seconds plus the drain of the last invocations

        var s = outcome.Summary;
        Assert.Equal(700, s.Totals.ScheduledArrivals);
        Assert.Equal(700, s.Totals.Started);
        Assert.Equal(700, s.Totals.Completed);
        Assert.Equal(0, s.Totals.Dropped);
        Assert.InRange(s.LatencyMs.P50, 20, 100);
        Assert.True(s.Thresholds[0].Passed);
        Assert.False(s.Thresholds[1].Passed); // 5% simulated errors
        Assert.Equal(ExitCodes.ThresholdFailed, outcome.ExitCode);
        Assert.Contains("\"p99_99\"", File.ReadAllText(Path.Combine(outcome.ResultsPath, "summary.json")), StringComparison.Ordinal);
        Assert.Equal("completed", s.Status);
        Assert.Equal(Scenario, s.ScenarioEcho.Text);
    }

    [Fact]
    public async Task Report_rebuilds_the_same_summary_from_the_journal()
    {
        var outcome = await RunAsync(Scenario);
        var original = outcome.Summary;
        File.Delete(Path.Combine(outcome.ResultsPath, "summary.json"));

        var rebuilt = (await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None)).Summary;

        Assert.Equal(original.Totals, rebuilt.Totals);
        Assert.Equal(original.LatencyMs, rebuilt.LatencyMs);
        Assert.Equal(original.LatenessMs, rebuilt.LatenessMs);
        Assert.Equal(original.Outcomes, rebuilt.Outcomes);
        Assert.Equal(original.Thresholds, rebuilt.Thresholds);
        Assert.True(File.Exists(Path.Combine(outcome.ResultsPath, "summary.json")));
    }

    [Fact]
    public async Task Report_reads_a_journal_cut_short_by_a_crash_and_its_percentiles_are_exact()
    {
        var outcome = await RunAsync(Scenario);
        var journal = Path.Combine(outcome.ResultsPath, "journal.jsonl");
        var lines = File.ReadAllLines(journal);

        // A crash after the third interval: no end line, and the fourth interval half written.
        File.WriteAllText(journal, string.Join('\n', lines.Take(4)) + "\n" + lines[4][..(lines[4].Length / 2)]);
        var report = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None);

        var expected = HistogramCodec.NewHistogram();
        foreach (var line in lines.Skip(1).Take(3))
        {
            foreach (var series in JsonDocument.Parse(line).RootElement.GetProperty("series").EnumerateArray())
            {
                expected.Add(HistogramCodec.Decode(series.GetProperty("hist").GetString()!));
            }
        }

        var s = report.Summary;
        Assert.Equal("incomplete", s.Status);
        Assert.False(s.Complete);
        Assert.Equal(3, s.Intervals);
        Assert.Equal(expected.TotalCount, s.Totals.Completed);
        Assert.Equal(LatencyStats.Of(expected), s.LatencyMs);
        Assert.Contains(s.Warnings, w => w.Contains("line 5", StringComparison.Ordinal));
        Assert.Contains(s.Warnings, w => w.Contains("no end record", StringComparison.Ordinal));
    }

    [Property(MaxTest = 100)]
    public bool Merging_interval_histograms_equals_one_pooled_histogram(PositiveInt[] samples, PositiveInt intervals)
    {
        var pooled = HistogramCodec.NewHistogram();
        var aggregate = new RunAggregate();
        var n = (intervals.Get % 10) + 1;
        var parts = Enumerable.Range(0, n).Select(_ => HistogramCodec.NewHistogram()).ToArray();
        for (var i = 0; i < samples.Length; i++)
        {
            var v = HistogramCodec.Clamp(samples[i].Get);
            pooled.RecordValue(v);
            parts[i % n].RecordValue(v);
        }

        for (var k = 0; k < n; k++)
        {
            // Through the journal's encoding, as a coordinator would receive it.
            var decoded = HistogramCodec.Decode(HistogramCodec.Encode(parts[k]));
            aggregate.Add(new IntervalSnapshot(k, k, k + 1, "p", 0, 0, 0, [], [new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Engine.Outcome.Ok, null), decoded)]));
        }

        return LatencyStats.Of(pooled) == LatencyStats.Of(aggregate.Latency());
    }
}
