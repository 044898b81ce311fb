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
}
