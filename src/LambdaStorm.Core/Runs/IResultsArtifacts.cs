using LambdaStorm.Results;

namespace LambdaStorm.Runs;

/// <summary>
/// Writes the results folder's derived artifacts (<c>junit.xml</c>, <c>report.html</c>) from a run's summary and its
/// journal. Core knows only this seam; LambdaStorm.Reporting supplies the implementation (it draws charts with
/// ScottPlot, which Core does not depend on), and the CLI hands it to <see cref="ScenarioRunner"/> through
/// <see cref="RunOptions.Artifacts"/> and <c>ScenarioRunner.ReportAsync</c>.
/// </summary>
public interface IResultsArtifacts
{
    /// <summary>Writes the artifacts into <paramref name="resultsPath"/>. The journal may be cut short by a crash.</summary>
    /// <param name="resultsPath">The results folder.</param>
    /// <param name="summary">The summary, as written to summary.json.</param>
    /// <param name="journal">The journal read back from the folder.</param>
    /// <param name="ct">Cancellation.</param>
    Task WriteAsync(string resultsPath, RunSummary summary, JournalContents journal, CancellationToken ct);

    /// <summary>Writes the combined artifacts of a scenario's variants into their common folder (nothing by default).</summary>
    /// <param name="resultsPath">The combined folder (one subfolder per variant).</param>
    /// <param name="summary">The combined summary.</param>
    /// <param name="ct">Cancellation.</param>
    Task WriteVariantsAsync(string resultsPath, VariantsSummary summary, CancellationToken ct) => Task.CompletedTask;
}
