using System.Text;
using LambdaStorm.Results;
using LambdaStorm.Runs;

namespace LambdaStorm.Reporting;

/// <summary>Writes <c>junit.xml</c> and <c>report.html</c> into a results folder.</summary>
public sealed class ResultsArtifacts : IResultsArtifacts
{
    /// <summary>JUnit XML for CI servers.</summary>
    public const string JUnitFile = "junit.xml";

    /// <summary>The self-contained HTML report.</summary>
    public const string ReportFile = "report.html";

    /// <summary>The shared instance (the writer holds no state).</summary>
    public static readonly ResultsArtifacts Instance = new();

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <inheritdoc />
    public async Task WriteAsync(string resultsPath, RunSummary summary, JournalContents journal, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(resultsPath, JUnitFile), JUnitReport.Render(summary), Utf8NoBom, ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(resultsPath, ReportFile), HtmlReport.Render(summary, journal), Utf8NoBom, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteVariantsAsync(string resultsPath, VariantsSummary summary, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(resultsPath, JUnitFile), VariantsReport.JUnit(summary), Utf8NoBom, ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(resultsPath, ReportFile), VariantsReport.Render(summary), Utf8NoBom, ct).ConfigureAwait(false);
    }
}
