using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace LambdaStorm.Lambda.Tests;

/// <summary>
/// Properties over random accounts, functions and arrival streams: concurrency never exceeds any cap; every invocation
/// ends in exactly one outcome; throttled + admitted == offered; a run is deterministic for its seed.
/// </summary>
public sealed class PropertyTests
{
    [Property(MaxTest = 60)]
    public Property Concurrency_never_exceeds_any_cap() => Prop.ForAll(Scenarios(), scenario =>
    {
        var run = scenario.Run();
        return (run.Invariants.Violations.Count == 0).Label(string.Join("; ", run.Invariants.Violations.Take(3)));
    });

    [Property(MaxTest = 60)]
    public Property Every_invocation_ends_in_exactly_one_outcome() => Prop.ForAll(Scenarios(), scenario =>
    {
        var run = scenario.Run();
        var recorder = run.Recorder;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(string id) => outcomes[id] = outcomes.GetValueOrDefault(id) + 1;
        foreach (var e in recorder.Throttled.Where(e => e.InvocationType == InvocationType.RequestResponse))
        {
            Count(e.RequestId);
        }

        foreach (var e in recorder.Rejected)
        {
            Count(e.RequestId);
        }

        foreach (var r in recorder.Completed.Where(r => r.InvocationType == InvocationType.RequestResponse))
        {
            Count(r.RequestId);
        }

        foreach (var f in recorder.Finished)
        {
            Count(f.RequestId);
        }

        var offered = scenario.Arrivals.Select(a => a.Id).ToList();
        var unaccounted = offered.Where(id => outcomes.GetValueOrDefault(id) != 1).ToList();
        return (unaccounted.Count == 0 && outcomes.Count == offered.Count && run.Summary.Drained)
            .Label($"ids without exactly one outcome: {string.Join(", ", unaccounted.Take(5))}; drained={run.Summary.Drained}");
    });

    [Property(MaxTest = 60)]
    public Property Throttled_plus_admitted_equals_offered() => Prop.ForAll(Scenarios(), scenario =>
    {
        var run = scenario.Run();
        var s = run.Summary;
        var sync = scenario.Arrivals.Count(a => !a.Async);
        var syncThrottles = run.Recorder.Throttled.Count(e => e.InvocationType == InvocationType.RequestResponse);
        var syncAdmissions = run.Recorder.Admitted.Count(e => e.InvocationType == InvocationType.RequestResponse);
        return (s.SyncAdmitted + s.SyncThrottled + s.AsyncAccepted + s.Rejected == s.Offered
                && s.Offered == scenario.Arrivals.Count
                && s.SyncAdmitted + s.SyncThrottled == sync
                && syncThrottles == s.SyncThrottled
                && syncAdmissions == s.SyncAdmitted)
            .Label($"{s}");
    });

    [Property(MaxTest = 25)]
    public Property A_run_is_deterministic_for_its_seed() => Prop.ForAll(Scenarios(), scenario =>
    {
        var first = scenario.Run().Trace();
        var second = scenario.Run().Trace();
        return first.SequenceEqual(second);
    });

