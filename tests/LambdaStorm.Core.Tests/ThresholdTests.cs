using LambdaStorm.Engine;
using LambdaStorm.Measurement;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;
using System.Collections.Immutable;

namespace LambdaStorm.Tests;

public sealed class ThresholdTests
{
    [Theory]
    [InlineData("p99 < 800ms", "p99", ThresholdOperator.LessThan, 800)]
    [InlineData("p95<=1.5s", "p95", ThresholdOperator.LessOrEqual, 1500)]
    [InlineData("p50 < 20", "p50", ThresholdOperator.LessThan, 20)]
    [InlineData("error_rate < 1%", "error_rate", ThresholdOperator.LessThan, 0.01)]
    [InlineData("throttle_rate < 0.5%", "throttle_rate", ThresholdOperator.LessThan, 0.005)]
    [InlineData("drop_rate <= 0.001", "drop_rate", ThresholdOperator.LessOrEqual, 0.001)]
    [InlineData("dropped == 0", "dropped", ThresholdOperator.Equal, 0)]
    [InlineData("rate >= 1_000", "rate", ThresholdOperator.GreaterOrEqual, 1000)]
    [InlineData("p99.99 != 0ms", "p99.99", ThresholdOperator.NotEqual, 0)]
    public void Parses_the_threshold_language(string text, string metric, ThresholdOperator op, double value)
    {
        var (t, error) = ThresholdParser.Parse(text);

        Assert.Null(error);
        Assert.Equal(metric, t!.Metric.Name);
        Assert.Equal(op, t.Operator);
        Assert.Equal(value, t.Value, 9);
    }

    [Fact]
    public void Unknown_metrics_suggest_the_closest_name()
    {
        var (_, error) = ThresholdParser.Parse("eror_rate < 1%");

        Assert.Contains("did you mean 'error_rate'?", error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Evaluates_on_merged_data_and_fails_without_data()
    {
        var data = new RunAggregate();
        var ok = HistogramCodec.NewHistogram();
        for (var i = 1; i <= 100; i++)
        {
            ok.RecordValue(i * 1000); // 1..100 ms
        }

        var throttled = HistogramCodec.NewHistogram();
        throttled.RecordValue(2000);
        var lateness = HistogramCodec.NewHistogram();
        lateness.RecordValue(100);
        data.Add(new IntervalSnapshot(
            0, 0, 1, "1 inject", 101, 0, 0,
            [new PathCounters(InvocationPath.Sync, 103, 101, 2, lateness)],
            [new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Ok, null), ok), new SeriesSnapshot(new SeriesKey(InvocationPath.Sync, Outcome.Throttled, "ConcurrentInvocationLimitExceeded"), throttled)]));

        ThresholdVerdict Eval(string text) => ThresholdEvaluator.Evaluate(ThresholdParser.Parse(text).Threshold!, data, 1);

        Assert.True(Eval("p50 < 51ms").Passed);
        Assert.False(Eval("p99 < 99ms").Passed);
        Assert.Equal(1.0 / 101, Eval("throttle_rate < 1%").Actual!.Value, 9);
        Assert.True(Eval("throttle_rate < 1%").Passed);
        Assert.False(Eval("dropped == 0").Passed);
        Assert.Equal(2, Eval("dropped == 0").Actual);
        Assert.Equal(2.0 / 103, Eval("drop_rate < 5%").Actual!.Value, 9);
        Assert.True(Eval("p99{outcome=throttled} < 3ms").Passed);
        var none = Eval("p99{path=async} < 1s");
        Assert.False(none.Passed);
        Assert.NotNull(none.Note);
    }
}
