using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// The real thing: a live <c>lambdastorm run</c> against the embedded emulator serves /metrics on a free port, the
/// Debian Prometheus server (installed by test.sh) scrapes it every second on another free port, and every PromQL
/// expression of every dashboard must parse and, unless its panel is marked cluster-only, chaos-only or queue-only,
/// return data. A system Prometheus on 9090 is never used.
/// </summary>
[Collection(LiveRuns.Name)]
public sealed partial class PrometheusScrapeTests : IDisposable
{
    private const string Scenario = "scraped";

    // About 28 s against a function with reserved concurrency 4: the spike throttles, poison pills fail sync calls
    // and make async events retry and drop (retry delays shortened to 1 s and 2 s), and cold starts happen.
    private const string Yaml = """
        name: scraped
        description: Prometheus scrape test; throttles, function errors, async retries and cold starts in under 30 seconds.
        target:
          type: emulator
          account:
            asyncRetryDelays: [1s, 2s]
          functions:
            hello:
              duration: 40ms
              durationP99: 120ms
              memory: 512
              poisonMarker: POISON
              reservedConcurrency: 4
        paths: { sync: 3, async: 1 }
        seed: 7
        maxInFlight: 1000
        load:
          - ramping-inject: { rate: 60, during: 5s }
          - inject: { rate: 60, during: 8s }
          - spike: { rate: 200, during: 5s, recover: 5s }
          - keep-constant: { copies: 5, during: 5s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 20, marker: POISON }
        """;

    // About 12 s of async and queue sends: SQS batches without ReportBatchItemFailures, so a poison pill fails its whole
    // batch, and the pills are dead-lettered after 2 receives (visibility 2 s); async pills retry once and go to an
    // on-failure destination queue. The drain time appears a few seconds after the load; --metrics-linger keeps the
    // final values up for the scrape.
    private const string QueueScenario = "scraped-queue";

