using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// Signs test requests with AWSSDK.Core's own SigV4 signer (<see cref="AWS4Signer"/>), an implementation independent
/// of the emulator's verifier, and builds the URL with the SDK's <see cref="AmazonServiceClient.ComposeUrl(IRequest)"/>
/// so that path labels are encoded as the SDK sends them.
/// </summary>
internal static class AwsSdkSigner
{
    public static HttpRequestMessage Create(
        Uri baseAddress, string method, string resourcePath, IDictionary<string, string>? pathResources, IDictionary<string, string>? query,
        byte[]? body, string accessKey, string secret, DateTime? signedAt = null, IDictionary<string, string>? headers = null, bool unsignedPayload = false)
    {
        var request = new DefaultRequest(new EmptyRequest(), "Lambda")
        {
            HttpMethod = method,
            Endpoint = baseAddress,
            ResourcePath = resourcePath,
            Content = body ?? [],
            AuthenticationRegion = "us-east-1",
        };
        foreach (var (k, v) in pathResources ?? new Dictionary<string, string>())
        {
            request.AddPathResource(k, v);
        }

        foreach (var (k, v) in query ?? new Dictionary<string, string>())
        {
            request.Parameters[k] = v;
        }

        request.UseQueryString = true;
        if (body is not null)
        {
            request.Headers["Content-Type"] = "application/json";
        }

        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers[k] = v;
        }

        if (unsignedPayload)
        {
            request.Headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD";
        }

        var config = new TestClientConfig { ServiceURL = baseAddress.ToString(), AuthenticationRegion = "us-east-1" };
        var signer = new AWS4Signer();
        var result = signedAt is { } at
            ? signer.SignRequest(request, config, null, accessKey, secret, at)
            : signer.SignRequest(request, config, null, accessKey, secret);
        request.Headers["Authorization"] = result.ForAuthorizationHeader;

        var message = new HttpRequestMessage(new HttpMethod(method), AmazonServiceClient.ComposeUrl(request));
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue; // HttpClient sends the same host:port
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                if (message.Content is not null && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    message.Content.Headers.Remove(name);
                    message.Content.Headers.TryAddWithoutValidation(name, value);
                }

                continue;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    private sealed class EmptyRequest : AmazonWebServiceRequest
    {
    }

    private sealed class TestClientConfig : ClientConfig
    {
        public TestClientConfig()
            : base(new DefaultConfigurationProvider(new[] { new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard } }))
        {
            AuthenticationServiceName = "lambda";
        }

        public override string RegionEndpointServiceName => "lambda";

        public override string ServiceVersion => "2015-03-31";

        public override string UserAgent => "lambdastorm-tests";

        public override Amazon.Runtime.Endpoints.Endpoint DetermineServiceOperationEndpoint(Amazon.Runtime.Endpoints.ServiceOperationEndpointParameters parameters) => new(ServiceURL);
    }
}
