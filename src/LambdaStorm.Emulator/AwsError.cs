using System.Globalization;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Http;

namespace LambdaStorm.Emulator;

/// <summary>
/// The one AWS error shape of the emulator: Lambda's restJson1 service error (§2.2, §3 of the reference). On the wire it
/// is the status code, the <c>x-amzn-ErrorType</c> header naming the exception (which AWS SDKs read first to pick the
/// exception class: @aws-sdk/client-lambda's <c>loadRestJsonErrorCode</c> tries that header, then the body's
/// <c>code</c>, then <c>__type</c>), a <c>Retry-After</c> header for throttles, and a JSON body
/// <c>{"Type":"User"|"Service","message"|"Message":…,"Reason":…}</c>. The message member's case is the Smithy
/// model's: <c>Message</c> for ResourceNotFound and Service exceptions, <c>message</c> for the rest. The common
/// authentication errors (signature, unknown key) carry only <c>message</c>, as AWS's front door sends them.
/// Part of internal API.
/// </summary>
/// <param name="ExceptionName">AWS exception shape name, e.g. <c>ResourceNotFoundException</c>.</param>
/// <param name="Message">Message text.</param>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="MessageMember"><c>message</c> or <c>Message</c>.</param>
/// <param name="Reason">Throttle reason (<c>TooManyRequestsException</c>).</param>
/// <param name="RetryAfterSeconds">Retry-After header value (<c>TooManyRequestsException</c>).</param>
/// <param name="IncludeType">False for the common authentication errors, which carry no <c>Type</c> member.</param>
internal sealed record AwsError(
    string ExceptionName, string Message, int StatusCode, string MessageMember = "message", string? Reason = null, int? RetryAfterSeconds = null, bool IncludeType = true)
{
    /// <summary>Header that names the exception.</summary>
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary><c>User</c> for 4xx, <c>Service</c> for 5xx (the body's <c>Type</c> member).</summary>
    public string ErrorKind => StatusCode >= 500 ? "Service" : "User";

    /// <summary>A Lambda model error as AWS sends it.</summary>
    public static AwsError From(LambdaError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new AwsError(error.ExceptionName, error.Message, error.StatusCode, error.MessageMemberName, error.Reason?.ToString(), error.RetryAfterSeconds);
    }

    /// <summary>400 <c>InvalidRequestContentException</c>: the body is not JSON [S8].</summary>
    public static AwsError InvalidRequestContent(string detail) =>
        new("InvalidRequestContentException", $"Could not parse request body into json: {detail}", 400);

    /// <summary>400 <c>InvalidParameterValueException</c>.</summary>
    public static AwsError InvalidParameter(string message) => AwsError.From(LambdaErrors.InvalidParameter(message));

    /// <summary>400 <c>InvalidParameterValueException</c> in AWS's request-validation wording.</summary>
    public static AwsError Validation(string value, string member, string constraint) =>
        InvalidParameter($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}");

    /// <summary>404 <c>ResourceNotFoundException</c> for the unqualified ARN of a function.</summary>
    public static AwsError FunctionNotFound(string arn) => AwsError.From(LambdaErrors.FunctionNotFound(arn));

    /// <summary>413 <c>RequestTooLargeException</c> for a body over a hard limit.</summary>
    public static AwsError RequestTooLarge(long limitBytes, string operation) =>
        new("RequestTooLargeException", string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {limitBytes} bytes for the {operation} operation"), 413);

    /// <summary>404 for a path and method that is no Lambda operation.</summary>
    public static AwsError UnknownOperation(string method, string path) =>
        new("UnknownOperationException", $"No Lambda operation matches {method} {path} in the LambdaStorm emulator (docs/emulator.md lists the routes)", 404);

    /// <summary>500 <c>ServiceException</c> (unexpected failure inside the emulator).</summary>
    public static AwsError Service(string message) => new("ServiceException", message, 500, "Message");

    /// <summary>403 <c>InvalidSignatureException</c>.</summary>
    public static AwsError InvalidSignature(string message) => new("InvalidSignatureException", message, 403, IncludeType: false);

    /// <summary>403 <c>UnrecognizedClientException</c>: unknown access key id.</summary>
    public static AwsError UnrecognizedClient() =>
        new("UnrecognizedClientException", "The security token included in the request is invalid.", 403, IncludeType: false);

    /// <summary>403 <c>MissingAuthenticationTokenException</c>: no Authorization header.</summary>
    public static AwsError MissingAuthenticationToken() =>
        new("MissingAuthenticationTokenException", "Missing Authentication Token", 403, IncludeType: false);

    /// <summary>400 <c>IncompleteSignatureException</c>: a malformed Authorization header.</summary>
    public static AwsError IncompleteSignature(string message) => new("IncompleteSignatureException", message, 400, IncludeType: false);

    /// <summary>Writes the status, headers and body.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.Headers[ErrorTypeHeader] = ExceptionName;
        if (RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        var body = ToJson();
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The JSON body.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (IncludeType)
            {
                w.WriteString("Type", ErrorKind);
            }

            w.WriteString(MessageMember, Message);
            if (Reason is not null)
            {
                w.WriteString(nameof(Reason), Reason);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ExceptionName} ({StatusCode}): {Message}";
}
