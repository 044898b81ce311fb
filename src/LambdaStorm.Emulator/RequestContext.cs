using Microsoft.AspNetCore.Http;

namespace LambdaStorm.Emulator;

/// <summary>
/// Per-request data the emulator's middleware establishes before a route runs: the AWS request id (sent as
/// <c>x-amzn-RequestId</c> on every response and used as the invocation's request id, so that it matches the START,
/// END and REPORT lines) and the whole request body, read once (SigV4 hashes it, the routes parse it). Part of internal API.
/// </summary>
/// <param name="RequestId">AWS request id.</param>
internal sealed record RequestContext(string RequestId)
{
    /// <summary>Header carrying the request id.</summary>
    public const string RequestIdHeader = "x-amzn-RequestId";

    /// <summary>The request body (empty until the body middleware ran).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>The context of a request.</summary>
    public static RequestContext Of(HttpContext context) =>
        context.Features.Get<RequestContext>() ?? throw new InvalidOperationException("the emulator's request middleware did not run");
}
