using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>What the emulated function did with an SQS batch: threw, or returned <see cref="Response"/>.</summary>
/// <param name="Throws">True when the handler throws (the whole batch fails).</param>
/// <param name="Response">The returned payload when it did not throw.</param>
internal readonly record struct BatchFunctionResponse(bool Throws, byte[]? Response)
{
    /// <summary>The message id the <c>unknown-id</c> test mode reports.</summary>
    public const string UnknownMessageId = "00000000-0000-0000-0000-000000000000";

    /// <summary>The response of the <c>invalid-json</c> test mode.</summary>
    public static readonly byte[] InvalidJson = Encoding.UTF8.GetBytes("{\"batchItemFailures\":[{\"itemIdentifier\":");

    /// <summary>
    /// The emulated handler's answer (<see cref="BatchResponseMode"/>): with no failed record it returns its normal
    /// response; otherwise <c>auto</c> reports the failed items when the mapping has ReportBatchItemFailures and throws
    /// when it has not, <c>partial</c> always reports them, <c>throw</c> throws, and the test modes return a bad report.
    /// </summary>
    /// <param name="mode">The function's batch-response mode.</param>
    /// <param name="reportBatchItemFailures">True when the invoking mapping has ReportBatchItemFailures.</param>
    /// <param name="failedMessageIds">Message ids of the records that failed, in batch order.</param>
    /// <param name="successResponse">The function's normal response.</param>
    public static BatchFunctionResponse For(BatchResponseMode mode, bool reportBatchItemFailures, IReadOnlyList<string> failedMessageIds, byte[] successResponse)
    {
        ArgumentNullException.ThrowIfNull(failedMessageIds);
        if (failedMessageIds.Count == 0)
        {
            return new BatchFunctionResponse(false, successResponse);
        }

        return mode switch
        {
            BatchResponseMode.Auto => reportBatchItemFailures ? new(false, Report(failedMessageIds)) : new(true, null),
            BatchResponseMode.Partial => new(false, Report(failedMessageIds)),
            BatchResponseMode.InvalidJson => new(false, InvalidJson),
            BatchResponseMode.UnknownId => new(false, Report([UnknownMessageId])),
            BatchResponseMode.EmptyId => new(false, Report([""])),
            _ => new(true, null),
        };
    }

    /// <summary><c>{"batchItemFailures":[{"itemIdentifier":id},…]}</c>.</summary>
    public static byte[] Report(IEnumerable<string> ids)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray(BatchItemFailures.Member);
            foreach (var id in ids)
            {
                w.WriteStartObject();
                w.WriteString(BatchItemFailures.ItemMember, id);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
