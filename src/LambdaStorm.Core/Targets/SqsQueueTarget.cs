using System.Globalization;
using System.Net;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using LambdaStorm.Engine;

namespace LambdaStorm.Targets;

/// <summary>Builds AWSSDK.SQS clients for the queue path and the ledger's readers. Part of internal API.</summary>
internal static class SqsClients
{
    /// <summary>
    /// A client for <paramref name="endpoint"/> (the emulator) with static test credentials, or, with a null endpoint,
    /// for AWS with the standard credential chain. No SDK retries: a throttle or an error is an outcome to count.
    /// </summary>
    public static AmazonSQSClient Create(Uri? endpoint, string region, AWSCredentials? credentials = null)
    {
        var config = new AmazonSQSConfig
        {
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return credentials is null && endpoint is null
            ? new AmazonSQSClient(config)
            : new AmazonSQSClient(credentials ?? new BasicAWSCredentials("lambdastorm", "lambdastorm"), config);
    }

    /// <summary>The URL of a queue given by name or URL.</summary>
    public static async Task<string> UrlOfAsync(IAmazonSQS sqs, string queue, CancellationToken ct)
        => Uri.TryCreate(queue, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? queue
            : (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, ct).ConfigureAwait(false)).QueueUrl;

    /// <summary>Classifies an SQS failure as an outcome: throttles, client and server errors, transport failures.</summary>
    public static InvocationResult Classify(Exception ex) => ex switch
    {
        AmazonServiceException { StatusCode: HttpStatusCode.TooManyRequests } s => new InvocationResult(Outcome.Throttled, s.ErrorCode ?? "Throttling"),
        AmazonServiceException s when s.ErrorCode is { } code && code.Contains("Throttl", StringComparison.Ordinal) => new InvocationResult(Outcome.Throttled, code),
        AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError } s => new InvocationResult(Outcome.ServerError, s.ErrorCode ?? ((int)s.StatusCode).ToString(CultureInfo.InvariantCulture)),
        AmazonServiceException { StatusCode: > 0 } s => new InvocationResult(Outcome.ClientError, s.ErrorCode ?? ((int)s.StatusCode).ToString(CultureInfo.InvariantCulture)),
        HttpRequestException h => new InvocationResult(Outcome.TransportError, h.HttpRequestError.ToString()),
        AmazonServiceException { InnerException: HttpRequestException h } => new InvocationResult(Outcome.TransportError, h.HttpRequestError.ToString()),
        AmazonClientException { InnerException: HttpRequestException h } => new InvocationResult(Outcome.TransportError, h.HttpRequestError.ToString()),
        TimeoutException or TaskCanceledException => new InvocationResult(Outcome.Timeout, "ClientTimeout"),
        _ => new InvocationResult(Outcome.TransportError, ex.GetType().Name),
    };
}

/// <summary>
/// The <c>queue</c> path over SQS's real API through AWSSDK.SQS (the emulator, or AWS): every message carries the
/// <c>LambdaStormId</c> and <c>LambdaStormIntendedTime</c> attributes. Sends are coalesced into
/// <c>SendMessageBatch</c> only when it pays: up to <see cref="MaxCalls"/> calls run at once, each message goes out at
/// once while a call is free (no added latency at low rates), and messages that arrive while every call is busy wait
/// for the next free call, which sends up to 10 of them (at most 1 MiB) in one batch. Per-entry failures are outcomes.
/// </summary>
internal sealed class SqsQueueTarget : IInvocationTarget
{
    /// <summary>Most entries per <c>SendMessageBatch</c>.</summary>
    public const int MaxBatchEntries = 10;

    /// <summary>Most bytes per batch (bodies and attributes).</summary>
    public const int MaxBatchBytes = 1_048_576;

    private readonly IAmazonSQS _sqs;
    private readonly bool _ownsClient;
    private readonly string _queue;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _waiting = new();
    private Task<string>? _url;
    private int _calls;
    private long _batched;

    public SqsQueueTarget(IAmazonSQS sqs, string queue, int maxCalls, bool ownsClient = true)
    {
        _sqs = sqs;
        _queue = queue;
        _ownsClient = ownsClient;
        MaxCalls = Math.Clamp(maxCalls, 1, 64);
    }

    /// <summary>Send calls allowed at once.</summary>
    public int MaxCalls { get; }

