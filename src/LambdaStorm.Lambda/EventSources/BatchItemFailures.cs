using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>How Lambda reads a function's response to an SQS batch when the mapping has <c>ReportBatchItemFailures</c>.</summary>
/// <param name="WholeBatchFailed">True when the response fails the whole batch.</param>
/// <param name="FailedMessageIds">Message ids that return to the queue (empty on full success; unused when the whole batch failed).</param>
/// <param name="Problem">Why the whole batch failed, or null.</param>
internal readonly record struct BatchItemFailuresResult(bool WholeBatchFailed, IReadOnlyList<string> FailedMessageIds, string? Problem)
{
    /// <summary>Full success: every record is deleted.</summary>
    public static BatchItemFailuresResult Success { get; } = new(false, [], null);

    /// <summary>The whole batch fails for <paramref name="problem"/>.</summary>
    public static BatchItemFailuresResult Fail(string problem) => new(true, [], problem);
}

/// <summary>
/// AWS's partial batch response rules [S16] (§5.1): the response <c>{"batchItemFailures":[{"itemIdentifier":"&lt;messageId&gt;"}]}</c>
/// lists the records that failed. An empty or null list, an empty or null response (or an object without the member)
/// is full success. Invalid JSON, an item whose <c>itemIdentifier</c> is empty, null or missing (a bad key name), or an
/// identifier that is not a message id of the batch fails the whole batch.
/// </summary>
internal static class BatchItemFailures
{
    /// <summary>The response member.</summary>
    public const string Member = "batchItemFailures";

    /// <summary>The item member.</summary>
    public const string ItemMember = "itemIdentifier";

    /// <summary>Reads a response.</summary>
    /// <param name="response">The function's response payload (UTF-8).</param>
    /// <param name="batchMessageIds">Message ids in the batch.</param>
    public static BatchItemFailuresResult Parse(ReadOnlySpan<byte> response, IReadOnlyCollection<string> batchMessageIds)
    {
        ArgumentNullException.ThrowIfNull(batchMessageIds);
        if (IsBlank(response))
        {
            return BatchItemFailuresResult.Success;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response.ToArray());
        }
        catch (JsonException e)
        {
            return BatchItemFailuresResult.Fail($"Invalid JSON response: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return BatchItemFailuresResult.Success;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return BatchItemFailuresResult.Fail($"Invalid response: expected a JSON object, got {root.ValueKind}");
            }

            if (!root.TryGetProperty(Member, out var list) || list.ValueKind == JsonValueKind.Null)
            {
                return BatchItemFailuresResult.Success;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                return BatchItemFailuresResult.Fail($"Invalid response: {Member} must be a list");
            }

            var known = batchMessageIds as IReadOnlySet<string> ?? new HashSet<string>(batchMessageIds, StringComparer.Ordinal);
            var failed = new List<string>(list.GetArrayLength());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return BatchItemFailuresResult.Fail($"Invalid response: each of {Member} must be an object with {ItemMember}");
                }

                if (!item.TryGetProperty(ItemMember, out var id))
                {
                    return BatchItemFailuresResult.Fail($"Invalid response: an item has no {ItemMember} (bad key name)");
                }

                if (id.ValueKind != JsonValueKind.String)
                {
                    return BatchItemFailuresResult.Fail($"Invalid response: {ItemMember} is {(id.ValueKind == JsonValueKind.Null ? "null" : "not a string")}");
                }

                var text = id.GetString()!;
                if (text.Length == 0)
                {
                    return BatchItemFailuresResult.Fail($"Invalid response: {ItemMember} is empty");
                }

                if (!known.Contains(text))
                {
                    return BatchItemFailuresResult.Fail($"Invalid response: {ItemMember} '{text}' is not a message id of the batch");
                }

                if (seen.Add(text))
                {
                    failed.Add(text);
                }
            }

            return failed.Count == 0 ? BatchItemFailuresResult.Success : new BatchItemFailuresResult(false, failed, null);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> response)
    {
        foreach (var b in response)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
