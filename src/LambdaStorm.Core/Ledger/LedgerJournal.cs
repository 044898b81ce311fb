using System.Collections.Immutable;
using System.Text.Json;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Ledger;

/// <summary>
/// Feeds a <see cref="DeliveryLedger"/> and keeps every input since the last <see cref="WriteTo"/>, so that each
/// interval's ledger events become one journal line (<c>{"type":"ledger",…}</c>). <c>lambdastorm report</c> replays
/// those lines into a fresh ledger (<see cref="Replay"/>), so it reconciles exactly as the run did, also from a journal
/// cut short by a crash. Times are written as Unix milliseconds. Ids the source discarded leaving no record are
/// <c>"lost":[[id,reason,ms],…]</c>; a separate emulator's count of them is <c>"sourceLost":n</c>. Part of internal API.
/// </summary>
internal sealed class LedgerJournal(DeliveryLedger ledger, DateTimeOffset origin) : ILedgerInput
{
    private readonly Lock _gate = new();
    private List<object[]> _sent = [];
    private List<object[]> _failed = [];
    private List<object?[]> _receipts = [];
    private List<object?[]> _dead = [];
    private List<string> _unknown = [];
    private List<object[]> _lost = [];
    private long? _sourceLost;
    private List<object[]> _depth = [];
    private double? _loadEnded;

    /// <summary>The ledger fed.</summary>
    public DeliveryLedger Ledger => ledger;

    /// <inheritdoc />
    public void RecordSent(string id, InvocationPath path, DateTimeOffset intendedTime, bool poisoned)
    {
        intendedTime = AtJournalPrecision(intendedTime);
        ledger.RecordSent(id, path, intendedTime, poisoned);
        lock (_gate)
        {
            _sent.Add([id, path.Name(), Ms(intendedTime), poisoned ? 1 : 0]);
        }
    }

    /// <inheritdoc />
    public void RecordSendFailed(string id, string outcome)
    {
        ledger.RecordSendFailed(id, outcome);
        lock (_gate)
        {
            _failed.Add([id, outcome]);
        }
    }

    /// <inheritdoc />
    public void RecordReceipt(Receipt receipt)
    {
        receipt = receipt with { StartedAt = AtJournalPrecision(receipt.StartedAt), FinishedAt = AtJournalPrecision(receipt.FinishedAt) };
        ledger.RecordReceipt(receipt);
        lock (_gate)
        {
            _receipts.Add([receipt.Id, receipt.Attempt, receipt.Path?.Name(), OutcomeName(receipt.Outcome), receipt.ColdStart ? 1 : 0, Ms(receipt.StartedAt), Ms(receipt.FinishedAt)]);
        }
    }

    /// <inheritdoc />
    public void RecordDeadLetter(string queue, DeadLetterEvidence evidence, DateTimeOffset at)
    {
        at = AtJournalPrecision(at);
        ledger.RecordDeadLetter(queue, evidence, at);
        lock (_gate)
        {
            _dead.Add([queue, evidence.Id, evidence.Condition, evidence.ApproximateInvokeCount, Ms(at)]);
        }
    }

    /// <inheritdoc />
    public void MarkUnknown(string id)
    {
        ledger.MarkUnknown(id);
        lock (_gate)
        {
            _unknown.Add(id);
        }
    }

    /// <inheritdoc />
    public void RecordLost(string id, string reason, DateTimeOffset at)
    {
        at = AtJournalPrecision(at);
        ledger.RecordLost(id, reason, at);
        lock (_gate)
        {
            _lost.Add([id, reason, Ms(at)]);
        }
    }

    /// <inheritdoc />
    public void RecordSourceLost(long count)
    {
        ledger.RecordSourceLost(count);
        lock (_gate)
        {
            _sourceLost = count;
        }
    }

    /// <inheritdoc />
    public void RecordQueueDepth(QueueDepthSample sample)
    {
        sample = sample with { At = AtJournalPrecision(sample.At) };
        ledger.RecordQueueDepth(sample);
        lock (_gate)
        {
            _depth.Add([sample.Queue, QueueDepthSample.RoleName(sample.Role), Ms(sample.At), sample.Visible, sample.NotVisible, sample.Delayed]);
        }
    }

    /// <inheritdoc />
    public void RecordLoadEnded(DateTimeOffset at)
    {
        at = AtJournalPrecision(at);
        ledger.RecordLoadEnded(at);
        lock (_gate)
        {
            _loadEnded = Ms(at);
        }
    }

