using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>SigV4 verification against requests signed by AWSSDK.Core's own signer.</summary>
public sealed class AuthTests
{
    private const string Key = "AKIDLAMBDASTORMTEST";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly EmulatorCredentials Credentials = new(Key, Secret);

    private static Task<TestEmulator> StartAsync(TimeProvider? time = null) =>
        TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello", f =>
        {
            f.PublishedVersions = 1;
            f.Aliases["live"] = "1";
        })), time, Credentials);

    private static HttpRequestMessage SignedInvoke(
        TestEmulator emulator, string function = "hello", string? secret = null, string key = Key, DateTime? at = null,
        IDictionary<string, string>? query = null, bool unsignedPayload = false, string payload = """{"a":1}""") =>
        AwsSdkSigner.Create(
            emulator.Host.BaseAddress, "POST", "/2015-03-31/functions/{FunctionName}/invocations",
            new Dictionary<string, string> { ["{FunctionName}"] = function }, query, Encoding.UTF8.GetBytes(payload),
            key, secret ?? Secret, at, new Dictionary<string, string> { ["X-Amz-Invocation-Type"] = "RequestResponse" }, unsignedPayload);

    private static Task<HttpResponseMessage> SendAsync(TestEmulator emulator, HttpRequestMessage request) =>
        emulator.Client.SendAsync(request, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Requests_signed_by_the_AWS_SDK_are_accepted()
    {
        await using var emulator = await StartAsync();

        using var invoke = await SendAsync(emulator, SignedInvoke(emulator));
        var arnRequest = SignedInvoke(emulator, "arn:aws:lambda:us-east-1:000000000000:function:hello:live");
        Assert.Contains("arn%3Aaws%3Alambda", arnRequest.RequestUri!.OriginalString, StringComparison.Ordinal); // the SDK encodes path labels
        using var arn = await SendAsync(emulator, arnRequest);
        using var qualified = await SendAsync(emulator, SignedInvoke(emulator, query: new Dictionary<string, string> { ["Qualifier"] = "$LATEST" }));
        using var list = await SendAsync(emulator, AwsSdkSigner.Create(emulator.Host.BaseAddress, "GET", "/2015-03-31/functions/", null,
            new Dictionary<string, string> { ["MaxItems"] = "10" }, null, Key, Secret));
        using var create = await SendAsync(emulator, AwsSdkSigner.Create(emulator.Host.BaseAddress, "POST", "/2015-03-31/functions", null, null,
            """{"FunctionName":"created","Runtime":"nodejs22.x","Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}"""u8.ToArray(), Key, Secret));

        Assert.True(invoke.StatusCode == HttpStatusCode.OK, await invoke.BodyAsync());
        Assert.True(arn.StatusCode == HttpStatusCode.OK, await arn.BodyAsync());
        Assert.Equal("1", arn.Header("X-Amz-Executed-Version"));
        Assert.True(qualified.StatusCode == HttpStatusCode.OK, await qualified.BodyAsync());
        Assert.True(list.StatusCode == HttpStatusCode.OK, await list.BodyAsync());
        Assert.True(create.StatusCode == HttpStatusCode.Created, await create.BodyAsync());
    }

    [Fact]
    public async Task Unsigned_payloads_are_accepted()
    {
        await using var emulator = await StartAsync();

        using var response = await SendAsync(emulator, SignedInvoke(emulator, unsignedPayload: true));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.BodyAsync());
    }

    [Fact]
    public async Task A_wrong_secret_is_403_InvalidSignatureException_with_AWSs_message()
    {
        await using var emulator = await StartAsync();

        using var response = await SendAsync(emulator, SignedInvoke(emulator, secret: "not-the-secret"));

        var body = await response.ShouldBeAwsErrorAsync(403, "InvalidSignatureException");
        Assert.Equal(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            body.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("Type", out _));
        Assert.DoesNotContain(Secret, await response.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(0, emulator.Model.GetSnapshot().Functions[0].WarmIdle); // nothing ran
    }

    [Fact]
    public async Task An_unknown_access_key_is_403_UnrecognizedClientException()
    {
        await using var emulator = await StartAsync();

        using var response = await SendAsync(emulator, SignedInvoke(emulator, key: "AKIDSOMEONEELSE"));

        var body = await response.ShouldBeAwsErrorAsync(403, "UnrecognizedClientException");
        Assert.Equal("The security token included in the request is invalid.", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unsigned_requests_are_403_MissingAuthenticationTokenException_but_metrics_stay_open()
    {
        await using var emulator = await StartAsync();

        using var response = await emulator.InvokeAsync("hello");
        using var metrics = await emulator.Client.GetAsync("metrics", TestContext.Current.CancellationToken);

        await response.ShouldBeAwsErrorAsync(403, "MissingAuthenticationTokenException");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_rejected()
    {
        await using var emulator = await StartAsync();
        var request = SignedInvoke(emulator, payload: """{"amount":1}""");
        request.Content = new ByteArrayContent("""{"amount":1000}"""u8.ToArray());

        using var response = await SendAsync(emulator, request);

        await response.ShouldBeAwsErrorAsync(403, "InvalidSignatureException");
    }

    [Fact]
    public async Task A_header_changed_after_signing_is_rejected()
    {
        await using var emulator = await StartAsync();
        var request = SignedInvoke(emulator);
        request.Headers.Remove("X-Amz-Invocation-Type");
        request.Headers.Add("X-Amz-Invocation-Type", "Event");

        using var response = await SendAsync(emulator, request);

        var body = await response.ShouldBeAwsErrorAsync(403, "InvalidSignatureException");
        Assert.StartsWith("The request signature we calculated does not match", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-4, null)]
    [InlineData(4, null)]
    [InlineData(-6, "Signature expired: 20260301T115400Z is now earlier than 20260301T115500Z (20260301T120000Z - 5 min.)")]
    [InlineData(6, "Signature not yet current: 20260301T120600Z is still later than 20260301T120500Z (20260301T120000Z + 5 min.)")]
    public async Task Clock_skew_of_up_to_5_minutes_is_tolerated(int minutes, string? error)
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await using var emulator = await StartAsync(new FakeTimeProvider(now));

        using var response = await SendAsync(emulator, SignedInvoke(emulator, at: now.AddMinutes(minutes).UtcDateTime));

        if (error is null)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.BodyAsync());
        }
        else
        {
            var body = await response.ShouldBeAwsErrorAsync(403, "InvalidSignatureException");
            Assert.Equal(error, body.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Without_required_credentials_any_request_is_accepted()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("hello")));

        using var unsigned = await emulator.InvokeAsync("hello");
        using var badlySigned = await SendAsync(emulator, SignedInvoke(emulator, secret: "whatever", key: "anyone"));

        Assert.Equal(HttpStatusCode.OK, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.OK, badlySigned.StatusCode);
        Assert.False(emulator.Host.RequiresAuthentication);
    }

    [Fact]
    public void The_verifier_reproduces_AWSs_documented_example_signature()
    {
        // AWS's SigV4 walk-through (IAM ListUsers, 2015-08-30T12:36:00Z, AKIDEXAMPLE), signature 5d672d79….
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/";
        context.Request.QueryString = new QueryString("?Version=2010-05-08&Action=ListUsers");
        context.Request.Headers.Host = "iam.amazonaws.com";
        context.Request.Headers.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
        context.Request.Headers["X-Amz-Date"] = "20150830T123600Z";
        string[] signed = ["content-type", "host", "x-amz-date"];

        var canonical = SigV4Verifier.CanonicalRequest(context.Request, signed, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        var stringToSign = SigV4Verifier.StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical);
        var key = SigV4Verifier.SigningKey(Secret, "20150830", "us-east-1", "iam");
        var signature = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        Assert.Equal(
            "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonical);
        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", stringToSign.Split('\n')[3]);
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", signature);
    }

    [Theory]
    [InlineData("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af/invocations", "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A0%253Afunction%253Af/invocations")]
    [InlineData("/a b/~c", "/a%20b/~c")]
    public void Paths_are_encoded_once_more_as_SigV4_requires_outside_S3(string raw, string canonical) =>
        Assert.Equal(canonical, SigV4Verifier.Encode(raw, encodeSlash: false));

    [Fact]
    public void Query_parameters_are_decoded_reencoded_and_sorted() =>
        Assert.Equal("A=&Qualifier=%24LATEST&b=x%2Fy&b=z", SigV4Verifier.CanonicalQuery("?b=z&Qualifier=$LATEST&b=x%2Fy&A"));

    [Fact]
    public void Credentials_never_show_their_secret()
    {
        Assert.True(EmulatorCredentials.TryParse("KEY:se:cret", out var parsed));
        Assert.Equal("se:cret", parsed!.SecretAccessKey);
        Assert.DoesNotContain("se:cret", parsed.ToString(), StringComparison.Ordinal);
        Assert.False(EmulatorCredentials.TryParse("KEY", out _));
        Assert.False(EmulatorCredentials.TryParse(":secret", out _));
        Assert.False(EmulatorCredentials.TryParse("KEY:", out _));
    }
}
