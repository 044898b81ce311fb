using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using LambdaStorm.Runs;

namespace LambdaStorm.Reporting.Tests;

public sealed class JUnitReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambdastorm-junit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static List<string> Validate(string path)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, ReportRuns.TestData("junit.xsd"));
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(path, settings);
        while (reader.Read())
        {
        }

        return errors;
    }

    [Fact]
    public async Task Junit_xml_is_valid_against_the_ant_junit_schema_and_a_failing_threshold_is_a_failed_test_case()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        var path = Path.Combine(outcome.ResultsPath, ResultsArtifacts.JUnitFile);

        Assert.True(File.Exists(path), "junit.xml was not written");
        Assert.Empty(Validate(path));

        var doc = XDocument.Load(path);
        var suite = Assert.Single(doc.Root!.Elements("testsuite"));
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(3, cases.Count); // two thresholds and "run completed"
        Assert.Equal("3", (string?)suite.Attribute("tests"));
        Assert.Equal("1", (string?)suite.Attribute("failures"));
        Assert.Equal("1", (string?)doc.Root!.Attribute("failures"));

        var throttle = cases.Single(c => (string?)c.Attribute("name") == "throttle_rate < 5%");
        var failure = Assert.Single(throttle.Elements("failure"));
        Assert.Contains("actual", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.Contains("expected throttle_rate < 5%", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.Equal("ThresholdFailed", (string?)failure.Attribute("type"));

        var p99 = cases.Single(c => (string?)c.Attribute("name") == "p99{outcome=ok} < 5s");
        Assert.Empty(p99.Elements("failure"));
        var completed = cases.Single(c => (string?)c.Attribute("name") == "run completed");
        Assert.Empty(completed.Elements("failure"));
        Assert.Equal(ExitCodes.ThresholdFailed, outcome.ExitCode);
    }

    [Fact]
    public async Task A_journal_cut_short_yields_a_failed_run_completed_case_and_still_validates()
    {
        var outcome = await ReportRuns.SimulateAsync(_root);
        var journal = Path.Combine(outcome.ResultsPath, "journal.jsonl");

        // A crash: drop the model and end records, and leave a half-written line.
        var lines = File.ReadAllLines(journal).Where(l => !l.Contains("\"type\":\"end\"", StringComparison.Ordinal) && !l.Contains("\"type\":\"model\"", StringComparison.Ordinal)).ToList();
        lines = lines.Take(lines.Count - 3).ToList();
        File.WriteAllText(journal, string.Join('\n', lines) + "\n{\"type\":\"interval\",\"seq\":");
        File.Delete(Path.Combine(outcome.ResultsPath, ResultsArtifacts.JUnitFile));

        var report = await ScenarioRunner.ReportAsync(outcome.ResultsPath, CancellationToken.None, ResultsArtifacts.Instance);
        Assert.Equal("incomplete", report.Summary.Status);

        var path = Path.Combine(outcome.ResultsPath, ResultsArtifacts.JUnitFile);
        Assert.Empty(Validate(path));
        var completed = XDocument.Load(path).Descendants("testcase").Single(c => (string?)c.Attribute("name") == "run completed");
        var failure = Assert.Single(completed.Elements("failure"));
        Assert.Contains("did not complete", (string?)failure.Attribute("message"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_rejects_what_ci_servers_reject()
    {
        // Guards the guard: a testcase without classname/time, and a testsuite without its counters, must not validate.
        var bad = Path.Combine(_root, "bad.xml");
        File.WriteAllText(bad, """<?xml version="1.0"?><testsuites name="x" tests="1" failures="0" errors="0" skipped="0" time="1"><testsuite name="s"><testcase name="t"/></testsuite></testsuites>""");
        Assert.NotEmpty(Validate(bad));
    }
}
