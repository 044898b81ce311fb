using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LambdaStorm.Aws;
using LambdaStorm.Lambda;
using LambdaStorm.Targets;

namespace LambdaStorm.Chaos;

/// <summary>A control-plane call that failed; chaos journals it and, for an action, does not count it as applied.</summary>
/// <param name="message">What failed, with the service's error type.</param>
/// <param name="errorType">The service's error type (e.g. <c>ResourceConflictException</c>), or null.</param>
internal sealed class ChaosControlPlaneException(string message, string? errorType = null) : Exception(message)
{
    /// <summary>The service's error type, or null (unreachable, or not an API error).</summary>
    public string? ErrorType { get; } = errorType;
}

/// <summary>
/// The calls chaos makes on functions and queues. One implementation speaks Lambda's REST-JSON API (SigV4, AWSSDK.Core)
/// and SQS's JSON protocol (AWSSDK.SQS), for the emulator and for AWS alike; the other calls the in-process Lambda model
/// for <c>simulate</c>. Part of internal API.
/// </summary>
internal interface IChaosControlPlane : IAsyncDisposable
{
    /// <summary>What it talks to, for the journal.</summary>
    string Describe { get; }

    /// <summary>GetFunctionConcurrency: the reserved concurrency, or null when none is set.</summary>
    Task<int?> GetReservedConcurrencyAsync(string function, CancellationToken ct);

    /// <summary>PutFunctionConcurrency, or DeleteFunctionConcurrency for null.</summary>
    Task SetReservedConcurrencyAsync(string function, int? value, CancellationToken ct);

    /// <summary>GetProvisionedConcurrencyConfig: the requested provisioned concurrency, or null when none is configured.</summary>
    Task<int?> GetProvisionedConcurrencyAsync(string function, string qualifier, CancellationToken ct);

    /// <summary>PutProvisionedConcurrencyConfig, or DeleteProvisionedConcurrencyConfig for null.</summary>
    Task SetProvisionedConcurrencyAsync(string function, string qualifier, int? value, CancellationToken ct);

    /// <summary>The function's environment variables (GetFunctionConfiguration).</summary>
    Task<IReadOnlyDictionary<string, string>> GetEnvironmentAsync(string function, CancellationToken ct);

    /// <summary>UpdateFunctionConfiguration with a whole new environment, as AWS replaces it.</summary>
    Task SetEnvironmentAsync(string function, IReadOnlyDictionary<string, string> environment, CancellationToken ct);

    /// <summary>The queue's VisibilityTimeout, seconds.</summary>
    Task<int> GetVisibilityTimeoutAsync(string queue, CancellationToken ct);

    /// <summary>SetQueueAttributes VisibilityTimeout.</summary>
    Task SetVisibilityTimeoutAsync(string queue, int seconds, CancellationToken ct);

    /// <summary>PurgeQueue.</summary>
    Task PurgeQueueAsync(string queue, CancellationToken ct);
}

/// <summary>Chaos on the in-process Lambda model (<c>simulate</c>, and runs without an HTTP emulator). Part of internal API.</summary>
/// <param name="model">The model.</param>
internal sealed class ModelControlPlane(LambdaModel model) : IChaosControlPlane
{
    /// <inheritdoc />
    public string Describe => "the in-process Lambda model";

    /// <inheritdoc />
    public Task<int?> GetReservedConcurrencyAsync(string function, CancellationToken ct) => Task.FromResult(Check(model.GetFunctionConcurrency(function)));

