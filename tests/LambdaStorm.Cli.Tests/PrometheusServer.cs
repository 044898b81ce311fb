using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// Debian's Prometheus server (installed by test.sh) on a free loopback port, scraping the given targets every second,
/// with its data in a folder of the caller's; queried through its HTTP API. A system Prometheus on 9090 is never used.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Process process, int port)
    {
        _process = process;
        Api = $"http://127.0.0.1:{port}/api/v1/query";
    }

    /// <summary>The instant-query endpoint.</summary>
    public string Api { get; }

    /// <summary>True once the server has exited (it should not).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts Prometheus with one scrape job per (job, targets).</summary>
    public static PrometheusServer Start(string dir, params (string Job, int[] Ports)[] jobs)
    {
        var port = FreePort();
        var config = Path.Combine(dir, "prometheus.yml");
        var yaml = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        foreach (var (job, ports) in jobs)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - job_name: {job}\n    static_configs:\n      - targets: [{string.Join(", ", ports.Select(p => $"\"127.0.0.1:{p}\""))}]\n");
        }

        File.WriteAllText(config, yaml.ToString());
        var psi = new ProcessStartInfo("prometheus",
        [
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(dir, "tsdb"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        var process = new Process { StartInfo = psi };
        var server = new PrometheusServer(process, port);
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("the prometheus server is not installed (test.sh installs Debian's prometheus package)", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>What Prometheus logged.</summary>
    public string Logged()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Runs an instant query: whether it parsed and ran, its error, and how many series it returned.</summary>
    public async Task<(bool Ok, string Error, int Series)> QueryAsync(string expr, double? at)
    {
        var url = Api + "?query=" + Uri.EscapeDataString(expr) + (at is { } t ? "&time=" + t.ToString("F3", CultureInfo.InvariantCulture) : "");
        using var response = await _http.GetAsync(url);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (json["status"]?.GetValue<string>() != "success")
        {
            return (false, $"{json["errorType"]}: {json["error"]}", 0);
        }

        var data = json["data"]!;
        return data["resultType"]!.GetValue<string>() switch
        {
            "vector" or "matrix" => (true, "", data["result"]!.AsArray().Count),
            _ => (true, "", 1),
        };
    }

    /// <summary>The first value of an instant query, or 0 (also while Prometheus is not listening yet).</summary>
    public async Task<double> ScalarAsync(string expr, double? at = null)
    {
        try
        {
            var url = Api + "?query=" + Uri.EscapeDataString(expr) + (at is { } t ? "&time=" + t.ToString("F3", CultureInfo.InvariantCulture) : "");
            var json = JsonNode.Parse(await _http.GetStringAsync(url))!;
            var result = json["data"]?["result"]?.AsArray();
            return result is { Count: > 0 } ? double.Parse(result[0]!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture) : 0;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>A free loopback TCP port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _http.Dispose();
    }
}
