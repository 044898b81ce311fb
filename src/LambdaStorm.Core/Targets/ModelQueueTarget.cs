using System.Globalization;
using LambdaStorm.Engine;
using LambdaStorm.Lambda;

namespace LambdaStorm.Targets;

/// <summary>
/// The <c>queue</c> path against the hosted Lambda model, without HTTP: <c>SendMessage</c> on the model's queue, with
/// the same message attributes the SQS client sends (<see cref="QueueMessageAttributes"/>). Used by <c>simulate</c> and
/// by in-process model runs. A refused send (unknown queue, too large) is an outcome, never an exception. Part of internal API.
/// </summary>
internal sealed class ModelQueueTarget(ModelHost host, string queue) : IInvocationTarget
{
    public string Describe => $"emulator model queue {queue}";

    public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var attributes = new Dictionary<string, MessageAttribute>(StringComparer.Ordinal)
            {
                [QueueMessageAttributes.Id] = MessageAttribute.String(request.Id),
                [QueueMessageAttributes.IntendedTime] = MessageAttribute.String(QueueMessageAttributes.Format(request.IntendedTime)),
            };
            var sent = host.Model.SendMessage(queue, request.Payload, attributes);
            return new ValueTask<InvocationResult>(sent.IsSuccess
                ? InvocationResult.Ok
                : new InvocationResult(sent.Error.SenderFault ? Outcome.ClientError : Outcome.ServerError, sent.Error.Type));
        }
        finally
        {
            host.Flush();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The message attributes every message of the queue path carries (CONTRACTS-queue.md §3).</summary>
internal static class QueueMessageAttributes
{
    /// <summary>The invocation id.</summary>
    public const string Id = "LambdaStormId";

    /// <summary>The intended send time, ISO-8601 UTC.</summary>
    public const string IntendedTime = "LambdaStormIntendedTime";

    /// <summary>ISO-8601 UTC with microseconds.</summary>
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