    /// <summary>Writes the events since the last call as the body of one journal line; false (nothing written) when there were none.</summary>
    public bool WriteTo(Utf8JsonWriter w)
    {
        List<object[]> sent, failed, depth, lost;
        List<object?[]> receipts, dead;
        List<string> unknown;
        double? loadEnded;
        long? sourceLost;
        lock (_gate)
        {
            if (_sent.Count + _failed.Count + _receipts.Count + _dead.Count + _unknown.Count + _depth.Count + _lost.Count == 0 && _loadEnded is null && _sourceLost is null)
            {
                return false;
            }

            (lost, _lost) = (_lost, []);
            (sourceLost, _sourceLost) = (_sourceLost, null);

            (sent, _sent) = (_sent, []);
            (failed, _failed) = (_failed, []);
            (receipts, _receipts) = (_receipts, []);
            (dead, _dead) = (_dead, []);
            (unknown, _unknown) = (_unknown, []);
            (depth, _depth) = (_depth, []);
            (loadEnded, _loadEnded) = (_loadEnded, null);
        }

        w.WriteString("type", "ledger");
        w.WriteNumber("origin", Ms(origin));
        Array(w, "sent", sent);
        Array(w, "failed", failed);
        Array(w, "receipts", receipts);
        Array(w, "dead", dead);
        if (unknown.Count > 0)
        {
            w.WriteStartArray("unknown");
            foreach (var id in unknown)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
        }

        Array(w, "lost", lost);
        if (sourceLost is { } sl)
        {
            w.WriteNumber("sourceLost", sl);
        }

        Array(w, "depth", depth);
        if (loadEnded is { } le)
        {
            w.WriteNumber("loadEnded", le);
        }

        return true;
    }

    /// <summary>Replays one <c>ledger</c> journal line into <paramref name="input"/>; returns the line's origin.</summary>
    public static DateTimeOffset Replay(JsonElement line, ILedgerInput input)
    {
        foreach (var s in Items(line, "sent"))
        {
            input.RecordSent(s[0].GetString()!, ParsePath(s[1].GetString()), Time(s[2]), s[3].GetInt32() != 0);
        }

        foreach (var f in Items(line, "failed"))
        {
            input.RecordSendFailed(f[0].GetString()!, f[1].GetString()!);
        }

        foreach (var r in Items(line, "receipts"))
        {
            InvocationPath? path = r[2].ValueKind == JsonValueKind.String ? ParsePath(r[2].GetString()) : null;
            input.RecordReceipt(new Receipt(r[0].GetString()!, r[1].GetInt32(), null, path, ParseOutcome(r[3].GetString()), r[4].GetInt32() != 0, null, Time(r[5]), Time(r[6])));
        }

        foreach (var d in Items(line, "dead"))
        {
            input.RecordDeadLetter(d[0].GetString()!, new DeadLetterEvidence(d[1].GetString()!, d[2].ValueKind == JsonValueKind.String ? d[2].GetString() : null, d[3].GetInt32()), Time(d[4]));
        }

        if (line.TryGetProperty("unknown", out var unknown))
        {
            foreach (var id in unknown.EnumerateArray())
            {
                input.MarkUnknown(id.GetString()!);
            }
        }

        foreach (var l in Items(line, "lost"))
        {
            input.RecordLost(l[0].GetString()!, l[1].GetString()!, Time(l[2]));
        }

        if (line.TryGetProperty("sourceLost", out var sourceLost))
        {
            input.RecordSourceLost(sourceLost.GetInt64());
        }

        foreach (var q in Items(line, "depth"))
        {
            input.RecordQueueDepth(new QueueDepthSample(Time(q[2]), q[0].GetString()!, QueueDepthSample.ParseRole(q[1].GetString()), q[3].GetInt64(), q[4].GetInt64(), q[5].GetInt64()));
        }

        if (line.TryGetProperty("loadEnded", out var le))
        {
            input.RecordLoadEnded(Time(le));
        }

        return Time(line.GetProperty("origin"));
    }

