using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using LambdaStorm.Engine;
using LambdaStorm.Lambda;

namespace LambdaStorm.Bench;

/// <summary>
/// <c>memory</c>: managed heap held by the Lambda model for N warm, idle execution environments (issue 3's benchmark).
/// For each case: build a model with one function on a <see cref="VirtualClock"/>, measure the heap, admit N
/// concurrent sync invocations at one instant (so N environments are created), measure again (N busy), jump the clock
/// until all have finished, and measure a third time (N warm idle). Bytes per environment = heap delta / N.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: LambdaStorm.Bench memory [--environments N] [--json FILE]
               LambdaStorm.Bench model [--json FILE]
               LambdaStorm.Bench merge [--json FILE]

          memory          heap held by the Lambda model for N warm idle environments (default N = 10000),
                          per-function and legacy-burst scaling, with and without ModelStatistics, and 10 x N
          model           the model alone (VirtualTimeSimulation + ModelStatistics, no load engine, no journal) on
                          the scenarios bench/simulate/run.sh gives simulate: 1 h at 1,000/s and 10 min at 10,000/s
          merge           the cluster coordinator's cost per agent snapshot: deserialize, decode, merge exactly
          --json FILE     also write the results as JSON
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("memory" or "model" or "merge"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var environments = 10_000;
        string? json = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--environments" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0:
                    environments = n;
                    i++;
                    break;
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        return args[0] switch
        {
            "memory" => MemoryBenchmark.Run(environments, json),
            "merge" => MergeBenchmark.Run(json),
            _ => ModelSpeedBenchmark.Run(json),
        };
    }
}

/// <summary>One measured case.</summary>
internal sealed record MemoryCase(
    string Name,
    string Scaling,
    bool Statistics,
    int Environments,
    int Admitted,
    int Throttled,
    int WarmIdleAfter,
    int ConcurrencyAfter,
    long HeapBeforeBytes,
    long HeapBusyBytes,
    long HeapWarmBytes,
    long LiveBeforeBytes,
    long LiveWarmBytes,
    long AllocatedBytes,
    double AdmitAndCompleteMs)
{
    public double BytesPerBusyInvocation => (HeapBusyBytes - HeapBeforeBytes) / (double)Environments;

    public double BytesPerWarmEnvironment => (HeapWarmBytes - HeapBeforeBytes) / (double)Environments;

    public double LiveBytesPerWarmEnvironment => (LiveWarmBytes - LiveBeforeBytes) / (double)Environments;

    public double AllocatedBytesPerInvocation => AllocatedBytes / (double)Environments;
}

