using System.Net;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace LambdaStorm.Emulator;

/// <summary>
/// The emulator: the <see cref="LambdaModel"/> in real time (driven by its <see cref="ModelPump"/>) behind AWS's Lambda
/// REST-JSON API, SQS's AWS JSON 1.0 API (<see cref="SqsRoutes"/>) and a Prometheus <c>/metrics</c> endpoint, on one Kestrel port (loopback unless told otherwise).
/// <c>lambdastorm emulator</c> runs one; <c>lambdastorm run</c> embeds one on a free port. Part of internal API.
/// </summary>
/// <example>
/// <code>
/// await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Model = modelOptions }, ct);
/// var client = new HttpClient { BaseAddress = host.BaseAddress };
/// </code>
/// </example>
internal sealed class EmulatorHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);
    private readonly WebApplication _app;
    private readonly ModelPump _pump;
    private readonly Task _pumpTask;
    private readonly CancellationTokenSource _stopPump;
    private readonly EmulatorMetrics _metrics;
    private int _disposed;

    private EmulatorHost(WebApplication app, LambdaModel model, ModelPump pump, Task pumpTask, CancellationTokenSource stopPump, EmulatorMetrics metrics, Uri baseAddress, bool requiresAuth)
    {
        _app = app;
        Model = model;
        _pump = pump;
        _pumpTask = pumpTask;
        _stopPump = stopPump;
        _metrics = metrics;
        BaseAddress = baseAddress;
        RequiresAuthentication = requiresAuth;
    }

    /// <summary>Where the emulator listens, e.g. <c>http://127.0.0.1:54321/</c> (the port actually bound when 0 was asked for).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The model behind the API (for chaos, tests and statistics; thread-safe).</summary>
    public LambdaModel Model { get; }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry MetricsRegistry => _metrics.Registry;

    /// <summary>True when every request except <c>/metrics</c> must be SigV4-signed with the configured credentials.</summary>
    public bool RequiresAuthentication { get; }

    /// <summary>Builds the model, starts its pump and starts listening.</summary>
    /// <exception cref="ArgumentException">When <paramref name="options"/> are invalid (every problem listed).</exception>
    /// <exception cref="LambdaOptionsException">When the model options are invalid.</exception>
    /// <exception cref="IOException">When the address cannot be bound (e.g. the port is in use).</exception>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid emulator options: " + string.Join("; ", problems), nameof(options));
        }

        var time = options.TimeProvider;
        var model = LambdaModel.Create(options.Model, time, options.DestinationSink);
        var metrics = new EmulatorMetrics(model);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(ListenAddress(options.Host), options.Port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // the emulator enforces its own limits with AWS's errors
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var verifier = options.RequiredCredentials is { } credentials ? new SigV4Verifier(credentials, time) : null;
        var sqsVerifier = options.RequiredCredentials is { } sqsCredentials ? new SigV4Verifier(sqsCredentials, time, ["sqs"]) : null;
        var routes = new LambdaRoutes(model, app.Lifetime.ApplicationStopping);
        foreach (var f in options.Model.Functions)
        {
            routes.Remember(f.Name, FunctionMetadata.ForConfigured(model.Account.AccountId, f.Name));
        }

        app.Use(RequestIdAndErrors);
        app.Use((ctx, next) => BodyAndAuth(ctx, next, options.MaxRequestBodyBytes, verifier, sqsVerifier, options.ApiGateway));
        app.MapMetrics("/metrics", metrics.Registry);
        routes.Map(app);
        if (options.ApiGateway)
        {
            new ApiGatewayFront(model, time, app.Lifetime.ApplicationStopping).Map(app);
        }

        // SQS (AWS JSON 1.0) shares the port: POST / with X-Amz-Target: AmazonSQS.<Action>.
        var sqs = new SqsRoutes(model, time, app.Lifetime.ApplicationStopping);
        app.MapPost("/", ctx => SqsRoutes.IsSqsRequest(ctx.Request)
            ? sqs.HandleAsync(ctx)
            : AwsError.UnknownOperation(ctx.Request.Method, "/").WriteAsync(ctx));
        app.MapFallback("{*path}", ctx => AwsError.UnknownOperation(ctx.Request.Method, ctx.Request.Path.Value ?? "/").WriteAsync(ctx));

        var stopPump = new CancellationTokenSource();
        var pump = new ModelPump(model);
        var pumpTask = Task.Run(() => pump.RunAsync(stopPump.Token), CancellationToken.None);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await stopPump.CancelAsync();
            await pumpTask;
            pump.Dispose();
            stopPump.Dispose();
            metrics.Detach();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHost(app, model, pump, pumpTask, stopPump, metrics, new Uri(address.TrimEnd('/') + "/"), verifier is not null);
    }

    /// <summary>Stops listening (in-flight sync invocations end with a ServiceException), then stops the pump.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Connections that would not close in time are dropped.
            }
        }

        await _stopPump.CancelAsync();
        await _pumpTask;
        _pump.Dispose();
        _stopPump.Dispose();
        _metrics.Detach();
        await _app.DisposeAsync();
    }

    private static IPAddress ListenAddress(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(host);

    /// <summary>Gives every request an AWS request id (header on every response) and turns failures into 500 ServiceException.</summary>
    private static async Task RequestIdAndErrors(HttpContext ctx, RequestDelegate next)
    {
        var request = new RequestContext(Guid.NewGuid().ToString());
        ctx.Features.Set(request);
        ctx.Response.Headers[RequestContext.RequestIdHeader] = request.RequestId;
        try
        {
            await next(ctx);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !ctx.Response.HasStarted)
        {
            ctx.Response.Clear();
            ctx.Response.Headers[RequestContext.RequestIdHeader] = request.RequestId;
            await AwsError.Service($"Internal error in the LambdaStorm emulator: {ex.GetType().Name}: {ex.Message}").WriteAsync(ctx);
        }
    }

    /// <summary>
    /// Reads the body once (within the limit), then checks the SigV4 signature when credentials are required: SQS
    /// requests must be signed for service <c>sqs</c> (errors in SQS's JSON shape), everything else for <c>lambda</c>.
    /// </summary>
    private static async Task BodyAndAuth(HttpContext ctx, RequestDelegate next, int maxBodyBytes, SigV4Verifier? verifier, SigV4Verifier? sqsVerifier, bool apiGateway = false)
    {
        if (ctx.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal))
        {
            await next(ctx); // Prometheus scrapes unsigned
            return;
        }

        var body = await ReadBodyAsync(ctx.Request, maxBodyBytes, ctx.RequestAborted);
        if (body is not { } bytes)
        {
            await AwsError.RequestTooLarge(maxBodyBytes, "LambdaStorm emulator").WriteAsync(ctx);
            return;
        }

        RequestContext.Of(ctx).Body = bytes;
        if (apiGateway && ctx.Request.Path.StartsWithSegments(ApiGatewayFront.Prefix, StringComparison.Ordinal))
        {
            await next(ctx); // API Gateway's callers do not sign
            return;
        }

        if (SqsRoutes.IsSqsRequest(ctx.Request))
        {
            if (sqsVerifier?.Verify(ctx.Request, bytes.Span) is { } sqsAuthError)
            {
                await SqsProtocol.WriteAuthErrorAsync(ctx, sqsAuthError);
                return;
            }
        }
        else if (verifier?.Verify(ctx.Request, bytes.Span) is { } authError)
        {
            await authError.WriteAsync(ctx);
            return;
        }

        await next(ctx);
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            if (length > max)
            {
                return null;
            }

            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
