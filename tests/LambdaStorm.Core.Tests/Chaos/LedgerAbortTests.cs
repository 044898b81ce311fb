using System.Collections.Immutable;
using LambdaStorm.Chaos;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Runs;
using LambdaStorm.Scenarios;
using LambdaStorm.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Tests.Chaos;

/// <summary>
/// Game days and the delivery ledger: abort conditions on <c>dlq_depth</c> (under fake time, and in a simulated run), the
/// loader accepting it and refusing <c>in_flight</c> with file:line:column, and per-fault lost/duplicated/DLQ counts.
/// (Abort conditions on <c>lost</c>: <see cref="LostAbortTests"/>.)
/// </summary>
public sealed class LedgerAbortTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gameday-ledger-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Async invokes of a healthy function whose failures go to an on-failure destination without a retry.</summary>
    private const string Async = """
        name: gd-async
        function: worker
        path: async
        seed: 5
        target:
          type: emulator
          functions:
            worker:
              duration: 20ms
              initDuration: 0ms
              async: { maximumRetryAttempts: 0, onFailure: failures }
          queues:
            failures: {}
        load:
          - inject: { rate: 20, during: 40s }
        settle: 20s

        """;

    private static ChaosPlan Plan(string tail) => ScenarioLoader.Load(Async + tail, "gd.yaml").GetOrThrow().Chaos;

    private static IntervalSnapshot Second(int i) => new(i, i - 1, i, "1 inject", 20, 0, 0, [], []);

    private static LedgerSnapshot Snapshot(DeliveryLedger ledger) => new(ledger.Reconcile(SourceState.Busy), [], [], false);

    private static void DeadLetter(DeliveryLedger ledger, int from, int count)
    {
        var at = DateTimeOffset.UnixEpoch;
        for (var i = from; i < from + count; i++)
        {
            var id = $"id-{i}";
            ledger.RecordSent(id, InvocationPath.Async, at, poisoned: false);
            ledger.RecordDeadLetter("failures", new DeadLetterEvidence(id, "RetriesExhausted", 1), at);
        }
    }

    [Fact]
    public async Task Dlq_depth_abort_fires_on_the_first_interval_after_the_ledger_shows_the_arrivals()
    {
        var time = new FakeTimeProvider();
        var events = new List<ChaosEvent>();
        await using var controller = new ChaosController(Plan("abort:\n  - dlq_depth > 3\n"), new ChaosSession.NoControlPlane("emulator"), time, null, events.Add, "worker");
        var ledger = new DeliveryLedger();
        controller.Start();

        // Before any ledger snapshot the metric has no value: the rule does not hold.
        time.Advance(TimeSpan.FromSeconds(1));
        controller.OnInterval(Second(1));
        Assert.False(controller.StopRequested.IsCancellationRequested);

        DeadLetter(ledger, 0, 3);
        controller.OnLedger(Snapshot(ledger));
        time.Advance(TimeSpan.FromSeconds(1));
        controller.OnInterval(Second(2));
        Assert.False(controller.StopRequested.IsCancellationRequested); // 3 is not > 3

        DeadLetter(ledger, 3, 2);
        controller.OnLedger(Snapshot(ledger));
        time.Advance(TimeSpan.FromSeconds(1));
        controller.OnInterval(Second(3));

        Assert.True(controller.StopRequested.IsCancellationRequested);
        Assert.Equal("abort condition 'dlq_depth > 3' fired (dlq_depth = 5)", controller.AbortReason);
        var abort = Assert.Single(events, e => e.Kind == "abort");
        Assert.Equal(3, abort.At);
    }

    [Fact]
    public async Task Dlq_depth_abort_with_for_must_hold_on_every_second()
    {
        var time = new FakeTimeProvider();
        await using var controller = new ChaosController(Plan("abort:\n  - dlq_depth > 0 for 2s\n"), new ChaosSession.NoControlPlane("emulator"), time, null, null, "worker");
        var ledger = new DeliveryLedger();
        controller.Start();
        DeadLetter(ledger, 0, 1);
        controller.OnLedger(Snapshot(ledger));
        time.Advance(TimeSpan.FromSeconds(1));
        controller.OnInterval(Second(1));
        Assert.False(controller.StopRequested.IsCancellationRequested, "fired after holding for 1 s");

        // A second without a new arrival still has dlq_depth 1 (a count over the run so far): held over [0 s, 2 s].
        time.Advance(TimeSpan.FromSeconds(1));
        controller.OnInterval(Second(2));
        Assert.True(controller.StopRequested.IsCancellationRequested);
        Assert.Equal("abort condition 'dlq_depth > 0 for 2s' fired (dlq_depth = 1)", controller.AbortReason);
    }

    [Fact]
    public void The_loader_accepts_dlq_depth_and_refuses_in_flight_and_dlq_depth_without_a_ledger_naming_file_line_and_column()
    {
        var ok = Plan("abort:\n  - dlq_depth > 1000\n");
        Assert.Equal("dlq_depth", Assert.Single(ok.Abort).Condition.Metric.Name);

        var inFlight = ScenarioLoader.Load(Async + "abort:\n  - errors > 10\n  - in_flight > 0\n", "gd.yaml");
        var error = Assert.Single(inFlight.Errors);
        Assert.Equal(("gd.yaml", 19, 5), (error.File, error.Line, error.Column));
        Assert.Contains("abort condition 'in_flight > 0' reads 'in_flight', a delivery-ledger metric that cannot be evaluated during the run", error.Message);
        Assert.Contains("during the run every id without an outcome yet would count", error.Message);
        Assert.Contains("abort on lost, dlq_depth", error.Message);
        Assert.Contains("put 'in_flight' in 'thresholds'", error.Message);

        var sync = ScenarioLoader.Load(Async.Replace("path: async", "path: sync", StringComparison.Ordinal) + "abort:\n  - \"dlq_depth > 5\"\n", "s.yaml");
        error = Assert.Single(sync.Errors);
        Assert.Equal(("s.yaml", 18, 6), (error.File, error.Line, error.Column));
        Assert.Contains("this scenario sends on neither, so it could never fire", error.Message);
    }

    [Fact]
    public async Task A_simulated_run_aborts_on_dlq_depth_while_a_fault_sends_every_event_to_the_destination()
    {
        var yaml = Async + """
            abort:
              - dlq_depth > 40
            chaos:
              - { at: 10s, for: 20s, function-errors: { function: worker, rate: 100% } }
            """;
        var outcome = await ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "gd.yaml").GetOrThrow(), new RunOptions(_root), null, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, outcome.ExitCode);
        var chaos = outcome.Summary.Chaos!;
        Assert.StartsWith("abort condition 'dlq_depth > 40' fired (dlq_depth = ", chaos.Aborted);
        Assert.True(chaos.RolledBack);
        Assert.InRange(outcome.Summary.DurationSeconds, 12, 20); // 20 failures a second from 10 s: past 40 within a few seconds
        Assert.Equal("aborted", outcome.Summary.Status);
    }

    // A start between two microseconds (the journal's precision), rounding down or up, and a whole one: the live
    // findings and `report`'s rebuild must put the arrival due at the very instant a fault was requested on the same side.
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task Findings_count_the_ids_sent_during_each_fault_by_how_they_ended_and_report_rebuilds_them(int subMicrosecondTicks)
    {
        var yaml = Async + """
            chaos:
              - { at: 10s, for: 10s, function-errors: { function: worker, rate: 100% } }
              - { at: 25s, for: 5s, function-latency: { function: worker, latency: 100ms } }
            """;
        var start = new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero).AddTicks(subMicrosecondTicks);
        var outcome = await ScenarioRunner.SimulateAsync(ScenarioLoader.Load(yaml, "gd.yaml").GetOrThrow(), new RunOptions(_root), null, start, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        var (errors, slow) = (outcome.Summary.Chaos!.Findings[0], outcome.Summary.Chaos.Findings[1]);
        var e = errors.Ledger!;
        Assert.InRange(e.Sent, 195, 205); // 10 s at 20/s
        // Every attempt failed, no retry: all to the on-failure destination, but for the arrival due at the very instant
        // the fault was requested, which may run before the change lands (the window starts at the request).
        Assert.InRange(e.DeadLettered, e.Sent - 1, e.Sent);
        Assert.Equal((0L, 0L, 0L), (e.Lost, e.Duplicated, e.AfterRetry));
        var l = slow.Ledger!;
        Assert.InRange(l.Sent, 95, 105);
        Assert.Equal((0L, 0L, 0L), (l.Lost, l.DeadLettered, l.Duplicated)); // slower, but every id processed
        // Nothing outside the fault failed, but for the arrival due at the instant it was reverted (which may run before the revert lands).
        Assert.InRange(outcome.Summary.Ledger!.Count(DeliveryClass.DeadLettered) - e.DeadLettered, 0, 1);

        var rebuilt = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None);
        Assert.Equal([e, l], rebuilt.Summary.Chaos!.Findings.Select(f => f.Ledger));
        var json = await File.ReadAllTextAsync(Path.Combine(outcome.ResultsPath, "summary.json"));
        Assert.Contains("\"deadLettered\": " + e.DeadLettered.ToString(System.Globalization.CultureInfo.InvariantCulture), json, StringComparison.Ordinal);
    }
}
