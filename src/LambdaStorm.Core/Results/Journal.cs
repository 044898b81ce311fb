using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LambdaStorm.Engine;
using LambdaStorm.Ledger;
using LambdaStorm.Measurement;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Results;

/// <summary>The first line of a journal: what ran, and when.</summary>
/// <param name="RunId">Run id (prefix of every invocation id).</param>
/// <param name="Scenario">Scenario name.</param>
/// <param name="StartedAt">Wall-clock start.</param>
/// <param name="Simulated">True for <c>simulate</c> runs (virtual time).</param>
/// <param name="Target">Target description.</param>
/// <param name="ScheduleSeconds">Length of the load schedule.</param>
/// <param name="ScheduledArrivals">Open-model arrivals in the schedule.</param>
/// <param name="Source">The scenario file as loaded.</param>
public sealed record JournalHeader(
    string RunId,
    string Scenario,
    DateTimeOffset StartedAt,
    bool Simulated,
    string Target,
    double ScheduleSeconds,
    long ScheduledArrivals,
    ScenarioSource Source);

/// <summary>The last line of a complete journal.</summary>
/// <param name="EndedAt">Wall-clock end.</param>
/// <param name="Status">completed, stopped or aborted.</param>
/// <param name="ElapsedSeconds">Seconds from start to end, graceful stop included.</param>
/// <param name="Interrupted">Invocations cancelled when the graceful stop ran out.</param>
public sealed record JournalEnd(DateTimeOffset EndedAt, string Status, double ElapsedSeconds, long Interrupted);

/// <summary>
/// A cluster event written into the journal where it happened, so that nothing is skipped silently: a snapshot that
/// came late or never came, an agent lost or joined, a re-split of the schedule and the gap it leaves, a generator
/// that could not keep up.
/// </summary>
/// <param name="At">Seconds since the run start.</param>
/// <param name="Kind">
/// <c>snapshot-missing</c>, <c>snapshot-late</c>, <c>agent-lost</c>, <c>agent-joined</c>, <c>resplit</c>, <c>gap</c>,
/// <c>generator-limited</c>, <c>coordinator-lost</c>.
/// </param>
/// <param name="Agent">The agent concerned, or null.</param>
/// <param name="Detail">Free text for people.</param>
/// <param name="Sequence">The interval concerned, or null.</param>
/// <param name="Arrivals">For gaps: scheduled arrivals that nobody fired; for re-splits: the first arrival of the new split.</param>
public sealed record JournalMark(double At, string Kind, string? Agent, string Detail, long? Sequence = null, long? Arrivals = null);

/// <summary>
/// Writes <c>journal.jsonl</c>: a header line, one line per interval (with encoded histograms, so percentiles rebuilt
/// from it are exact), and an end line. Every line is flushed as it is written, so a crash leaves a usable journal.
/// Part of internal API.
/// </summary>
internal sealed class JournalWriter : IDisposable
{
    /// <summary>Journal format version.</summary>
    public const int Version = 1;

    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    private readonly Action<string>? _lineWritten;

    /// <param name="path">The journal file (created; must not exist).</param>
    /// <param name="lineWritten">Called with every line as written (without its newline), e.g. to stream it to a client.</param>
    public JournalWriter(string path, Action<string>? lineWritten = null)
    {
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
        _lineWritten = lineWritten;
    }

    /// <summary>Writes a cluster event (see <see cref="JournalMark"/>).</summary>
    public void WriteMark(JournalMark m) => WriteLine(w =>
    {
        w.WriteString("type", "mark");
        w.WriteNumber("at", Math.Round(m.At, 6));
        w.WriteString("kind", m.Kind);
        if (m.Agent is not null)
        {
            w.WriteString("agent", m.Agent);
        }

        w.WriteString("detail", m.Detail);
        if (m.Sequence is { } seq)
        {
            w.WriteNumber("seq", seq);
        }

        if (m.Arrivals is { } arrivals)
        {
            w.WriteNumber("arrivals", arrivals);
        }
    });

