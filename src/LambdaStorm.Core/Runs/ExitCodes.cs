namespace LambdaStorm.Runs;

/// <summary>Process exit codes shared by every command (DESIGN.md §3).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad input or configuration.</summary>
    public const int BadInput = 1;

    /// <summary>A threshold or the steady-state hypothesis failed.</summary>
    public const int ThresholdFailed = 2;

    /// <summary>Aborted by an abort condition.</summary>
    public const int Aborted = 3;

    /// <summary>Internal error.</summary>
    public const int InternalError = 70;

    /// <summary>
    /// The exit code a run's summary deserves: 3 when the run was aborted (an abort condition fired, or a cluster run
    /// lost its every agent or its coordinator), 2 when a threshold failed or the steady state did not hold over the
    /// warm-up, 0 otherwise. A finished run and <c>lambdastorm report</c> both take it from here, so a run and a report
    /// on its journal give the same code.
    /// </summary>
    /// <param name="summary">The run's summary.</param>
    public static int Of(Results.RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Status == "aborted" || summary.Chaos?.Aborted is not null ? Aborted
            : !summary.Passed || summary.Chaos?.Before is { Held: false } ? ThresholdFailed
            : Ok;
    }
}
