namespace LambdaStorm.Lambda.Tests;

/// <summary>Options: AWS defaults, validation naming every field, the options → settings round trip, and LAMBDASTORM_* variables.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Account_defaults_are_AWS_documented_values()
    {
        var a = AccountSettings.Default;
        Assert.Equal("us-east-1", a.Region);
        Assert.Equal(1000, a.ConcurrencyLimit);                         // [S34]
        Assert.Equal(100, a.UnreservedMinimum);                         // [S8][S5]
        Assert.Equal(ScalingModel.PerFunction, a.ScalingModel);         // [S1]
        Assert.Equal(1000, a.PerFunctionScaleBurst);                    // [S1]
        Assert.Equal(6000, a.PerFunctionScaleRatePerMinute);            // 100/s [S1]
        Assert.Equal(3000, a.LegacyBurst);                              // us-east-1 [S3]
        Assert.Equal(500, a.LegacyScaleRatePerMinute);                  // [S3]
        Assert.Equal(10_000, a.RequestRateLimit);                       // 10 × concurrency [S4]
        Assert.Equal(6000, a.ProvisionedRampPerMinute);                 // [S7]
        Assert.Equal(TimeSpan.FromMinutes(10), a.IdleReapAfter);        // [S31]
        Assert.Equal(TimeSpan.FromHours(2), a.MaxEnvironmentLifetime);  // [S31]
        Assert.Equal(TimeSpan.FromSeconds(10), a.InitTimeout);          // [S20]
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)], a.AsyncRetryDelays); // [S11]
        Assert.Equal(TimeSpan.FromSeconds(1), a.AsyncThrottleInitialBackoff); // [S11]
        Assert.Equal(TimeSpan.FromMinutes(5), a.AsyncThrottleMaxBackoff);     // [S11]
        Assert.Equal(6_291_456, a.MaxSyncPayloadBytes);                 // [S8]
        Assert.Equal(1_048_576, a.MaxAsyncPayloadBytes);                // [S25]
        Assert.Equal(0.20, a.PricePerMillionRequests);                  // [S24]
        Assert.Equal(0.0000166667, a.PricePerGbSecondX86);
        Assert.Equal(0.0000133334, a.PricePerGbSecondArm64);
    }

    [Fact]
    public void Function_defaults_are_AWS_documented_values()
    {
        var f = new FunctionOptions { Name = "f" }.Build();
        Assert.Equal(128, f.Version.MemoryMb);
        Assert.Equal(3, f.Version.TimeoutSeconds);
        Assert.Equal(FunctionArchitecture.X86_64, f.Version.Architecture);
        Assert.Equal("nodejs22.x", f.Version.Runtime);
        Assert.Equal(2, f.AsyncConfig.MaximumRetryAttempts);
        Assert.Equal(21600, f.AsyncConfig.MaximumEventAgeInSeconds);
        Assert.Equal(0, f.DuplicateDeliveryProbability);
        Assert.Null(f.ReservedConcurrency);
    }

    [Fact]
    public void Validation_reports_every_problem_naming_the_field()
    {
        var options = new LambdaModelOptions
        {
            Account = { ConcurrencyLimit = 0, AccountId = "12", AsyncRetryDelays = [] },
            Functions =
            {
                new FunctionOptions { Name = "", MemoryMb = 64, TimeoutSeconds = 901, ErrorRate = 2, AsyncConfig = { MaximumRetryAttempts = 5, MaximumEventAgeInSeconds = 30 } },
                new FunctionOptions { Name = "dup" },
                new FunctionOptions { Name = "dup", ProvisionedConcurrency = { ["$LATEST"] = 1 } },
            },
        };

        var errors = options.Validate();
        foreach (var field in new[]
        {
            "Account.ConcurrencyLimit", "Account.AccountId", "Account.AsyncRetryDelays",
            "Functions[?].Name", "Functions[?].MemoryMb", "Functions[?].TimeoutSeconds", "Functions[?].ErrorRate",
            "Functions[?].AsyncConfig.MaximumRetryAttempts", "Functions[?].AsyncConfig.MaximumEventAgeInSeconds",
            "Functions[dup].Name: duplicate", "Functions[dup].ProvisionedConcurrency[$LATEST]",
        })
        {
            Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
        }

        var thrown = Assert.Throws<LambdaOptionsException>(options.ToSettings);
        Assert.Equal(errors, thrown.Errors);
    }

    [Fact]
    public void Validation_checks_reservations_against_the_unreserved_minimum()
    {
        var options = new LambdaModelOptions
        {
            Functions = { new FunctionOptions { Name = "a", ReservedConcurrency = 600 }, new FunctionOptions { Name = "b", ReservedConcurrency = 350 } },
        };
        Assert.Contains(options.Validate(), e => e.Contains("below Account.UnreservedMinimum (100)", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_round_trip_through_settings()
    {
        var original = new FunctionOptions
        {
            Name = "orders",
            MemoryMb = 1024,
            TimeoutSeconds = 30,
            Architecture = FunctionArchitecture.Arm64,
            Runtime = "python3.13",
            DurationMs = 120,
            DurationP99Ms = 900,
            DurationDistribution = DurationDistributionKind.LogNormal,
            CpuBoundShare = 0.3,
            InitDurationMs = 400,
            ErrorRate = 0.01,
            PoisonMarker = "BAD",
            DownstreamLimit = 50,
            DownstreamMode = DownstreamMode.Fail,
            ExtraLatencyMs = 5,
            ResponsePayload = "{\"ok\":1}",
            ReservedConcurrency = 200,
            PublishedVersions = 2,
            Aliases = { ["live"] = "2" },
            ProvisionedConcurrency = { ["live"] = 20 },
            AsyncConfig = { MaximumRetryAttempts = 1, MaximumEventAgeInSeconds = 600, OnFailure = "arn:aws:sqs:us-east-1:000000000000:q" },
            DeadLetterTargetArn = "arn:aws:sqs:us-east-1:000000000000:dlq",
            DuplicateDeliveryProbability = 0.001,
            Environment = { ["A"] = "1" },
        };

        Assert.Empty(original.Validate());
        var back = original.Build().ToOptions();
        foreach (var p in typeof(FunctionOptions).GetProperties().Where(p => (p.PropertyType.IsValueType || p.PropertyType == typeof(string)) && p.Name != nameof(FunctionOptions.DurationReferenceMemoryMb)))
        {
            Assert.Equal(p.GetValue(original), p.GetValue(back));
        }

        Assert.Equal(original.Aliases, back.Aliases);
        Assert.Equal(original.ProvisionedConcurrency, back.ProvisionedConcurrency);
        Assert.Equal(original.Environment, back.Environment);
        Assert.Equal(original.AsyncConfig.OnFailure, back.AsyncConfig.OnFailure);
        Assert.Equal(1024, back.DurationReferenceMemoryMb); // resolved from MemoryMb at creation
    }

    [Fact]
    public void FromEnvironment_reads_every_LAMBDASTORM_variable()
    {
        var options = FunctionOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["LAMBDASTORM_DURATION_MS"] = "250",
            ["LAMBDASTORM_DURATION_P99_MS"] = "1200.5",
            ["LAMBDASTORM_DURATION_DISTRIBUTION"] = "uniform",
            ["LAMBDASTORM_CPU_SHARE"] = "0.4",
            ["LAMBDASTORM_REFERENCE_MEMORY_MB"] = "1769",
            ["LAMBDASTORM_INIT_MS"] = "800",
            ["LAMBDASTORM_INIT_P99_MS"] = "2000",
            ["LAMBDASTORM_ERROR_RATE"] = "5%",
            ["LAMBDASTORM_POISON_MARKER"] = "POISON",
            ["LAMBDASTORM_DOWNSTREAM_LIMIT"] = "40",
            ["LAMBDASTORM_DOWNSTREAM_MODE"] = "fail",
            ["LAMBDASTORM_DOWNSTREAM_SLOWDOWN"] = "4",
            ["LAMBDASTORM_EXTRA_LATENCY_MS"] = "15",
            ["LAMBDASTORM_RESPONSE"] = "{\"statusCode\":200}",
            ["LAMBDASTORM_DUPLICATE_PROBABILITY"] = "0.02",
            ["UNRELATED"] = "kept",
        });

        Assert.Equal(250, options.DurationMs);
        Assert.Equal(1200.5, options.DurationP99Ms);
        Assert.Equal(DurationDistributionKind.Uniform, options.DurationDistribution);
        Assert.Equal(0.4, options.CpuBoundShare);
        Assert.Equal(1769, options.DurationReferenceMemoryMb);
        Assert.Equal(800, options.InitDurationMs);
        Assert.Equal(2000, options.InitDurationP99Ms);
        Assert.Equal(0.05, options.ErrorRate, 12);
        Assert.Equal("POISON", options.PoisonMarker);
        Assert.Equal(40, options.DownstreamLimit);
        Assert.Equal(DownstreamMode.Fail, options.DownstreamMode);
        Assert.Equal(4, options.DownstreamSlowdownFactor);
        Assert.Equal(15, options.ExtraLatencyMs);
        Assert.Equal("{\"statusCode\":200}", options.ResponsePayload);
        Assert.Equal(0.02, options.DuplicateDeliveryProbability);
        Assert.Equal("kept", options.Environment["UNRELATED"]);
        Assert.Equal(16, options.Environment.Count);

        options.Name = "f";
        Assert.Contains(options.Validate(), e => e.Contains("DurationP99Ms", StringComparison.Ordinal)); // uniform cannot reach P99 = 4.8 × mean
        options.DurationDistribution = DurationDistributionKind.LogNormal;
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Every_documented_variable_is_handled()
    {
        var names = typeof(LambdaStormVariables).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order().ToList();
        Assert.Equal(names, LambdaStormVariables.All.Select(v => v.Name).Order());
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "lambda-model.md"));
        Assert.All(names, n => Assert.Contains(n, doc, StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_LAMBDASTORM_values_are_reported_naming_the_variable()
    {
        var options = FunctionOptions.FromEnvironment(new Dictionary<string, string>
        {
            ["LAMBDASTORM_DURATION_MS"] = "fast",
            ["LAMBDASTORM_DOWNSTREAM_MODE"] = "explode",
            ["LAMBDASTORM_ERROR_RATE"] = "1.5",
        });
        options.Name = "f";
        var errors = options.Validate();
        Assert.Contains(errors, e => e.Contains("LAMBDASTORM_DURATION_MS: must be a number (was 'fast')", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("LAMBDASTORM_DOWNSTREAM_MODE: must be slow or fail", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ErrorRate: must be between 0 and 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("per-function", false)]
    [InlineData("legacy-burst", true)]
    [InlineData("LEGACY_BURST", true)]
    public void Scaling_model_wire_names_parse(string text, bool legacy)
    {
        var expected = legacy ? ScalingModel.LegacyBurst : ScalingModel.PerFunction;
        Assert.True(ScalingModelNames.TryParse(text, out var model));
        Assert.Equal(expected, model);
        Assert.False(ScalingModelNames.TryParse("fastest", out _));
        Assert.Equal(text.ToLowerInvariant().Replace('_', '-'), expected.ToWireName());
    }

    [Fact]
    public void Distributions_fit_their_mean_and_p99()
    {
        Assert.True(Distribution.TryFromMeanP99(DurationDistributionKind.LogNormal, 100, 400, out var log, out _));
        Assert.Equal(100, log.Mean, 9);
        Assert.Equal(400, log.P99, 9);
        Assert.True(Distribution.TryFromMeanP99(DurationDistributionKind.Uniform, 100, 150, out var uniform, out _));
        Assert.Equal(100, uniform.Mean, 9);
        Assert.Equal(150, uniform.P99, 9);
        Assert.False(Distribution.TryFromMeanP99(DurationDistributionKind.LogNormal, 100, 2000, out _, out var error));
        Assert.Contains("at most", error, StringComparison.Ordinal);

        var random = new Random(3);
        var samples = Enumerable.Range(0, 200_000).Select(_ => log.Sample(random)).Order().ToArray();
        Assert.Equal(100, samples.Average(), 100 * 0.02);
        Assert.Equal(400, samples[(int)(samples.Length * 0.99)], 400 * 0.03);
    }

    [Fact]
    public void Token_buckets_refill_exactly_and_do_not_accrue()
    {
        var bucket = new TokenBucket(1000, 6000, 0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(bucket.TryTake(0));
        }

        Assert.False(bucket.TryTake(0));
        Assert.Equal(TimeSpan.FromMilliseconds(10).Ticks, bucket.TicksUntilToken(0));
        Assert.Equal(100, bucket.Available(TimeSpan.TicksPerSecond), 9);
        Assert.Equal(1000, bucket.Available(TimeSpan.TicksPerDay * 365), 9);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LambdaStorm.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