    /// <summary>Appends a line written elsewhere (a journal streamed from a coordinator, a chaos event), as is; it is streamed like the others.</summary>
    public void WriteRaw(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_lock)
        {
            _stream.Write(bytes, 0, bytes.Length);
            _stream.Flush(flushToDisk: false);
            _lineWritten?.Invoke(line);
        }
    }

    public void WriteHeader(JournalHeader h) => WriteLine(w =>
    {
        w.WriteString("type", "start");
        w.WriteNumber("version", Version);
        w.WriteString("runId", h.RunId);
        w.WriteString("scenario", h.Scenario);
        w.WriteString("startedAt", h.StartedAt);
        w.WriteBoolean("simulated", h.Simulated);
        w.WriteString("target", h.Target);
        w.WriteNumber("scheduleSeconds", h.ScheduleSeconds);
        w.WriteNumber("scheduledArrivals", h.ScheduledArrivals);
        w.WriteStartObject("source");
        w.WriteString("path", h.Source.Path);
        w.WriteString("text", h.Source.Text);
        w.WriteEndObject();
    });

    public void WriteInterval(IntervalSnapshot s) => WriteLine(w =>
    {
        w.WriteString("type", "interval");
        w.WriteNumber("seq", s.Sequence);
        w.WriteNumber("start", Math.Round(s.Start, 6));
        w.WriteNumber("end", Math.Round(s.End, 6));
        w.WriteString("phase", s.Phase);
        w.WriteNumber("targetRate", Math.Round(s.TargetRate, 6));
        w.WriteNumber("targetCopies", s.TargetCopies);
        w.WriteNumber("inFlight", s.InFlight);
        if (s.Source is not null)
        {
            w.WriteString("source", s.Source);
        }

        w.WriteStartArray("paths");
        foreach (var p in s.Paths)
        {
            w.WriteStartObject();
            w.WriteString("path", p.Path.Name());
            w.WriteNumber("offered", p.Offered);
            w.WriteNumber("started", p.Started);
            w.WriteNumber("dropped", p.Dropped);
            w.WriteString("lateness", HistogramCodec.Encode(p.Lateness));
            if (p.Sampled > 0)
            {
                w.WriteNumber("sampled", p.Sampled);
                w.WriteNumber("coldStarts", p.ColdStarts);
            }
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("series");
        foreach (var x in s.Series)
        {
            w.WriteStartObject();
            w.WriteString("path", x.Key.Path.Name());
            w.WriteString("outcome", x.Key.Outcome.Name());
            if (x.Key.Reason is not null)
            {
                w.WriteString("reason", x.Key.Reason);
            }

            w.WriteNumber("count", x.Count);
            w.WriteString("hist", HistogramCodec.Encode(x.Histogram));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>Writes what the Lambda model saw (emulator target only), before the end line.</summary>
    public void WriteModel(LambdaSummary lambda) => WriteLine(w =>
    {
        w.WriteString("type", "model");
        w.WritePropertyName("lambda");
        JsonSerializer.Serialize(w, lambda, RunSummary.JsonOptions);
    });

    /// <summary>Writes the ledger events recorded since the last call as one <c>ledger</c> line (nothing when there were none).</summary>
    public void WriteLedger(LedgerJournal ledger)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            if (!ledger.WriteTo(w))
            {
                return;
            }

            w.WriteEndObject();
        }

        Append(buffer);
    }

    /// <summary>Writes what the source reported when the ledger was reconciled (quiescent, busy, unreachable).</summary>
    public void WriteLedgerEnd(SourceState source) => WriteLine(w =>
    {
        w.WriteString("type", "ledgerEnd");
        w.WriteString("source", DeliveryLedger.SourceName(source));
    });

    public void WriteEnd(JournalEnd e) => WriteLine(w =>
    {
        w.WriteString("type", "end");
        w.WriteString("endedAt", e.EndedAt);
        w.WriteString("status", e.Status);
        w.WriteNumber("elapsedSeconds", Math.Round(e.ElapsedSeconds, 6));
        w.WriteNumber("interrupted", e.Interrupted);
    });

    private void WriteLine(Action<Utf8JsonWriter> body)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        Append(buffer);
    }

    /// <summary>Appends one line (also to the stream of a cluster's client: a ledger line is a journal line like any other).</summary>
    private void Append(MemoryStream buffer)
    {
        buffer.WriteByte((byte)'\n');
        lock (_lock)
        {
            _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _stream.Flush(flushToDisk: false);
            _lineWritten?.Invoke(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length - 1));
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>A journal read back: header, intervals, optional end, and anything that could not be read.</summary>
/// <param name="Header">The header line.</param>
/// <param name="Intervals">Interval lines, in order.</param>
/// <param name="End">The end line, or null when the run was cut short.</param>
/// <param name="Warnings">Lines skipped (e.g. a half-written last line after a crash).</param>
/// <param name="Lambda">What the Lambda model saw, for emulator targets that ran to the end.</param>
/// <param name="Ledger">
/// The delivery ledger replayed from the journal's <c>ledger</c> lines, for runs on the async and queue paths; reconciled
/// with the source state of the <c>ledgerEnd</c> line, or as unreachable (unaccounted ids in flight) when the run was cut short.
/// </param>
/// <param name="Marks">Cluster events (missing snapshots, lost agents, re-splits, gaps), in order.</param>
public sealed record JournalContents(JournalHeader Header, ImmutableArray<IntervalSnapshot> Intervals, JournalEnd? End, ImmutableArray<string> Warnings, LambdaSummary? Lambda = null, LedgerData? Ledger = null, ImmutableArray<JournalMark> Marks = default)
{
    /// <summary>The chaos timeline (<c>chaos</c> lines: actions requested, applied, effective, reverted; steady state; abort).</summary>
    public ImmutableArray<Chaos.ChaosEvent> Chaos { get; init; } = [];
}

/// <summary>Reads <c>journal.jsonl</c>, including one cut short by a crash. Part of internal API.</summary>
internal static class JournalReader
{
    public static JournalContents Read(string path)
    {
        JournalHeader? header = null;
        JournalEnd? end = null;
        LambdaSummary? lambda = null;
        DeliveryLedger? ledger = null;
        DateTimeOffset origin = default;
        SourceState? source = null;
        var intervals = ImmutableArray.CreateBuilder<IntervalSnapshot>();
        var marks = ImmutableArray.CreateBuilder<JournalMark>();
        var chaos = ImmutableArray.CreateBuilder<Chaos.ChaosEvent>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "start":
                        header = ReadHeader(root);
                        break;
                    case "interval":
                        intervals.Add(ReadInterval(root));
                        break;
                    case "ledger":
                        ledger ??= new DeliveryLedger();
                        origin = LedgerJournal.Replay(root, ledger);
                        break;
                    case "ledgerEnd":
                        source = DeliveryLedger.ParseSource(root.GetProperty("source").GetString());
                        break;
                    case "mark":
                        marks.Add(ReadMark(root));
                        break;
                    case "chaos":
                        chaos.Add(ReadChaos(root));
                        break;
                    case "model":
                        lambda = root.GetProperty("lambda").Deserialize<LambdaSummary>(RunSummary.JsonOptions);
                        break;
                    case "end":
                        end = new JournalEnd(
                            root.GetProperty("endedAt").GetDateTimeOffset(),
                            root.GetProperty("status").GetString() ?? "completed",
                            root.GetProperty("elapsedSeconds").GetDouble(),
                            root.GetProperty("interrupted").GetInt64());
                        break;
                    default:
                        warnings.Add($"line {lineNo}: unknown record type, skipped");
                        break;
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or NotSupportedException)
            {
                warnings.Add($"line {lineNo}: unreadable ({ex.Message.Split('.')[0]}), skipped; a run that crashed can leave a half-written last line");
            }
        }

        if (header is null)
        {
            throw new InvalidDataException($"{path}: no journal header (the first line must be the run's start record)");
        }

        return new JournalContents(
            header, intervals.ToImmutable(), end, warnings.ToImmutable(), lambda,
            ledger is null ? null : LedgerData.From(ledger, origin, source ?? SourceState.Unreachable),
            marks.ToImmutable()) { Chaos = chaos.ToImmutable() };
    }

    private static JournalHeader ReadHeader(JsonElement root)
    {
        var version = root.GetProperty("version").GetInt32();
        if (version > JournalWriter.Version)
        {
            throw new InvalidDataException($"journal version {version} is newer than this lambdastorm understands ({JournalWriter.Version})");
        }

        var source = root.GetProperty("source");
        return new JournalHeader(
            root.GetProperty("runId").GetString()!,
            root.GetProperty("scenario").GetString()!,
            root.GetProperty("startedAt").GetDateTimeOffset(),
            root.GetProperty("simulated").GetBoolean(),
            root.GetProperty("target").GetString()!,
            root.GetProperty("scheduleSeconds").GetDouble(),
            root.GetProperty("scheduledArrivals").GetInt64(),
            new ScenarioSource(source.GetProperty("path").GetString()!, source.GetProperty("text").GetString()!));
    }

    /// <summary>Reads one journal line if it is an interval (a line streamed from a coordinator), else null.</summary>
    public static IntervalSnapshot? TryReadInterval(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("type").GetString() == "interval" ? ReadInterval(doc.RootElement) : null;
    }

    /// <summary>Reads one journal line if it is a cluster mark (a line streamed from a coordinator), else null.</summary>
    public static JournalMark? TryReadMark(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("type").GetString() == "mark" ? ReadMark(doc.RootElement) : null;
    }

    /// <summary>Reads one <c>chaos</c> line, or null for another type.</summary>
    public static Chaos.ChaosEvent? TryReadChaos(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("type").GetString() == "chaos" ? ReadChaos(doc.RootElement) : null;
    }

    private static Chaos.ChaosEvent ReadChaos(JsonElement root) => new(
        root.GetProperty("at").GetDouble(),
        root.GetProperty("kind").GetString() ?? "",
        root.TryGetProperty("action", out var action) ? action.GetString() : null,
        root.GetProperty("detail").GetString() ?? "");

    private static JournalMark ReadMark(JsonElement root) => new(
        root.GetProperty("at").GetDouble(),
        root.GetProperty("kind").GetString() ?? "",
        root.TryGetProperty("agent", out var agent) ? agent.GetString() : null,
        root.GetProperty("detail").GetString() ?? "",
        root.TryGetProperty("seq", out var seq) ? seq.GetInt64() : null,
        root.TryGetProperty("arrivals", out var arrivals) ? arrivals.GetInt64() : null);

    /// <summary>Reads one journal line if it is the header, else null.</summary>
    public static JournalHeader? TryReadHeader(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("type").GetString() == "start" ? ReadHeader(doc.RootElement) : null;
    }

    private static IntervalSnapshot ReadInterval(JsonElement root)
    {
        var paths = ImmutableArray.CreateBuilder<PathCounters>();
        foreach (var p in root.GetProperty("paths").EnumerateArray())
        {
            paths.Add(new PathCounters(
                ParsePath(p.GetProperty("path").GetString()),
                p.GetProperty("offered").GetInt64(),
                p.GetProperty("started").GetInt64(),
                p.GetProperty("dropped").GetInt64(),
                HistogramCodec.Decode(p.GetProperty("lateness").GetString()!),
                p.TryGetProperty("sampled", out var sampled) ? sampled.GetInt64() : 0,
                p.TryGetProperty("coldStarts", out var cold) ? cold.GetInt64() : 0));
        }

        var series = ImmutableArray.CreateBuilder<SeriesSnapshot>();
        foreach (var x in root.GetProperty("series").EnumerateArray())
        {
            if (!Outcomes.TryParse(x.GetProperty("outcome").GetString(), out var outcome))
            {
                throw new FormatException($"unknown outcome '{x.GetProperty("outcome").GetString()}'");
            }

            var reason = x.TryGetProperty("reason", out var r) ? r.GetString() : null;
            series.Add(new SeriesSnapshot(new SeriesKey(ParsePath(x.GetProperty("path").GetString()), outcome, reason), HistogramCodec.Decode(x.GetProperty("hist").GetString()!)));
        }

        return new IntervalSnapshot(
            root.GetProperty("seq").GetInt64(),
            root.GetProperty("start").GetDouble(),
            root.GetProperty("end").GetDouble(),
            root.GetProperty("phase").GetString() ?? string.Empty,
            root.GetProperty("targetRate").GetDouble(),
            root.GetProperty("targetCopies").GetInt32(),
            root.GetProperty("inFlight").GetInt64(),
            paths.ToImmutable(),
            series.ToImmutable(),
            root.TryGetProperty("source", out var src) ? src.GetString() : null);
    }

    private static InvocationPath ParsePath(string? name)
        => InvocationPaths.TryParse(name, out var p) ? p : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"unknown path '{name}'"));
}
