using System.Globalization;

namespace LambdaStorm.Ledger;

/// <summary>The warnings a reconciled ledger deserves in the summary: nothing may be lost or left open silently. Part of internal API.</summary>
internal static class LedgerWarnings
{
    public static IEnumerable<string> From(LedgerReport l)
    {
        var lost = l.Count(DeliveryClass.Lost);
        if (lost > 0)
        {
            yield return F($"delivery ledger: {lost} of {l.Sent} sent ids were lost: the source reported nothing left, and no successful receipt, dead-letter or destination message accounts for them (Lambda discards an async event that failed every attempt unless the function has an on-failure destination or a DLQ)");
        }

        var inFlight = l.Count(DeliveryClass.InFlight);
        if (inFlight > 0)
        {
            yield return l.Source == "unreachable"
                ? F($"delivery ledger: {inFlight} of {l.Sent} sent ids had no outcome when the run ended and the source could not be asked (it stopped answering, or the run was cut short); they are counted in flight, not lost")
                : F($"delivery ledger: {inFlight} of {l.Sent} sent ids were still in flight when the settle time ran out (the source still had work)");
        }

        var unknown = l.Count(DeliveryClass.Unknown);
        if (unknown > 0)
        {
            yield return F($"delivery ledger: {unknown} ids were in flight on a generator that died; whether they were sent is unknown");
        }

        if (l.Unmatched > 0)
        {
            yield return F($"delivery ledger: {l.Unmatched} receipts or dead-letter messages named ids this run never sent (leftovers of another run on the same queues?)");
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
