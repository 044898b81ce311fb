using System.Collections.Immutable;

namespace LambdaStorm.Scenarios;

/// <summary>A problem in a scenario file, with the position a person needs to fix it.</summary>
/// <param name="File">The file as given on the command line.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong and what was expected.</param>
public sealed record ScenarioDiagnostic(string File, int Line, int Column, string Message)
{
    /// <summary>Compiler-style form: <c>file:line:column: error: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: error: {Message}";
}

/// <summary>Thrown when a scenario cannot be loaded; carries every diagnostic, not just the first.</summary>
public sealed class ScenarioLoadException : Exception
{
    /// <summary>Creates the exception from all diagnostics found.</summary>
    public ScenarioLoadException(ImmutableArray<ScenarioDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
        => Diagnostics = diagnostics;

    /// <summary>Creates an exception for a single problem.</summary>
    public ScenarioLoadException(string message)
        : this([new ScenarioDiagnostic("<scenario>", 1, 1, message)])
    {
    }

    /// <summary>Creates an exception with no diagnostics.</summary>
    public ScenarioLoadException()
        : this("invalid scenario")
    {
    }

    /// <summary>Creates an exception wrapping another.</summary>
    public ScenarioLoadException(string message, Exception inner)
        : base(message, inner)
        => Diagnostics = [new ScenarioDiagnostic("<scenario>", 1, 1, message)];

    /// <summary>Every problem found, in file order.</summary>
    public ImmutableArray<ScenarioDiagnostic> Diagnostics { get; }
}

/// <summary>Suggests the closest known word for a misspelt one.</summary>
public static class DidYouMean
{
    /// <summary>Returns <c> (did you mean 'x'?)</c> or an empty string when nothing is close.</summary>
    public static string Suggest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(word.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = c;
            }
        }

        var limit = Math.Max(2, word.Length / 3);
        return best is not null && bestDistance <= limit ? $" (did you mean '{best}'?)" : string.Empty;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
