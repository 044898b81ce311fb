using System.Net;
using System.Net.Sockets;
using System.Text;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;

namespace LambdaStorm.Targets;

/// <summary>
/// The generic HTTP path: one request per invocation, classified by status. The invocation id and intended send time
/// travel in <c>X-LambdaStorm-Id</c> and <c>X-LambdaStorm-Intended-Time</c> as well as in the payload.
/// </summary>
internal sealed class HttpTarget : IInvocationTarget
{
    /// <summary>Header carrying the invocation id.</summary>
    public const string IdHeader = "X-LambdaStorm-Id";

    /// <summary>Header carrying the intended send time (ISO-8601).</summary>
    public const string IntendedTimeHeader = "X-LambdaStorm-Intended-Time";

    private readonly TargetSpec.Http _spec;
    private readonly HttpMessageInvoker _client;
    private readonly HttpMethod _method;
    private readonly KeyValuePair<string, string>[] _requestHeaders;
    private readonly KeyValuePair<string, string>[] _contentHeaders;

    public HttpTarget(TargetSpec.Http spec, int maxConnections)
    {
        _spec = spec;
        _method = new HttpMethod(spec.Method);
        var handler = LoopbackFriendlyHandler.Create(maxConnections);
        // The handler itself rather than HttpClient: HttpClient adds a second linked cancellation source and a buffer
        // copy of every body, which is a measurable share of the CPU per request at tens of thousands per second.
        _client = new HttpMessageInvoker(handler, disposeHandler: true);

        // Content-* headers (Content-Type among them) belong to the body; a scenario's value replaces the default.
        _requestHeaders = [.. spec.Headers.Where(h => !IsContentHeader(h.Key))];
        _contentHeaders = [.. spec.Headers.Where(h => IsContentHeader(h.Key))];
    }

    private static bool IsContentHeader(string name) => name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase);

    public string Describe => _spec.Url.ToString();

    public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(_method, _spec.Url);
        message.Headers.TryAddWithoutValidation(IdHeader, request.Id);
        message.Headers.TryAddWithoutValidation(IntendedTimeHeader, request.IntendedTime.ToString("O"));
        if (_method != HttpMethod.Get && _method != HttpMethod.Head)
        {
            message.Content = new StringContent(request.Payload, Encoding.UTF8, "application/json");
        }

        foreach (var (k, v) in _requestHeaders)
        {
            message.Headers.TryAddWithoutValidation(k, v);
        }

        if (message.Content is not null)
        {
            foreach (var (k, v) in _contentHeaders)
            {
                message.Content.Headers.Remove(k);
                message.Content.Headers.TryAddWithoutValidation(k, v);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_spec.Timeout);
        try
        {
            using var response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);

            // Read the whole body, as HttpClient's ResponseContentRead does, so that latency covers the full response
            // and the connection goes back to the pool; the bytes are not kept.
            await response.Content.CopyToAsync(Stream.Null, timeout.Token).ConfigureAwait(false);
            return Classify(response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new InvocationResult(Outcome.Timeout, "client_timeout");
        }
        catch (HttpRequestException ex)
        {
            return new InvocationResult(Outcome.TransportError, ex.InnerException is SocketException se ? se.SocketErrorCode.ToString() : ex.HttpRequestError.ToString());
        }
    }

    /// <summary>
    /// Maps a status to an outcome: 2xx/3xx ok, 429 throttled, 408/504 timeout, 4xx client, 5xx server. A response from
    /// API Gateway (it carries <c>x-amz-apigw-id</c>) is read the way API Gateway reports Lambda problems: 429 its own
    /// throttle, 500 a Lambda throttle (or rejection) behind it, 502 a function error or malformed proxy response, 504 the
    /// integration timeout.
    /// </summary>
    internal static InvocationResult Classify(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.Headers.Contains("x-amz-apigw-id"))
        {
            switch (status)
            {
                case 429: return new InvocationResult(Outcome.Throttled, "apigw_throttle");
                case 500: return new InvocationResult(Outcome.Throttled, "apigw_lambda_throttle");
                case 502: return new InvocationResult(Outcome.FunctionError, "apigw_bad_lambda_response");
                case 504: return new InvocationResult(Outcome.Timeout, "apigw_integration_timeout");
            }
        }

        return status switch
        {
            < 400 => InvocationResult.Ok,
            429 => new InvocationResult(Outcome.Throttled, ReasonOf(response) ?? "429"),
            408 or 504 => new InvocationResult(Outcome.Timeout, status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            < 500 => new InvocationResult(Outcome.ClientError, status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => new InvocationResult(Outcome.ServerError, status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    private static string? ReasonOf(HttpResponseMessage response)
        => response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault()?.Split(':')[0] : null;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
