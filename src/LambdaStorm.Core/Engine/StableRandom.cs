namespace LambdaStorm.Engine;

/// <summary>
/// Stateless, seeded randomness keyed by arrival index (SplitMix64). The same (seed, index) gives the same value on
/// every agent and in every run, so path choice, poison pills and simulated errors do not depend on which agent
/// fires an arrival or in what order.
/// </summary>
public static class StableRandom
{
    /// <summary>A 64-bit hash of (seed, index, stream).</summary>
    public static ulong Hash(int seed, long index, ulong stream)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)index ^ (stream * 0x9E3779B97F4A7C15UL));
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0,1) for (seed, index, stream).</summary>
    public static double Unit(int seed, long index, ulong stream) => (Hash(seed, index, stream) >> 11) * (1.0 / (1UL << 53));
}
