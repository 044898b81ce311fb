using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using LambdaStorm.Emulator;
using LambdaStorm.Engine;
using LambdaStorm.Scenarios;
using LambdaStorm.Targets;

namespace LambdaStorm.Cli.Tests;

/// <summary>
/// The queue path's sender (<see cref="SqsQueueTarget"/>) through AWSSDK.SQS against the in-process emulator: it sends
/// each message on its own while a call slot is free, and coalesces into <c>SendMessageBatch</c> (at most 10 entries,
/// at most 1 MiB) only what queued up while every slot was busy. The calls are counted on the wire (the SDK's own HTTP
/// pipeline, with a counting handler), and the queue is read back to check every message and its attributes.
/// </summary>
public sealed class SqsQueueTargetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<EmulatorHost> StartEmulatorAsync() => EmulatorHost.StartAsync(
        new EmulatorOptions { Model = new Lambda.LambdaModelOptions { Queues = { new Lambda.QueueOptions { Name = "orders" } } } }, Ct);

    private static (SqsQueueTarget Target, CallCounter Calls) Target(EmulatorHost emulator, int maxCalls)
    {
        var calls = new CallCounter();
        var config = new AmazonSQSConfig
        {
            ServiceURL = emulator.BaseAddress.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = calls,
        };
        var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), config);
        return (new SqsQueueTarget(sqs, "orders", maxCalls), calls);
    }

    private static InvocationRequest Request(int i, string? payload = null) =>
        new($"id-{i}", i, InvocationPath.Queue, DateTimeOffset.UnixEpoch.AddSeconds(i), false, payload ?? $"{{\"id\":\"id-{i}\"}}");

    [Fact]
    public async Task One_message_at_a_time_goes_out_as_SendMessage_without_batching()
    {
        await using var emulator = await StartEmulatorAsync();
        var (target, calls) = Target(emulator, maxCalls: 4);
        await using (target)
        {
            for (var i = 0; i < 12; i++)
            {
                Assert.Equal(Outcome.Ok, (await target.InvokeAsync(Request(i), Ct)).Outcome); // a slot is always free
            }

            Assert.Equal(0, target.BatchedMessages);
            Assert.Equal(12, calls.Count("AmazonSQS.SendMessage"));
            Assert.Equal(0, calls.Count("AmazonSQS.SendMessageBatch"));
        }

        var received = DrainQueue(emulator);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"id-{i}").Order(), received.Keys.Order());
    }

    [Fact]
    public async Task Messages_that_arrive_while_every_call_is_busy_go_out_in_batches_of_at_most_ten()
    {
        await using var emulator = await StartEmulatorAsync();
        var (target, calls) = Target(emulator, maxCalls: 1);
        ValueTask<InvocationResult>[] pending;
        await using (target)
        {
            // The first takes the only call slot; the next 24 arrive while it is busy and wait for it.
            pending = [.. Enumerable.Range(0, 25).Select(i => target.InvokeAsync(Request(i), Ct))];
            foreach (var p in pending)
            {
                Assert.Equal(Outcome.Ok, (await p).Outcome);
            }

            Assert.Equal(24, target.BatchedMessages);
            Assert.Equal(1, calls.Count("AmazonSQS.SendMessage"));
            Assert.Equal(3, calls.Count("AmazonSQS.SendMessageBatch")); // 10 + 10 + 4
        }

        var received = DrainQueue(emulator);
        Assert.Equal(25, received.Count);
        foreach (var (id, m) in received)
        {
            Assert.Equal($"{{\"id\":\"{id}\"}}", m.Body);
            var index = int.Parse(id[3..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(QueueMessageAttributes.Format(DateTimeOffset.UnixEpoch.AddSeconds(index)), m.MessageAttributes[QueueMessageAttributes.IntendedTime].StringValue);
        }
    }

    [Fact]
    public async Task A_batch_stays_under_one_MiB()
    {
        await using var emulator = await StartEmulatorAsync();
        var (target, calls) = Target(emulator, maxCalls: 1);
        await using (target)
        {
            var body = new string('x', 300_000);
            var pending = Enumerable.Range(0, 10).Select(i => target.InvokeAsync(Request(i, $"{{\"id\":\"id-{i}\",\"pad\":\"{body}\"}}"), Ct)).ToList();
            foreach (var p in pending)
            {
                Assert.Equal(Outcome.Ok, (await p).Outcome);
            }

            Assert.Equal(9, target.BatchedMessages);
            Assert.Equal(3, calls.Count("AmazonSQS.SendMessageBatch")); // 3 × ~300 KB each: a fourth would pass 1 MiB
        }

        Assert.Equal(10, DrainQueue(emulator).Count);
    }

    /// <summary>Everything in the emulator's queue, by <c>LambdaStormId</c>, deleted as it is read.</summary>
    private static Dictionary<string, Lambda.ReceivedMessage> DrainQueue(EmulatorHost emulator)
    {
        var all = new Dictionary<string, Lambda.ReceivedMessage>(StringComparer.Ordinal);
        while (emulator.Model.ReceiveMessage("orders", 10).GetValueOrThrow() is { Count: > 0 } batch)
        {
            foreach (var m in batch)
            {
                all.Add(m.MessageAttributes[QueueMessageAttributes.Id].StringValue!, m);
                Assert.True(emulator.Model.DeleteMessage("orders", m.ReceiptHandle).GetValueOrThrow());
            }
        }

        return all;
    }

    /// <summary>Counts SQS calls by <c>X-Amz-Target</c> on their way out of the SDK's HTTP pipeline.</summary>
    private sealed class CallCounter : HttpClientFactory
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int Count(string target) => _counts.GetValueOrDefault(target);

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Counting(this, new HttpClientHandler()));

        private sealed class Counting(CallCounter owner, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Headers.TryGetValues("X-Amz-Target", out var values))
                {
                    owner._counts.AddOrUpdate(values.First(), 1, (_, n) => n + 1);
                }

                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
