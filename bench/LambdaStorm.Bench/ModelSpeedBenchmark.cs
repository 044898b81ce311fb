using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LambdaStorm.Lambda;

namespace LambdaStorm.Bench;

/// <summary>One run of the model alone.</summary>
internal sealed record ModelSpeedCase(
    string Name,
    int Rate,
    double VirtualSeconds,
    long Offered,
    long Invocations,
    long Throttles,
    long ColdStarts,
    double WallSeconds,
    double CpuSeconds)
{
    public double InvocationsPerWallSecond => Invocations / WallSeconds;

    public double InvocationsPerCpuSecond => Invocations / CpuSeconds;

    public double SpeedUp => VirtualSeconds / WallSeconds;
}

/// <summary>
/// <c>model</c>: the Lambda model alone, driven by <see cref="VirtualTimeSimulation"/> with <see cref="ModelStatistics"/>
/// attached, on the same load and function as bench/simulate/run.sh's simulate cases (one sync function, 100 ms mean
/// with a 400 ms P99, per-function scaling, account concurrency 10,000; arrivals evenly spaced). The difference from
/// <c>simulate</c> is what the load engine, its per-second measurement and the journal cost.
/// </summary>
internal static class ModelSpeedBenchmark
{
    private static readonly ReadOnlyMemory<byte> Payload = "{}"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(string? jsonPath)
    {
        Measure("warm-up", 1_000, TimeSpan.FromSeconds(30));
        ModelSpeedCase[] cases =
        [
            Measure("1 h at 1,000/s", 1_000, TimeSpan.FromHours(1)),
            Measure("10 min at 10,000/s", 10_000, TimeSpan.FromMinutes(10)),
        ];

        Console.WriteLine("| case | offered | model invocations | throttles | cold starts | wall s | CPU s | model invocations / wall s | per CPU s | speed-up over real time |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {c.Offered:N0} | {c.Invocations:N0} | {c.Throttles:N0} | {c.ColdStarts:N0} | {c.WallSeconds:F2} | {c.CpuSeconds:F2} | {c.InvocationsPerWallSecond:N0} | {c.InvocationsPerCpuSecond:N0} | {c.SpeedUp:N0}x |"));
        }

        if (jsonPath is not null)
        {
            var document = cases.Select(c => new
            {
                c.Name,
                c.Rate,
                c.VirtualSeconds,
                c.Offered,
                c.Invocations,
                c.Throttles,
                c.ColdStarts,
                c.WallSeconds,
                c.CpuSeconds,
                c.InvocationsPerWallSecond,
                c.InvocationsPerCpuSecond,
                c.SpeedUp,
            });
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Json));
        }

        return 0;
    }

    private static ModelSpeedCase Measure(string name, int rate, TimeSpan during)
    {
        var clock = new VirtualTimeProvider();
        var options = new LambdaModelOptions
        {
            Seed = 1,
            Account = { ScalingModel = ScalingModel.PerFunction, ConcurrencyLimit = 10_000 },
            Functions = { new FunctionOptions { Name = "fn", DurationMs = 100, DurationP99Ms = 400 } },
        };
        var model = LambdaModel.Create(options, clock);
        var stats = new ModelStatistics(model);
        var count = (long)(rate * during.TotalSeconds);

        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var summary = new VirtualTimeSimulation(model, clock).Run(Arrivals(count, rate));
        watch.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        var report = stats.GetReport();
        return new ModelSpeedCase(
            name,
            rate,
            (summary.End - summary.Start).TotalSeconds,
            summary.Offered,
            summary.SyncAdmitted,
            summary.SyncThrottled,
            report.ColdStarts,
            watch.Elapsed.TotalSeconds,
            cpuSeconds);
    }

    private static IEnumerable<Arrival> Arrivals(long count, int rate)
    {
        for (long i = 0; i < count; i++)
        {
            yield return new Arrival(TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / rate), "fn", Payload: Payload);
        }
    }
}
