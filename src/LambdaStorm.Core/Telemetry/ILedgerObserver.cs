using System.Collections.Immutable;
using LambdaStorm.Ledger;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Telemetry;

/// <summary>
/// The delivery ledger as it stands at one moment of a run, for live views and metrics: the reconciliation so far (ids
/// without an outcome count as <c>in_flight</c> until the final one), and what arrived since the previous snapshot.
/// </summary>
/// <param name="Report">The ledger reconciled now; in the final snapshot, the run's reconciliation (lost included).</param>
/// <param name="Depth">Queue-depth samples taken since the previous snapshot, oldest first.</param>
/// <param name="Processed">End-to-end latencies, in seconds, of the ids first processed since the previous snapshot.</param>
/// <param name="Final">True for the last snapshot of the run.</param>
public sealed record LedgerSnapshot(
    LedgerReport Report,
    ImmutableArray<QueueDepthSample> Depth,
    ImmutableArray<(InvocationPath Path, double Seconds)> Processed,
    bool Final);

/// <summary>
/// Watches the delivery ledger of a run as it goes. A run observer (<see cref="Runs.IRunObserver"/>) that also
/// implements this interface gets a snapshot after every interval, every read while the ledger settles after the
/// load, and once at the end. Calls come from the run's ledger loop; keep them quick.
/// </summary>
public interface ILedgerObserver
{
    /// <summary>The ledger after one more interval or read.</summary>
    void OnLedger(LedgerSnapshot snapshot);
}
