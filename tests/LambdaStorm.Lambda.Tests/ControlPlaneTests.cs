namespace LambdaStorm.Lambda.Tests;

/// <summary>Function, version and alias APIs, name resolution and the AWS errors they return (§3).</summary>
public sealed class ControlPlaneTests
{
    [Fact]
    public void Unknown_functions_and_qualifiers_are_ResourceNotFoundException_with_AWS_text()
    {
        var t = TestModel.WithFunction();

        var missing = t.Invoke("nope");
        Assert.Equal(InvokeStatus.Rejected, missing.Status);
        Assert.Equal("ResourceNotFoundException", missing.Error!.ExceptionName);
        Assert.Equal(404, missing.Error.StatusCode);
        Assert.Equal("User", missing.Error.ErrorKind);
        Assert.Equal("Message", missing.Error.MessageMemberName);
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", missing.Error.Message);

        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:9", t.Invoke(qualifier: "9").Error!.Message);
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:prod", t.InvokeAsync(qualifier: "prod").Error!.Message);
        Assert.Equal(3, t.Events.Rejected.Count(r => r.Error.ExceptionName == "ResourceNotFoundException"));
    }

    [Theory]
    [InlineData("fn", null, "$LATEST")]
    [InlineData("fn:live", null, "live")]
    [InlineData("fn", "1", "1")]
    [InlineData("000000000000:function:fn:1", null, "1")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:fn", "live", "live")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST", null, "$LATEST")]
    public void Function_names_resolve_in_every_form_AWS_accepts(string functionName, string? qualifier, string expectedQualifier)
    {
        var t = TestModel.WithFunction(f =>
        {
            f.PublishedVersions = 1;
            f.Aliases["live"] = "1";
        });

        Assert.True(t.Model.InvokeSync(functionName, qualifier, "{}").IsAdmitted);
        t.Advance(TimeSpan.FromSeconds(5));
        var result = Assert.Single(t.Events.Completed);
        Assert.Equal(expectedQualifier, result.Qualifier);
        Assert.Equal(expectedQualifier == "$LATEST" ? "$LATEST" : "1", result.ExecutedVersion);
    }

    [Fact]
    public void A_qualifier_in_the_name_must_match_the_Qualifier_parameter()
    {
        var t = TestModel.WithFunction(f => f.PublishedVersions = 1);
        var r = t.Model.InvokeSync("fn:1", "$LATEST", "{}");
        Assert.Equal("InvalidParameterValueException", r.Error!.ExceptionName);
        Assert.Equal("The derived qualifier from the function name does not match the specified qualifier.", r.Error.Message);
    }

    [Fact]
    public void Sync_payloads_are_limited_to_6_MB()
    {
        var t = TestModel.WithFunction();
        var r = t.Model.InvokeSync("fn", null, new byte[(6 * 1024 * 1024) + 1]);
        Assert.Equal("RequestTooLargeException", r.Error!.ExceptionName);
        Assert.Equal("Request must be smaller than 6291456 bytes for the InvokeFunction operation", r.Error.Message);
        Assert.Equal("message", r.Error.MessageMemberName);
    }

    [Fact]
    public void Functions_can_be_added_listed_got_and_deleted()
    {
        var t = TestModel.WithFunction();

        var added = t.Model.AddFunction(FunctionOptions.FromEnvironment(new Dictionary<string, string> { ["LAMBDASTORM_DURATION_MS"] = "250" }).Also(o =>
        {
            o.Name = "created";
            o.MemoryMb = 512;
            o.Architecture = FunctionArchitecture.Arm64;
        })).GetValueOrThrow();
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:created", added.FunctionArn);
        Assert.Equal(512, added.MemorySize);
        Assert.Equal(3, added.Timeout);
        Assert.Equal("nodejs22.x", added.Runtime);
        Assert.Equal("Active", added.State);
        Assert.Equal(250, added.Settings.DurationMs);
        Assert.Equal("250", added.Settings.Environment["LAMBDASTORM_DURATION_MS"]);

        var conflict = t.Model.AddFunction(new FunctionOptions { Name = "created" });
        Assert.Equal("ResourceConflictException", conflict.Error!.ExceptionName);
        Assert.Equal(409, conflict.Error.StatusCode);
        Assert.Equal("Function already exist: created", conflict.Error.Message);

        var invalid = t.Model.AddFunction(new FunctionOptions { Name = "bad name", MemoryMb = 64 });
        Assert.Equal("InvalidParameterValueException", invalid.Error!.ExceptionName);
        Assert.Contains("MemoryMb", invalid.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Name", invalid.Error.Message, StringComparison.Ordinal);

        Assert.Equal(["fn", "created"], t.Model.ListFunctions().Select(f => f.FunctionName));
        Assert.Equal(2, t.Model.GetAccountSettings().FunctionCount);
        Assert.True(t.Model.DeleteFunction("created").IsSuccess);
        Assert.Equal("ResourceNotFoundException", t.Model.GetFunction("created").Error!.ExceptionName);
        Assert.Equal(InvokeStatus.Rejected, t.Invoke("created").Status);
    }

    [Fact]
    public void Added_functions_reserve_concurrency_under_the_unreserved_minimum()
    {
        var t = TestModel.WithFunction(f => f.ReservedConcurrency = 800);
        var r = t.Model.AddFunction(new FunctionOptions { Name = "more", ReservedConcurrency = 101 });
        Assert.Contains("below its minimum value of [100]", r.Error!.Message, StringComparison.Ordinal);
        Assert.True(t.Model.AddFunction(new FunctionOptions { Name = "more", ReservedConcurrency = 100 }).IsSuccess);
    }

    [Fact]
    public void Deleting_a_function_discards_its_waiting_events_and_lets_running_ones_finish()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 1000;
            f.ReservedConcurrency = 1;
        });

        t.InvokeAsync();
        t.InvokeAsync(); // throttled, waiting
        Assert.True(t.Model.DeleteFunction("fn").IsSuccess);
        t.Advance(TimeSpan.FromMinutes(1));

        Assert.Single(t.Events.Completed);
        Assert.Equal([AsyncCondition.FunctionDeleted, AsyncCondition.Success], t.Events.Finished.Select(f => f.Condition));
        Assert.True(t.Model.IsQuiescent);
        Assert.Equal(0, t.Model.GetSnapshot().AccountConcurrency);
        Assert.Equal(1000, t.Model.GetAccountSettings().UnreservedConcurrentExecutions);
    }

    [Fact]
    public void An_update_stays_InProgress_for_updateDuration_while_the_old_configuration_serves_and_other_updates_conflict()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 100;
            f.InitDurationMs = 0;
            f.UpdateDurationMs = 2000;
        });

        var answer = t.Model.UpdateFunctionConfiguration("fn", o => o.DurationMs = 300).GetValueOrThrow();
        Assert.Equal("InProgress", answer.LastUpdateStatus); // the response shows the new configuration, in progress
        Assert.Equal(300, answer.Settings.DurationMs);
        Assert.Equal("InProgress", t.Model.GetFunction("fn").GetValueOrThrow().LastUpdateStatus);

        var conflict = t.Model.UpdateFunctionConfiguration("fn", o => o.DurationMs = 400).Error!;
        Assert.Equal(("ResourceConflictException", 409), (conflict.ExceptionName, conflict.StatusCode));
        Assert.Equal("The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:fn", conflict.Message);
        Assert.Equal("ResourceConflictException", t.Model.PublishVersion("fn").Error!.ExceptionName);

        t.Invoke(); // still the old configuration
        t.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal("InProgress", t.Model.GetFunction("fn").GetValueOrThrow().LastUpdateStatus);
        t.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("Successful", t.Model.GetFunction("fn").GetValueOrThrow().LastUpdateStatus);
        t.Invoke(); // the new one
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)], t.Events.Completed.Select(c => c.Duration));

        Assert.Equal("InProgress", t.Model.UpdateFunctionConfiguration("fn", o => o.DurationMs = 400).GetValueOrThrow().LastUpdateStatus);
        Assert.True(t.Model.DeleteFunction("fn").IsSuccess); // an update in progress does not outlive its function
        t.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("ResourceNotFoundException", t.Model.GetFunction("fn").Error!.ExceptionName);
    }

    [Fact]
    public void Without_updateDuration_an_update_is_Successful_at_once()
    {
        var t = TestModel.WithFunction();
        Assert.Equal("Successful", t.Model.UpdateFunctionConfiguration("fn", o => o.TimeoutSeconds = 9).GetValueOrThrow().LastUpdateStatus);
        Assert.Equal(9, t.Model.UpdateFunctionConfiguration("fn", o => o.MemoryMb = 256).GetValueOrThrow().Timeout);
    }

    [Fact]
    public void PublishVersion_snapshots_LATEST_and_UpdateFunctionConfiguration_changes_only_LATEST()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.DurationMs = 100;
            f.InitDurationMs = 0;
        });

        var v1 = t.Model.PublishVersion("fn", "first").GetValueOrThrow();
        Assert.Equal("1", v1.Version);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:1", v1.FunctionArn);
        Assert.Equal("first", v1.Settings.Description);

        t.Model.UpdateFunctionConfiguration("fn", o =>
        {
            o.TimeoutSeconds = 30;
            o.DurationMs = 200;
        }).GetValueOrThrow();
        Assert.Equal(30, t.Model.GetFunction("fn").GetValueOrThrow().Timeout);
        Assert.Equal(3, t.Model.GetFunction("fn", "1").GetValueOrThrow().Timeout);

        Assert.Equal("2", t.Model.PublishVersion("fn").GetValueOrThrow().Version);
        t.Model.CreateAlias("fn", "live", "1").GetValueOrThrow();
        Assert.Equal("1", t.Model.GetFunction("fn", "live").GetValueOrThrow().Version);

        t.Invoke(qualifier: "live");
        t.Invoke(qualifier: "2");
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), t.Events.Completed.Single(r => r.Qualifier == "live").Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(200), t.Events.Completed.Single(r => r.Qualifier == "2").Duration);

        var invalid = t.Model.UpdateFunctionConfiguration("fn", o => o.TimeoutSeconds = 901);
        Assert.Contains("TimeoutSeconds", invalid.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateFunctionConfiguration_with_LAMBDASTORM_variables_changes_behaviour_and_removing_them_resets_it()
    {
        var t = TestModel.WithFunction(f => f.InitDurationMs = 0);

        t.Model.UpdateFunctionConfiguration("fn", o => o.ApplyEnvironment(new Dictionary<string, string>
        {
            ["LAMBDASTORM_ERROR_RATE"] = "100%",
            ["APP_SETTING"] = "x",
        })).GetValueOrThrow();
        t.Invoke();
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.False(t.Events.Completed[^1].IsSuccess);

        var config = t.Model.UpdateFunctionConfiguration("fn", o => o.ApplyEnvironment(new Dictionary<string, string> { ["APP_SETTING"] = "y" })).GetValueOrThrow();
        Assert.Equal(0, config.Settings.ErrorRate);
        Assert.Equal("y", config.Settings.Environment["APP_SETTING"]);
        t.Invoke();
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.True(t.Events.Completed[^1].IsSuccess);

        var bad = t.Model.UpdateFunctionConfiguration("fn", o => o.ApplyEnvironment(new Dictionary<string, string> { ["LAMBDASTORM_ERROR_RATE"] = "lots" }));
        Assert.Contains("LAMBDASTORM_ERROR_RATE", bad.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_are_created_updated_listed_and_deleted_with_AWS_errors()
    {
        var t = TestModel.WithFunction(f => f.PublishedVersions = 2);

        var alias = t.Model.CreateAlias("fn", "live", "1", "prod").GetValueOrThrow();
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:live", alias.AliasArn);
        Assert.Equal("Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:fn:live", t.Model.CreateAlias("fn", "live", "2").Error!.Message);
        Assert.Equal("ResourceNotFoundException", t.Model.CreateAlias("fn", "beta", "7").Error!.ExceptionName);
        Assert.Equal("2", t.Model.UpdateAlias("fn", "live", "2").GetValueOrThrow().FunctionVersion);
        Assert.Single(t.Model.ListAliases("fn").GetValueOrThrow());
        Assert.Equal("Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:fn:nope", t.Model.GetAlias("fn", "nope").Error!.Message);

        var referenced = t.Model.DeleteFunction("fn", "2");
        Assert.Equal("ResourceConflictException", referenced.Error!.ExceptionName);
        Assert.True(t.Model.DeleteAlias("fn", "live").IsSuccess);
        Assert.True(t.Model.DeleteFunction("fn", "2").IsSuccess);
        Assert.Equal(InvokeStatus.Rejected, t.Invoke(qualifier: "2").Status);
        Assert.True(t.Invoke(qualifier: "1").IsAdmitted);
    }

    [Fact]
    public void Request_ids_are_uuid_shaped_and_caller_ids_are_kept()
    {
        var t = TestModel.WithFunction();
        var generated = t.Invoke().RequestId;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", generated);
        Assert.Equal("my-id", t.Model.InvokeSync("fn", null, "{}", "my-id").RequestId);
    }

    [Fact]
    public async Task The_completion_task_and_the_callback_both_deliver_the_result()
    {
        var t = TestModel.WithFunction(f => f.DurationMs = 50);
        ExecutionResult? viaCallback = null;
        var response = t.Model.InvokeSync("fn", null, "{}", onCompleted: r => viaCallback = r);
        t.Advance(TimeSpan.FromSeconds(5));
        var viaTask = await response.Completion!;
        Assert.Same(viaTask, viaCallback);
        Assert.Same(viaTask, await response.Completion!); // created after completion: already done
        Assert.Null(t.Invoke("nope").Completion);
    }
}

internal static class OptionsExtensions
{
    public static T Also<T>(this T value, Action<T> configure)
    {
        configure(value);
        return value;
    }
}
