using System.Net;
using LambdaStorm.Engine;
using LambdaStorm.Targets;

namespace LambdaStorm.Tests;

/// <summary>The http path reads API Gateway's answers (marked by <c>x-amz-apigw-id</c>) as the Lambda problems they report.</summary>
public sealed class HttpApiGatewayClassificationTests
{
    private static HttpResponseMessage Response(int status, bool apiGateway)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status);
        if (apiGateway)
        {
            r.Headers.TryAddWithoutValidation("x-amz-apigw-id", "AbCdEfGhIjKlMnO=");
        }

        return r;
    }

    [Theory]
    [InlineData(429, Outcome.Throttled, "apigw_throttle")]
    [InlineData(500, Outcome.Throttled, "apigw_lambda_throttle")]
    [InlineData(502, Outcome.FunctionError, "apigw_bad_lambda_response")]
    [InlineData(504, Outcome.Timeout, "apigw_integration_timeout")]
    public void API_Gateway_statuses_become_the_Lambda_outcomes_they_report(int status, Outcome outcome, string reason)
    {
        using var response = Response(status, apiGateway: true);
        Assert.Equal(new InvocationResult(outcome, reason), HttpTarget.Classify(response));
    }

    [Theory]
    [InlineData(500, Outcome.ServerError, "500")]
    [InlineData(502, Outcome.ServerError, "502")]
    [InlineData(504, Outcome.Timeout, "504")]
    [InlineData(200, Outcome.Ok, null)]
    public void Other_endpoints_keep_the_plain_status_classification(int status, Outcome outcome, string? reason)
    {
        using var response = Response(status, apiGateway: false);
        Assert.Equal(new InvocationResult(outcome, reason), HttpTarget.Classify(response));
    }
}
