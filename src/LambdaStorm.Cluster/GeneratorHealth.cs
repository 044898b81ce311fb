using LambdaStorm.Cluster.Protocol;

namespace LambdaStorm.Cluster;

/// <summary>
/// Bounds beyond which an agent counts as overloaded: the target then did not get the load that was asked for.
/// </summary>
/// <param name="MaxLatenessP99">Lateness p99 of one interval above this is an overloaded interval. Default 50 ms.</param>
/// <param name="MaxDropRate">Dropped / offered of one interval above this is an overloaded interval. Default 1%.</param>
/// <param name="Sustained">Consecutive overloaded intervals that make the run generator-limited. Default 3.</param>
internal sealed record GeneratorLimits(TimeSpan MaxLatenessP99, double MaxDropRate, int Sustained)
{
    /// <summary>The defaults.</summary>
    public static readonly GeneratorLimits Default = new(TimeSpan.FromMilliseconds(50), 0.01, 3);

    /// <summary>The bounds a scenario sets (its <c>generator:</c> section, or the defaults).</summary>
    public static GeneratorLimits Of(Scenarios.GeneratorBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        return new(bounds.MaxLatenessP99, bounds.MaxDropRate, bounds.Sustained);
    }
}

/// <summary>Watches every agent's health reports and says when one has stayed overloaded. Part of internal API.</summary>
internal sealed class GeneratorHealthMonitor(GeneratorLimits limits)
{
    private readonly Dictionary<string, int> _streak = new(StringComparer.Ordinal);
    private readonly HashSet<string> _limited = new(StringComparer.Ordinal);

    /// <summary>Agents found overloaded so far.</summary>
    public IReadOnlyCollection<string> Limited => _limited;

    /// <summary>True when the last report observed was over the bounds.</summary>
    public bool LastOverloaded { get; private set; }

    /// <summary>Folds one report in; returns a description when this report made the agent generator-limited (once per agent).</summary>
    public string? Observe(string agent, AgentHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var dropRate = health.Offered == 0 ? 0 : (double)health.Dropped / health.Offered;
        var over = health.LatenessP99Ms > limits.MaxLatenessP99.TotalMilliseconds || dropRate > limits.MaxDropRate;
        LastOverloaded = over;
        var streak = over ? (_streak.TryGetValue(agent, out var n) ? n : 0) + 1 : 0;
        _streak[agent] = streak;
        if (streak >= limits.Sustained && _limited.Add(agent))
        {
            return $"{agent} overloaded for {streak} intervals: lateness p99 {health.LatenessP99Ms:0.#} ms (bound {limits.MaxLatenessP99.TotalMilliseconds:0.#} ms), drops {dropRate:P1} (bound {limits.MaxDropRate:P1}), CPU {health.CpuPercent:0}%";
        }

        return null;
    }
}
