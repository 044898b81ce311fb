using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LambdaStorm.Tests;

/// <summary>
/// Checks functions/probe/template.yaml (SAM) as YAML, with CloudFormation's short-form tags (<c>!Ref</c>,
/// <c>!GetAtt</c>, <c>!Sub</c>): every reference resolves, every output the scenarios and docs name is defined, the
/// event source mapping, destinations and redrive are wired to the right queues, and the IAM policies grant explicit
/// actions on the template's own queues and the function's own log group only.
/// </summary>
public sealed partial class ProbeTemplateTests
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LambdaStorm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"LambdaStorm.sln not found above {AppContext.BaseDirectory}");
    });

    private static string TemplateText => File.ReadAllText(Path.Combine(Root.Value, "functions", "probe", "template.yaml"));

    private static readonly string[] PseudoParameters =
        ["AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::Partition", "AWS::URLSuffix", "AWS::StackId", "AWS::NoValue", "AWS::NotificationARNs"];

    [GeneratedRegex(@"\$\{([A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();

    [GeneratedRegex(@"stack output ([A-Za-z0-9]+)")]
    private static partial Regex StackOutputMention();

    /// <summary>The template as a YAML mapping (tags kept on the nodes).</summary>
    private static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Section(YamlMappingNode root, string name) => (YamlMappingNode)root.Children[new YamlScalarNode(name)];

    private static YamlNode? Get(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    private static string? Tag(YamlNode node) => node.Tag.IsEmpty ? null : node.Tag.Value;

    private static IEnumerable<YamlNode> Walk(YamlNode node)
    {
        yield return node;
        var children = node switch
        {
            YamlMappingNode m => m.Children.SelectMany(kv => new[] { kv.Key, kv.Value }),
            YamlSequenceNode s => s.Children,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var n in Walk(child))
            {
                yield return n;
            }
        }
    }

    /// <summary>Every name a node refers to through !Ref, !GetAtt, !Sub (short or long form), with where it was.</summary>
    private static IEnumerable<(string Name, YamlNode Where)> References(YamlNode root)
    {
        foreach (var node in Walk(root))
        {
            switch (Tag(node), node)
            {
                case ("!Ref", YamlScalarNode { Value: { } r }):
                    yield return (r, node);
                    break;
                case ("!GetAtt", YamlScalarNode { Value: { } g }):
                    yield return (g.Split('.')[0], node);
                    break;
                case ("!Sub", YamlScalarNode { Value: { } s }):
                    foreach (Match m in SubVariable().Matches(s))
                    {
                        yield return (m.Groups[1].Value.Split('.')[0], node);
                    }

                    break;
            }

            if (node is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: "Ref" } && v is YamlScalarNode { Value: { } lr })
                    {
                        yield return (lr, v);
                    }
                    else if (k is YamlScalarNode { Value: "Fn::GetAtt" } && v is YamlSequenceNode { Children: [YamlScalarNode { Value: { } lg }, ..] })
                    {
                        yield return (lg, v);
                    }
                }
            }
        }
    }

    /// <summary>Problems with the IAM policies of <paramref name="root"/>: wildcard actions, or resources outside the template.</summary>
    internal static List<string> IamProblems(YamlMappingNode root)
    {
        var problems = new List<string>();
        var resources = Section(root, "Resources");
        var queues = resources.Children
            .Where(kv => Get(kv.Value, "Type") is YamlScalarNode { Value: "AWS::SQS::Queue" })
            .Select(kv => ((YamlScalarNode)kv.Key).Value!)
            .ToHashSet(StringComparer.Ordinal);
        var functionNames = resources.Children
            .Select(kv => Get(kv.Value, "Properties", "FunctionName"))
            .OfType<YamlScalarNode>()
            .Where(n => Tag(n) == "!Sub")
            .Select(n => n.Value!)
            .ToList();
        foreach (var statement in Walk(root).OfType<YamlMappingNode>().Where(m => m.Children.ContainsKey(new YamlScalarNode("Effect"))))
        {
            if (Get(statement, "Principal") is not null)
            {
                // A trust policy (who may assume the role), not a grant on resources.
                continue;
            }

            var actions = Get(statement, "Action") switch
            {
                YamlScalarNode s => [s],
                YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().ToList(),
                _ => [],
            };
            if (actions.Count == 0)
            {
                problems.Add($"line {statement.Start.Line}: a statement without an explicit Action list");
            }

            foreach (var a in actions)
            {
                if (a.Value is null || a.Value.Contains('*', StringComparison.Ordinal) || !a.Value.Contains(':', StringComparison.Ordinal))
                {
                    problems.Add($"line {a.Start.Line}: action '{a.Value}' is a wildcard or not service:Action");
                }
            }

            if (Get(statement, "NotAction") is not null || Get(statement, "NotResource") is not null)
            {
                problems.Add($"line {statement.Start.Line}: NotAction/NotResource grant everything else");
            }

            var targets = Get(statement, "Resource") switch
            {
                YamlSequenceNode seq => seq.Children.ToList(),
                { } single => [single],
                null => [],
            };
            if (targets.Count == 0)
            {
                problems.Add($"line {statement.Start.Line}: a statement without Resource");
            }

            foreach (var t in targets)
            {
                var ok = (Tag(t), t) switch
                {
                    ("!GetAtt", YamlScalarNode { Value: { } g }) => g.EndsWith(".Arn", StringComparison.Ordinal) && queues.Contains(g[..^4]),
                    ("!Sub", YamlScalarNode { Value: { } s }) => functionNames.Any(f =>
                        s == $"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{f}" ||
                        s == $"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{f}:log-stream:*"),
                    _ => false,
                };
                if (!ok)
                {
                    problems.Add($"line {t.Start.Line}: resource '{(t as YamlScalarNode)?.Value ?? t.ToString()}' is not one of the template's queues or the function's own log group");
                }
            }
        }

        return problems;
    }

    [Fact]
    public void Every_reference_resolves_to_a_resource_a_parameter_or_a_pseudo_parameter()
    {
        var root = Load(TemplateText);
        var known = Section(root, "Resources").Children.Keys
            .Concat(Section(root, "Parameters").Children.Keys)
            .Cast<YamlScalarNode>().Select(k => k.Value!)
            .Concat(PseudoParameters)
            .ToHashSet(StringComparer.Ordinal);
        var references = References(root).ToList();
        Assert.True(references.Count > 20, $"only {references.Count} references found: the walker missed the short-form tags");
        var unresolved = references.Where(r => !known.Contains(r.Name)).Select(r => $"line {r.Where.Start.Line}: {r.Name}").ToList();
        Assert.True(unresolved.Count == 0, "unresolved references: " + string.Join("; ", unresolved));
    }

    [Fact]
    public void Every_output_the_scenarios_and_docs_name_is_defined_and_each_output_has_a_value()
    {
        var root = Load(TemplateText);
        var outputs = Section(root, "Outputs");
        var defined = outputs.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in outputs.Children)
        {
            Assert.True(Get(value, "Value") is not null, $"output {key} has no Value");
        }

        string[] required = ["FunctionName", "FunctionArn", "ReceiptsQueueUrl", "SourceQueueUrl", "SourceDeadLetterQueueUrl", "AsyncFailureQueueUrl", "Region"];
        var absent = required.Where(r => !defined.Contains(r)).ToList();
        Assert.True(absent.Count == 0, "outputs missing: " + string.Join(", ", absent));

        var mentions = new List<(string File, string Output)>();
        var files = Directory.GetFiles(Path.Combine(Root.Value, "scenarios"), "*.yaml")
            .Append(Path.Combine(Root.Value, "docs", "aws.md"))
            .Where(File.Exists);
        foreach (var file in files)
        {
            mentions.AddRange(StackOutputMention().Matches(File.ReadAllText(file)).Select(m => (Path.GetFileName(file), m.Groups[1].Value)));
        }

        var missing = mentions.Where(m => !defined.Contains(m.Output)).Select(m => $"{m.File}: {m.Output}").ToList();
        Assert.True(missing.Count == 0, "named but not defined as outputs: " + string.Join("; ", missing));
    }

    [Fact]
    public void The_mapping_destinations_and_redrive_are_wired_to_the_right_queues()
    {
        var root = Load(TemplateText);
        var resources = Section(root, "Resources");
        YamlNode Resource(string name) => resources.Children[new YamlScalarNode(name)];

        var mapping = Resource("SourceQueueMapping");
        Assert.Equal("AWS::Lambda::EventSourceMapping", ((YamlScalarNode)Get(mapping, "Type")!).Value);
        Assert.Equal("SourceQueue.Arn", ((YamlScalarNode)Get(mapping, "Properties", "EventSourceArn")!).Value);
        Assert.Equal("ProbeFunction", ((YamlScalarNode)Get(mapping, "Properties", "FunctionName")!).Value);
        Assert.Contains("ReportBatchItemFailures", ((YamlSequenceNode)Get(mapping, "Properties", "FunctionResponseTypes")!).Children.Select(c => ((YamlScalarNode)c).Value));

        Assert.Equal("SourceDeadLetterQueue.Arn", ((YamlScalarNode)Get(Resource("SourceQueue"), "Properties", "RedrivePolicy", "deadLetterTargetArn")!).Value);
        Assert.Equal("AsyncFailureQueue.Arn", ((YamlScalarNode)Get(Resource("ProbeAsyncConfig"), "Properties", "DestinationConfig", "OnFailure", "Destination")!).Value);
        Assert.Equal("ReceiptsQueue", ((YamlScalarNode)Get(Resource("ProbeFunction"), "Properties", "Environment", "Variables", "LAMBDASTORM_RECEIPTS_QUEUE")!).Value);

        // The source queue's default visibility timeout is at least 6 x the default function timeout (AWS's guidance).
        int Default(string parameter) => int.Parse(((YamlScalarNode)Get(Section(root, "Parameters"), parameter, "Default")!).Value!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Default("VisibilityTimeoutSeconds") >= 6 * Default("TimeoutSeconds"));

        // The handler the template names exists in the function's code.
        var handler = ((YamlScalarNode)Get(Resource("ProbeFunction"), "Properties", "Handler")!).Value!;
        Assert.Equal("index.handler", handler);
        Assert.Contains("export const handler", File.ReadAllText(Path.Combine(Root.Value, "functions", "probe", "index.mjs")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_IAM_policies_grant_explicit_actions_on_the_named_queues_and_log_group_only()
    {
        var root = Load(TemplateText);
        var problems = IamProblems(root);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // Every queue the function touches is granted exactly what it needs.
        var grants = Walk(root).OfType<YamlMappingNode>()
            .Where(m => Get(m, "Effect") is not null && Get(m, "Principal") is null)
            .SelectMany(m => ((YamlSequenceNode)Get(m, "Resource")!).Children.OfType<YamlScalarNode>()
                .Select(r => (Resource: r.Value!, Actions: string.Join(",", ((YamlSequenceNode)Get(m, "Action")!).Children.OfType<YamlScalarNode>().Select(a => a.Value)))))
            .ToDictionary(g => g.Resource, g => g.Actions, StringComparer.Ordinal);
        Assert.Equal("sqs:SendMessage", grants["ReceiptsQueue.Arn"]);
        Assert.Equal("sqs:SendMessage", grants["AsyncFailureQueue.Arn"]);
        Assert.Equal("sqs:ReceiveMessage,sqs:DeleteMessage,sqs:ChangeMessageVisibility,sqs:GetQueueAttributes", grants["SourceQueue.Arn"]);
        Assert.False(grants.ContainsKey("SourceDeadLetterQueue.Arn"), "the function never touches the source DLQ itself");
    }

    [Theory]
    [InlineData("Action: [sqs:SendMessage]\n                Resource: [!GetAtt ReceiptsQueue.Arn]", "Action: [sqs:*]\n                Resource: [!GetAtt ReceiptsQueue.Arn]", "wildcard")]
    [InlineData("Action: [sqs:SendMessage]\n                Resource: [!GetAtt ReceiptsQueue.Arn]", "Action: [sqs:SendMessage]\n                Resource: '*'", "not one of the template's queues")]
    [InlineData("Action: [sqs:SendMessage]\n                Resource: [!GetAtt ReceiptsQueue.Arn]", "Action: ['*']\n                Resource: [!GetAtt ReceiptsQueue.Arn]", "wildcard")]
    public void The_IAM_check_catches_a_wildcard_or_an_unnamed_resource(string original, string replacement, string expected)
    {
        var text = TemplateText;
        Assert.Contains(original, text, StringComparison.Ordinal);
        var problems = IamProblems(Load(text.Replace(original, replacement, StringComparison.Ordinal)));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }
}
