using System.Text.RegularExpressions;
using LambdaStorm.Engine;

namespace LambdaStorm.Scenarios;

/// <summary>
/// Parses the threshold language: <c>metric[{path=P,outcome=O}] OP value</c>, for example <c>p99 &lt; 800ms</c>,
/// <c>error_rate &lt; 1%</c>, <c>dropped == 0</c> or <c>p95{path=sync,outcome=ok} &lt;= 1.5s</c>.
/// </summary>
public static partial class ThresholdParser
{
    [GeneratedRegex(@"^\s*(?<metric>[A-Za-z_][A-Za-z0-9_.]*)\s*(?:\{(?<filter>[^}]*)\})?\s*(?<op><=|>=|==|!=|<|>)\s*(?<value>\S+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();

    /// <summary>A parse failure: the message and the 0-based offset in the expression it points at.</summary>
    /// <param name="Message">What is wrong.</param>
    /// <param name="Offset">Where in the expression.</param>
    public sealed record ParseError(string Message, int Offset);

    /// <summary>Parses one threshold expression.</summary>
    public static (Threshold? Threshold, ParseError? Error) Parse(string expression)
    {
        var m = Grammar().Match(expression);
        if (!m.Success)
        {
            return (null, new ParseError($"threshold '{expression}' is not of the form 'metric OP value' (for example 'p99 < 800ms' or 'error_rate < 1%')", 0));
        }

        var metricGroup = m.Groups["metric"];
        if (!ThresholdMetrics.All.TryGetValue(metricGroup.Value, out var metric))
        {
            return (null, new ParseError(
                $"unknown metric '{metricGroup.Value}'{DidYouMean.Suggest(metricGroup.Value, ThresholdMetrics.All.Keys)}; known metrics: {string.Join(", ", ThresholdMetrics.All.Keys.Order(StringComparer.Ordinal))}",
                metricGroup.Index));
        }

        InvocationPath? path = null;
        Outcome? outcome = null;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var filter = m.Groups["filter"];
        if (filter.Success)
        {
            foreach (var part in filter.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var offset = filter.Index + filter.Value.IndexOf(part, StringComparison.Ordinal);
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2)
                {
                    return (null, new ParseError($"filter '{part}' must be key=value (keys: path, outcome)", offset));
                }

                if (!keys.Add(kv[0]))
                {
                    return (null, new ParseError($"filter key '{kv[0]}' is given twice", offset));
                }

                switch (kv[0])
                {
                    case "path" or "outcome" when ThresholdMetrics.IsLedgerMetric(metric.Name):
                        return (null, new ParseError($"'{metric.Name}' is a delivery-ledger metric over the async and queue paths together; it takes no filter", offset));
                    case "path" when InvocationPaths.TryParse(kv[1], out var p):
                        path = p;
                        break;
                    case "path":
                        return (null, new ParseError($"unknown path '{kv[1]}'{DidYouMean.Suggest(kv[1], InvocationPaths.All.Select(x => x.Name()))}; expected one of {string.Join(", ", InvocationPaths.All.Select(x => x.Name()))}", offset));
                    case "outcome" when metric.Unit != MetricUnit.Duration:
                        return (null, new ParseError($"an outcome filter applies to latency metrics only, not to '{metric.Name}'", offset));
                    case "outcome" when Outcomes.TryParse(kv[1], out var o):
                        outcome = o;
                        break;
                    case "outcome":
                        return (null, new ParseError($"unknown outcome '{kv[1]}'{DidYouMean.Suggest(kv[1], Outcomes.All.Select(x => x.Name()))}; expected one of {string.Join(", ", Outcomes.All.Select(x => x.Name()))}", offset));
                    default:
                        return (null, new ParseError($"unknown filter key '{kv[0]}'{DidYouMean.Suggest(kv[0], ["path", "outcome"])}; expected path or outcome", offset));
                }
            }
        }

        var op = m.Groups["op"].Value switch
        {
            "<" => ThresholdOperator.LessThan,
            "<=" => ThresholdOperator.LessOrEqual,
            ">" => ThresholdOperator.GreaterThan,
            ">=" => ThresholdOperator.GreaterOrEqual,
            "==" => ThresholdOperator.Equal,
            _ => ThresholdOperator.NotEqual,
        };

        var valueGroup = m.Groups["value"];
        var (value, error) = ParseValue(metric, valueGroup.Value);
        if (error is not null)
        {
            return (null, new ParseError(error, valueGroup.Index));
        }

        return (new Threshold(expression.Trim(), metric, path, outcome, op, value), null);
    }

    private static (double Value, string? Error) ParseValue(MetricDefinition metric, string text)
    {
        switch (metric.Unit)
        {
            case MetricUnit.Duration:
                if (ValueParsers.TryParseDuration(text, out var d))
                {
                    return (d.TotalMilliseconds, null);
                }

                // A bare number is milliseconds, as in k6.
                return ValueParsers.TryParseNumber(text, out var ms) && ms >= 0
                    ? (ms, null)
                    : (0, $"'{text}' is not a duration for '{metric.Name}'; expected for example 800ms, 1.5s or 2m");
            case MetricUnit.Ratio:
                if (!ValueParsers.TryParseRatio(text, out var r) || r < 0)
                {
                    return (0, $"'{text}' is not a ratio for '{metric.Name}'; expected a percentage such as 1% or 0.5%, or a fraction such as 0.01");
                }

                if (r > 1)
                {
                    return text.EndsWith('%')
                        ? (0, $"'{text}' is more than 100% for the ratio '{metric.Name}'; a ratio threshold above 100% can never fail")
                        : (0, $"'{text}' is more than 1 for the ratio '{metric.Name}'; did you mean {text}%?");
                }

                return (r, null);
            default:
                return ValueParsers.TryParseNumber(text, out var n) && n >= 0
                    ? (n, null)
                    : (0, $"'{text}' is not a non-negative number for '{metric.Name}'");
        }
    }
}
