using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>Where and how a <see cref="LambdaHttpTarget"/> calls Lambda's Invoke API.</summary>
/// <param name="Endpoint">The Lambda endpoint (the emulator, or <c>https://lambda.REGION.amazonaws.com</c>).</param>
/// <param name="Function">Function name, partial or full ARN.</param>
/// <param name="Qualifier">Version or alias, or null for $LATEST.</param>
/// <param name="Region">Signing region.</param>
/// <param name="Credentials">Credentials for SigV4 (from the standard AWS chain, or static for the emulator).</param>
/// <param name="TailSampleRate">Share of sync invocations that ask for the log tail (<c>X-Amz-Log-Type: Tail</c>) to count cold starts.</param>
/// <param name="Seed">Seed for the tail sample.</param>
internal sealed record LambdaEndpoint(Uri Endpoint, string Function, string? Qualifier, RegionEndpoint Region, AWSCredentials Credentials, double TailSampleRate, int Seed);

/// <summary>
/// The <c>sync</c> and <c>async</c> paths over Lambda's real Invoke API: HttpClient with SigV4 signing from
/// AWSSDK.Core (<see cref="SigV4SigningHandler"/>), the same code for the emulator and for AWS. Throttles are
/// classified by status and <c>Reason</c>; cold starts are read from the REPORT line of the log tail
/// (<c>Init Duration</c>) for a configurable sample of invocations.
/// </summary>
internal sealed class LambdaHttpTarget : IInvocationTarget
{
    private readonly LambdaEndpoint _endpoint;
    private readonly HttpMessageInvoker _client;
    private readonly Uri _invokeUri;

    public LambdaHttpTarget(LambdaEndpoint endpoint, int maxConnections)
    {
        _endpoint = endpoint;
        var sockets = LoopbackFriendlyHandler.Create(maxConnections);
        _client = new HttpMessageInvoker(new SigV4SigningHandler(endpoint.Credentials, endpoint.Region, "lambda", sockets), disposeHandler: true);
        var path = $"2015-03-31/functions/{Uri.EscapeDataString(endpoint.Function)}/invocations";
        if (endpoint.Qualifier is not null)
        {
            path += "?Qualifier=" + Uri.EscapeDataString(endpoint.Qualifier);
        }

        _invokeUri = new Uri(new Uri(endpoint.Endpoint.ToString().TrimEnd('/') + "/"), path);
    }

    public string Describe => $"lambda {_endpoint.Function} at {_endpoint.Endpoint}";

    public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var isEvent = request.Path == InvocationPath.Async;
        var tail = !isEvent && _endpoint.TailSampleRate > 0 && StableRandom.Unit(_endpoint.Seed, request.Index, 0x7A11) < _endpoint.TailSampleRate;
        using var message = new HttpRequestMessage(HttpMethod.Post, _invokeUri)
        {
            Content = new StringContent(request.Payload, Encoding.UTF8, "application/json"),
        };
        message.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", isEvent ? "Event" : "RequestResponse");
        if (tail)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
        }

        try
        {
            using var response = await _client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var result = Classify(response, body);
            return tail && result.Outcome is not Outcome.Throttled
                ? result with { Sampled = true, ColdStart = IsColdStart(response) }
                : result;
        }
        catch (HttpRequestException ex)
        {
            return new InvocationResult(Outcome.TransportError, ex.HttpRequestError.ToString());
        }
    }

    /// <summary>
    /// Warms the client before the load starts: <c>DryRun</c> invokes (validated, never run, so no environment is
    /// created) over a few parallel connections compile the HTTP, signing and server paths and open connections. Without
    /// it the first arrivals queue behind that one-time work and reach the function together, which inflates the
    /// concurrency, and so the cold starts, of the first seconds.
    /// </summary>
    public async Task WarmUpAsync(int connections, CancellationToken cancellationToken)
    {
        async Task DryRunAsync()
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _invokeUri) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            message.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "DryRun");
            try
            {
                using var response = await _client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                // The run itself will report an unreachable endpoint; warming up is best effort.
            }
        }

        var n = Math.Clamp(connections, 1, 32);
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, n).Select(_ => DryRunAsync())).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Classifies an Invoke response: 2xx without <c>X-Amz-Function-Error</c> is ok; with it, a function error (a
    /// timeout when the error type is <c>Sandbox.Timedout</c>); 429 is a throttle labelled with its <c>Reason</c>;
    /// other errors are labelled with <c>x-amzn-ErrorType</c>.
    /// </summary>
    internal static InvocationResult Classify(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status < 300)
        {
            if (!response.Headers.TryGetValues("X-Amz-Function-Error", out var fe))
            {
                return InvocationResult.Ok;
            }

            return body.Contains("Sandbox.Timedout", StringComparison.Ordinal)
                ? new InvocationResult(Outcome.Timeout, "Sandbox.Timedout")
                : new InvocationResult(Outcome.FunctionError, fe.FirstOrDefault() ?? "Unhandled");
        }

        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var et) ? et.FirstOrDefault()?.Split(':')[0] : null;
        return status switch
        {
            429 => new InvocationResult(Outcome.Throttled, ReasonOf(body) ?? errorType ?? "TooManyRequestsException"),
            408 or 504 => new InvocationResult(Outcome.Timeout, errorType ?? status.ToString(CultureInfo.InvariantCulture)),
            < 500 => new InvocationResult(Outcome.ClientError, errorType ?? status.ToString(CultureInfo.InvariantCulture)),
            _ => new InvocationResult(Outcome.ServerError, errorType ?? status.ToString(CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>True when the base64 log tail's REPORT line carries <c>Init Duration</c> (an environment's first invocation).</summary>
    internal static bool IsColdStart(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("X-Amz-Log-Result", out var values) || values.FirstOrDefault() is not { } b64)
        {
            return false;
        }

        try
        {
            var log = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            return log.Split('\n').Any(line => line.StartsWith("REPORT", StringComparison.Ordinal) && line.Contains("Init Duration", StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? ReasonOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("Reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
