using LambdaStorm.Measurement;

namespace LambdaStorm.Runs;

/// <summary>Passes every call on to several observers, in order (the live view, the metrics exporter); ledger snapshots go to those that also implement <see cref="Telemetry.ILedgerObserver"/>. Part of internal API.</summary>
internal sealed class CompositeRunObserver(params IRunObserver[] observers) : IRunObserver, Telemetry.ILedgerObserver, Chaos.IChaosObserver
{
    public void OnChaos(Chaos.ChaosEvent e)
    {
        foreach (var o in observers)
        {
            (o as Chaos.IChaosObserver)?.OnChaos(e);
        }
    }

    public void OnStarted(RunStarted run)
    {
        foreach (var o in observers)
        {
            o.OnStarted(run);
        }
    }

    public void OnInterval(IntervalSnapshot snapshot)
    {
        foreach (var o in observers)
        {
            o.OnInterval(snapshot);
        }
    }

    public void OnLedger(Telemetry.LedgerSnapshot snapshot)
    {
        foreach (var o in observers)
        {
            (o as Telemetry.ILedgerObserver)?.OnLedger(snapshot);
        }
    }

    public void OnMark(Results.JournalMark mark)
    {
        foreach (var o in observers)
        {
            o.OnMark(mark);
        }
    }
}
