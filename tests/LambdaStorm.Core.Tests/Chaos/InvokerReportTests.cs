using LambdaStorm.Chaos;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests.Chaos;

/// <summary>
/// A controller whose calls are made elsewhere (the coordinator of a real cluster, on a fake clock): what acts or shows
/// at the invokers is passed on when applied and reverted, and the earliest invocation the invokers report is the
/// action's effective moment, settled by the first merged interval that ends at or after it.
/// </summary>
public sealed class InvokerReportTests
{
    private const string Label = "1-client-faults-client";

    private static IntervalSnapshot Second(int i) => new(i, i - 1, i, "1 inject", 20, 0, 0, [], []);

    [Fact]
    public async Task The_earliest_agent_report_is_the_effective_moment_once_the_interval_covering_it_is_merged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var events = new List<ChaosEvent>();
        var faults = new ChaosAction.ClientFaults(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.Zero, 0, 0.5, 0, [InvocationPath.Sync]);
        var invokers = new Invokers();
        await using var controller = new ChaosController(new ChaosPlan([faults], null, []), new ChaosSession.NoControlPlane("cluster"), time, null, events.Add, "hello")
        {
            EffectFromIntervals = true,
            Invokers = invokers,
        };
        controller.Start();

        // A report before the apply is not taken (nothing was applied yet).
        controller.EffectReported(Label, 0.5, "first call showing it: early, on agent-9");
        time.Advance(TimeSpan.FromSeconds(1));
        await controller.SettleAsync();
        Assert.Equal(["applied " + Label], invokers.Calls);
        Assert.Equal("client faults on sync: 50% of sends fail (at every agent of the test cluster)", events.Single(e => e.Kind == "applied").Detail);

        // Reports come in any order; none is settled before the interval that covers it is merged.
        controller.EffectReported(Label, 1.6, "first call showing it: a send failed at the caller, on agent-2");
        controller.EffectReported(Label, 1.3, "first call showing it: a send failed at the caller, on agent-1");
        controller.OnInterval(Second(1));
        Assert.DoesNotContain(events, e => e.Kind == "effective");
        controller.OnInterval(Second(2));
        var effective = Assert.Single(events, e => e.Kind == "effective");
        Assert.Equal((1.3, "first call showing it: a send failed at the caller, on agent-1"), (effective.At, effective.Detail));

        // A later report changes nothing; the revert goes to the invokers.
        controller.EffectReported(Label, 1.1, "first call showing it: late, on agent-3");
        controller.OnInterval(Second(3));
        time.Advance(TimeSpan.FromSeconds(3));
        await controller.SettleAsync();
        Assert.Equal(["applied " + Label, "reverted " + Label], invokers.Calls);

        var finding = Assert.Single((await controller.FinishAsync(TestContext.Current.CancellationToken)).Findings);
        Assert.Equal(("invocation", 1.3), (finding.EffectiveBy, finding.EffectiveAt!.Value));
        Assert.Single(events, e => e.Kind == "effective");
    }

    private sealed class Invokers : IChaosInvokers
    {
        public List<string> Calls { get; } = [];

        public string Describe => "every agent of the test cluster";

        public void Applied(ChaosAction action) => Calls.Add("applied " + action.Label);

        public void Reverted(ChaosAction action) => Calls.Add("reverted " + action.Label);
    }
}
