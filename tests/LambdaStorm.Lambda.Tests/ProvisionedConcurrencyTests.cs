namespace LambdaStorm.Lambda.Tests;

/// <summary>Provisioned concurrency: pre-initialised environments, spill-over, ramp, and accounting (§1.3).</summary>
public sealed class ProvisionedConcurrencyTests
{
    private static void Versioned(FunctionOptions f)
    {
        f.DurationMs = 60_000;
        f.TimeoutSeconds = 900;
        f.InitDurationMs = 200;
        f.PublishedVersions = 1;
        f.Aliases["live"] = "1";
    }

    [Fact]
    public void Provisioned_environments_have_no_cold_start_and_traffic_above_them_spills_to_on_demand()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.ProvisionedConcurrency["1"] = 10;
        });

        Assert.Equal(10, t.Function().ProvisionedAllocated);
        var (admitted, _) = t.Burst(15, qualifier: "1");
        Assert.Equal(15, admitted.Count);
        Assert.Equal(10, admitted.Count(r => !r.ColdStart));
        Assert.Equal(5, t.Events.ColdStarts.Count);

        t.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(10, t.Events.Completed.Count(r => r.Provisioned && !r.ColdStart && r.InitDuration == TimeSpan.Zero));
        Assert.Equal(5, t.Events.Completed.Count(r => !r.Provisioned && r.ColdStart));
        Assert.All(t.Events.Completed, r => Assert.Equal("1", r.ExecutedVersion));
    }

    [Fact]
    public void Provisioned_concurrency_serves_only_its_own_qualifier()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.ProvisionedConcurrency["live"] = 3;
        });

        Assert.False(t.Invoke(qualifier: "live").ColdStart);
        Assert.True(t.Invoke(qualifier: "1").ColdStart);
        Assert.True(t.Invoke().ColdStart);
        t.Advance(TimeSpan.FromMinutes(2));
        var viaAlias = t.Events.Completed.Single(r => r.Qualifier == "live");
        Assert.Equal("1", viaAlias.ExecutedVersion);
        Assert.True(viaAlias.Provisioned);
    }

    [Fact]
    public void Provisioned_concurrency_counts_against_reserved_concurrency()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.ReservedConcurrency = 10;
            f.ProvisionedConcurrency["1"] = 4;
        });

        var onDemand = t.Burst(10);
        Assert.Equal(6, onDemand.Admitted.Count);
        Assert.All(onDemand.Throttled, r => Assert.Equal(ThrottleReason.ReservedFunctionConcurrentInvocationLimitExceeded, r.ThrottleReason));
        Assert.Equal(4, t.Burst(10, qualifier: "1").Admitted.Count);
        Assert.Equal(10, t.Function().Concurrency);
    }

    [Fact]
    public void Provisioned_concurrency_counts_against_the_unreserved_pool()
    {
        var t = TestModel.Create(o =>
        {
            o.Account.ConcurrencyLimit = 300;
            var pc = new FunctionOptions { Name = "pc" };
            Versioned(pc);
            pc.ProvisionedConcurrency["1"] = 100;
            var other = new FunctionOptions { Name = "other", DurationMs = 60_000, TimeoutSeconds = 900 };
            o.Functions.AddRange([pc, other]);
        });

        Assert.Equal(200, t.Burst(300, "other").Admitted.Count);
        Assert.Equal(300, t.Model.GetAccountSettings().ClaimedAccountConcurrency);
    }

    [Fact]
    public void PutProvisionedConcurrencyConfig_ramps_at_6000_per_minute_then_is_READY()
    {
        var t = TestModel.WithFunction(Versioned);

        var put = t.Model.PutProvisionedConcurrencyConfig("fn", "1", 250).GetValueOrThrow();
        Assert.Equal(ProvisionedConcurrencyStatus.InProgress, put.Status);
        Assert.Equal("IN_PROGRESS", put.StatusText);
        Assert.Equal(0, put.AllocatedProvisionedConcurrentExecutions);

        var allocated = new List<int>();
        for (var s = 1; s <= 3; s++)
        {
            t.AdvanceTo(TimeSpan.FromSeconds(s));
            allocated.Add(t.Model.GetProvisionedConcurrencyConfig("fn", "1").GetValueOrThrow().AllocatedProvisionedConcurrentExecutions);
        }

        Assert.Equal([100, 200, 250], allocated);
        var ready = t.Model.GetProvisionedConcurrencyConfig("fn", "1").GetValueOrThrow();
        Assert.Equal("READY", ready.StatusText);
        Assert.Equal(250, ready.RequestedProvisionedConcurrentExecutions);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:fn:1", ready.FunctionArn);
        Assert.True(t.Model.IsQuiescent);
        Assert.Equal(250, t.Events.Created.Count(c => c.Provisioned));
        Assert.Empty(t.Events.ColdStarts);
    }

    [Fact]
    public void The_ramp_rate_is_configurable()
    {
        var t = TestModel.WithFunction(Versioned, a => a.ProvisionedRampPerMinute = 600);
        t.Model.PutProvisionedConcurrencyConfig("fn", "live", 25);
        t.AdvanceTo(TimeSpan.FromSeconds(2));
        Assert.Equal(20, t.Model.GetProvisionedConcurrencyConfig("fn", "live").GetValueOrThrow().AllocatedProvisionedConcurrentExecutions);
        t.AdvanceTo(TimeSpan.FromSeconds(3));
        Assert.Equal(ProvisionedConcurrencyStatus.Ready, t.Model.GetProvisionedConcurrencyConfig("fn", "live").GetValueOrThrow().Status);
    }

    [Fact]
    public void Provisioned_environments_are_never_reaped()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.DurationMs = 10;
            f.ProvisionedConcurrency["1"] = 5;
        });

        t.Burst(5, qualifier: "1");
        t.Advance(TimeSpan.FromHours(3));
        Assert.Equal(5, t.Function().ProvisionedAllocated);
        Assert.Empty(t.Events.Destroyed);
    }

    [Fact]
    public void Lowering_and_deleting_provisioned_concurrency_releases_environments()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.DurationMs = 1000;
            f.ProvisionedConcurrency["1"] = 10;
        });

        t.Burst(4, qualifier: "1"); // 4 busy, 6 idle
        t.Model.PutProvisionedConcurrencyConfig("fn", "1", 3);
        Assert.Equal(4, t.Function().ProvisionedAllocated); // idle surplus gone now, busy ones go when they finish
        t.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, t.Function().ProvisionedAllocated);

        Assert.True(t.Model.DeleteProvisionedConcurrencyConfig("fn", "1").IsSuccess);
        Assert.Equal(0, t.Function().ProvisionedAllocated);
        var missing = t.Model.GetProvisionedConcurrencyConfig("fn", "1");
        Assert.Equal("ProvisionedConcurrencyConfigNotFoundException", missing.Error!.ExceptionName);
        Assert.Equal(404, missing.Error.StatusCode);
    }

    [Fact]
    public void PutProvisionedConcurrencyConfig_rejects_what_AWS_rejects()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.ReservedConcurrency = 20;
        });

        var latest = t.Model.PutProvisionedConcurrencyConfig("fn", "$LATEST", 5);
        Assert.Equal("InvalidParameterValueException", latest.Error!.ExceptionName);
        Assert.Equal("Provisioned Concurrency Configs cannot be applied to unpublished function versions.", latest.Error.Message);

        var overReserved = t.Model.PutProvisionedConcurrencyConfig("fn", "1", 21);
        Assert.Equal("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function", overReserved.Error!.Message);

        Assert.Equal("ResourceNotFoundException", t.Model.PutProvisionedConcurrencyConfig("fn", "7", 1).Error!.ExceptionName);
        Assert.Equal("InvalidParameterValueException", t.Model.PutProvisionedConcurrencyConfig("fn", "1", 0).Error!.ExceptionName);

        t.Model.DeleteFunctionConcurrency("fn");
        var overPool = t.Model.PutProvisionedConcurrencyConfig("fn", "1", 901);
        Assert.Equal("Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [1000].", overPool.Error!.Message);
        Assert.True(t.Model.PutProvisionedConcurrencyConfig("fn", "1", 900).IsSuccess);
    }

    [Fact]
    public void Retargeting_an_alias_replaces_its_provisioned_environments()
    {
        var t = TestModel.WithFunction(f =>
        {
            Versioned(f);
            f.PublishedVersions = 2;
            f.ProvisionedConcurrency["live"] = 2;
        });

        t.Model.UpdateAlias("fn", "live", "2").GetValueOrThrow();
        Assert.Equal(0, t.Function().ProvisionedAllocated);
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, t.Function().ProvisionedAllocated);
        t.Invoke(qualifier: "live");
        t.Advance(TimeSpan.FromMinutes(2));
        var result = Assert.Single(t.Events.Completed);
        Assert.True(result.Provisioned);
        Assert.Equal("2", result.ExecutedVersion);
    }
}
