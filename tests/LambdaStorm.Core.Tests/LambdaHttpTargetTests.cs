using System.Net;
using System.Text;
using LambdaStorm.Engine;
using LambdaStorm.Targets;

namespace LambdaStorm.Tests;

public sealed class LambdaHttpTargetTests
{
    private static HttpResponseMessage Response(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var r = new HttpResponseMessage(status);
        foreach (var (n, v) in headers)
        {
            r.Headers.TryAddWithoutValidation(n, v);
        }

        return r;
    }

    [Fact]
    public void Classifies_invoke_responses_as_aws_reports_them()
    {
        Assert.Equal(InvocationResult.Ok, LambdaHttpTarget.Classify(Response(HttpStatusCode.OK), "{}"));
        Assert.Equal(InvocationResult.Ok, LambdaHttpTarget.Classify(Response(HttpStatusCode.Accepted), string.Empty));
        Assert.Equal(new InvocationResult(Outcome.FunctionError, "Unhandled"), LambdaHttpTarget.Classify(Response(HttpStatusCode.OK, ("X-Amz-Function-Error", "Unhandled")), """{"errorType":"Error","errorMessage":"boom"}"""));
        Assert.Equal(
            new InvocationResult(Outcome.Timeout, "Sandbox.Timedout"),
            LambdaHttpTarget.Classify(Response(HttpStatusCode.OK, ("X-Amz-Function-Error", "Unhandled")), """{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: x Error: Task timed out after 3.00 seconds"}"""));
        Assert.Equal(
            new InvocationResult(Outcome.Throttled, "ReservedFunctionConcurrentInvocationLimitExceeded"),
            LambdaHttpTarget.Classify(Response((HttpStatusCode)429, ("x-amzn-ErrorType", "TooManyRequestsException")), """{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"""));
        Assert.Equal(new InvocationResult(Outcome.Throttled, "TooManyRequestsException"), LambdaHttpTarget.Classify(Response((HttpStatusCode)429, ("x-amzn-ErrorType", "TooManyRequestsException")), "not json"));
        Assert.Equal(new InvocationResult(Outcome.ClientError, "ResourceNotFoundException"), LambdaHttpTarget.Classify(Response(HttpStatusCode.NotFound, ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")), "{}"));
        Assert.Equal(new InvocationResult(Outcome.ServerError, "ServiceException"), LambdaHttpTarget.Classify(Response(HttpStatusCode.InternalServerError, ("x-amzn-ErrorType", "ServiceException")), "{}"));
    }

    [Fact]
    public void Reads_cold_starts_from_the_report_line_of_the_log_tail()
    {
        static HttpResponseMessage WithTail(string log) => Response(HttpStatusCode.OK, ("X-Amz-Log-Result", Convert.ToBase64String(Encoding.UTF8.GetBytes(log))));
        const string Cold = "START RequestId: 1 Version: $LATEST\nEND RequestId: 1\nREPORT RequestId: 1\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t\n";
        const string Warm = "START RequestId: 2 Version: $LATEST\nEND RequestId: 2\nREPORT RequestId: 2\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t\n";

        Assert.True(LambdaHttpTarget.IsColdStart(WithTail(Cold)));
        Assert.False(LambdaHttpTarget.IsColdStart(WithTail(Warm)));
        Assert.False(LambdaHttpTarget.IsColdStart(WithTail("my log says Init Duration but not in a REPORT line")));
        Assert.False(LambdaHttpTarget.IsColdStart(Response(HttpStatusCode.OK, ("X-Amz-Log-Result", "%%%not base64"))));
        Assert.False(LambdaHttpTarget.IsColdStart(Response(HttpStatusCode.OK)));
    }
}
