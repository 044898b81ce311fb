using System.Collections.Immutable;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Scenarios;

/// <summary>
/// Binds <c>target: { type: aws, region, profile?, endpoint?, functions, queues?, receiptsQueue?, maxInvocations,
/// maxCostUsd }</c>, every value checked and every error positioned. The caps are required: a run against a real
/// account never starts without a ceiling on invocations and on money. Part of internal API.
/// </summary>
internal static partial class AwsTargetBinder
{
    /// <summary>Keys of an aws target.</summary>
    public static readonly string[] TargetKeys = ["type", "region", "profile", "endpoint", "functions", "queues", "receiptsQueue", "maxInvocations", "maxCostUsd"];

    /// <summary>Keys of one function of an aws target.</summary>
    public static readonly string[] FunctionKeys = ["qualifier", "memory", "architecture", "duration", "downstreamLimit", "probe"];

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    // A function name, partial ARN (123456789012:function:name) or full ARN; AWS allows letters, digits, '-' and '_'.
    [GeneratedRegex(@"^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?(\d{12}:function:)?[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionPattern();

    [GeneratedRegex(@"^(\$LATEST|\d+|[A-Za-z0-9_-]{1,128})$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifierPattern();

    public static TargetSpec.Aws Bind(YamlReader r, YamlMappingNode map)
    {
        var e = r.Entries(map, "an aws target", TargetKeys);
        var region = "us-east-1";
        if (r.Require(e, map, "region", "an aws target", "an AWS region such as 'us-east-1'") && r.NonEmptyString(e["region"].Value, "'target.region'") is { } rg)
        {
            if (!RegionPattern().IsMatch(rg))
            {
                r.Error(e["region"].Value, $"'target.region' must be an AWS region such as 'us-east-1' or 'eu-west-2', not '{rg}'");
            }

            region = rg;
        }

        var profile = e.TryGetValue("profile", out var p) ? r.NonEmptyString(p.Value, "'target.profile'") : null;
        Uri? endpoint = null;
        if (e.TryGetValue("endpoint", out var ep) && r.String(ep.Value, "'target.endpoint'") is { } epText)
        {
            if (!Uri.TryCreate(epText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                r.Error(ep.Value, $"'target.endpoint' must be an absolute http or https URL (e.g. http://127.0.0.1:9001 for the emulator), not '{epText}'");
                endpoint = null;
            }
        }

        var functions = ImmutableArray.CreateBuilder<AwsFunction>();
        if (r.Require(e, map, "functions", "an aws target", "the functions the scenario may invoke, e.g. 'functions: { my-function: { qualifier: live } }'")
            && r.Mapping(e["functions"].Value, "'target.functions'") is { } fm)
        {
            if (fm.Children.Count == 0)
            {
                r.Error(fm, "'target.functions' is empty; name at least one function");
            }

            foreach (var (k, v) in fm.Children)
            {
                if (k is not YamlScalarNode { Value: { Length: > 0 } name })
                {
                    r.Error(k, "function names must be plain words");
                    continue;
                }

                if (!FunctionPattern().IsMatch(name))
                {
                    r.Error(k, $"'{name}' is not a Lambda function name or ARN (letters, digits, '-' and '_', up to 64 characters)");
                }

                functions.Add(BindFunction(r, name, v));
            }
        }

        var queues = ImmutableArray.CreateBuilder<string>();
        if (e.TryGetValue("queues", out var qs) && r.Sequence(qs.Value, "'target.queues'") is { } qseq)
        {
            foreach (var q in qseq.Children)
            {
                if (QueueUrl(r, q, "a queue in 'target.queues'") is { } url)
                {
                    queues.Add(url);
                }
            }
        }

        var receipts = e.TryGetValue("receiptsQueue", out var rq) ? QueueUrl(r, rq.Value, "'target.receiptsQueue'") : null;
        long maxInvocations = 0;
        if (r.Require(e, map, "maxInvocations", "an aws target", "a cap on invocations such as 'maxInvocations: 50000' (the run stops when it is reached)"))
        {
            maxInvocations = r.Integer(e["maxInvocations"].Value, "'target.maxInvocations'", 1) ?? 0;
        }

        double maxCost = 0;
        if (r.Require(e, map, "maxCostUsd", "an aws target", "a cap on the estimated cost in US dollars such as 'maxCostUsd: 5' (the run stops when it is reached)"))
        {
            maxCost = r.Number(e["maxCostUsd"].Value, "'target.maxCostUsd'", 0) ?? 0;
            if (maxCost <= 0 && e["maxCostUsd"].Value is YamlScalarNode { Value: { } mc } && double.TryParse(mc, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v <= 0)
            {
                r.Error(e["maxCostUsd"].Value, "'target.maxCostUsd' must be above zero");
            }
        }

        return new TargetSpec.Aws(region, profile, endpoint, functions.ToImmutable(), queues.ToImmutable(), receipts, maxInvocations, maxCost);
    }

    private static AwsFunction BindFunction(YamlReader r, string name, YamlNode v)
    {
        if (v is YamlScalarNode { Value: null or "" or "~" or "{}" })
        {
            return new AwsFunction(name, null, null, null, null);
        }

        var what = $"function '{name}'";
        var fm = r.Mapping(v, what);
        if (fm is null)
        {
            return new AwsFunction(name, null, null, null, null);
        }

        var e = r.Entries(fm, what, FunctionKeys);
        string? qualifier = null;
        if (e.TryGetValue("qualifier", out var q) && r.NonEmptyString(q.Value, $"'qualifier' of {what}") is { } qt)
        {
            if (!QualifierPattern().IsMatch(qt))
            {
                r.Error(q.Value, $"'qualifier' of {what} must be a version number, $LATEST or an alias name, not '{qt}'");
            }

            qualifier = qt;
        }

        var memory = e.TryGetValue("memory", out var m) ? r.Integer(m.Value, $"'memory' of {what}", 128, 10_240) : null;
        string? architecture = null;
        if (e.TryGetValue("architecture", out var a) && r.String(a.Value, $"'architecture' of {what}") is { } at)
        {
            if (at is not ("arm64" or "x86_64"))
            {
                r.Error(a.Value, $"'architecture' of {what} must be arm64 or x86_64, not '{at}'");
            }

            architecture = at;
        }

        var duration = e.TryGetValue("duration", out var d) ? r.Duration(d.Value, $"'duration' of {what}") : null;
        var downstream = e.TryGetValue("downstreamLimit", out var dl) ? r.Integer(dl.Value, $"'downstreamLimit' of {what}", 1) : null;
        var probe = e.TryGetValue("probe", out var pr) && (r.Boolean(pr.Value, $"'probe' of {what}") ?? false);
        return new AwsFunction(name, qualifier, memory, architecture, duration, downstream) { Probe = probe };
    }

    private static string? QueueUrl(YamlReader r, YamlNode node, string what)
    {
        var text = r.NonEmptyString(node, what);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath.Trim('/').Split('/').Length != 2)
        {
            r.Error(node, $"{what} must be a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/my-queue (the stack output SourceQueueUrl), not '{text}'");
            return null;
        }

        return text;
    }
}
