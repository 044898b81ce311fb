using System.Globalization;

namespace LambdaStorm.Runs;

/// <summary>The results folder of one run: <c>results/&lt;scenario&gt;-&lt;UTC timestamp&gt;/</c>. Part of internal API.</summary>
internal sealed record ResultsFolder(string Path)
{
    public const string JournalFile = "journal.jsonl";
    public const string SummaryFile = "summary.json";

    public string Journal => System.IO.Path.Combine(Path, JournalFile);

    public string Summary => System.IO.Path.Combine(Path, SummaryFile);

    /// <summary>Creates the folder <paramref name="name"/> under <paramref name="root"/>; it must not hold a run already.</summary>
    public static ResultsFolder CreateExact(string root, string name)
    {
        var path = System.IO.Path.Combine(root, name);
        if (File.Exists(System.IO.Path.Combine(path, JournalFile)))
        {
            throw new IOException($"{path} already holds a run");
        }

        Directory.CreateDirectory(path);
        return new ResultsFolder(path);
    }

    /// <summary>Creates a new, unique folder under <paramref name="root"/>.</summary>
    public static ResultsFolder Create(string root, string scenario, DateTimeOffset startedAt)
    {
        var stamp = startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var basePath = System.IO.Path.Combine(root, $"{scenario}-{stamp}");
        var path = basePath;
        for (var n = 2; Directory.Exists(path); n++)
        {
            path = $"{basePath}-{n}";
        }

        Directory.CreateDirectory(path);
        return new ResultsFolder(path);
    }
}
