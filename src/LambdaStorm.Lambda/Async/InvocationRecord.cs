using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LambdaStorm.Lambda;

/// <summary>
/// Builds AWS's asynchronous invocation record (§4 [S12][S36]):
/// <code>
/// {"version":"1.0","timestamp":"2019-11-14T18:16:05.568Z",
///  "requestContext":{"requestId":"…","functionArn":"arn:…:function:my-function:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},
///  "requestPayload":{…},
///  "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
///  "responsePayload":{"errorMessage":"…"}}
/// </code>
/// Payloads that are valid JSON are embedded as JSON, anything else as a JSON string.
/// </summary>
internal static class InvocationRecord
{
    /// <summary>The record as JSON text.</summary>
    /// <param name="timestamp">When the record was produced.</param>
    /// <param name="requestId">Event request id.</param>
    /// <param name="functionArn">Qualified function ARN.</param>
    /// <param name="condition">Success, RetriesExhausted or EventAgeExceeded.</param>
    /// <param name="approximateInvokeCount">Attempts that ran.</param>
    /// <param name="requestPayload">The event payload.</param>
    /// <param name="lastResult">The last attempt's result, if an attempt ran.</param>
    /// <param name="lastThrottleStatus">When no attempt ran, the status of the last refusal (429), if any.</param>
    public static string Build(
        DateTimeOffset timestamp,
        string requestId,
        string functionArn,
        AsyncCondition condition,
        int approximateInvokeCount,
        ReadOnlyMemory<byte> requestPayload,
        ExecutionResult? lastResult,
        int? lastThrottleStatus)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + requestPayload.Length + (lastResult?.ResponsePayload.Length ?? 0));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartObject("requestContext");
            w.WriteString("requestId", requestId);
            w.WriteString("functionArn", functionArn);
            w.WriteString("condition", ConditionText(condition));
            w.WriteNumber("approximateInvokeCount", approximateInvokeCount);
            w.WriteEndObject();
            w.WritePropertyName("requestPayload");
            WritePayload(w, requestPayload.Span);
            if (lastResult is not null)
            {
                w.WriteStartObject("responseContext");
                w.WriteNumber("statusCode", 200);
                w.WriteString("executedVersion", lastResult.ExecutedVersion);
                if (lastResult.FunctionError is { } functionError)
                {
                    w.WriteString("functionError", functionError);
                }

                w.WriteEndObject();
                w.WritePropertyName("responsePayload");
                WritePayload(w, lastResult.ResponsePayload.Span);
            }
            else if (lastThrottleStatus is { } status)
            {
                // No attempt ran (throttled until it expired, or reserved concurrency 0): AWS documents no shape for
                // this case; the model reports the refusal's status code and no response payload.
                w.WriteStartObject("responseContext");
                w.WriteNumber("statusCode", status);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The wire text of a condition.</summary>
    public static string ConditionText(AsyncCondition condition) => condition switch
    {
        AsyncCondition.Success => "Success",
        AsyncCondition.RetriesExhausted => "RetriesExhausted",
        AsyncCondition.EventAgeExceeded => "EventAgeExceeded",
        _ => "FunctionDeleted",
    };

    /// <summary>Writes a payload as embedded JSON if it is valid JSON, otherwise as a string (empty → null).</summary>
    internal static void WritePayload(Utf8JsonWriter writer, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }

        if (IsValidJson(payload))
        {
            writer.WriteRawValue(payload, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(payload));
        }
    }

    /// <summary>True when the bytes are one complete JSON value.</summary>
    internal static bool IsValidJson(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
