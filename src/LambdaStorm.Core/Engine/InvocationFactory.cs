using System.Globalization;
using System.Text;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Engine;

/// <summary>
/// Turns an arrival index into an invocation: its path (by weighted, seeded choice), its poison flag, its unique id
/// and its rendered payload. Everything depends only on (seed, index), so every agent agrees. Part of internal API.
/// </summary>
internal sealed class InvocationFactory
{
    private readonly Scenario _scenario;
    private readonly string _runId;
    private readonly (InvocationPath Path, double UpTo)[] _mix;
    private readonly Segment[] _template;

    public InvocationFactory(Scenario scenario, string runId)
    {
        _scenario = scenario;
        _runId = runId;
        var total = scenario.Paths.TotalWeight;
        double acc = 0;
        _mix = [.. scenario.Paths.Entries.Select(e => (e.Path, acc += e.Weight / total))];
        _mix[^1].UpTo = 1.0;
        _template = Compile(scenario.Payload.Template);
    }

    /// <summary>The run id that prefixes every invocation id.</summary>
    public string RunId => _runId;

    /// <summary>The path of arrival <paramref name="index"/>.</summary>
    public InvocationPath PathOf(long index)
    {
        if (_mix.Length == 1)
        {
            return _mix[0].Path;
        }

        var u = StableRandom.Unit(_scenario.Seed, index, 0xA7);
        foreach (var (path, upTo) in _mix)
        {
            if (u < upTo)
            {
                return path;
            }
        }

        return _mix[^1].Path;
    }

    /// <summary>Whether arrival <paramref name="index"/> carries the poison marker.</summary>
    public bool IsPoisoned(long index) => _scenario.Payload.PoisonPills switch
    {
        { Every: { } every } => (index + 1) % every == 0,
        { Probability: { } p } => StableRandom.Unit(_scenario.Seed, index, 0xB0) < p,
        _ => false,
    };

    /// <summary>The invocation id of arrival <paramref name="index"/>: run id and index, unique across runs and agents.</summary>
    public string IdOf(long index) => string.Create(CultureInfo.InvariantCulture, $"{_runId}-{index:x}");

    /// <summary>Builds the invocation for an arrival.</summary>
    public InvocationRequest Create(long index, InvocationPath path, DateTimeOffset intended)
    {
        var id = IdOf(index);
        var poisoned = IsPoisoned(index);
        return new InvocationRequest(id, index, path, intended, poisoned, Render(id, index, path, intended, poisoned));
    }

    private string Render(string id, long index, InvocationPath path, DateTimeOffset intended, bool poisoned)
    {
        var sb = new StringBuilder(128);
        foreach (var seg in _template)
        {
            switch (seg.Kind)
            {
                case SegmentKind.Text: sb.Append(seg.Text); break;
                case SegmentKind.Id: sb.Append(id); break;
                case SegmentKind.IntendedTime: sb.Append(intended.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)); break;
                case SegmentKind.Index: sb.Append(index); break;
                case SegmentKind.Path: sb.Append(path.Name()); break;
                case SegmentKind.Marker: sb.Append(poisoned ? _scenario.Payload.PoisonPills!.Marker : string.Empty); break;
            }
        }

        return sb.ToString();
    }

    private static Segment[] Compile(string template)
    {
        var list = new List<Segment>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : template.IndexOf("}}", open, StringComparison.Ordinal);
            if (open < 0 || close < 0)
            {
                list.Add(new Segment(SegmentKind.Text, template[i..]));
                break;
            }

            if (open > i)
            {
                list.Add(new Segment(SegmentKind.Text, template[i..open]));
            }

            var name = template[(open + 2)..close].Trim();
            list.Add(name switch
            {
                "id" => new Segment(SegmentKind.Id, null),
                "intendedTime" => new Segment(SegmentKind.IntendedTime, null),
                "index" => new Segment(SegmentKind.Index, null),
                "path" => new Segment(SegmentKind.Path, null),
                "marker" => new Segment(SegmentKind.Marker, null),
                _ => new Segment(SegmentKind.Text, template[open..(close + 2)]),
            });
            i = close + 2;
        }

        return [.. list];
    }

    private enum SegmentKind
    {
        Text,
        Id,
        IntendedTime,
        Index,
        Path,
        Marker,
    }

    private readonly record struct Segment(SegmentKind Kind, string? Text);
}
