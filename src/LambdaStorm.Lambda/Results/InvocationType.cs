namespace LambdaStorm.Lambda;

/// <summary>How an invocation arrived (<c>X-Amz-Invocation-Type</c>, §3).</summary>
internal enum InvocationType
{
    /// <summary>Synchronous (<c>RequestResponse</c>): the caller waits; throttles are returned as 429.</summary>
    RequestResponse,

    /// <summary>Asynchronous (<c>Event</c>): queued with 202; retried and routed to destinations by the model.</summary>
    Event,
}
