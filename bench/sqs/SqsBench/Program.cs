using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

// SQS throughput through AWSSDK.SQS (issue 5). One JSON line per run on stdout:
//   {"mode":"send","workers":32,"messages":12345,"seconds":10.0,"rate":1234.5,"errors":0}
// Modes:
//   send            workers each loop SendMessage for --seconds
//   send-batch      workers each loop SendMessageBatch (10 entries) for --seconds; messages counts entries
//   receive-delete  --prefill messages are sent first (batches, not timed), then workers loop ReceiveMessage (10, no
//                   wait) + DeleteMessageBatch until the queue is empty; rate = deleted / time to drain
// Usage: SqsBench --endpoint http://127.0.0.1:PORT --mode send --workers 32 --seconds 10 [--prefill 20000]
//        [--body-bytes 256] [--queue NAME]
var options = Args.Parse(args);
var config = new AmazonSQSConfig
{
    ServiceURL = options.Endpoint,
    AuthenticationRegion = "us-east-1",
    MaxErrorRetry = 0,
    Timeout = TimeSpan.FromSeconds(60),
};
using var sqs = new AmazonSQSClient(new BasicAWSCredentials("bench", "bench"), config);
var queueName = options.Queue ?? $"bench-{options.Mode}-{Environment.ProcessId}-{Stopwatch.GetTimestamp() % 100000}";
var url = (await sqs.CreateQueueAsync(queueName)).QueueUrl;
var body = new string('x', options.BodyBytes);
var attributes = new Dictionary<string, MessageAttributeValue>
{
    ["LambdaStormId"] = new() { DataType = "String", StringValue = "bench" },
};
long messages = 0, errors = 0;
double seconds;

if (options.Mode is "send" or "send-batch")
{
    var stop = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(options.Seconds);
    await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(async w =>
    {
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry { Id = $"e{i}", MessageBody = body, MessageAttributes = attributes }).ToList();
        while (stop.Elapsed < deadline)
        {
            try
            {
                if (options.Mode == "send")
                {
                    await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = body, MessageAttributes = attributes });
                    Interlocked.Increment(ref messages);
                }
                else
                {
                    var r = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = entries });
                    Interlocked.Add(ref messages, r.Successful?.Count ?? 0);
                    Interlocked.Add(ref errors, r.Failed?.Count ?? 0);
                }
            }
            catch (AmazonServiceException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }));
    seconds = stop.Elapsed.TotalSeconds;
}
else if (options.Mode == "receive-delete")
{
    // Prefill (not timed), with batches from all workers.
    long filled = 0;
    await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(async w =>
    {
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry { Id = $"e{i}", MessageBody = body, MessageAttributes = attributes }).ToList();
        while (Interlocked.Add(ref filled, 10) <= options.Prefill)
        {
            await sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = entries });
        }
    }));

    var stop = Stopwatch.StartNew();
    var limit = TimeSpan.FromSeconds(Math.Max(options.Seconds * 10, 120));
    await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(async w =>
    {
        var empty = 0;
        while (stop.Elapsed < limit && empty < 3)
        {
            try
            {
                var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = url,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = 0,
                    MessageAttributeNames = ["All"],
                });
                if (received.Messages is not { Count: > 0 } batch)
                {
                    empty++;
                    continue;
                }

                empty = 0;
                var deleted = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = url,
                    Entries = [.. batch.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = $"d{i}", ReceiptHandle = m.ReceiptHandle })],
                });
                Interlocked.Add(ref messages, deleted.Successful?.Count ?? 0);
                Interlocked.Add(ref errors, deleted.Failed?.Count ?? 0);
            }
            catch (AmazonServiceException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }));
    seconds = stop.Elapsed.TotalSeconds;
}
else
{
    Console.Error.WriteLine($"unknown --mode {options.Mode} (send, send-batch, receive-delete)");
    return 2;
}

await sqs.DeleteQueueAsync(url);
Console.WriteLine(JsonSerializer.Serialize(new
{
    mode = options.Mode,
    client = "AWSSDK.SQS",
    workers = options.Workers,
    messages,
    seconds = Math.Round(seconds, 3),
    rate = Math.Round(messages / seconds, 1),
    errors,
}));
return 0;

internal sealed record Args(string Endpoint, string Mode, int Workers, double Seconds, int Prefill, int BodyBytes, string? Queue)
{
    public static Args Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var inv = CultureInfo.InvariantCulture;
        return new Args(
            Get("--endpoint", "http://127.0.0.1:9001"),
            Get("--mode", "send"),
            int.Parse(Get("--workers", "32"), inv),
            double.Parse(Get("--seconds", "10"), inv),
            int.Parse(Get("--prefill", "20000"), inv),
            int.Parse(Get("--body-bytes", "256"), inv),
            args.Contains("--queue") ? Get("--queue", "") : null);
    }
}
