using Amazon.Runtime;
using Amazon.SQS;

namespace LambdaStorm.Emulator.Tests;

/// <summary>AWSSDK.SQS clients pointed at a test emulator (AWS JSON 1.0, SigV4 with the given keys, no retries).</summary>
internal static class SqsTestClient
{
    public static AmazonSQSClient Create(TestEmulator emulator, string key = "test", string secret = "test", HttpClientFactory? httpClientFactory = null)
    {
        var config = new AmazonSQSConfig
        {
            ServiceURL = emulator.Host.BaseAddress.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (httpClientFactory is not null)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        return new AmazonSQSClient(new BasicAWSCredentials(key, secret), config);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
