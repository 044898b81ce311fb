using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LambdaStorm.Lambda;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LambdaStorm.Emulator;

/// <summary>
/// The Lambda REST-JSON API (restJson1, API version 2015-03-31) on AWS's own paths, methods, status codes and shapes,
/// backed by the <see cref="LambdaModel"/>. Invoke (RequestResponse, Event, DryRun; legacy InvokeAsync), the function,
/// version and alias calls, reserved and provisioned concurrency, asynchronous-invocation configuration and account
/// settings. docs/emulator.md has the coverage matrix. Part of internal API.
/// </summary>
internal sealed partial class LambdaRoutes
{
    /// <summary>Largest Tail log AWS returns: the last 4 KB [S8].</summary>
    public const int LogTailBytes = 4096;

    private const string Functions = "/2015-03-31/functions";
    private const string Function = Functions + "/{FunctionName}";
    private static readonly string[] InvocationTypes = ["Event", "RequestResponse", "DryRun"];
    private readonly LambdaModel _model;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, FunctionMetadata> _metadata = new(StringComparer.Ordinal);

    public LambdaRoutes(LambdaModel model, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _stopping = stopping;
    }

    /// <summary>Maps every route onto <paramref name="app"/>.</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Data plane [S8] (§3).
        app.MapPost(Function + "/invocations", Invoke);
        app.MapPost("/2014-11-13/functions/{FunctionName}/invoke-async", InvokeAsyncLegacy);

        // Functions and versions.
        app.MapPost(Functions, CreateFunction);
        app.MapGet(Functions, ListFunctions);
        app.MapGet(Function, GetFunction);
        app.MapDelete(Function, DeleteFunction);
        app.MapGet(Function + "/configuration", GetFunctionConfiguration);
        app.MapPut(Function + "/configuration", UpdateFunctionConfiguration);
        app.MapPost(Function + "/versions", PublishVersion);

        // Aliases.
        app.MapPost(Function + "/aliases", CreateAlias);
        app.MapGet(Function + "/aliases", ListAliases);
        app.MapGet(Function + "/aliases/{Name}", GetAlias);
        app.MapPut(Function + "/aliases/{Name}", UpdateAlias);
        app.MapDelete(Function + "/aliases/{Name}", DeleteAlias);

        // Reserved concurrency: Put and Delete on 2017-10-31, Get on 2019-09-30, as AWS has them.
        app.MapPut("/2017-10-31/functions/{FunctionName}/concurrency", PutFunctionConcurrency);
        app.MapGet("/2019-09-30/functions/{FunctionName}/concurrency", GetFunctionConcurrency);
        app.MapDelete("/2017-10-31/functions/{FunctionName}/concurrency", DeleteFunctionConcurrency);

        // Provisioned concurrency.
        const string provisioned = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency";
        app.MapPut(provisioned, PutProvisionedConcurrencyConfig);
        app.MapGet(provisioned, GetProvisionedConcurrencyConfig);
        app.MapDelete(provisioned, DeleteProvisionedConcurrencyConfig);

        // Asynchronous invocation configuration: Put replaces, Update (POST) merges.
        const string eventInvoke = "/2019-09-25/functions/{FunctionName}/event-invoke-config";
        app.MapPut(eventInvoke, PutFunctionEventInvokeConfig);
        app.MapPost(eventInvoke, UpdateFunctionEventInvokeConfig);
        app.MapGet(eventInvoke, GetFunctionEventInvokeConfig);
        app.MapDelete(eventInvoke, DeleteFunctionEventInvokeConfig);

        app.MapGet("/2016-08-19/account-settings", GetAccountSettings);

