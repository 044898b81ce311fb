using System.Globalization;
using System.Text;
using System.Xml;
using LambdaStorm.Results;

namespace LambdaStorm.Reporting;

/// <summary>
/// <c>junit.xml</c>: one <c>testsuite</c> per run, one <c>testcase</c> per threshold (a failed threshold is a
/// <c>failure</c> with the measured value against the rule) and one for "run completed". The layout is the Ant JUnit
/// format that Jenkins, GitLab, GitHub Actions reporters and Azure DevOps read: <c>testsuites/testsuite/testcase</c>
/// with the attributes both the Ant schema and Jenkins' xunit schema require.
/// </summary>
internal static class JUnitReport
{
    /// <summary>Classname of the threshold test cases (CI servers group by it).</summary>
    public const string ThresholdClass = "thresholds";

    /// <summary>Classname of the run-level test cases.</summary>
    public const string RunClass = "run";

    /// <summary>Name of the test case that fails when the run did not complete.</summary>
    public const string RunCompletedCase = "run completed";

    public static string Render(RunSummary s)
    {
        var cases = new List<Case>();
        foreach (var t in s.Thresholds)
        {
            string? failure = null;
            string? detail = null;
            if (!t.Passed)
            {
                failure = t.Note is null
                    ? $"threshold failed: actual {t.ActualText}, expected {t.Expression}"
                    : $"threshold failed: {t.Note} (expected {t.Expression})";
                detail = $"scenario {s.Scenario}, run {s.RunId}\nthreshold: {t.Expression}\nactual: {t.ActualText}{(t.Note is null ? string.Empty : "\nnote: " + t.Note)}";
            }

            cases.Add(new Case(ThresholdClass, t.Expression, failure, detail));
        }

        var completed = s.Complete && s.Status == "completed";
        cases.Add(new Case(
            RunClass,
            RunCompletedCase,
            completed ? null : s.Status switch
            {
                "incomplete" => $"the run did not complete: the journal ends after {Num(s.DurationSeconds)}s without an end record (crash or kill)",
                "stopped" => $"the run was stopped early after {Num(s.DurationSeconds)}s of a {Num(s.ScheduleSeconds)}s schedule",
                "aborted" => $"the run was aborted after {Num(s.DurationSeconds)}s by an abort condition",
                _ => $"the run ended with status '{s.Status}' after {Num(s.DurationSeconds)}s",
            },
            completed ? null : string.Join('\n', s.Warnings)));

        var failures = cases.Count(c => c.Failure is not null);
        var timestamp = s.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var time = Num(s.DurationSeconds);
        var suiteName = $"lambdastorm.{s.Scenario}";

        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8, NewLineChars = "\n" }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", "lambdastorm");
            w.WriteAttributeString("tests", Int(cases.Count));
            w.WriteAttributeString("failures", Int(failures));
            w.WriteAttributeString("errors", "0");
            w.WriteAttributeString("skipped", "0");
            w.WriteAttributeString("time", time);

            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", suiteName);
            w.WriteAttributeString("tests", Int(cases.Count));
            w.WriteAttributeString("failures", Int(failures));
            w.WriteAttributeString("errors", "0");
            w.WriteAttributeString("skipped", "0");
            w.WriteAttributeString("time", time);
            w.WriteAttributeString("timestamp", timestamp);
            w.WriteAttributeString("hostname", "localhost");
            w.WriteAttributeString("id", "0");
            w.WriteAttributeString("package", "lambdastorm");

            w.WriteStartElement("properties");
            Property(w, "scenario", s.Scenario);
            Property(w, "runId", s.RunId);
            Property(w, "status", s.Status);
            Property(w, "simulated", s.Simulated ? "true" : "false");
            Property(w, "target", s.Target);
            Property(w, "scenarioFile", s.ScenarioEcho.Path);
            w.WriteEndElement();

            foreach (var c in cases)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", $"{suiteName}.{c.ClassName}");
                w.WriteAttributeString("name", c.Name);
                w.WriteAttributeString("time", c.ClassName == RunClass ? time : "0");
                if (c.Failure is not null)
                {
                    w.WriteStartElement("failure");
                    w.WriteAttributeString("message", c.Failure);
                    w.WriteAttributeString("type", c.ClassName == RunClass ? "RunIncomplete" : "ThresholdFailed");
                    if (!string.IsNullOrEmpty(c.Detail))
                    {
                        w.WriteString(c.Detail);
                    }

                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteStartElement("system-out");
            w.WriteString($"{s.Scenario} {s.Status} in {Num(s.DurationSeconds)}s (run {s.RunId}{(s.Simulated ? ", simulated" : string.Empty)}): " +
                $"{s.Totals.Completed} completed, error rate {s.Rates.ErrorRate:P2}, throttle rate {s.Rates.ThrottleRate:P2}, p99 {Num(s.LatencyMs.P99)} ms");
            w.WriteEndElement();
            w.WriteStartElement("system-err");
            w.WriteString(string.Join('\n', s.Warnings));
            w.WriteEndElement();

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        // StringBuilder output declares utf-16; the file is written as UTF-8.
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal) + "\n";
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private sealed record Case(string ClassName, string Name, string? Failure, string? Detail);
}