    private const string QueueYaml = """
        name: scraped-queue
        description: Prometheus scrape test of the ledger and queue series; poison pills in SQS batches and async retries.
        target:
          type: emulator
          account:
            asyncRetryDelays: [1s, 2s]
          functions:
            hello:
              duration: 40ms
              poisonMarker: POISON
              async: { maximumRetryAttempts: 1, onFailure: failed-events }
            worker: { duration: 40ms, poisonMarker: POISON }
          queues:
            orders: { visibilityTimeout: 2s, deadLetter: orders-dlq, maxReceiveCount: 2 }
            orders-dlq: {}
            failed-events: {}
          eventSourceMappings:
            - { queue: orders, function: worker, batchSize: 10, window: 1s, reportBatchItemFailures: false }
        function: hello
        queue: orders
        paths: { async: 1, queue: 2 }
        seed: 7
        maxInFlight: 500
        load:
          - inject: { rate: 40, during: 12s }
        payload:
          template: '{"id":"{{id}}","marker":"{{marker}}"}'
          poisonPills: { every: 20, marker: POISON }
        settle: 1m
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("lambdastorm-prom-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private CliProcess? _run;
    private PrometheusServer? _prometheus;

    public void Dispose()
    {
        _prometheus?.Dispose();
        _run?.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Prometheus may still be closing its TSDB files; the temp folder is left behind then.
        }
    }

    [Fact]
    public async Task Every_dashboard_query_parses_and_returns_data_from_a_real_prometheus_scraping_a_live_run()
    {
        var metricsPort = PrometheusServer.FreePort();
        var scenario = Path.Combine(_dir, "scraped.yaml");
        await File.WriteAllTextAsync(scenario, Yaml);
        _run = CliProcess.Start(_dir, "run", scenario, "--plain", "--results", Path.Combine(_dir, "results"), "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture));
        var metricsUrl = $"http://127.0.0.1:{metricsPort}/metrics";
        await AwaitAsync(async () => (await TryGetAsync(metricsUrl))?.Contains("lambdastorm_emulator_", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "the run's /metrics to serve the emulator's series");

        _prometheus = PrometheusServer.Start(_dir, ("lambdastorm-run", [metricsPort]));

        // Enough scrapes to cover the ramp, the steady stretch and the spike (it starts 13 s in).
        await AwaitAsync(async () => await _prometheus.ScalarAsync("sum_over_time(up{job=\"lambdastorm-run\"}[5m])", null) >= 20,
            TimeSpan.FromSeconds(60), "20 successful scrapes of the run");
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var queries = DashboardQueries.All().ToList();
        Assert.True(queries.Count >= 30, $"only {queries.Count} dashboard queries found");
        var failures = new List<string>();
        var skipped = new List<string>();
        foreach (var q in queries)
        {
            var (ok, error, series) = await _prometheus.QueryAsync(q.Substituted(Scenario), at);
            if (!ok)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': does not parse or run: {error}\n    {q.Expr}");
            }
            else if (q.Requires is not null)
            {
                skipped.Add($"{q.Dashboard} '{q.Where}' ({q.Requires}-only)");
            }
            else if (series == 0)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': no series\n    {q.Expr}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {queries.Count} dashboard queries failed:\n{string.Join('\n', failures)}\n(skipped for data that comes later: {string.Join("; ", skipped)})\nprometheus log:\n{_prometheus.Logged()}");
    }

    [Fact]
    public async Task Every_queue_panel_query_returns_data_from_a_live_queue_run_through_its_drain()
    {
        var metricsPort = PrometheusServer.FreePort();
        var scenario = Path.Combine(_dir, "scraped-queue.yaml");
        await File.WriteAllTextAsync(scenario, QueueYaml);
        _run = CliProcess.Start(_dir, "run", scenario, "--plain", "--results", Path.Combine(_dir, "results"), "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture),
            "--metrics-linger", "5s");
        await AwaitAsync(async () => (await TryGetAsync($"http://127.0.0.1:{metricsPort}/metrics"))?.Contains("lambdastorm_ledger_ids{", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "the run's ledger series on /metrics");
        _prometheus = PrometheusServer.Start(_dir, ("lambdastorm-run", [metricsPort]));

        // The drain time exists once the source queue has emptied after the load; evaluate every query at that moment.
        var drained = $"lambdastorm_queue_drain_seconds{{scenario=\"{QueueScenario}\"}}";
        await AwaitAsync(async () => await _prometheus.ScalarAsync($"count({drained})") > 0, TimeSpan.FromSeconds(90), "the drain time to be scraped");
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var dlq = await _prometheus.ScalarAsync($"sum(lambdastorm_ledger_dlq_arrivals_total{{scenario=\"{QueueScenario}\"}})", at);
        var pills = await _prometheus.ScalarAsync($"sum(lambdastorm_ledger_poison_pills_total{{scenario=\"{QueueScenario}\"}})", at);
        Assert.True(pills > 10, $"{pills} poison pills");
        Assert.True(dlq >= pills, $"every poison pill ends in the DLQ: {dlq} DLQ arrivals, {pills} pills");

        var queries = DashboardQueries.All().Where(q => q.Requires == "queue").ToList();
        Assert.True(queries.Count >= 15, $"only {queries.Count} queue panel queries found");
        var failures = new List<string>();
        foreach (var q in queries)
        {
            var (ok, error, series) = await _prometheus.QueryAsync(q.Substituted(QueueScenario), at);
            if (!ok)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': does not parse or run: {error}\n    {q.Expr}");
            }
            else if (series == 0)
            {
                failures.Add($"{q.Dashboard} '{q.Where}': no series\n    {q.Expr}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} queue panel queries failed:\n{string.Join('\n', failures)}\nrun stdout:\n{_run.StdOut}\nprometheus log:\n{_prometheus.Logged()}");
        await _run.WaitAsync(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task The_run_endpoint_serves_run_and_emulator_series_that_follow_the_contract()
    {
        var metricsPort = PrometheusServer.FreePort();
        var scenario = Path.Combine(_dir, "scraped.yaml");
        await File.WriteAllTextAsync(scenario, Yaml);
        _run = CliProcess.Start(_dir, "run", scenario, "--plain", "--results", Path.Combine(_dir, "results"), "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture));
        string? text = null;
        await AwaitAsync(async () => (text = await TryGetAsync($"http://127.0.0.1:{metricsPort}/metrics"))?.Contains("lambdastorm_invocations_total{", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "the run's first invocations on /metrics");

        var fixedSet = new HashSet<string>(["scenario", "path", "function", "outcome", "reason", "agent", "phase", "queue", "state", "class", "role", "attempt", "le"], StringComparer.Ordinal);
        var help = HelpLine().Matches(text!).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        var types = TypeLine().Matches(text!).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        Assert.Contains("lambdastorm_invocations_total", types.Keys);
        Assert.Contains("lambdastorm_emulator_invocations_total", types.Keys);
        foreach (var (name, type) in types)
        {
            Assert.StartsWith("lambdastorm_", name, StringComparison.Ordinal);
            Assert.True(help.TryGetValue(name, out var h) && h.Length >= 20, $"{name} has no useful help string");
            Assert.True(type != "counter" || name.EndsWith("_total", StringComparison.Ordinal), $"counter {name} must end in _total");
            Assert.True(type != "histogram" || name.EndsWith("_seconds", StringComparison.Ordinal), $"histogram {name} must end in _seconds");
        }

        foreach (Match sample in SampleLabels().Matches(text!))
        {
            var name = sample.Groups[1].Value;
            foreach (Match label in LabelName().Matches(sample.Groups[2].Value))
            {
                var l = label.Groups[1].Value;
                Assert.True(fixedSet.Contains(l) || (name.EndsWith("_info", StringComparison.Ordinal) && l is "run_id" or "target"), $"{name} carries label {l} outside the fixed set");
            }
        }

        // Stopping the run stops the endpoint with it.
        _run.Signal("INT");
        await _run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task<string?> TryGetAsync(string url)
    {
        try
        {
            return await _http.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task AwaitAsync(Func<Task<bool>> condition, TimeSpan max, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > max)
            {
                throw new TimeoutException($"waited {max} for {what}\nrun stdout:\n{_run?.StdOut}\nrun stderr:\n{_run?.StdErr}\nprometheus:\n{_prometheus?.Logged()}");
            }

            if (_prometheus is { HasExited: true })
            {
                throw new InvalidOperationException($"prometheus exited:\n{_prometheus.Logged()}");
            }

            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"^# HELP (\S+) (.*)$", RegexOptions.Multiline)]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} ", RegexOptions.Multiline)]
    private static partial Regex SampleLabels();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelName();
}
