using System.Net;
using System.Text.Json;
using LambdaStorm.Lambda;

namespace LambdaStorm.Emulator.Tests;

public sealed class ControlPlaneTests
{
    private static readonly string Zip = Convert.ToBase64String([0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    private static Dictionary<string, object?> CreateRequest(string name, Dictionary<string, string>? variables = null, int? memory = null, int? timeout = null) => new Dictionary<string, object?>
    {
        ["FunctionName"] = name,
        ["Runtime"] = "python3.13",
        ["Role"] = "arn:aws:iam::000000000000:role/test",
        ["Handler"] = "app.handler",
        ["Code"] = new { ZipFile = Zip },
        ["MemorySize"] = memory,
        ["Timeout"] = timeout,
        ["Environment"] = variables is null ? null : new { Variables = variables },
    }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    private static Dictionary<string, string> Instant(params (string Key, string Value)[] more)
    {
        var env = new Dictionary<string, string> { ["LAMBDASTORM_DURATION_MS"] = "0", ["LAMBDASTORM_INIT_MS"] = "0" };
        foreach (var (k, v) in more)
        {
            env[k] = v;
        }

        return env;
    }

    [Fact]
    public async Task CreateFunction_returns_201_and_AWSs_FunctionConfiguration()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("orders", Instant(), memory: 512, timeout: 10));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var c = await response.JsonAsync();
        Assert.Equal("orders", c.GetProperty("FunctionName").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:orders", c.GetProperty("FunctionArn").GetString());
        Assert.Equal("python3.13", c.GetProperty("Runtime").GetString());
        Assert.Equal("arn:aws:iam::000000000000:role/test", c.GetProperty("Role").GetString());
        Assert.Equal("app.handler", c.GetProperty("Handler").GetString());
        Assert.Equal(512, c.GetProperty("MemorySize").GetInt32());
        Assert.Equal(10, c.GetProperty("Timeout").GetInt32());
        Assert.Equal("$LATEST", c.GetProperty("Version").GetString());
        Assert.Equal("Active", c.GetProperty("State").GetString());
        Assert.Equal(22, c.GetProperty("CodeSize").GetInt64());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$", c.GetProperty("LastModified").GetString());
        Assert.Equal("0", c.GetProperty("Environment").GetProperty("Variables").GetProperty("LAMBDASTORM_DURATION_MS").GetString());
        Assert.Equal("x86_64", c.GetProperty("Architectures")[0].GetString());
    }

    [Fact]
    public async Task CreateFunction_takes_its_behaviour_from_LAMBDASTORM_variables()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var plain = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("plain", Instant()));
        using var failing = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("failing", Instant(("LAMBDASTORM_ERROR_RATE", "100%"))));
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Created, failing.StatusCode);

        using var ok = await emulator.InvokeAsync("plain");
        using var error = await emulator.InvokeAsync("failing");

        Assert.Null(ok.Header("X-Amz-Function-Error"));
        Assert.Equal("Unhandled", error.Header("X-Amz-Function-Error"));
    }

    [Fact]
    public async Task CreateFunction_with_Publish_returns_version_1_and_arm64_is_kept()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var request = CreateRequest("published", Instant());
        request["Publish"] = true;
        request["Architectures"] = new[] { "arm64" };
        request["Tags"] = new Dictionary<string, string> { ["team"] = "storm" };

        using var response = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", request);
        using var get = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/published?Qualifier=1");

        var c = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("1", c.GetProperty("Version").GetString());
        Assert.Equal("arm64", c.GetProperty("Architectures")[0].GetString());
        var g = await get.JsonAsync();
        Assert.Equal("1", g.GetProperty("Configuration").GetProperty("Version").GetString());
        Assert.Equal("storm", g.GetProperty("Tags").GetProperty("team").GetString());
    }

    [Fact]
    public async Task CreateFunction_errors_are_AWSs()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var first = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("dup"));

        using var duplicate = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("dup"));
        using var memory = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("small", memory: 64));
        using var variable = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("bad", new() { ["LAMBDASTORM_ERROR_RATE"] = "lots" }));
        using var name = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("no spaces"));
        var armRequest = CreateRequest("arch");
        armRequest["Architectures"] = new[] { "Arm64" };
        using var architecture = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", armRequest);
        using var notJson = await emulator.Client.PostAsync("2015-03-31/functions", new StringContent("{"), TestContext.Current.CancellationToken);

        var d = await duplicate.ShouldBeAwsErrorAsync(409, "ResourceConflictException");
        Assert.Equal("Function already exist: dup", d.GetProperty("message").GetString());
        var m = await memory.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Equal("1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128", m.GetProperty("message").GetString());
        var v = await variable.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Contains("LAMBDASTORM_ERROR_RATE", v.GetProperty("message").GetString(), StringComparison.Ordinal);
        await name.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        var a = await architecture.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Contains("[x86_64, arm64]", a.GetProperty("message").GetString(), StringComparison.Ordinal);
        await notJson.ShouldBeAwsErrorAsync(400, "InvalidRequestContentException");
        Assert.Single(emulator.Model.ListFunctions());
    }

    [Fact]
    public async Task GetFunction_ListFunctions_and_DeleteFunction()
    {
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Functions.Add(TestEmulator.Instant("a", f => f.ReservedConcurrency = 5));
            o.Functions.Add(TestEmulator.Instant("b"));
            o.Functions.Add(TestEmulator.Instant("c"));
        });

        using var get = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/a");
        var g = await get.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("a", g.GetProperty("Configuration").GetProperty("FunctionName").GetString());
        Assert.Equal("S3", g.GetProperty("Code").GetProperty("RepositoryType").GetString());
        Assert.Equal(5, g.GetProperty("Concurrency").GetProperty("ReservedConcurrentExecutions").GetInt32());
        using var configuration = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/b/configuration");
        Assert.Equal("b", (await configuration.JsonAsync()).GetProperty("FunctionName").GetString());

        using var page1 = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/?MaxItems=2");
        var p1 = await page1.JsonAsync();
        Assert.Equal(["a", "b"], p1.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()));
        using var page2 = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions?Marker=" + p1.GetProperty("NextMarker").GetString());
        var p2 = await page2.JsonAsync();
        Assert.Equal(["c"], p2.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()));
        Assert.False(p2.TryGetProperty("NextMarker", out _));

        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, "/2015-03-31/functions/a");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/a");
        await gone.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
        using var again = await emulator.SendJsonAsync(HttpMethod.Delete, "/2015-03-31/functions/a");
        await again.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
    }

    [Fact]
    public async Task UpdateFunctionConfiguration_changes_memory_timeout_and_behaviour()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var created = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions", CreateRequest("fn", Instant()));

        using var update = await emulator.SendJsonAsync(HttpMethod.Put, "/2015-03-31/functions/fn/configuration", new
        {
            MemorySize = 1024,
            Timeout = 30,
            Environment = new { Variables = Instant(("LAMBDASTORM_ERROR_RATE", "1")) },
        });
        var u = await update.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(1024, u.GetProperty("MemorySize").GetInt32());
        Assert.Equal(30, u.GetProperty("Timeout").GetInt32());
        using (var failing = await emulator.InvokeAsync("fn"))
        {
            Assert.Equal("Unhandled", failing.Header("X-Amz-Function-Error"));
        }

        // Removing the variable removes its effect, as a new environment replaces the old one.
        using var restore = await emulator.SendJsonAsync(HttpMethod.Put, "/2015-03-31/functions/fn/configuration", new { Environment = new { Variables = Instant() } });
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        using (var ok = await emulator.InvokeAsync("fn"))
        {
            Assert.Null(ok.Header("X-Amz-Function-Error"));
        }

        using var invalid = await emulator.SendJsonAsync(HttpMethod.Put, "/2015-03-31/functions/fn/configuration", new { Timeout = 901 });
        await invalid.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        using var missing = await emulator.SendJsonAsync(HttpMethod.Put, "/2015-03-31/functions/nope/configuration", new { Timeout = 5 });
        await missing.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
    }

    [Fact]
    public async Task PublishVersion_and_aliases()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("api")));

        using var publish = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions/api/versions", new { Description = "first" });
        var v = await publish.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        Assert.Equal("1", v.GetProperty("Version").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:api:1", v.GetProperty("FunctionArn").GetString());

        using var alias = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions/api/aliases", new { Name = "live", FunctionVersion = "1" });
        var a = await alias.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, alias.StatusCode);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:api:live", a.GetProperty("AliasArn").GetString());
        Assert.Equal("1", a.GetProperty("FunctionVersion").GetString());
        using (var invoke = await emulator.InvokeAsync("api", qualifier: "live"))
        {
            Assert.Equal("1", invoke.Header("X-Amz-Executed-Version"));
        }

        using var get = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/api/aliases/live");
        Assert.Equal("live", (await get.JsonAsync()).GetProperty("Name").GetString());
        using var list = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/api/aliases");
        Assert.Single((await list.JsonAsync()).GetProperty("Aliases").EnumerateArray());
        using var retarget = await emulator.SendJsonAsync(HttpMethod.Put, "/2015-03-31/functions/api/aliases/live", new { FunctionVersion = "$LATEST" });
        Assert.Equal("$LATEST", (await retarget.JsonAsync()).GetProperty("FunctionVersion").GetString());
        using var duplicate = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions/api/aliases", new { Name = "live", FunctionVersion = "1" });
        await duplicate.ShouldBeAwsErrorAsync(409, "ResourceConflictException");
        using var weighted = await emulator.SendJsonAsync(HttpMethod.Post, "/2015-03-31/functions/api/aliases",
            new { Name = "canary", FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["$LATEST"] = 0.1 } } });
        await weighted.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, "/2015-03-31/functions/api/aliases/live");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await emulator.SendJsonAsync(HttpMethod.Get, "/2015-03-31/functions/api/aliases/live");
        await gone.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
    }

    [Fact]
    public async Task Reserved_concurrency_put_get_delete()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn")));

        using var put = await emulator.SendJsonAsync(HttpMethod.Put, "/2017-10-31/functions/fn/concurrency", new { ReservedConcurrentExecutions = 10 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("""{"ReservedConcurrentExecutions":10}""", await put.BodyAsync());
        using var get = await emulator.SendJsonAsync(HttpMethod.Get, "/2019-09-30/functions/fn/concurrency");
        Assert.Equal("""{"ReservedConcurrentExecutions":10}""", await get.BodyAsync());
        using var settings = await emulator.SendJsonAsync(HttpMethod.Get, "/2016-08-19/account-settings/");
        Assert.Equal(990, (await settings.JsonAsync()).GetProperty("AccountLimit").GetProperty("UnreservedConcurrentExecutions").GetInt32());

        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, "/2017-10-31/functions/fn/concurrency");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var after = await emulator.SendJsonAsync(HttpMethod.Get, "/2019-09-30/functions/fn/concurrency");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("{}", await after.BodyAsync());

        using var negative = await emulator.SendJsonAsync(HttpMethod.Put, "/2017-10-31/functions/fn/concurrency", new { ReservedConcurrentExecutions = -1 });
        await negative.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        using var missing = await emulator.SendJsonAsync(HttpMethod.Put, "/2017-10-31/functions/nope/concurrency", new { ReservedConcurrentExecutions = 1 });
        await missing.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");
    }

    [Fact]
    public async Task Reserving_below_the_unreserved_minimum_is_AWSs_InvalidParameterValueException()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn")));

        using var response = await emulator.SendJsonAsync(HttpMethod.Put, "/2017-10-31/functions/fn/concurrency", new { ReservedConcurrentExecutions = 901 });

        var body = await response.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
            body.GetProperty("message").GetString());
        Assert.Equal(2, body.EnumerateObject().Count());
        using var exactly = await emulator.SendJsonAsync(HttpMethod.Put, "/2017-10-31/functions/fn/concurrency", new { ReservedConcurrentExecutions = 900 });
        Assert.Equal(HttpStatusCode.OK, exactly.StatusCode);
    }

    [Fact]
    public async Task Provisioned_concurrency_put_get_delete()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn", f => f.PublishedVersions = 1)));
        const string path = "/2019-09-30/functions/fn/provisioned-concurrency";

        using var put = await emulator.SendJsonAsync(HttpMethod.Put, path + "?Qualifier=1", new { ProvisionedConcurrentExecutions = 5 });
        var p = await put.JsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
        Assert.Equal(5, p.GetProperty("RequestedProvisionedConcurrentExecutions").GetInt32());
        Assert.Contains(p.GetProperty("Status").GetString(), new[] { "IN_PROGRESS", "READY" });
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$", p.GetProperty("LastModified").GetString());
        using var get = await emulator.SendJsonAsync(HttpMethod.Get, path + "?Qualifier=1");
        Assert.Equal(5, (await get.JsonAsync()).GetProperty("RequestedProvisionedConcurrentExecutions").GetInt32());

        using var latest = await emulator.SendJsonAsync(HttpMethod.Put, path + "?Qualifier=$LATEST", new { ProvisionedConcurrentExecutions = 5 });
        var l = await latest.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Equal("Provisioned Concurrency Configs cannot be applied to unpublished function versions.", l.GetProperty("message").GetString());
        using var noQualifier = await emulator.SendJsonAsync(HttpMethod.Put, path, new { ProvisionedConcurrentExecutions = 5 });
        await noQualifier.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        using var zero = await emulator.SendJsonAsync(HttpMethod.Put, path + "?Qualifier=1", new { ProvisionedConcurrentExecutions = 0 });
        await zero.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");

        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, path + "?Qualifier=1");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await emulator.SendJsonAsync(HttpMethod.Get, path + "?Qualifier=1");
        await gone.ShouldBeAwsErrorAsync(404, "ProvisionedConcurrencyConfigNotFoundException");
    }

    [Fact]
    public async Task Event_invoke_config_put_update_get_delete()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn")));
        const string path = "/2019-09-25/functions/fn/event-invoke-config";
        const string dlq = "arn:aws:sqs:us-east-1:000000000000:failures";

        using var missing = await emulator.SendJsonAsync(HttpMethod.Get, path);
        await missing.ShouldBeAwsErrorAsync(404, "ResourceNotFoundException");

        using var put = await emulator.SendJsonAsync(HttpMethod.Put, path, new
        {
            MaximumRetryAttempts = 0,
            MaximumEventAgeInSeconds = 3600,
            DestinationConfig = new { OnFailure = new { Destination = dlq } },
        });
        var p = await put.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST", p.GetProperty("FunctionArn").GetString());
        Assert.Equal(0, p.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.Equal(3600, p.GetProperty("MaximumEventAgeInSeconds").GetInt32());
        Assert.Equal(dlq, p.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetString());
        Assert.Equal(JsonValueKind.Number, p.GetProperty("LastModified").ValueKind);

        using var update = await emulator.SendJsonAsync(HttpMethod.Post, path, new { MaximumEventAgeInSeconds = 120 });
        var u = await update.JsonAsync();
        Assert.Equal(0, u.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.Equal(120, u.GetProperty("MaximumEventAgeInSeconds").GetInt32());
        Assert.Equal(dlq, u.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetString());

        using var get = await emulator.SendJsonAsync(HttpMethod.Get, path);
        Assert.Equal(120, (await get.JsonAsync()).GetProperty("MaximumEventAgeInSeconds").GetInt32());
        using var invalid = await emulator.SendJsonAsync(HttpMethod.Put, path, new { MaximumRetryAttempts = 3 });
        var i = await invalid.ShouldBeAwsErrorAsync(400, "InvalidParameterValueException");
        Assert.Contains("'maximumRetryAttempts'", i.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var delete = await emulator.SendJsonAsync(HttpMethod.Delete, path);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Theory]
    [InlineData("/2016-08-19/account-settings/")]
    [InlineData("/2016-08-19/account-settings")]
    public async Task GetAccountSettings_reports_limits_and_usage(string path)
    {
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.Account.ConcurrencyLimit = 500;
            o.Functions.Add(TestEmulator.Instant("a", f => f.ReservedConcurrency = 50));
            o.Functions.Add(TestEmulator.Instant("b"));
        });

        using var response = await emulator.SendJsonAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var s = await response.JsonAsync();
        Assert.Equal(500, s.GetProperty("AccountLimit").GetProperty("ConcurrentExecutions").GetInt32());
        Assert.Equal(450, s.GetProperty("AccountLimit").GetProperty("UnreservedConcurrentExecutions").GetInt32());
        Assert.True(s.GetProperty("AccountLimit").GetProperty("CodeSizeZipped").GetInt64() > 0);
        Assert.Equal(2, s.GetProperty("AccountUsage").GetProperty("FunctionCount").GetInt32());
    }

    [Fact]
    public async Task An_unknown_route_is_404_UnknownOperationException()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.SendJsonAsync(HttpMethod.Get, "/2099-01-01/things");
        using var wrongMethod = await emulator.SendJsonAsync(HttpMethod.Patch, "/2015-03-31/functions/fn");

        await response.ShouldBeAwsErrorAsync(404, "UnknownOperationException");
        Assert.Equal(404, (int)wrongMethod.StatusCode);
    }
}
