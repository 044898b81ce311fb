using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// The emulator's SigV4 verifier against cases of AWS's published Signature Version 4 test suite (data and sources in
/// <c>aws-sig-v4-test-suite/README.md</c>): each signed request, rebuilt as the server sees it, verifies with the
/// suite's credentials at the suite's time; the canonical request and string to sign match the suite's files; and a
/// request altered after signing is rejected with AWS's signature-mismatch error.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private static readonly EmulatorCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static string SuiteDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LambdaStorm.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "LambdaStorm.Emulator.Tests", "aws-sig-v4-test-suite");
            }
        }

        throw new InvalidOperationException($"LambdaStorm.sln not found above {AppContext.BaseDirectory}");
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(SuiteDirectory(), "*.sreq").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    /// <summary>A suite <c>.sreq</c> file as the request the server sees: raw target, headers in order (repeats kept), body.</summary>
    private static (HttpRequest Request, byte[] Body) Parse(string text)
    {
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? text.TrimEnd('\n') : text[..split];
        var body = split < 0 ? [] : Encoding.UTF8.GetBytes(text[(split + 2)..]);
        var lines = head.Split('\n');
        var requestLine = lines[0].Split(' ');
        var target = string.Join(' ', requestLine[1..^1]);
        var q = target.IndexOf('?', StringComparison.Ordinal);

        var context = new DefaultHttpContext();
        var feature = context.Features.Get<IHttpRequestFeature>()!;
        feature.Method = requestLine[0];
        feature.RawTarget = target;
        feature.Path = q < 0 ? target : target[..q];
        feature.QueryString = q < 0 ? "" : target[q..];
        foreach (var line in lines[1..])
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t'); // as an HTTP server strips optional whitespace
            context.Request.Headers.Append(name, value);
        }

        context.Request.Body = new MemoryStream(body);
        return (context.Request, body);
    }

    private static SigV4Verifier Verifier() => new(SuiteCredentials, new FixedTime(SignedAt), ["service"]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_suite_request_verifies_with_the_suite_credentials(string name)
    {
        var (request, body) = Parse(File.ReadAllText(Path.Combine(SuiteDirectory(), name + ".sreq")));
        var error = Verifier().Verify(request, body);
        Assert.True(error is null, $"{name}: {error?.ExceptionName}: {error?.Message}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_suite_request_altered_after_signing_gets_AWSs_signature_mismatch(string name)
    {
        var text = File.ReadAllText(Path.Combine(SuiteDirectory(), name + ".sreq"));
        // Change the signed date header's seconds digit: still parseable, still within the scope's day.
        var altered = text.Replace("X-Amz-Date:20150830T123600Z", "X-Amz-Date:20150830T123601Z", StringComparison.Ordinal);
        Assert.NotEqual(text, altered);
        var (request, body) = Parse(altered);
        var error = Verifier().Verify(request, body);
        Assert.NotNull(error);
        Assert.Equal(SigV4Verifier.SignatureMismatchMessage, error.Message);
    }

    [Fact]
    public void The_wrong_secret_is_rejected_and_the_wrong_service_scope_is_named()
    {
        var (request, body) = Parse(File.ReadAllText(Path.Combine(SuiteDirectory(), "get-vanilla.sreq")));
        var wrongSecret = new SigV4Verifier(new EmulatorCredentials("AKIDEXAMPLE", "not-the-secret"), new FixedTime(SignedAt), ["service"]).Verify(request, body);
        Assert.Equal(SigV4Verifier.SignatureMismatchMessage, wrongSecret?.Message);
        var lambdaOnly = new SigV4Verifier(SuiteCredentials, new FixedTime(SignedAt)).Verify(request, body);
        Assert.Contains("scoped to correct service: 'lambda'", lambdaOnly?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get-vanilla-query-order-key")]
    [InlineData("post-x-www-form-urlencoded-parameters")]
    public void The_canonical_request_matches_the_suites_creq(string name)
    {
        var dir = SuiteDirectory();
        var (request, body) = Parse(File.ReadAllText(Path.Combine(dir, name + ".sreq")));
        var signedHeaders = request.Headers.Authorization.ToString().Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var payloadHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));

        var canonical = SigV4Verifier.CanonicalRequest(request, signedHeaders, payloadHash);

        Assert.Equal(File.ReadAllText(Path.Combine(dir, name + ".creq")), canonical);
        var sts = Path.Combine(dir, name + ".sts");
        if (File.Exists(sts))
        {
            Assert.Equal(File.ReadAllText(sts), SigV4Verifier.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
        }
    }

    [Fact]
    public void The_suite_holds_the_cases_the_README_lists()
    {
        var cases = Cases().Select(row => (string)row.Data).ToList();
        Assert.True(cases.Count >= 17, $"only {cases.Count} cases: {string.Join(", ", cases)}");
        Assert.Contains("get-vanilla", cases);
        Assert.Contains("get-utf8", cases);
        Assert.Contains("get-header-value-trim", cases);
        Assert.Contains("signature-v4-test-suite", File.ReadAllText(Path.Combine(SuiteDirectory(), "README.md")), StringComparison.Ordinal);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
