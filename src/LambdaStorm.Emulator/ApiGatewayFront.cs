using System.Text;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LambdaStorm.Emulator;

/// <summary>
/// An optional API Gateway (REST API, Lambda proxy integration) in front of the emulated functions, so the whole chain
/// can be tested through the http path: <c>ANY /apigw/{FunctionName}[/{path}]</c>. It applies the account-level
/// throttle (a token bucket of 10,000 requests per second with a burst of 5,000 on the emulator's clock) and the 29 s
/// integration timeout, and reports Lambda problems the way API Gateway does: 429 <c>Too Many Requests</c> for its own
/// throttle, 500 <c>Internal server error</c> when Lambda throttles (or rejects) the invocation, 502 for a function
/// error or a response that is not a proxy response, 504 <c>Endpoint request timed out</c> past the integration
/// timeout. Every response carries <c>x-amz-apigw-id</c>. Not signed: clients call API Gateway without SigV4. Part of
/// internal API.
/// </summary>
internal sealed class ApiGatewayFront
{
    /// <summary>The route prefix.</summary>
    public const string Prefix = "/apigw";

    /// <summary>API Gateway's maximum integration timeout for REST APIs (29 s).</summary>
    public static readonly TimeSpan IntegrationTimeout = TimeSpan.FromSeconds(29);

    /// <summary>The account-level steady-state rate, requests per second.</summary>
    public const double RatePerSecond = 10_000;

    /// <summary>The account-level burst (bucket size).</summary>
    public const double Burst = 5_000;

    private readonly LambdaModel _model;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _last;

    public ApiGatewayFront(LambdaModel model, TimeProvider time, CancellationToken stopping, double ratePerSecond = RatePerSecond, double burst = Burst)
    {
        _model = model;
        _time = time;
        _stopping = stopping;
        Rate = ratePerSecond;
        Capacity = burst;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Tokens added per second.</summary>
    public double Rate { get; }

    /// <summary>Bucket size.</summary>
    public double Capacity { get; }

    /// <summary>Maps the routes.</summary>
    public void Map(WebApplication app)
    {
        app.Map(Prefix + "/{FunctionName}", HandleAsync);
        app.Map(Prefix + "/{FunctionName}/{**rest}", HandleAsync);
    }

    /// <summary>Takes one token when available (refilled continuously at <see cref="Rate"/>, at most <see cref="Capacity"/>).</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(Capacity, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * Rate));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var requestId = RequestContext.Of(ctx).RequestId;
        ctx.Response.Headers["x-amz-apigw-id"] = requestId[..Math.Min(16, requestId.Length)];
        ctx.Response.Headers["x-amzn-RequestId"] = requestId;
        if (!TryTake())
        {
            await WriteAsync(ctx, StatusCodes.Status429TooManyRequests, "Too Many Requests", "TooManyRequestsException");
            return;
        }

        var function = (string)ctx.Request.RouteValues["FunctionName"]!;
        var payload = ProxyEvent(ctx, function, RequestContext.Of(ctx).Body);
        var response = _model.InvokeSync(function, null, payload, requestId);
        if (!response.IsAdmitted)
        {
            // Lambda said no (a throttle, a missing function): API Gateway shows its caller a 500.
            ctx.Response.Headers["x-amzn-Lambda-Error"] = response.Error!.ExceptionName;
            await WriteAsync(ctx, StatusCodes.Status500InternalServerError, "Internal server error", "InternalServerErrorException");
            return;
        }

        ExecutionResult result;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping);
            result = await response.Completion!.WaitAsync(IntegrationTimeout, _time, stop.Token);
        }
        catch (TimeoutException)
        {
            await WriteAsync(ctx, StatusCodes.Status504GatewayTimeout, "Endpoint request timed out", "IntegrationTimeout");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (result.FunctionError is not null || !TryReadProxyResponse(result.ResponsePayload, out var status, out var body, out var headers))
        {
            await WriteAsync(ctx, StatusCodes.Status502BadGateway, "Internal server error", "InternalServerErrorException");
            return;
        }

        ctx.Response.StatusCode = status;
        foreach (var (k, v) in headers)
        {
            ctx.Response.Headers[k] = v;
        }

        await ctx.Response.WriteAsync(body, ctx.RequestAborted);
    }

    private static Task WriteAsync(HttpContext ctx, int status, string message, string errorType)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers["x-amzn-ErrorType"] = errorType;
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(new { message }), ctx.RequestAborted);
    }

    /// <summary>A REST API proxy-integration event (the fields functions read most).</summary>
    private static byte[] ProxyEvent(HttpContext ctx, string function, ReadOnlyMemory<byte> body)
    {
        var rest = ctx.Request.RouteValues.TryGetValue("rest", out var r) && r is string s ? "/" + s : "/";
        var evt = new Dictionary<string, object?>
        {
            ["resource"] = "/{proxy+}",
            ["path"] = rest,
            ["httpMethod"] = ctx.Request.Method,
            ["headers"] = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
            ["queryStringParameters"] = ctx.Request.Query.Count == 0 ? null : ctx.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            ["body"] = body.Length == 0 ? null : Encoding.UTF8.GetString(body.Span),
            ["isBase64Encoded"] = false,
            ["requestContext"] = new Dictionary<string, object?> { ["requestId"] = RequestContext.Of(ctx).RequestId, ["stage"] = "emulator", ["resourcePath"] = "/{proxy+}", ["apiId"] = function },
        };
        return JsonSerializer.SerializeToUtf8Bytes(evt);
    }

    /// <summary>Reads <c>{"statusCode": n, "headers": {…}, "body": "…"}</c>; false for anything else (API Gateway's 502).</summary>
    internal static bool TryReadProxyResponse(ReadOnlyMemory<byte> payload, out int status, out string body, out List<(string, string)> headers)
    {
        status = 0;
        body = "";
        headers = [];
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out var sc) || !sc.TryGetInt32(out status) || status is < 100 or > 599)
            {
                return false;
            }

            if (root.TryGetProperty("body", out var b))
            {
                if (b.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return false;
                }

                body = b.GetString() ?? "";
            }

            if (root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in h.EnumerateObject())
                {
                    headers.Add((p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