    /// <summary>Unix milliseconds with microsecond decimals.</summary>
    internal static double Ms(DateTimeOffset t) => Math.Round((t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerMillisecond, 3);

    private static DateTimeOffset Time(JsonElement ms) => FromMs(ms.GetDouble());

    private static DateTimeOffset FromMs(double ms) => DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond));

    /// <summary>
    /// A time rounded as the journal stores it (microseconds), so the live ledger sees exactly what
    /// <c>lambdastorm report</c> replays and both compute the same latencies.
    /// </summary>
    internal static DateTimeOffset AtJournalPrecision(DateTimeOffset t) => FromMs(Ms(t));

    private static string OutcomeName(ReceiptOutcome o) => o switch
    {
        ReceiptOutcome.Ok => "ok",
        ReceiptOutcome.Timeout => "timeout",
        _ => "error",
    };

    private static ReceiptOutcome ParseOutcome(string? s) => s switch
    {
        "ok" => ReceiptOutcome.Ok,
        "timeout" => ReceiptOutcome.Timeout,
        "error" => ReceiptOutcome.Error,
        _ => throw new FormatException($"unknown receipt outcome '{s}'"),
    };

    private static InvocationPath ParsePath(string? name)
        => InvocationPaths.TryParse(name, out var p) ? p : throw new FormatException($"unknown path '{name}'");

    private static IEnumerable<JsonElement[]> Items(JsonElement line, string name)
        => line.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(x => x.EnumerateArray().ToArray()) : [];

    private static void Array<T>(Utf8JsonWriter w, string name, List<T> rows)
        where T : IEnumerable<object?>
    {
        if (rows.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var row in rows)
        {
            w.WriteStartArray();
            foreach (var v in row)
            {
                switch (v)
                {
                    case null: w.WriteNullValue(); break;
                    case string s: w.WriteStringValue(s); break;
                    case int i: w.WriteNumberValue(i); break;
                    case long l: w.WriteNumberValue(l); break;
                    case double d: w.WriteNumberValue(d); break;
                    default: throw new InvalidOperationException($"unexpected ledger value {v.GetType()}");
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}

/// <summary>
/// The ledger of a run as the journal holds it: the reconciled report, the depth samples, and cumulative classes over
/// time (one point per second from the run's start to the last piece of evidence) for the charts.
/// </summary>
/// <param name="Report">The reconciled ledger.</param>
/// <param name="Points">Cumulative classes over time.</param>
/// <param name="Depth">Queue-depth samples, as seconds since the start.</param>
public sealed record LedgerData(LedgerReport Report, ImmutableArray<LedgerPoint> Points, ImmutableArray<DepthPoint> Depth)
{
    /// <summary>The replayed ledger as the chaos findings read it (ids sent while each fault was active, by class).</summary>
    internal Chaos.ChaosLedgerSource? Chaos { get; init; }

    /// <summary>Builds the data from a replayed ledger.</summary>
    internal static LedgerData From(DeliveryLedger ledger, DateTimeOffset origin, SourceState source)
    {
        var depth = ledger.DepthSamples();
        var report = ledger.Reconcile(source);
        var last = ledger.LastEvidence() ?? origin;
        if (depth.Length > 0 && depth[^1].At > last)
        {
            last = depth[^1].At;
        }

        var seconds = Math.Max(1, (last - origin).TotalSeconds);
        var step = Math.Max(1, Math.Ceiling(seconds / 1500)); // at most ~1,500 points
        var points = ImmutableArray.CreateBuilder<LedgerPoint>();
        for (var t = 0.0; t <= seconds + step; t += step)
        {
            points.Add(new LedgerPoint(t, ledger.CountsAt(origin.AddSeconds(t))));
        }

        return new LedgerData(
            report,
            points.ToImmutable(),
            [.. depth.Select(d => new DepthPoint((d.At - origin).TotalSeconds, d.Queue, QueueDepthSample.RoleName(d.Role), d.Visible, d.NotVisible, d.Delayed))])
        {
            Chaos = new Chaos.ChaosLedgerSource(ledger, origin, source),
        };
    }
}

/// <summary>Cumulative ledger classes at a moment, seconds since the run's start.</summary>
/// <param name="Seconds">Seconds since the start.</param>
/// <param name="Counts">The classes.</param>
public sealed record LedgerPoint(double Seconds, LedgerCounts Counts);

/// <summary>One queue-depth sample, seconds since the run's start.</summary>
/// <param name="Seconds">Seconds since the start.</param>
/// <param name="Queue">Queue name.</param>
/// <param name="Role">source, dlq or receipts.</param>
/// <param name="Visible">Visible messages.</param>
/// <param name="NotVisible">In-flight messages.</param>
/// <param name="Delayed">Delayed messages.</param>
public sealed record DepthPoint(double Seconds, string Queue, string Role, long Visible, long NotVisible, long Delayed);
