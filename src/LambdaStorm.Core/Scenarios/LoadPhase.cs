namespace LambdaStorm.Scenarios;

/// <summary>
/// One phase of a scenario's load, in NBomber's vocabulary. A closed union: every phase is either open model
/// (an arrival rate, independent of how the target behaves) or closed model (a number of invocations kept in flight).
/// </summary>
public abstract record LoadPhase
{
    private LoadPhase(TimeSpan during) => During = during;

    /// <summary>How long the phase lasts.</summary>
    public TimeSpan During { get; }

    /// <summary>The YAML key of this phase kind.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Open model. Injects a constant arrival rate (per second) for the duration, whatever the target does.
    /// Use it to hold a steady rate of requests that is not affected by the performance of the system under test.
    /// </summary>
    /// <param name="Rate">Arrivals per second (≥ 0).</param>
    /// <param name="During">Duration.</param>
    public sealed record Inject(double Rate, TimeSpan During) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "inject";
    }

    /// <summary>
    /// Open model. Ramps the arrival rate linearly from the previous phase's rate to <paramref name="Rate"/>.
    /// The ramp is exact: the instantaneous rate changes continuously, not once a second.
    /// </summary>
    /// <param name="Rate">Arrival rate reached at the end of the phase.</param>
    /// <param name="During">Duration.</param>
    public sealed record RampingInject(double Rate, TimeSpan During) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "ramping-inject";
    }

    /// <summary>
    /// Open model. Jumps to <paramref name="Rate"/>, holds it for <paramref name="During"/>, then returns to the rate
    /// before the spike and holds that for <paramref name="Recover"/>. Later ramps start from the pre-spike rate.
    /// </summary>
    /// <param name="Rate">Arrival rate during the spike.</param>
    /// <param name="During">How long the spike lasts.</param>
    /// <param name="Recover">How long the pre-spike rate is held after the spike (may be zero).</param>
    public sealed record Spike(double Rate, TimeSpan During, TimeSpan Recover) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "spike";
    }

    /// <summary>
    /// Closed model. Keeps exactly <paramref name="Copies"/> invocations in flight: each copy starts its next
    /// invocation as soon as the previous one ends. Use it to measure a system at a fixed concurrency.
    /// </summary>
    /// <param name="Copies">Invocations kept in flight.</param>
    /// <param name="During">Duration.</param>
    public sealed record KeepConstant(int Copies, TimeSpan During) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "keep-constant";
    }

    /// <summary>Closed model. Ramps the number of copies in flight linearly from the previous closed phase's copies.</summary>
    /// <param name="Copies">Copies reached at the end of the phase.</param>
    /// <param name="During">Duration.</param>
    public sealed record RampingConstant(int Copies, TimeSpan During) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "ramping-constant";
    }

    /// <summary>No load for the duration. Ramps after a pause start from zero.</summary>
    /// <param name="During">Duration.</param>
    public sealed record Pause(TimeSpan During) : LoadPhase(During)
    {
        /// <inheritdoc />
        public override string Kind => "pause";
    }

    /// <summary>Total duration, including a spike's recovery.</summary>
    public TimeSpan TotalDuration => this is Spike s ? s.During + s.Recover : During;
}
