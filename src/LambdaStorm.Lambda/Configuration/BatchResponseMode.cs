namespace LambdaStorm.Lambda;

/// <summary>
/// What the emulated function returns for an SQS batch in which some records failed (their body carries the poison
/// marker, or the error rate drew them). Option <c>batchResponse</c>, variable <c>LAMBDASTORM_BATCH_RESPONSE</c>.
/// </summary>
internal enum BatchResponseMode
{
    /// <summary>
    /// Code written to match its mapping: report failed items (<c>batchItemFailures</c>) when the invoking mapping has
    /// <c>ReportBatchItemFailures</c>, otherwise throw so the whole batch fails.
    /// </summary>
    Auto,

    /// <summary>Always report failed items. With a mapping lacking <c>ReportBatchItemFailures</c> the report is ignored and poison pills are deleted: the classic trap.</summary>
    Partial,

    /// <summary>Throw when any record fails: the whole batch fails.</summary>
    Throw,

    /// <summary>Test mode: when any record fails, return a response that is not JSON (AWS fails the whole batch).</summary>
    InvalidJson,

    /// <summary>Test mode: when any record fails, report a message id that is not in the batch (AWS fails the whole batch).</summary>
    UnknownId,

    /// <summary>Test mode: when any record fails, report an empty <c>itemIdentifier</c> (AWS fails the whole batch).</summary>
    EmptyId,
}

/// <summary>Wire names of <see cref="BatchResponseMode"/>: <c>auto</c>, <c>partial</c>, <c>throw</c>, <c>invalid-json</c>, <c>unknown-id</c>, <c>empty-id</c>.</summary>
internal static class BatchResponseModeNames
{
    /// <summary>The accepted names, for error messages.</summary>
    public const string Expected = "auto, partial, throw, invalid-json, unknown-id or empty-id";

    /// <summary>Parses a wire name (case-insensitive; '_' accepted for '-').</summary>
    public static bool TryParse(string? text, out BatchResponseMode mode)
    {
        switch (text?.Trim().ToLowerInvariant().Replace('_', '-'))
        {
            case "auto":
                mode = BatchResponseMode.Auto;
                return true;
            case "partial":
                mode = BatchResponseMode.Partial;
                return true;
            case "throw":
                mode = BatchResponseMode.Throw;
                return true;
            case "invalid-json":
                mode = BatchResponseMode.InvalidJson;
                return true;
            case "unknown-id":
                mode = BatchResponseMode.UnknownId;
                return true;
            case "empty-id":
                mode = BatchResponseMode.EmptyId;
                return true;
            default:
                mode = BatchResponseMode.Auto;
                return false;
        }
    }

    /// <summary>The wire name of a mode.</summary>
    public static string Name(BatchResponseMode mode) => mode switch
    {
        BatchResponseMode.Partial => "partial",
        BatchResponseMode.Throw => "throw",
        BatchResponseMode.InvalidJson => "invalid-json",
        BatchResponseMode.UnknownId => "unknown-id",
        BatchResponseMode.EmptyId => "empty-id",
        _ => "auto",
    };
}
