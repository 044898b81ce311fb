using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using LambdaStorm.Results;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Runs;

/// <summary>One variant's run inside a combined results folder.</summary>
/// <param name="Name">The variant's name.</param>
/// <param name="Folder">Its subfolder (the variant's name), relative to the combined folder.</param>
/// <param name="Summary">Its summary, as in the subfolder's summary.json.</param>
/// <param name="ExitCode">The exit code the variant's run deserved.</param>
public sealed record VariantRun(string Name, string Folder, RunSummary Summary, int ExitCode);

/// <summary>
/// The combined <c>summary.json</c> of a scenario with variants: each variant's verdict and summary, in the order they
/// ran. The exit code is the worst of the variants'.
/// </summary>
/// <param name="Scenario">The base scenario's name.</param>
/// <param name="Passed">True when every variant passed.</param>
/// <param name="ExitCode">The worst variant exit code.</param>
/// <param name="Variants">The variants.</param>
public sealed record VariantsSummary(string Scenario, bool Passed, int ExitCode, ImmutableArray<VariantRun> Variants)
{
    /// <summary>The combined summary as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunSummary.JsonOptions);

    /// <summary>Builds the combined summary; the exit code is the worst (highest) of the variants'.</summary>
    public static VariantsSummary From(string scenario, IReadOnlyList<VariantRun> runs)
        => new(scenario, runs.All(v => v.Summary.Passed && v.ExitCode == ExitCodes.Ok), runs.Count == 0 ? ExitCodes.Ok : runs.Max(v => v.ExitCode), [.. runs]);
}

/// <summary>The result of running or redrawing a scenario's variants.</summary>
/// <param name="Summary">The combined summary.</param>
/// <param name="ResultsPath">The combined results folder.</param>
public sealed record VariantsOutcome(VariantsSummary Summary, string ResultsPath);

/// <summary>
/// Runs a scenario's <c>variants:</c> one after the other into one results folder
/// (<c>results/&lt;scenario&gt;-&lt;UTC timestamp&gt;/</c>): a subfolder per variant holds that run's usual files (journal,
/// summary, junit.xml, report.html; thresholds evaluated per variant), and the top holds the combined summary.json,
/// junit.xml and report.html with the side-by-side comparison. The single run is a parameter, so <c>run</c> (in
/// process or on a cluster) and <c>simulate</c> share this loop. Part of internal API.
/// </summary>
internal static class VariantRuns
{
    /// <summary>Runs every variant of <paramref name="scenario"/> with <paramref name="runOne"/>; stops early when <paramref name="stop"/> fires.</summary>
    public static async Task<VariantsOutcome> RunAsync(
        Scenario scenario,
        RunOptions options,
        Func<Scenario, RunOptions, Task<RunOutcome>> runOne,
        Action<ScenarioVariant, int>? starting,
        CancellationToken stop)
    {
        if (scenario.Variants.IsEmpty)
        {
            throw new ArgumentException("the scenario has no variants", nameof(scenario));
        }

        var top = ResultsFolder.Create(options.ResultsRoot, scenario.Name, TimeProvider.System.GetUtcNow());
        var runs = new List<VariantRun>();
        for (var i = 0; i < scenario.Variants.Length && !stop.IsCancellationRequested; i++)
        {
            var variant = scenario.Variants[i];
            starting?.Invoke(variant, i);
            var outcome = await runOne(variant.Scenario, options with { ResultsRoot = top.Path, FolderName = variant.Name, Variant = new VariantOf(scenario.Source, variant.Name) }).ConfigureAwait(false);
            runs.Add(new VariantRun(variant.Name, variant.Name, outcome.Summary, outcome.ExitCode));
        }

        return await WriteAsync(top.Path, scenario.Name, runs, options.Artifacts, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="dir"/> is a combined folder: no journal of its own, subfolders with journals.</summary>
    public static bool IsCombined(string dir)
        => Directory.Exists(dir) && !File.Exists(Path.Combine(dir, ResultsFolder.JournalFile)) && VariantFolders(dir).Any();

    /// <summary>
    /// Redraws a combined folder from the variants' journals (<c>lambdastorm report DIR</c>): each variant's files, then
    /// the combined ones. Variants keep the order of the old combined summary when it can be read, else name order.
    /// </summary>
    public static async Task<VariantsOutcome> ReportAsync(string dir, IResultsArtifacts? artifacts, CancellationToken ct)
    {
        var folders = VariantFolders(dir).ToList();
        var order = PreviousOrder(dir);
        folders = [.. folders.OrderBy(f => order.IndexOf(f) is var k && k >= 0 ? k : int.MaxValue).ThenBy(f => f, StringComparer.Ordinal)];
        var runs = new List<VariantRun>();
        string? scenario = null;
        foreach (var folder in folders)
        {
            var outcome = await ScenarioRunner.ReportAsync(Path.Combine(dir, folder), ct, artifacts).ConfigureAwait(false);
            runs.Add(new VariantRun(folder, folder, outcome.Summary, outcome.ExitCode));
            scenario ??= BaseName(outcome.Summary.Scenario, folder);
        }

        return await WriteAsync(dir, scenario ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), runs, artifacts, ct).ConfigureAwait(false);
    }

    private static async Task<VariantsOutcome> WriteAsync(string dir, string scenario, List<VariantRun> runs, IResultsArtifacts? artifacts, CancellationToken ct)
    {
        var summary = VariantsSummary.From(scenario, runs);
        await File.WriteAllTextAsync(Path.Combine(dir, ResultsFolder.SummaryFile), summary.ToJson(), ct).ConfigureAwait(false);
        if (artifacts is not null)
        {
            await artifacts.WriteVariantsAsync(dir, summary, ct).ConfigureAwait(false);
        }

        return new VariantsOutcome(summary, dir);
    }

    private static IEnumerable<string> VariantFolders(string dir)
        => Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, ResultsFolder.JournalFile))).Select(d => Path.GetFileName(d)!);

    /// <summary>The variant names in the order of the combined summary already in <paramref name="dir"/>, if any.</summary>
    private static List<string> PreviousOrder(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, ResultsFolder.SummaryFile)));
            return doc.RootElement.TryGetProperty("variants", out var v) && v.ValueKind == JsonValueKind.Array
                ? [.. v.EnumerateArray().Select(x => x.TryGetProperty("folder", out var f) ? f.GetString() ?? "" : "")]
                : [];
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The base name of a variant's scenario name <c>&lt;base&gt;.&lt;variant&gt;</c>.</summary>
    private static string BaseName(string scenario, string variant)
        => scenario.EndsWith("." + variant, StringComparison.Ordinal) ? scenario[..^(variant.Length + 1)] : scenario;
}