    /// <inheritdoc />
    public Task SetReservedConcurrencyAsync(string function, int? value, CancellationToken ct)
    {
        if (value is { } v)
        {
            Check(model.PutFunctionConcurrency(function, v));
        }
        else
        {
            Check(model.DeleteFunctionConcurrency(function));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int?> GetProvisionedConcurrencyAsync(string function, string qualifier, CancellationToken ct)
    {
        var r = model.GetProvisionedConcurrencyConfig(function, qualifier);
        return Task.FromResult<int?>(r.IsSuccess ? r.Value!.RequestedProvisionedConcurrentExecutions
            : r.Error!.StatusCode == 404 && r.Error.ExceptionName == "ProvisionedConcurrencyConfigNotFoundException" ? null : Check(r)?.RequestedProvisionedConcurrentExecutions);
    }

    /// <inheritdoc />
    public Task SetProvisionedConcurrencyAsync(string function, string qualifier, int? value, CancellationToken ct)
    {
        if (value is { } v)
        {
            Check(model.PutProvisionedConcurrencyConfig(function, qualifier, v));
        }
        else
        {
            Check(model.DeleteProvisionedConcurrencyConfig(function, qualifier));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetEnvironmentAsync(string function, CancellationToken ct)
        => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(Check(model.GetFunction(function))!.Settings.Environment, StringComparer.Ordinal));

    /// <inheritdoc />
    public Task SetEnvironmentAsync(string function, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var before = Check(model.GetFunction(function))!.Settings.Environment;
        var faultsOnly = FunctionFaults.OnlyFaultsDiffer(before, environment);
        Check(model.UpdateFunctionConfiguration(function, o =>
        {
            if (faultsOnly)
            {
                // Only fault variables changed: keep the behaviour the function was configured with.
                o.Environment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
            }
            else
            {
                o.ApplyEnvironment(new Dictionary<string, string>(environment, StringComparer.Ordinal));
            }
        }, retireEnvironments: !faultsOnly));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> GetVisibilityTimeoutAsync(string queue, CancellationToken ct)
    {
        var r = model.GetQueueAttributes(queue, ["VisibilityTimeout"]);
        return r.IsSuccess ? Task.FromResult(int.Parse(r.Value!["VisibilityTimeout"], CultureInfo.InvariantCulture)) : throw Fail(r.Error!);
    }

    /// <inheritdoc />
    public Task SetVisibilityTimeoutAsync(string queue, int seconds, CancellationToken ct)
    {
        var r = model.SetQueueAttributes(queue, new Dictionary<string, string> { ["VisibilityTimeout"] = seconds.ToString(CultureInfo.InvariantCulture) });
        return r.IsSuccess ? Task.CompletedTask : throw Fail(r.Error!);
    }

    /// <inheritdoc />
    public Task PurgeQueueAsync(string queue, CancellationToken ct)
    {
        var r = model.PurgeQueue(queue);
        return r.IsSuccess ? Task.CompletedTask : throw Fail(r.Error!);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static T? Check<T>(LambdaResult<T> r) => r.IsSuccess ? r.Value : throw new ChaosControlPlaneException(r.Error!.ToString());

    private static ChaosControlPlaneException Fail(QueueError e) => new($"{e.Type}: {e.Message}");
}

/// <summary>
/// Chaos through Lambda's REST-JSON control plane (signed with SigV4 by AWSSDK.Core) and SQS's JSON protocol
/// (AWSSDK.SQS): the same calls against the emulator and against AWS. Part of internal API.
/// </summary>
internal sealed class HttpControlPlane : IChaosControlPlane
{
    private readonly HttpMessageInvoker _lambda;
    private readonly AmazonSQSClient _sqs;
    private readonly Uri _endpoint;
    private readonly TimeProvider _time;

    /// <summary>
    /// How long an environment update waits for the function's configuration update to finish. On AWS,
    /// <c>UpdateFunctionConfiguration</c> is asynchronous: <c>LastUpdateStatus</c> stays <c>InProgress</c> for a few
    /// seconds, and another update meanwhile fails with <c>ResourceConflictException</c> ("An update is in progress").
    /// </summary>
    internal static readonly TimeSpan UpdateWait = TimeSpan.FromSeconds(60);

    /// <summary>How often the update's status is polled (GetFunctionConfiguration).</summary>
    internal static readonly TimeSpan UpdatePoll = TimeSpan.FromSeconds(1);

    /// <param name="lambdaEndpoint">Lambda's endpoint (the emulator's base address, or https://lambda.REGION.amazonaws.com/).</param>
    /// <param name="sqsEndpoint">SQS's endpoint, or null for AWS's regional one.</param>
    /// <param name="region">Signing region.</param>
    /// <param name="credentials">Credentials (the standard chain for AWS; static ones for the emulator).</param>
    /// <param name="time">The clock the update polls wait on (default: the system's).</param>
    public HttpControlPlane(Uri lambdaEndpoint, Uri? sqsEndpoint, string region, AWSCredentials credentials, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _endpoint = new Uri(lambdaEndpoint.ToString().TrimEnd('/') + "/");
        _lambda = AwsSession.CreateClient(credentials, region);
        _sqs = SqsClients.Create(sqsEndpoint, region, credentials);
    }

    /// <inheritdoc />
    public string Describe => $"the Lambda and SQS APIs at {_endpoint}";

    /// <inheritdoc />
    public async Task<int?> GetReservedConcurrencyAsync(string function, CancellationToken ct)
    {
        var (_, json) = await SendAsync(HttpMethod.Get, $"2019-09-30/functions/{Esc(function)}/concurrency", null, ct).ConfigureAwait(false);
        return json is { } j && j.TryGetProperty("ReservedConcurrentExecutions", out var r) && r.TryGetInt32(out var v) ? v : null;
    }

    /// <inheritdoc />
    public Task SetReservedConcurrencyAsync(string function, int? value, CancellationToken ct) => value is { } v
        ? SendAsync(HttpMethod.Put, $"2017-10-31/functions/{Esc(function)}/concurrency", $"{{\"ReservedConcurrentExecutions\":{v.ToString(CultureInfo.InvariantCulture)}}}", ct)
        : SendAsync(HttpMethod.Delete, $"2017-10-31/functions/{Esc(function)}/concurrency", null, ct);

    /// <inheritdoc />
    public async Task<int?> GetProvisionedConcurrencyAsync(string function, string qualifier, CancellationToken ct)
    {
        var (status, json) = await SendAsync(HttpMethod.Get, $"2019-09-30/functions/{Esc(function)}/provisioned-concurrency?Qualifier={Esc(qualifier)}", null, ct, allowNotFound: true).ConfigureAwait(false);
        return status == HttpStatusCode.NotFound ? null
            : json is { } j && j.TryGetProperty("RequestedProvisionedConcurrentExecutions", out var r) && r.TryGetInt32(out var v) ? v : null;
    }

    /// <inheritdoc />
    public Task SetProvisionedConcurrencyAsync(string function, string qualifier, int? value, CancellationToken ct) => value is { } v
        ? SendAsync(HttpMethod.Put, $"2019-09-30/functions/{Esc(function)}/provisioned-concurrency?Qualifier={Esc(qualifier)}", $"{{\"ProvisionedConcurrentExecutions\":{v.ToString(CultureInfo.InvariantCulture)}}}", ct)
        : SendAsync(HttpMethod.Delete, $"2019-09-30/functions/{Esc(function)}/provisioned-concurrency?Qualifier={Esc(qualifier)}", null, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetEnvironmentAsync(string function, CancellationToken ct)
    {
        var (_, json) = await SendAsync(HttpMethod.Get, $"2015-03-31/functions/{Esc(function)}/configuration", null, ct).ConfigureAwait(false);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json is { } j && j.TryGetProperty("Environment", out var e) && e.TryGetProperty("Variables", out var vars) && vars.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in vars.EnumerateObject())
            {
                env[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        return env;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Waits for an update in progress to finish first (and retries on <c>ResourceConflictException</c>), and returns
    /// once this update has finished (<c>LastUpdateStatus</c> no longer <c>InProgress</c>), so the fault is live and a
    /// revert right after it cannot collide with it. The emulator answers <c>Successful</c> at once.
    /// </remarks>
    public async Task SetEnvironmentAsync(string function, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["Environment"] = new Dictionary<string, object> { ["Variables"] = environment } });
        var started = _time.GetTimestamp();
        while (true)
        {
            await WaitForUpdateAsync(function, failed: false, ct).ConfigureAwait(false);
            try
            {
                await SendAsync(HttpMethod.Put, $"2015-03-31/functions/{Esc(function)}/configuration", body, ct).ConfigureAwait(false);
                break;
            }
            catch (ChaosControlPlaneException ex) when (ex.ErrorType == "ResourceConflictException" && _time.GetElapsedTime(started) < UpdateWait)
            {
                await Task.Delay(UpdatePoll, _time, ct).ConfigureAwait(false);
            }
        }

        await WaitForUpdateAsync(function, failed: true, ct).ConfigureAwait(false);
    }

    /// <summary>Polls GetFunctionConfiguration until <c>LastUpdateStatus</c> is not <c>InProgress</c> (at most <see cref="UpdateWait"/>).</summary>
    private async Task WaitForUpdateAsync(string function, bool failed, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var (_, json) = await SendAsync(HttpMethod.Get, $"2015-03-31/functions/{Esc(function)}/configuration", null, ct).ConfigureAwait(false);
            var status = json is { } j && j.TryGetProperty("LastUpdateStatus", out var s) ? s.GetString() : null;
            if (status == "Failed" && failed)
            {
                var reason = json is { } f && f.TryGetProperty("LastUpdateStatusReason", out var r) ? r.GetString() : null;
                throw new ChaosControlPlaneException($"UpdateFunctionConfiguration of {function} failed: {reason ?? "no reason given"}");
            }

            if (status != "InProgress")
            {
                return;
            }

            if (_time.GetElapsedTime(started) >= UpdateWait)
            {
                throw new ChaosControlPlaneException($"the configuration update of {function} was still in progress after {UpdateWait.TotalSeconds:0} s");
            }

            await Task.Delay(UpdatePoll, _time, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<int> GetVisibilityTimeoutAsync(string queue, CancellationToken ct)
    {
        var url = await UrlAsync(queue, ct).ConfigureAwait(false);
        var a = await Sqs(() => _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["VisibilityTimeout"] }, ct)).ConfigureAwait(false);
        return int.Parse(a.Attributes["VisibilityTimeout"], CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task SetVisibilityTimeoutAsync(string queue, int seconds, CancellationToken ct)
    {
        var url = await UrlAsync(queue, ct).ConfigureAwait(false);
        await Sqs(() => _sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
        {
            QueueUrl = url,
            Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = seconds.ToString(CultureInfo.InvariantCulture) },
        }, ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task PurgeQueueAsync(string queue, CancellationToken ct)
    {
        var url = await UrlAsync(queue, ct).ConfigureAwait(false);
        await Sqs(() => _sqs.PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = url }, ct)).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _lambda.Dispose();
        _sqs.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<string> UrlAsync(string queue, CancellationToken ct) => Sqs(() => SqsClients.UrlOfAsync(_sqs, queue, ct));

    private static async Task<T> Sqs<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw new ChaosControlPlaneException($"SQS {ex.ErrorCode}: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            throw new ChaosControlPlaneException($"SQS unreachable: {ex.Message}");
        }
    }

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private async Task<(HttpStatusCode Status, JsonElement? Json)> SendAsync(HttpMethod method, string path, string? body, CancellationToken ct, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(_endpoint, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _lambda.SendAsync(request, ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
            {
                return (response.StatusCode, text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone());
            }

            var (type, message) = AwsSession.ErrorOf(response, text);
            throw new ChaosControlPlaneException($"{method} /{path.Split('?')[0]}: {(int)response.StatusCode} {type}: {message}", type);
        }
        catch (HttpRequestException ex)
        {
            throw new ChaosControlPlaneException($"{method} /{path.Split('?')[0]}: {_endpoint} unreachable: {ex.Message}");
        }
    }
}