        MapEventSourceMappings(app);
    }

    /// <summary>Records deployment details for a function created outside the HTTP API (configuration).</summary>
    public void Remember(string functionName, FunctionMetadata metadata) => _metadata[functionName] = metadata;

    // ---------------------------------------------------------------------------------------------------- Invoke

    private async Task Invoke(HttpContext ctx)
    {
        var request = RequestContext.Of(ctx);
        var name = RouteName(ctx);
        var qualifier = Query(ctx, "Qualifier");
        var type = Header(ctx, "X-Amz-Invocation-Type") ?? "RequestResponse";
        var logType = Header(ctx, "X-Amz-Log-Type") ?? "None";
        if (!InvocationTypes.Contains(type))
        {
            await AwsError.Validation(type, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]").WriteAsync(ctx);
            return;
        }

        if (logType is not ("None" or "Tail"))
        {
            await AwsError.Validation(logType, "logType", "Member must satisfy enum value set: [None, Tail]").WriteAsync(ctx);
            return;
        }

        // A payload over the limit is the model's 413 (after it resolved the function); below it, it must be JSON.
        var payload = request.Body;
        var limit = type == "Event" ? _model.Account.MaxAsyncPayloadBytes : _model.Account.MaxSyncPayloadBytes;
        if (payload.Length <= limit && JsonProblem(payload.Span) is { } problem)
        {
            await AwsError.InvalidRequestContent($"Could not parse payload into json: {problem}").WriteAsync(ctx);
            return;
        }

        switch (type)
        {
            case "DryRun":
                var dry = _model.GetFunction(name, qualifier);
                if (!dry.IsSuccess)
                {
                    await AwsError.From(dry.Error).WriteAsync(ctx);
                    return;
                }

                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                return;

            case "Event":
                var queued = _model.InvokeAsync(name, qualifier, payload, request.RequestId);
                if (!queued.IsAccepted)
                {
                    await AwsError.From(queued.Error!).WriteAsync(ctx);
                    return;
                }

                ctx.Response.StatusCode = StatusCodes.Status202Accepted;
                ctx.Response.ContentLength = 0;
                return;
        }

        var response = _model.InvokeSync(name, qualifier, payload, request.RequestId);
        if (!response.IsAdmitted)
        {
            await AwsError.From(response.Error!).WriteAsync(ctx);
            return;
        }

        ExecutionResult result;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping))
        {
            try
            {
                result = await response.Completion!.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                await AwsError.Service("The LambdaStorm emulator is shutting down; the invocation's result is lost.").WriteAsync(ctx);
                return;
            }
            catch (OperationCanceledException)
            {
                return; // the caller went away; the model still finishes the execution
            }
        }

        var headers = ctx.Response.Headers;
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        headers["X-Amz-Executed-Version"] = result.ExecutedVersion;
        if (result.FunctionError is { } functionError)
        {
            headers["X-Amz-Function-Error"] = functionError;
        }

        if (logType == "Tail")
        {
            headers["X-Amz-Log-Result"] = LogResult(result.FormatLogTail());
        }

        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = result.ResponsePayload.Length;
        await ctx.Response.Body.WriteAsync(result.ResponsePayload, ctx.RequestAborted);
    }

    /// <summary>Legacy <c>InvokeAsync</c> (deprecated by AWS): 202 with <c>{"Status":202}</c>.</summary>
    private async Task InvokeAsyncLegacy(HttpContext ctx)
    {
        var request = RequestContext.Of(ctx);
        var payload = request.Body;
        if (payload.Length <= _model.Account.MaxAsyncPayloadBytes && JsonProblem(payload.Span) is { } problem)
        {
            await AwsError.InvalidRequestContent($"Could not parse payload into json: {problem}").WriteAsync(ctx);
            return;
        }

        var queued = _model.InvokeAsync(RouteName(ctx), null, payload, request.RequestId);
        if (!queued.IsAccepted)
        {
            await AwsError.From(queued.Error!).WriteAsync(ctx);
            return;
        }

        await Json(ctx, StatusCodes.Status202Accepted, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("Status", 202);
            w.WriteEndObject();
        });
    }

    /// <summary>Base64 of the last 4 KB of the log, as <c>X-Amz-Log-Result</c> carries it [S8][S22].</summary>
    internal static string LogResult(string log)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(log);
        return Convert.ToBase64String(bytes.Length <= LogTailBytes ? bytes : bytes.AsSpan(bytes.Length - LogTailBytes));
    }

    /// <summary>Null when <paramref name="payload"/> is empty or one JSON value; otherwise the parser's complaint.</summary>
    internal static string? JsonProblem(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null; // no payload: the function gets an empty event
        }

        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 });
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    // ---------------------------------------------------------------------------------------------------- Functions

    private async Task CreateFunction(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var name = body.String("FunctionName");
        var c = ConfigurationFields.Read(body);
        var publish = body.Bool("Publish") ?? false;
        var architectures = body.StringList("Architectures");
        var tags = body.StringMap("Tags");
        var zip = body.String("Code", "ZipFile");
        var error = body.Error
            ?? (name is null ? AwsError.Validation("null", "functionName", "Member must not be null") : null)
            ?? CheckFunctionName(name!)
            ?? c.Check();
        var architecture = FunctionArchitecture.X86_64;
        error ??= CheckArchitectures(architectures, out architecture);
        byte[] code = [];
        if (error is null && zip is not null)
        {
            try
            {
                code = Convert.FromBase64String(zip);
            }
            catch (FormatException)
            {
                error = AwsError.InvalidRequestContent("'Code.ZipFile' must be base64");
            }
        }

        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        _ = FunctionReference.TryParse(name, out var reference);
        var options = FunctionOptions.FromEnvironment(c.Variables ?? new Dictionary<string, string>(StringComparer.Ordinal));
        options.Name = reference.Name;
        options.Description = "";
        c.ApplyTo(options);
        options.Architecture = architecture;
        var created = _model.AddFunction(options);
        if (!created.IsSuccess)
        {
            await AwsError.From(created.Error).WriteAsync(ctx);
            return;
        }

        var metadata = new FunctionMetadata(
            c.Role ?? $"arn:aws:iam::{_model.Account.AccountId}:role/lambdastorm-emulator",
            c.Handler ?? "index.handler",
            Convert.ToBase64String(SHA256.HashData(code)),
            code.LongLength,
            tags ?? new Dictionary<string, string>(StringComparer.Ordinal));
        _metadata[reference.Name] = metadata;
        var configuration = created.Value;
        if (publish && _model.PublishVersion(reference.Name) is { IsSuccess: true } published)
        {
            configuration = published.Value;
        }

        await Json(ctx, StatusCodes.Status201Created, w => LambdaJson.FunctionConfiguration(w, configuration, metadata));
    }

    private Task ListFunctions(HttpContext ctx) =>
        ListPageAsync(ctx, 50, _model.ListFunctions, f => f.FunctionName, "Functions", (w, f) => LambdaJson.FunctionConfiguration(w, f, Metadata(f.FunctionName)));

    /// <summary>
    /// Serves one page of a Lambda <c>List*</c> call the way AWS pages them: <c>MaxItems</c> (1..10,000, checked before
    /// anything is listed), <c>Marker</c> (the key of the first item of the page; unknown markers are refused) and
    /// <c>NextMarker</c> (the key of the first item of the next page).
    /// </summary>
    private static async Task ListPageAsync<T>(HttpContext ctx, int defaultMaxItems, Func<IReadOnlyList<T>> list, Func<T, string> key, string arrayName, Action<Utf8JsonWriter, T> write)
    {
        var maxItemsText = Query(ctx, "MaxItems");
        var maxItems = defaultMaxItems;
        if (maxItemsText is not null && (!int.TryParse(maxItemsText, NumberStyles.None, CultureInfo.InvariantCulture, out maxItems) || maxItems is < 1 or > 10_000))
        {
            await AwsError.Validation(maxItemsText, "maxItems", "Member must have value between 1 and 10000").WriteAsync(ctx);
            return;
        }

        var all = list();
        var start = 0;
        if (Query(ctx, "Marker") is { } marker)
        {
            start = all.ToList().FindIndex(item => key(item) == marker);
            if (start < 0)
            {
                await AwsError.InvalidParameter($"Invalid marker: {marker}").WriteAsync(ctx);
                return;
            }
        }

        var page = all.Skip(start).Take(maxItems).ToList();
        var next = start + page.Count < all.Count ? key(all[start + page.Count]) : null;
        await Json(ctx, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            if (next is not null)
            {
                w.WriteString("NextMarker", next);
            }

            w.WriteStartArray(arrayName);
            foreach (var item in page)
            {
                write(w, item);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task GetFunction(HttpContext ctx)
    {
        var result = _model.GetFunction(RouteName(ctx), Query(ctx, "Qualifier"));
        await Reply(ctx, result, StatusCodes.Status200OK, (w, c) => LambdaJson.GetFunction(w, c, Metadata(c.FunctionName), _model.Account.Region));
    }

    private async Task GetFunctionConfiguration(HttpContext ctx)
    {
        var result = _model.GetFunction(RouteName(ctx), Query(ctx, "Qualifier"));
        await Reply(ctx, result, StatusCodes.Status200OK, (w, c) => LambdaJson.FunctionConfiguration(w, c, Metadata(c.FunctionName)));
    }

    private async Task DeleteFunction(HttpContext ctx)
    {
        var name = RouteName(ctx);
        var qualifier = Query(ctx, "Qualifier");
        var result = _model.DeleteFunction(name, qualifier);
        if (result.IsSuccess && qualifier is null && FunctionReference.TryParse(name, out var reference) && reference.Qualifier is null)
        {
            _metadata.TryRemove(reference.Name, out _);
        }

        await NoContent(ctx, result);
    }

    private async Task UpdateFunctionConfiguration(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var c = ConfigurationFields.Read(body);
        if ((body.Error ?? c.Check()) is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        // A change of chaos fault variables alone (LAMBDASTORM_FAULT_*) acts on the next invocation without retiring
        // environments, the way the FIS extension injects faults without a redeploy (docs/chaos.md).
        var faultsOnly = c.OnlyEnvironment
            && _model.GetFunction(RouteName(ctx)) is { IsSuccess: true } current
            && FunctionFaults.OnlyFaultsDiffer(current.Value.Settings.Environment, c.Variables ?? new Dictionary<string, string>(StringComparer.Ordinal));
        var result = _model.UpdateFunctionConfiguration(RouteName(ctx), o =>
        {
            c.ApplyTo(o);
            if (faultsOnly)
            {
                // Only fault variables changed: keep the behaviour the function was configured with (YAML or variables).
                o.Environment = c.Variables ?? new Dictionary<string, string>(StringComparer.Ordinal);
            }
            else if (c.HasEnvironment)
            {
                // AWS replaces the whole environment; LAMBDASTORM_* variables that disappear lose their effect.
                o.ApplyEnvironment(c.Variables ?? new Dictionary<string, string>(StringComparer.Ordinal));
            }
        }, retireEnvironments: !faultsOnly);
        if (result.IsSuccess && (c.Role is not null || c.Handler is not null))
        {
            var m = Metadata(result.Value.FunctionName);
            _metadata[result.Value.FunctionName] = m with { Role = c.Role ?? m.Role, Handler = c.Handler ?? m.Handler };
        }

        await Reply(ctx, result, StatusCodes.Status200OK, (w, c) => LambdaJson.FunctionConfiguration(w, c, Metadata(c.FunctionName)));
    }

    private async Task PublishVersion(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var description = body.String("Description");
        if (body.Error is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        var result = _model.PublishVersion(RouteName(ctx), string.IsNullOrEmpty(description) ? null : description);
        await Reply(ctx, result, StatusCodes.Status201Created, (w, c) => LambdaJson.FunctionConfiguration(w, c, Metadata(c.FunctionName)));
    }

    // ---------------------------------------------------------------------------------------------------- Aliases

    private async Task CreateAlias(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var alias = body.String("Name");
        var version = body.String("FunctionVersion");
        var description = body.String("Description");
        var error = body.Error
            ?? (alias is null ? AwsError.Validation("null", "name", "Member must not be null") : null)
            ?? (version is null ? AwsError.Validation("null", "functionVersion", "Member must not be null") : null)
            ?? CheckRouting(body);
        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        var result = _model.CreateAlias(RouteName(ctx), alias!, version!, description ?? "");
        await Reply(ctx, result, StatusCodes.Status201Created, LambdaJson.Alias);
    }

    private async Task GetAlias(HttpContext ctx) =>
        await Reply(ctx, _model.GetAlias(RouteName(ctx), RouteValue(ctx, "Name")), StatusCodes.Status200OK, LambdaJson.Alias);

    private async Task ListAliases(HttpContext ctx) =>
        await Reply(ctx, _model.ListAliases(RouteName(ctx)), StatusCodes.Status200OK, (w, aliases) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("Aliases");
            foreach (var a in aliases)
            {
                LambdaJson.Alias(w, a);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private async Task UpdateAlias(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var version = body.String("FunctionVersion");
        var description = body.String("Description");
        if ((body.Error ?? CheckRouting(body)) is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        await Reply(ctx, _model.UpdateAlias(RouteName(ctx), RouteValue(ctx, "Name"), version, description), StatusCodes.Status200OK, LambdaJson.Alias);
    }

    private async Task DeleteAlias(HttpContext ctx) => await NoContent(ctx, _model.DeleteAlias(RouteName(ctx), RouteValue(ctx, "Name")));

    // ---------------------------------------------------------------------------------------------------- Concurrency

    private async Task PutFunctionConcurrency(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var reserved = body.Int("ReservedConcurrentExecutions");
        var error = body.Error
            ?? (reserved is null ? AwsError.Validation("null", "reservedConcurrentExecutions", "Member must not be null") : null)
            ?? CheckRange(reserved, "reservedConcurrentExecutions", 0, int.MaxValue);
        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        await Reply(ctx, _model.PutFunctionConcurrency(RouteName(ctx), reserved!.Value), StatusCodes.Status200OK, (w, r) => LambdaJson.Concurrency(w, r));
    }

    private async Task GetFunctionConcurrency(HttpContext ctx) =>
        await Reply(ctx, _model.GetFunctionConcurrency(RouteName(ctx)), StatusCodes.Status200OK, LambdaJson.Concurrency);

    private async Task DeleteFunctionConcurrency(HttpContext ctx) => await NoContent(ctx, _model.DeleteFunctionConcurrency(RouteName(ctx)));

    private async Task PutProvisionedConcurrencyConfig(HttpContext ctx)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var qualifier = Query(ctx, "Qualifier");
        var count = body.Int("ProvisionedConcurrentExecutions");
        var error = body.Error
            ?? RequireQualifier(qualifier)
            ?? (count is null ? AwsError.Validation("null", "provisionedConcurrentExecutions", "Member must not be null") : null)
            ?? CheckRange(count, "provisionedConcurrentExecutions", 1, int.MaxValue);
        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        await Reply(ctx, _model.PutProvisionedConcurrencyConfig(RouteName(ctx), qualifier!, count!.Value), StatusCodes.Status202Accepted, LambdaJson.ProvisionedConcurrency);
    }

    private async Task GetProvisionedConcurrencyConfig(HttpContext ctx)
    {
        var qualifier = Query(ctx, "Qualifier");
        if (RequireQualifier(qualifier) is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        await Reply(ctx, _model.GetProvisionedConcurrencyConfig(RouteName(ctx), qualifier!), StatusCodes.Status200OK, LambdaJson.ProvisionedConcurrency);
    }

    private async Task DeleteProvisionedConcurrencyConfig(HttpContext ctx)
    {
        var qualifier = Query(ctx, "Qualifier");
        if (RequireQualifier(qualifier) is { } error)
        {
            await error.WriteAsync(ctx);
            return;
        }

        await NoContent(ctx, _model.DeleteProvisionedConcurrencyConfig(RouteName(ctx), qualifier!));
    }

    // ---------------------------------------------------------------------------------------------------- Async config

    private Task PutFunctionEventInvokeConfig(HttpContext ctx) => WriteEventInvokeConfig(ctx, merge: false);

    private Task UpdateFunctionEventInvokeConfig(HttpContext ctx) => WriteEventInvokeConfig(ctx, merge: true);

    private async Task WriteEventInvokeConfig(HttpContext ctx, bool merge)
    {
        if (!TryBody(ctx, out var body, out var bodyError))
        {
            await bodyError.WriteAsync(ctx);
            return;
        }

        var name = RouteName(ctx);
        var qualifier = Query(ctx, "Qualifier");
        var retries = body.Int("MaximumRetryAttempts");
        var age = body.Int("MaximumEventAgeInSeconds");
        var onSuccess = body.String("DestinationConfig", "OnSuccess", "Destination");
        var onFailure = body.String("DestinationConfig", "OnFailure", "Destination");
        var hasDestinations = body.Has("DestinationConfig");
        var error = body.Error ?? CheckRange(retries, "maximumRetryAttempts", 0, 2) ?? CheckRange(age, "maximumEventAgeInSeconds", 60, 21_600);
        if (error is not null)
        {
            await error.WriteAsync(ctx);
            return;
        }

        // Put replaces the whole configuration (unset values take AWS's defaults); Update changes only what it names.
        var config = merge && _model.GetFunctionEventInvokeConfig(name, qualifier) is { IsSuccess: true } existing
            ? existing.Value.Settings.ToOptions()
            : new EventInvokeConfigOptions();
        config.MaximumRetryAttempts = retries ?? config.MaximumRetryAttempts;
        config.MaximumEventAgeInSeconds = age ?? config.MaximumEventAgeInSeconds;
        if (!merge || hasDestinations)
        {
            config.OnSuccess = string.IsNullOrEmpty(onSuccess) ? null : onSuccess;
            config.OnFailure = string.IsNullOrEmpty(onFailure) ? null : onFailure;
        }

        await Reply(ctx, _model.PutFunctionEventInvokeConfig(name, qualifier, config), StatusCodes.Status200OK, LambdaJson.EventInvokeConfig);
    }

    private async Task GetFunctionEventInvokeConfig(HttpContext ctx) =>
        await Reply(ctx, _model.GetFunctionEventInvokeConfig(RouteName(ctx), Query(ctx, "Qualifier")), StatusCodes.Status200OK, LambdaJson.EventInvokeConfig);

    private async Task DeleteFunctionEventInvokeConfig(HttpContext ctx) =>
        await NoContent(ctx, _model.DeleteFunctionEventInvokeConfig(RouteName(ctx), Query(ctx, "Qualifier")));

    // ---------------------------------------------------------------------------------------------------- Account

    private async Task GetAccountSettings(HttpContext ctx)
    {
        var settings = _model.GetAccountSettings();
        var totalCodeSize = _metadata.Values.Sum(m => m.CodeSize);
        await Json(ctx, StatusCodes.Status200OK, w => LambdaJson.AccountSettings(w, settings, totalCodeSize));
    }

    // ---------------------------------------------------------------------------------------------------- Helpers

    private FunctionMetadata Metadata(string functionName) =>
        _metadata.TryGetValue(functionName, out var m) ? m : FunctionMetadata.ForConfigured(_model.Account.AccountId, functionName);

    private static string RouteName(HttpContext ctx) => RouteValue(ctx, "FunctionName");

    private static string RouteValue(HttpContext ctx, string name) => ctx.Request.RouteValues[name] as string ?? "";

    private static string? Query(HttpContext ctx, string name)
    {
        var value = ctx.Request.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    private static string? Header(HttpContext ctx, string name)
    {
        var value = ctx.Request.Headers[name].ToString();
        return value.Length == 0 ? null : value;
    }

    private static AwsError? RequireQualifier(string? qualifier) =>
        qualifier is null ? AwsError.Validation("null", "qualifier", "Member must not be null") : null;

    private static AwsError? CheckFunctionName(string name) =>
        FunctionReference.TryParse(name, out var reference) && FunctionOptions.IsValidFunctionName(reference.Name) && reference.Qualifier is null
            ? null
            : AwsError.Validation(name, "functionName",
                "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)");

    /// <summary>
    /// The function-configuration fields that CreateFunction and UpdateFunctionConfiguration share: read, checked and
    /// applied the same way by both.
    /// </summary>
    private sealed record ConfigurationFields(
        int? Memory,
        int? Timeout,
        string? Runtime,
        string? Role,
        string? Handler,
        string? Description,
        Dictionary<string, string>? Variables,
        bool HasEnvironment,
        string? DeadLetter,
        bool HasDeadLetter)
    {
        public static ConfigurationFields Read(RequestBody body) => new(
            body.Int("MemorySize"),
            body.Int("Timeout"),
            body.String("Runtime"),
            body.String("Role"),
            body.String("Handler"),
            body.String("Description"),
            body.StringMap("Environment", "Variables"),
            body.Has("Environment"),
            body.String("DeadLetterConfig", "TargetArn"),
            body.Has("DeadLetterConfig"));

        /// <summary>True when the request sets the environment and nothing else.</summary>
        public bool OnlyEnvironment => HasEnvironment && Memory is null && Timeout is null && Runtime is null && Role is null
            && Handler is null && Description is null && !HasDeadLetter;

        public AwsError? Check() => CheckRange(Memory, "memorySize", 128, 10_240) ?? CheckRange(Timeout, "timeout", 1, 900);

        /// <summary>Sets what the request gave and keeps the rest (the environment is the caller's business).</summary>
        public void ApplyTo(FunctionOptions o)
        {
            o.MemoryMb = Memory ?? o.MemoryMb;
            o.TimeoutSeconds = Timeout ?? o.TimeoutSeconds;
            o.Runtime = Runtime ?? o.Runtime;
            o.Description = Description ?? o.Description;
            if (HasDeadLetter)
            {
                o.DeadLetterTargetArn = string.IsNullOrEmpty(DeadLetter) ? null : DeadLetter;
            }
        }
    }

    private static AwsError? CheckRange(int? value, string member, int min, int max)
    {
        if (value is not { } v)
        {
            return null;
        }

        if (v < min)
        {
            return AwsError.Validation(v.ToString(CultureInfo.InvariantCulture), member, $"Member must have value greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}");
        }

        return v > max
            ? AwsError.Validation(v.ToString(CultureInfo.InvariantCulture), member, $"Member must have value less than or equal to {max.ToString(CultureInfo.InvariantCulture)}")
            : null;
    }

    private static AwsError? CheckArchitectures(IReadOnlyList<string>? architectures, out FunctionArchitecture architecture)
    {
        architecture = FunctionArchitecture.X86_64;
        if (architectures is null || architectures.Count == 0)
        {
            return null;
        }

        if (architectures.Count > 1)
        {
            return AwsError.Validation($"[{string.Join(", ", architectures)}]", "architectures", "Member must have length less than or equal to 1");
        }

        // AWS's enum is exact: x86_64 or arm64.
        if (architectures[0] is "x86_64" or "arm64" && FunctionArchitectureNames.TryParse(architectures[0], out architecture))
        {
            return null;
        }

        return AwsError.Validation($"[{architectures[0]}]", "architectures", "Member must satisfy enum value set: [x86_64, arm64]");
    }

    private static AwsError? CheckRouting(RequestBody body) =>
        body.HasNonEmpty("RoutingConfig", "AdditionalVersionWeights")
            ? AwsError.InvalidParameter("Weighted alias routing (RoutingConfig.AdditionalVersionWeights) is not modelled by the LambdaStorm emulator.")
            : null;

    private static bool TryBody(HttpContext ctx, out RequestBody body, out AwsError error)
    {
        var bytes = RequestContext.Of(ctx).Body;
        error = null!;
        body = default;
        if (bytes.IsEmpty)
        {
            body = new RequestBody(null);
            return true;
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = AwsError.InvalidRequestContent("the body must be a JSON object");
                return false;
            }

            body = new RequestBody(doc.RootElement.Clone());
            return true;
        }
        catch (JsonException ex)
        {
            error = AwsError.InvalidRequestContent(ex.Message);
            return false;
        }
    }

    private static async Task Reply<T>(HttpContext ctx, LambdaResult<T> result, int status, Action<Utf8JsonWriter, T> write)
    {
        if (!result.IsSuccess)
        {
            await AwsError.From(result.Error).WriteAsync(ctx);
            return;
        }

        var value = result.Value;
        await Json(ctx, status, w => write(w, value));
    }

    private static async Task NoContent(HttpContext ctx, LambdaResult<Unit> result)
    {
        if (!result.IsSuccess)
        {
            await AwsError.From(result.Error).WriteAsync(ctx);
            return;
        }

        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task Json(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var json = LambdaJson.Write(write);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = json.Length;
        await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted);
    }

    /// <summary>Typed reads of a JSON request body; the first type mismatch becomes <see cref="Error"/>.</summary>
    private struct RequestBody(JsonElement? root)
    {
        public AwsError? Error { get; private set; }

        public readonly bool Has(string name) => root is { } r && r.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public readonly bool HasNonEmpty(params string[] path) => Find(path) is { } v &&
            ((v.ValueKind == JsonValueKind.Object && v.EnumerateObject().Any()) || (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0));

        public string? String(params string[] path)
        {
            if (Find(path) is not { } v)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                Fail(path, "a string");
                return null;
            }

            return v.GetString();
        }

        public int? Int(params string[] path)
        {
            if (Find(path) is not { } v)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n))
            {
                Fail(path, "an integer");
                return null;
            }

            return n;
        }

        public bool? Bool(params string[] path)
        {
            if (Find(path) is not { } v)
            {
                return null;
            }

            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Fail(path, "true or false");
                return null;
            }

            return v.GetBoolean();
        }

        public Dictionary<string, string>? StringMap(params string[] path)
        {
            if (Find(path) is not { } v)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            {
                Fail(path, "a map of strings");
                return null;
            }

            return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }

        public List<string>? StringList(params string[] path)
        {
            if (Find(path) is not { } v)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                Fail(path, "a list of strings");
                return null;
            }

            return [.. v.EnumerateArray().Select(e => e.GetString()!)];
        }

        private readonly JsonElement? Find(string[] path)
        {
            if (root is not { } current)
            {
                return null;
            }

            foreach (var name in path)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }

            return current.ValueKind == JsonValueKind.Null ? null : current;
        }

        private void Fail(string[] path, string expected) =>
            Error ??= AwsError.InvalidRequestContent($"'{string.Join('.', path)}' must be {expected}");
    }
}