    private static Arbitrary<Scenario> Scenarios()
    {
        var function = from reserved in Gen.Frequency((3, Gen.Constant<int?>(null)), (2, Gen.Choose(0, 40).Select(r => (int?)r)))
                       from duration in Gen.Choose(1, 4000)
                       from errorRate in Gen.Elements(0.0, 0.3, 1.0)
                       from provisioned in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 8)))
                       select new FunctionSpec(reserved, duration, errorRate, provisioned);
        var arrival = from gap in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 200)))
                      from fn in Gen.Choose(0, 2)
                      from isAsync in Gen.Elements(false, false, true)
                      from versioned in Gen.Elements(false, false, true)
                      select (gap, fn, isAsync, versioned);
        var scenario = from seed in Gen.Choose(1, 1_000_000)
                       from limit in Gen.Choose(110, 300)
                       from legacy in Gen.Elements(false, true)
                       from burst in Gen.Choose(3, 120)
                       from functions in Gen.ArrayOf(function, 3)
                       from raw in Gen.ListOf(arrival).Resize(300)
                       select Scenario.Create(seed, limit, legacy, burst, functions, raw);
        return Arb.From(scenario);
    }

    internal sealed record FunctionSpec(int? Reserved, int DurationMs, double ErrorRate, int Provisioned);

    internal sealed record ArrivalSpec(TimeSpan Offset, string Function, bool Async, bool Versioned, string Id);

    internal sealed record Scenario(int Seed, int Limit, bool Legacy, int Burst, FunctionSpec[] Functions, List<ArrivalSpec> Arrivals)
    {
        public static Scenario Create(int seed, int limit, bool legacy, int burst, FunctionSpec[] functions, IEnumerable<(int Gap, int Fn, bool Async, bool Versioned)> raw)
        {
            // Keep the generated reservations valid: at least 100 unreserved, provisioned within its pool.
            var budget = limit - 100;
            var reservedOnly = functions.Select(f =>
            {
                var reserved = f.Reserved is { } r && r <= budget ? r : (int?)null;
                budget -= reserved ?? 0;
                return f with { Reserved = reserved };
            }).ToArray();
            var valid = reservedOnly.Select(f =>
            {
                var provisioned = Math.Min(f.Provisioned, f.Reserved ?? budget);
                budget -= f.Reserved is null ? provisioned : 0;
                return f with { Provisioned = provisioned };
            }).ToArray();
            var offset = TimeSpan.Zero;
            var i = 0;
            var arrivals = raw.Select(a =>
            {
                offset += TimeSpan.FromMilliseconds(a.Gap);
                return new ArrivalSpec(offset, $"f{a.Fn}", a.Async, a.Versioned, $"{(a.Async ? "a" : "s")}-{i++}");
            }).ToList();
            return new Scenario(seed, limit, legacy, burst, valid, arrivals);
        }

        public ScenarioRun Run()
        {
            var options = new LambdaModelOptions { Seed = Seed };
            options.Account.ConcurrencyLimit = Limit;
            options.Account.ScalingModel = Legacy ? ScalingModel.LegacyBurst : ScalingModel.PerFunction;
            options.Account.LegacyBurst = Burst;
            options.Account.PerFunctionScaleBurst = Burst;
            options.Account.PerFunctionScaleRatePerSecond = 20;
            options.Account.LegacyScaleRatePerMinute = 600;
            options.Account.AsyncRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
            options.Account.AsyncThrottleMaxBackoff = TimeSpan.FromSeconds(8);
            for (var k = 0; k < Functions.Length; k++)
            {
                var spec = Functions[k];
                var f = new FunctionOptions
                {
                    Name = $"f{k}",
                    DurationMs = spec.DurationMs,
                    DurationP99Ms = spec.DurationMs * 3,
                    ErrorRate = spec.ErrorRate,
                    ReservedConcurrency = spec.Reserved,
                    PublishedVersions = 1,
                    TimeoutSeconds = 3,
                };
                f.AsyncConfig.MaximumEventAgeInSeconds = 60;
                if (spec.Provisioned > 0)
                {
                    f.ProvisionedConcurrency["1"] = spec.Provisioned;
                }

                options.Functions.Add(f);
            }

            var clock = new VirtualTimeProvider();
            var model = LambdaModel.Create(options, clock);
            var recorder = new RecordingObserver();
            var invariants = new InvariantObserver(model);
            model.AddObserver(recorder);
            model.AddObserver(invariants);
            var summary = new VirtualTimeSimulation(model, clock).Run(Arrivals.Select(a => new Arrival(
                a.Offset, a.Function, a.Versioned ? "1" : null, a.Async ? InvocationType.Event : InvocationType.RequestResponse, "{}"u8.ToArray(), Id: a.Id)));
            return new ScenarioRun(summary, recorder, invariants);
        }
    }

    internal sealed record ScenarioRun(SimulationSummary Summary, RecordingObserver Recorder, InvariantObserver Invariants)
    {
        public IEnumerable<string> Trace() =>
            Recorder.Completed.Select(r => $"{r.RequestId} {r.Attempt} {r.EndTime.Ticks} {r.ErrorType} {r.EnvironmentId} {r.ColdStart}")
                .Concat(Recorder.Throttled.Select(e => $"{e.RequestId} {e.Time.Ticks} {e.Reason}"))
                .Concat(Recorder.Finished.Select(e => $"{e.RequestId} {e.Condition} {e.InvokeCount} {e.Time.Ticks}"))
                .Append(Summary.ToString());
    }

    /// <summary>Checks the caps on every concurrency change, from the events alone.</summary>
    internal sealed class InvariantObserver : ILambdaModelObserver
    {
        private readonly int _limit;
        private readonly int _pool;
        private readonly Dictionary<string, int?> _reserved;
        private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

        public InvariantObserver(LambdaModel model)
        {
            var snapshot = model.GetSnapshot();
            _limit = snapshot.AccountLimit;
            _pool = snapshot.UnreservedPool;
            _reserved = snapshot.Functions.ToDictionary(f => f.Name, f => f.ReservedConcurrency, StringComparer.Ordinal);
        }

        public List<string> Violations { get; } = [];

        public void OnConcurrencyChanged(in ConcurrencyChanged e)
        {
            _running[e.FunctionName] = e.FunctionConcurrency;
            if (e.AccountConcurrency > _limit)
            {
                Violations.Add($"account {e.AccountConcurrency} > {_limit} at {e.Time:O}");
            }

            if (_reserved[e.FunctionName] is { } reserved && e.FunctionConcurrency > reserved)
            {
                Violations.Add($"{e.FunctionName} {e.FunctionConcurrency} > reserved {reserved} at {e.Time:O}");
            }

            var unreserved = _running.Where(kv => _reserved[kv.Key] is null).Sum(kv => kv.Value);
            if (unreserved > _pool)
            {
                Violations.Add($"unreserved {unreserved} > pool {_pool} at {e.Time:O}");
            }

            if (_running.Values.Sum() != e.AccountConcurrency)
            {
                Violations.Add($"sum of functions {_running.Values.Sum()} != account {e.AccountConcurrency}");
            }
        }
    }
}
