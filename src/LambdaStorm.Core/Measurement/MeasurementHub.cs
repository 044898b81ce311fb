using System.Collections.Concurrent;
using System.Collections.Immutable;
using HdrHistogram;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Measurement;

/// <summary>
/// Where the engine records what happens: one HdrHistogram <see cref="Recorder"/> per (path, outcome, reason) and
/// per-path counters and lateness. Writes are wait-free and thread-safe; <see cref="TakeSnapshot"/> swaps out a
/// stable interval. Part of internal API.
/// </summary>
internal sealed class MeasurementHub
{
    private readonly ConcurrentDictionary<SeriesKey, Recorder> _series = new();
    private readonly PathState[] _paths;

    public MeasurementHub()
    {
        _paths = new PathState[InvocationPaths.All.Length];
        for (var i = 0; i < _paths.Length; i++)
        {
            _paths[i] = new PathState((InvocationPath)i);
        }
    }

    /// <summary>Records an arrival that could not start because the in-flight cap was reached.</summary>
    public void RecordDropped(InvocationPath path) => Interlocked.Increment(ref _paths[(int)path].Dropped);

    /// <summary>Records a start; <paramref name="latenessMicros"/> is null for closed-model starts (no schedule).</summary>
    public void RecordStarted(InvocationPath path, long? latenessMicros)
    {
        var p = _paths[(int)path];
        Interlocked.Increment(ref p.Started);
        if (latenessMicros is { } l)
        {
            p.Lateness.RecordValue(HistogramCodec.Clamp(l));
        }
    }

    /// <summary>Records whether a sampled invocation was a cold start.</summary>
    public void RecordColdStartSample(InvocationPath path, bool coldStart)
    {
        var p = _paths[(int)path];
        Interlocked.Increment(ref p.Sampled);
        if (coldStart)
        {
            Interlocked.Increment(ref p.ColdStarts);
        }
    }

    /// <summary>Records a completion and its latency from the intended start.</summary>
    public void RecordCompleted(SeriesKey key, long latencyMicros)
        => _series.GetOrAdd(key, static _ => HistogramCodec.NewRecorder()).RecordValue(HistogramCodec.Clamp(latencyMicros));

    /// <summary>Takes the interval since the previous snapshot.</summary>
    public IntervalSnapshot TakeSnapshot(long sequence, double start, double end, string phase, double targetRate, int targetCopies, long inFlight, string? source = null)
    {
        var paths = ImmutableArray.CreateBuilder<PathCounters>();
        foreach (var p in _paths)
        {
            var started = Interlocked.Exchange(ref p.Started, 0);
            var dropped = Interlocked.Exchange(ref p.Dropped, 0);
            var sampled = Interlocked.Exchange(ref p.Sampled, 0);
            var cold = Interlocked.Exchange(ref p.ColdStarts, 0);
            if (started + dropped + sampled == 0 && !p.EverStarted)
            {
                continue; // a path this run never used: no histogram swap, no allocation
            }

            p.EverStarted = true;
            var lateness = p.Lateness.GetIntervalHistogram();
            if (started + dropped + sampled > 0 || lateness.TotalCount > 0)
            {
                paths.Add(new PathCounters(p.Path, started + dropped, started, dropped, lateness, sampled, cold));
            }
        }

        var series = ImmutableArray.CreateBuilder<SeriesSnapshot>();
        foreach (var (key, recorder) in _series.OrderBy(kv => kv.Key.Path).ThenBy(kv => kv.Key.Outcome).ThenBy(kv => kv.Key.Reason, StringComparer.Ordinal))
        {
            var h = recorder.GetIntervalHistogram();
            if (h.TotalCount > 0)
            {
                series.Add(new SeriesSnapshot(key, h));
            }
        }

        return new IntervalSnapshot(sequence, start, end, phase, targetRate, targetCopies, inFlight, paths.ToImmutable(), series.ToImmutable(), source);
    }

    private sealed class PathState(InvocationPath path)
    {
        public readonly InvocationPath Path = path;
        public readonly Recorder Lateness = HistogramCodec.NewRecorder();
        public long Started;
        public long Dropped;
        public long Sampled;
        public long ColdStarts;
        public bool EverStarted;
    }
}
