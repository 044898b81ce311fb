using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace LambdaStorm.Cli.Telemetry;

/// <summary>
/// Serves <c>GET /metrics</c> for <c>run</c> (DESIGN.md §3: <c>--metrics-port</c>, default 9464, loopback unless told
/// otherwise). One scrape returns the run's registry followed by every registry added later (the embedded emulator's
/// <c>lambdastorm_emulator_*</c> series), so one Prometheus target gives Grafana everything. The registries' metric
/// names never overlap, so their text expositions concatenate into one valid exposition.
/// </summary>
internal sealed class RunMetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<CollectorRegistry> _registries;

    private RunMetricsServer(WebApplication app, CollectorRegistry registry)
    {
        _app = app;
        _registries = [registry];
    }

    /// <summary>The address <c>/metrics</c> is served at.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts listening.</summary>
    /// <exception cref="IOException">When the address cannot be bound (e.g. the port is in use).</exception>
    public static async Task<RunMetricsServer> StartAsync(string host, int port, CollectorRegistry registry, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(host), port);
            k.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RunMetricsServer(app, registry);
        app.Run(server.ServeAsync);
        await app.StartAsync(cancellationToken);
        server.Address = new Uri(app.Urls.First().TrimEnd('/') + "/metrics");
        return server;
    }

    /// <summary>Adds a registry to every later scrape.</summary>
    public void Add(CollectorRegistry registry)
    {
        lock (_gate)
        {
            _registries.Add(registry);
        }
    }

    /// <summary>Removes a registry (its source is going away).</summary>
    public void Remove(CollectorRegistry registry)
    {
        lock (_gate)
        {
            _registries.Remove(registry);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext ctx)
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) || !ctx.Request.Path.Equals("/metrics", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        CollectorRegistry[] registries;
        lock (_gate)
        {
            registries = [.. _registries];
        }

        using var buffer = new MemoryStream();
        foreach (var registry in registries)
        {
            await registry.CollectAndExportAsTextAsync(buffer, ExpositionFormat.PrometheusText, ctx.RequestAborted);
        }

        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        ctx.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }
}
