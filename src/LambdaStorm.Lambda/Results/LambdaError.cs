namespace LambdaStorm.Lambda;

/// <summary>
/// A service error as AWS returns it: the exception name (<c>x-amzn-ErrorType</c>), the message, the HTTP status,
/// the <c>Type</c> member (<c>User</c> for 4xx, <c>Service</c> for 5xx) and, for throttles, the <c>Reason</c> and
/// <c>Retry-After</c> seconds (§2.2, §3).
/// </summary>
/// <param name="ExceptionName">AWS exception shape name, e.g. <c>ResourceNotFoundException</c>.</param>
/// <param name="Message">AWS message text.</param>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Reason">Throttle reason for <c>TooManyRequestsException</c>.</param>
/// <param name="RetryAfterSeconds">Retry-After for <c>TooManyRequestsException</c>.</param>
internal sealed record LambdaError(string ExceptionName, string Message, int StatusCode, ThrottleReason? Reason = null, int? RetryAfterSeconds = null)
{
    /// <summary><c>User</c> for 4xx, <c>Service</c> for 5xx (the error body's <c>Type</c> member).</summary>
    public string ErrorKind => StatusCode >= 500 ? "Service" : "User";

    /// <summary>
    /// Name of the message member in the JSON body: AWS uses <c>Message</c> for ResourceNotFound and Service
    /// exceptions and <c>message</c> for TooManyRequests, RequestTooLarge, InvalidParameterValue and
    /// ResourceConflict [S8] (§3).
    /// </summary>
    public string MessageMemberName => ExceptionName is LambdaErrors.ResourceNotFound or LambdaErrors.Service ? "Message" : "message";

    /// <inheritdoc/>
    public override string ToString() => $"{ExceptionName} ({StatusCode}): {Message}";
}

/// <summary>Factories for the AWS errors the model produces, with AWS's exception names and message texts.</summary>
internal static class LambdaErrors
{
    /// <summary>404.</summary>
    public const string ResourceNotFound = "ResourceNotFoundException";

    /// <summary>400.</summary>
    public const string InvalidParameterValue = "InvalidParameterValueException";

    /// <summary>409.</summary>
    public const string ResourceConflict = "ResourceConflictException";

    /// <summary>429.</summary>
    public const string TooManyRequests = "TooManyRequestsException";

    /// <summary>413.</summary>
    public const string RequestTooLarge = "RequestTooLargeException";

    /// <summary>404 for a missing provisioned concurrency config.</summary>
    public const string ProvisionedConcurrencyConfigNotFound = "ProvisionedConcurrencyConfigNotFoundException";

    /// <summary>500.</summary>
    public const string Service = "ServiceException";

    /// <summary>Message AWS returns for provisioned concurrency on <c>$LATEST</c> (observed in the wild; [S8] has only the shape).</summary>
    public const string ProvisionedOnLatestMessage = "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";

    /// <summary>Unknown function or qualifier: <c>Function not found: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]</c> [S36].</summary>
    public static LambdaError FunctionNotFound(string arn) => new(ResourceNotFound, $"Function not found: {arn}", 404);

    /// <summary>Unknown alias in the alias APIs.</summary>
    public static LambdaError AliasNotFound(string aliasArn) => new(ResourceNotFound, $"Cannot find alias arn: {aliasArn}", 404);

    /// <summary>429 with a reason; the message is AWS's usual <c>Rate Exceeded.</c> (§2.2).</summary>
    public static LambdaError Throttled(ThrottleReason reason, int retryAfterSeconds) =>
        new(TooManyRequests, "Rate Exceeded.", 429, reason, retryAfterSeconds);

    /// <summary>400 with a message.</summary>
    public static LambdaError InvalidParameter(string message) => new(InvalidParameterValue, message, 400);

    /// <summary>409 with a message.</summary>
    public static LambdaError Conflict(string message) => new(ResourceConflict, message, 409);

    /// <summary>413: <c>Request must be smaller than N bytes for the InvokeFunction operation</c>.</summary>
    public static LambdaError PayloadTooLarge(int limitBytes) =>
        new(RequestTooLarge, $"Request must be smaller than {limitBytes} bytes for the InvokeFunction operation", 413);

    /// <summary>The unreserved-minimum rule of <c>PutFunctionConcurrency</c> [S8][S5] (§1.3).</summary>
    public static LambdaError UnreservedBelowMinimum(int minimum) => InvalidParameter(
        $"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{minimum}].");
}
