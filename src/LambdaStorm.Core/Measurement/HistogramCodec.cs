using HdrHistogram;
using HdrHistogram.Utilities;

namespace LambdaStorm.Measurement;

/// <summary>
/// Latency histograms: values are microseconds from 1 µs to one hour at 3 significant digits (0.1% resolution),
/// the same settings on every agent so that merging with <see cref="HistogramBase.Add"/> is exact.
/// Encoded as HdrHistogram's standard compressed V2 form in base64, readable by any HdrHistogram implementation.
/// </summary>
public static class HistogramCodec
{
    /// <summary>Lowest value kept apart, in microseconds.</summary>
    public const long LowestMicros = 1;

    /// <summary>Highest trackable value: one hour in microseconds. Larger values are clamped to it.</summary>
    public const long HighestMicros = 3_600_000_000;

    /// <summary>Significant value digits.</summary>
    public const int Precision = 3;

    /// <summary>A new empty 64-bit histogram with the standard settings, for accumulating merged data.</summary>
    public static HistogramBase NewHistogram()
        => HistogramFactory.With64BitBucketSize().WithValuesFrom(LowestMicros).WithValuesUpTo(HighestMicros).WithPrecisionOf(Precision).Create();

    /// <summary>A new recorder (wait-free writes, stable interval reads) with the standard settings.</summary>
    public static Recorder NewRecorder()
        => HistogramFactory.With32BitBucketSize().WithValuesFrom(LowestMicros).WithValuesUpTo(HighestMicros).WithPrecisionOf(Precision)
            .WithThreadSafeWrites().WithThreadSafeReads().Create();

    /// <summary>Clamps a microsecond value into the trackable range.</summary>
    public static long Clamp(long micros) => Math.Clamp(micros, LowestMicros, HighestMicros);

    /// <summary>Encodes a histogram as base64 of its compressed V2 encoding.</summary>
    public static string Encode(HistogramBase histogram) => Convert.ToBase64String(EncodeBytes(histogram));

    /// <summary>Encodes a histogram in its compressed V2 form (the bytes behind <see cref="Encode"/>).</summary>
    public static byte[] EncodeBytes(HistogramBase histogram)
    {
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = HistogramEncoding.EncodeIntoCompressedByteBuffer(histogram, buffer);
        buffer.Position = 0;
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return bytes;
    }

    /// <summary>Decodes <see cref="EncodeBytes"/> output.</summary>
    public static HistogramBase DecodeBytes(byte[] bytes) => HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(bytes), 0);

    /// <summary>Decodes <see cref="Encode"/> output.</summary>
    public static HistogramBase Decode(string base64)
    {
        return DecodeBytes(Convert.FromBase64String(base64));
    }

    /// <summary>Value at a percentile, in milliseconds; 0 for an empty histogram.</summary>
    public static double PercentileMs(HistogramBase h, double percentile)
        => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>Highest recorded value, in milliseconds (highest equivalent value, as HdrHistogram reports max).</summary>
    public static double MaxMs(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetMaxValue() / 1000.0;

    /// <summary>Lowest recorded value, in milliseconds.</summary>
    public static double MinMs(HistogramBase h)
    {
        if (h.TotalCount == 0)
        {
            return 0;
        }

        foreach (var v in h.RecordedValues())
        {
            return h.LowestEquivalentValue(v.ValueIteratedTo) / 1000.0;
        }

        return 0;
    }

    /// <summary>Mean, in milliseconds.</summary>
    public static double MeanMs(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetMean() / 1000.0;
}
