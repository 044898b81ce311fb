using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Http;

namespace LambdaStorm.Emulator;

/// <summary>
/// SQS's AWS JSON 1.0 wire format (with the <c>awsQueryCompatible</c> trait): requests are <c>POST /</c> with
/// <c>X-Amz-Target: AmazonSQS.{Action}</c> and a JSON body; responses are JSON with
/// <c>Content-Type: application/x-amz-json-1.0</c>; errors carry <c>__type</c> (<c>com.amazonaws.sqs#{Shape}</c>), a
/// <c>message</c> and the <c>x-amzn-query-error: {LegacyCode};Sender</c> header that SDKs use for the error code.
/// Part of internal API.
/// </summary>
internal static class SqsProtocol
{
    /// <summary>The target prefix of SQS actions.</summary>
    public const string TargetPrefix = "AmazonSQS.";

    /// <summary>The JSON 1.0 content type.</summary>
    public const string ContentType = "application/x-amz-json-1.0";

    /// <summary>Header carrying the legacy query error code and fault.</summary>
    public const string QueryErrorHeader = "x-amzn-query-error";

    // Bodies and messages are written as UTF-8, not \uXXXX escapes (an API response, never HTML).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes an SQS error.</summary>
    public static Task WriteErrorAsync(HttpContext ctx, QueueError error)
    {
        var ns = error.Type.Contains('#', StringComparison.Ordinal) ? "" : "com.amazonaws.sqs#";
        ctx.Response.Headers[QueryErrorHeader] = $"{error.QueryCode};{(error.SenderFault ? "Sender" : "Receiver")}";
        return WriteAsync(ctx, error.StatusCode, w =>
        {
            w.WriteStartObject();
            w.WriteString("__type", ns + error.Type);
            if (error.Message is not null)
            {
                w.WriteString("message", error.Message);
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Writes an authentication error of the emulator's verifier in SQS's shape.</summary>
    public static Task WriteAuthErrorAsync(HttpContext ctx, AwsError error) => WriteErrorAsync(
        ctx, new QueueError("com.amazon.coral.service#" + error.ExceptionName, error.ExceptionName, error.Message, error.StatusCode));

    /// <summary>400 for an X-Amz-Target that names no SQS action.</summary>
    public static QueueError UnknownOperation(string target) => new(
        "com.amazon.coral.service#UnknownOperationException", "InvalidAction",
        $"The action {target} is not valid for this endpoint (the LambdaStorm emulator serves the SQS actions listed in docs/emulator.md).");

    /// <summary>400 for a body that is not the JSON the action expects.</summary>
    public static QueueError Serialization(string detail) =>
        new("com.amazon.coral.service#SerializationException", "SerializationException", detail);

    /// <summary>Writes a 200 JSON response.</summary>
    public static Task WriteAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).AsTask();
    }

    /// <summary>Epoch milliseconds as SQS writes message timestamps.</summary>
    public static string EpochMillis(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}

/// <summary>Typed reads of an SQS JSON request body; the first type mismatch becomes <see cref="Error"/>.</summary>
internal sealed class SqsRequest
{
    private readonly JsonElement _root;

    private SqsRequest(JsonElement root) => _root = root;

    /// <summary>The first problem met, if any.</summary>
    public QueueError? Error { get; private set; }

    /// <summary>Parses a body (empty means <c>{}</c>).</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out SqsRequest request, out QueueError? error)
    {
        request = null!;
        error = null;
        if (body.IsEmpty)
        {
            request = new SqsRequest(JsonDocument.Parse("{}").RootElement.Clone());
            return true;
        }

        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = SqsProtocol.Serialization("The request body must be a JSON object.");
                return false;
            }

            request = new SqsRequest(doc.RootElement.Clone());
            return true;
        }
        catch (JsonException ex)
        {
            error = SqsProtocol.Serialization($"The request body is not valid JSON: {ex.Message}");
            return false;
        }
    }

    /// <summary>The root object.</summary>
    public JsonElement Root => _root;

    /// <summary>A string member, or null.</summary>
    public string? String(string name) => String(_root, name);

    /// <summary>A required string member; records MissingParameter when absent.</summary>
    public string Required(string name) => Required(_root, name);

    /// <summary>An integer member, or null.</summary>
    public int? Int(string name) => Int(_root, name);

    /// <summary>A list of strings, or null.</summary>
    public List<string>? StringList(string name) => StringList(_root, name);

    /// <summary>A map of strings, or null.</summary>
    public Dictionary<string, string>? StringMap(string name)
    {
        if (Find(_root, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            Fail(name, "a map of strings");
            return null;
        }

        return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>The entries of a batch request (null when absent).</summary>
    public List<JsonElement>? Entries()
    {
        if (Find(_root, "Entries") is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
        {
            Fail("Entries", "a list of objects");
            return null;
        }

        return [.. v.EnumerateArray()];
    }

    /// <summary>A string member of <paramref name="element"/>, or null.</summary>
    public string? String(JsonElement element, string name)
    {
        if (Find(element, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            Fail(name, "a string");
            return null;
        }

        return v.GetString();
    }

    /// <summary>A required string member of <paramref name="element"/>; records MissingParameter when absent.</summary>
    public string Required(JsonElement element, string name)
    {
        var value = String(element, name);
        if (value is null)
        {
            Error ??= QueueErrors.MissingParameter(name);
        }

        return value ?? "";
    }

    /// <summary>An integer member of <paramref name="element"/>, or null.</summary>
    public int? Int(JsonElement element, string name)
    {
        if (Find(element, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n))
        {
            Fail(name, "an integer");
            return null;
        }

        return n;
    }

    /// <summary>A list of strings member of <paramref name="element"/>, or null.</summary>
    public List<string>? StringList(JsonElement element, string name)
    {
        if (Find(element, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            Fail(name, "a list of strings");
            return null;
        }

        return [.. v.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>The <c>MessageAttributes</c> (or another attribute map) member of <paramref name="element"/>, or null.</summary>
    public Dictionary<string, MessageAttribute>? Attributes(JsonElement element, string name)
    {
        if (Find(element, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Fail(name, "a map of message attribute values");
            return null;
        }

        var result = new Dictionary<string, MessageAttribute>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object)
            {
                Fail(name, "a map of message attribute values");
                return null;
            }

            if (Find(p.Value, "StringListValues") is not null || Find(p.Value, "BinaryListValues") is not null)
            {
                Error ??= QueueErrors.InvalidParameterValue($"Message attribute list values in SendMessage operation are not supported.");
                return null;
            }

            var dataType = String(p.Value, "DataType") ?? "";
            var stringValue = String(p.Value, "StringValue");
            var binaryText = String(p.Value, "BinaryValue");
            byte[]? binary = null;
            if (binaryText is not null)
            {
                try
                {
                    binary = Convert.FromBase64String(binaryText);
                }
                catch (FormatException)
                {
                    Fail(name + "." + p.Name + ".BinaryValue", "base64");
                    return null;
                }
            }

            result[p.Name] = new MessageAttribute(dataType, stringValue, binary);
        }

        return result;
    }

    private void Fail(string name, string expected) =>
        Error ??= SqsProtocol.Serialization($"'{name}' must be {expected}.");

    private static JsonElement? Find(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
}