internal static class MemoryBenchmark
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReadOnlyMemory<byte> Payload = "{}"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(int environments, string? jsonPath)
    {
        // Warm-up: JIT, statics and type caches land before any measured baseline.
        Measure("warm-up", ScalingModel.PerFunction, statistics: false, Math.Min(1_000, environments));

        MemoryCase[] cases =
        [
            Measure("per-function", ScalingModel.PerFunction, statistics: false, environments),
            Measure("legacy-burst", ScalingModel.LegacyBurst, statistics: false, environments),
            Measure("per-function + ModelStatistics", ScalingModel.PerFunction, statistics: true, environments),
            Measure("per-function, 10x", ScalingModel.PerFunction, statistics: false, environments * 10),
        ];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LambdaStorm.Bench memory: .NET {Environment.Version}, {Environment.ProcessorCount} cpus, GC server={GCSettings.IsServerGC}, latency={GCSettings.LatencyMode}"));
        Console.WriteLine("| case | environments | admitted | warm idle after | heap before | heap, all busy | heap, all warm idle | bytes / busy invocation | bytes / warm environment | allocated / invocation | admit+complete |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {c.Environments:N0} | {c.Admitted:N0} | {c.WarmIdleAfter:N0} | {c.HeapBeforeBytes:N0} | {c.HeapBusyBytes:N0} | {c.HeapWarmBytes:N0} | {c.BytesPerBusyInvocation:N0} | {c.BytesPerWarmEnvironment:N0} | {c.AllocatedBytesPerInvocation:N0} | {c.AdmitAndCompleteMs:N0} ms |"));
        }

        var failed = cases.Where(c => c.Admitted != c.Environments || c.WarmIdleAfter != c.Environments || c.ConcurrencyAfter != 0).ToList();
        foreach (var c in failed)
        {
            Console.Error.WriteLine($"{c.Name}: expected {c.Environments} admitted and warm idle with nothing running, got admitted {c.Admitted}, throttled {c.Throttled}, warm idle {c.WarmIdleAfter}, concurrency {c.ConcurrencyAfter}");
        }

        if (jsonPath is not null)
        {
            var document = new
            {
                dotnet = Environment.Version.ToString(),
                processors = Environment.ProcessorCount,
                serverGc = GCSettings.IsServerGC,
                cases = cases.Select(c => new
                {
                    c.Name,
                    c.Scaling,
                    c.Statistics,
                    c.Environments,
                    c.Admitted,
                    c.Throttled,
                    c.WarmIdleAfter,
                    c.ConcurrencyAfter,
                    c.HeapBeforeBytes,
                    c.HeapBusyBytes,
                    c.HeapWarmBytes,
                    c.LiveBeforeBytes,
                    c.LiveWarmBytes,
                    c.AllocatedBytes,
                    c.AdmitAndCompleteMs,
                    c.BytesPerBusyInvocation,
                    c.BytesPerWarmEnvironment,
                    c.LiveBytesPerWarmEnvironment,
                    c.AllocatedBytesPerInvocation,
                }),
            };
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Json));
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static MemoryCase Measure(string name, ScalingModel scaling, bool statistics, int environments)
    {
        var clock = new VirtualClock(Start);
        var options = new LambdaModelOptions
        {
            Seed = 42,
            Account =
            {
                ScalingModel = scaling,
                ConcurrencyLimit = environments,
                PerFunctionScaleBurst = environments,
                LegacyBurst = environments,
            },
            // A 100 ms handler; init from the default runtime's distribution (nodejs22.x, P50 275 ms, P99 800 ms).
            Functions = { new FunctionOptions { Name = "fn", DurationMs = 100 } },
        };
        var model = LambdaModel.Create(options, clock);
        var stats = statistics ? new ModelStatistics(model) : null;

        var (before, liveBefore) = Heap();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();

        int admitted = 0, throttled = 0;
        for (var i = 0; i < environments; i++)
        {
            // The response is dropped at once, as simulate's host does once it has read the status.
            switch (model.InvokeSync("fn", null, Payload).Status)
            {
                case InvokeStatus.Admitted:
                    admitted++;
                    break;
                case InvokeStatus.Throttled:
                    throttled++;
                    break;
                default:
                    break;
            }
        }

        watch.Stop();
        var (busy, _) = Heap();
        watch.Start();

        // Every init is clamped to 10 s and every handler takes 100 ms; 15 s is well inside the 10 min idle reap.
        clock.AdvanceTo(TimeSpan.FromSeconds(15));
        model.RunDue();
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var snapshot = model.GetSnapshot();
        var (warm, liveWarm) = Heap();
        GC.KeepAlive(model);
        GC.KeepAlive(stats);

        return new MemoryCase(
            name,
            scaling == ScalingModel.PerFunction ? "per-function" : "legacy-burst",
            statistics,
            environments,
            admitted,
            throttled,
            snapshot.Functions[0].WarmIdle,
            snapshot.AccountConcurrency,
            before,
            busy,
            warm,
            liveBefore,
            liveWarm,
            allocated,
            watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Managed heap after forced, compacting full collections: GC.GetTotalMemory(true), and the GC's own view (heap size minus fragmentation).</summary>
    private static (long Total, long Live) Heap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var total = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return (total, info.HeapSizeBytes - info.FragmentedBytes);
    }
}