    /// <summary>Messages sent in <c>SendMessageBatch</c> calls so far (for tests and the benchmark).</summary>
    public long BatchedMessages => Interlocked.Read(ref _batched);

    public string Describe => $"sqs {_queue} at {_sqs.Config.ServiceURL ?? _sqs.Config.RegionEndpoint?.SystemName}";

    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var pending = new Pending(request, new TaskCompletionSource<InvocationResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            if (_calls >= MaxCalls)
            {
                _waiting.Enqueue(pending);
                return new ValueTask<InvocationResult>(pending.Completion.Task);
            }

            _calls++;
        }

        _ = SendLoopAsync([pending]);
        return new ValueTask<InvocationResult>(pending.Completion.Task);
    }

    /// <summary>Sends a batch, then keeps the call slot busy with whatever queued up meanwhile.</summary>
    private async Task SendLoopAsync(List<Pending> batch)
    {
        while (true)
        {
            await SendAsync(batch).ConfigureAwait(false);
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _calls--;
                    return;
                }

                batch = [];
                var bytes = 0;
                while (_waiting.Count > 0 && batch.Count < MaxBatchEntries)
                {
                    var size = _waiting.Peek().Size;
                    if (batch.Count > 0 && bytes + size > MaxBatchBytes)
                    {
                        break;
                    }

                    bytes += size;
                    batch.Add(_waiting.Dequeue());
                }
            }
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        try
        {
            var url = await UrlAsync().ConfigureAwait(false);
            if (batch.Count == 1)
            {
                var p = batch[0];
                await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = p.Request.Payload, MessageAttributes = Attributes(p.Request) }).ConfigureAwait(false);
                p.Completion.TrySetResult(InvocationResult.Ok);
                return;
            }

            var response = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = url,
                Entries = [.. batch.Select((p, i) => new SendMessageBatchRequestEntry
                {
                    Id = i.ToString(CultureInfo.InvariantCulture),
                    MessageBody = p.Request.Payload,
                    MessageAttributes = Attributes(p.Request),
                })],
            }).ConfigureAwait(false);
            Interlocked.Add(ref _batched, batch.Count);
            foreach (var ok in response.Successful ?? [])
            {
                batch[int.Parse(ok.Id, CultureInfo.InvariantCulture)].Completion.TrySetResult(InvocationResult.Ok);
            }

            foreach (var failed in response.Failed ?? [])
            {
                var outcome = failed.Code?.Contains("Throttl", StringComparison.Ordinal) == true ? Outcome.Throttled
                    : failed.SenderFault == true ? Outcome.ClientError : Outcome.ServerError;
                batch[int.Parse(failed.Id, CultureInfo.InvariantCulture)].Completion.TrySetResult(new InvocationResult(outcome, failed.Code));
            }

            foreach (var p in batch)
            {
                p.Completion.TrySetResult(new InvocationResult(Outcome.ServerError, "MissingBatchEntryResult")); // the service named neither
            }
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or TimeoutException or TaskCanceledException or IOException)
        {
            var result = SqsClients.Classify(ex);
            foreach (var p in batch)
            {
                p.Completion.TrySetResult(result);
            }
        }
    }

    private Task<string> UrlAsync()
    {
        lock (_gate)
        {
            if (_url is null || _url.IsFaulted)
            {
                _url = SqsClients.UrlOfAsync(_sqs, _queue, CancellationToken.None);
            }

            return _url;
        }
    }

    private static Dictionary<string, MessageAttributeValue> Attributes(InvocationRequest r) => new(StringComparer.Ordinal)
    {
        [QueueMessageAttributes.Id] = new MessageAttributeValue { DataType = "String", StringValue = r.Id },
        [QueueMessageAttributes.IntendedTime] = new MessageAttributeValue { DataType = "String", StringValue = QueueMessageAttributes.Format(r.IntendedTime) },
    };

    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _sqs.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private sealed record Pending(InvocationRequest Request, TaskCompletionSource<InvocationResult> Completion)
    {
        /// <summary>Bytes counted towards the batch limit: body, attribute names, types and values.</summary>
        public int Size { get; } = Encoding.UTF8.GetByteCount(Request.Payload) + 120 + Encoding.UTF8.GetByteCount(Request.Id);
    }
}
