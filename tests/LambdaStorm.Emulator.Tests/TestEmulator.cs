using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LambdaStorm.Lambda;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// A real emulator on a free loopback port with an HttpClient pointed at it. Dispose it in every test
/// (<c>await using</c>). Functions built with <see cref="Instant"/> take no time, so tests never wait on the clock;
/// tests that need time to pass use a FakeTimeProvider and <see cref="WaitForAdmittedAsync"/>.
/// </summary>
internal sealed class TestEmulator : IAsyncDisposable
{
    private readonly AdmissionObserver _admissions = new();

    private TestEmulator(EmulatorHost host)
    {
        Host = host;
        Client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        host.Model.AddObserver(_admissions);
    }

    public EmulatorHost Host { get; }

    public HttpClient Client { get; }

    public LambdaModel Model => Host.Model;

    public static async Task<TestEmulator> StartAsync(
        Action<LambdaModelOptions>? configure = null, TimeProvider? time = null, EmulatorCredentials? credentials = null, bool apiGateway = false)
    {
        var model = new LambdaModelOptions { Seed = 11 };
        configure?.Invoke(model);
        var host = await EmulatorHost.StartAsync(
            new EmulatorOptions { Model = model, TimeProvider = time ?? TimeProvider.System, RequiredCredentials = credentials, ApiGateway = apiGateway },
            TestContext.Current.CancellationToken);
        return new TestEmulator(host);
    }

    /// <summary>A function that answers at once, cold or warm (no init time, no duration).</summary>
    public static FunctionOptions Instant(string name, Action<FunctionOptions>? configure = null)
    {
        var f = new FunctionOptions { Name = name, DurationMs = 0, InitDurationMs = 0 };
        configure?.Invoke(f);
        return f;
    }

    /// <summary>POST .../invocations with the given invocation type, payload and extra headers.</summary>
    public Task<HttpResponseMessage> InvokeAsync(
        string function, string? payload = "{}", string? invocationType = null, string? qualifier = null, bool tail = false)
    {
        var path = $"2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations" + (qualifier is null ? "" : "?Qualifier=" + Uri.EscapeDataString(qualifier));
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (payload is not null)
        {
            request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
        }

        if (invocationType is not null)
        {
            request.Headers.Add("X-Amz-Invocation-Type", invocationType);
        }

        if (tail)
        {
            request.Headers.Add("X-Amz-Log-Type", "Tail");
        }

        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Completes when <paramref name="count"/> invocations have been admitted in total (sync or async attempts).</summary>
    public Task WaitForAdmittedAsync(int count) => _admissions.WaitForAsync(count).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

    /// <summary>Completes when <paramref name="count"/> async events have reached a final state in total.</summary>
    public Task WaitForAsyncFinishedAsync(int count) => _admissions.WaitForFinishedAsync(count).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    private sealed class AdmissionObserver : ILambdaModelObserver
    {
        private readonly Lock _gate = new();
        private readonly List<(bool Finished, int Count, TaskCompletionSource Done)> _waiters = [];
        private int _admitted;
        private int _finished;

        public Task WaitForAsync(int count) => Wait(finished: false, count);

        public Task WaitForFinishedAsync(int count) => Wait(finished: true, count);

        public void OnInvocationAdmitted(in InvocationAdmitted e) => Count(finished: false);

        public void OnAsyncEventFinished(in AsyncEventFinished e) => Count(finished: true);

        private Task Wait(bool finished, int count)
        {
            lock (_gate)
            {
                if ((finished ? _finished : _admitted) >= count)
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((finished, count, tcs));
                return tcs.Task;
            }
        }

        private void Count(bool finished)
        {
            lock (_gate)
            {
                if (finished)
                {
                    _finished++;
                }
                else
                {
                    _admitted++;
                }

                foreach (var w in _waiters.Where(w => w.Count <= (w.Finished ? _finished : _admitted)).ToList())
                {
                    w.Done.TrySetResult();
                    _waiters.Remove(w);
                }
            }
        }
    }
}

/// <summary>Reading AWS responses in tests.</summary>
internal static class ResponseExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : null;

    public static async Task<string> BodyAsync(this HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

    /// <summary>Asserts an AWS service error: status, <c>x-amzn-ErrorType</c>, and the body (returned).</summary>
    public static async Task<JsonElement> ShouldBeAwsErrorAsync(this HttpResponseMessage response, int status, string exception)
    {
        var body = await response.BodyAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {exception}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(exception, response.Header("x-amzn-ErrorType"));
        Assert.False(string.IsNullOrEmpty(response.Header("x-amzn-RequestId")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    public static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
