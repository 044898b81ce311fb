namespace LambdaStorm.Lambda;

/// <summary>An asynchronous-invocation configuration as <c>GetFunctionEventInvokeConfig</c> describes it [S8].</summary>
/// <param name="FunctionArn">Qualified function ARN.</param>
/// <param name="Settings">Retry attempts, maximum age and destinations.</param>
/// <param name="LastModified">When it was last changed.</param>
internal sealed record EventInvokeConfig(string FunctionArn, EventInvokeSettings Settings, DateTimeOffset LastModified);
