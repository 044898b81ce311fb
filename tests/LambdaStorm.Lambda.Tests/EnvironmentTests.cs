using System.Text.Json;

namespace LambdaStorm.Lambda.Tests;

/// <summary>Execution environments: cold starts, reuse, reaping, recycling, and what an execution produces (§3, §6).</summary>
public sealed class EnvironmentTests
{
    [Fact]
    public async Task A_cold_start_runs_init_first_counts_toward_concurrency_and_is_billed()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 500;
            f.DurationMs = 100;
            f.MemoryMb = 256;
        });

        var response = t.Invoke();
        Assert.True(response.ColdStart);
        var completion = response.Completion!;
        t.Advance(TimeSpan.FromMilliseconds(550));
        Assert.False(completion.IsCompleted);
        Assert.Equal(1, t.Function().Concurrency); // initialising counts
        t.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(completion.IsCompleted);
        var result = await completion;

        Assert.True(result.ColdStart);
        Assert.Equal(TimeSpan.FromMilliseconds(500), result.InitDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), result.Duration);
        Assert.Equal(600, result.BilledDurationMs); // init billed since Aug 2025 [S23]
        Assert.Equal(256, result.MemorySizeMb);
        Assert.Equal("$LATEST", result.ExecutedVersion);
        Assert.Equal(t.Start, result.StartTime);
        Assert.Equal(t.Start.AddMilliseconds(600), result.EndTime);
        Assert.Equal("null", Bytes.Text(result.ResponsePayload));
        Assert.Equal(0, t.Function().Concurrency);
        Assert.Contains("Init Duration: 500.00 ms", result.FormatLogTail(), StringComparison.Ordinal);
        Assert.Contains("Billed Duration: 600 ms", result.FormatLogTail(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_warm_environment_is_reused_without_init_and_the_most_recently_used_goes_first()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 100;
            f.DurationMs = 100;
        });

        var first = t.Burst(3).Admitted;
        t.Advance(TimeSpan.FromSeconds(1));
        var ids = t.Events.Completed.Select(r => r.EnvironmentId).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.All(first, r => Assert.True(r.ColdStart));

        var warm = t.Invoke();
        Assert.False(warm.ColdStart);
        t.Advance(TimeSpan.FromSeconds(1));
        var result = t.Events.Completed[^1];
        Assert.False(result.ColdStart);
        Assert.Equal(TimeSpan.Zero, result.InitDuration);
        Assert.Equal(100, result.BilledDurationMs);
        Assert.Equal(ids[^1], result.EnvironmentId); // released last = most recently used
        Assert.DoesNotContain("Init Duration", result.FormatLogTail(), StringComparison.Ordinal);
        Assert.Equal(3, t.Events.ColdStarts.Count);
    }

    [Fact]
    public void Idle_environments_are_reaped_after_ten_minutes()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
        });

        t.Invoke();
        t.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, t.Function().WarmIdle);

        t.AdvanceTo(TimeSpan.FromMilliseconds(100) + TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.Equal(1, t.Function().WarmIdle);
        t.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(0, t.Function().WarmIdle);
        var reaped = Assert.Single(t.Events.Destroyed);
        Assert.Equal(EnvironmentEndReason.Idle, reaped.Reason);
        Assert.Equal(t.Start + TimeSpan.FromMilliseconds(100) + TimeSpan.FromMinutes(10), reaped.Time);
        Assert.True(t.Invoke().ColdStart);
    }

    [Fact]
    public void Reuse_restarts_the_idle_clock()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 0;
        }, a => a.IdleReapAfter = TimeSpan.FromMinutes(5));

        t.Invoke();
        t.AdvanceTo(TimeSpan.FromMinutes(4));
        Assert.False(t.Invoke().ColdStart);
        t.AdvanceTo(TimeSpan.FromMinutes(8.9));
        Assert.Equal(1, t.Function().WarmIdle);
        t.AdvanceTo(TimeSpan.FromMinutes(9));
        Assert.Equal(0, t.Function().WarmIdle);
    }

    [Fact]
    public void Environments_are_recycled_after_their_maximum_lifetime()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 1000;
        });

        var cold = new List<bool>();
        for (var minute = 0; minute <= 150; minute += 5)
        {
            t.AdvanceTo(TimeSpan.FromMinutes(minute));
            cold.Add(t.Invoke().ColdStart);
        }

        t.Advance(TimeSpan.FromSeconds(1));
        // Created at 0 and never idle for 10 min; at 120 min it has reached the 2 h lifetime and is recycled.
        Assert.True(cold[0]);
        Assert.All(cold.Skip(1).Take(23), Assert.False);
        Assert.True(cold[24]);
        Assert.All(cold.Skip(25), Assert.False);
        var recycled = Assert.Single(t.Events.Destroyed);
        Assert.Equal(EnvironmentEndReason.Lifetime, recycled.Reason);
        Assert.Equal(t.Start + TimeSpan.FromMinutes(120), recycled.Time);
    }

    [Fact]
    public void A_busy_environment_past_its_lifetime_is_recycled_when_its_invocation_ends()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 8000;
            f.TimeoutSeconds = 60;
        }, a => a.MaxEnvironmentLifetime = TimeSpan.FromSeconds(10));

        t.Invoke();
        t.AdvanceTo(TimeSpan.FromSeconds(9));
        Assert.False(t.Invoke().ColdStart);
        t.AdvanceTo(TimeSpan.FromSeconds(20));
        var recycled = Assert.Single(t.Events.Destroyed);
        Assert.Equal(EnvironmentEndReason.Lifetime, recycled.Reason);
        Assert.Equal(t.Start.AddSeconds(17), recycled.Time);
        Assert.Equal(0, t.Function().WarmIdle);
    }

    [Fact]
    public void UpdateFunctionConfiguration_retires_existing_environments()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
        });

        t.Invoke();
        t.Advance(TimeSpan.FromSeconds(1));
        var updated = t.Model.UpdateFunctionConfiguration("fn", o => o.MemoryMb = 1024).GetValueOrThrow();
        Assert.Equal(1024, updated.MemorySize);
        Assert.Equal(EnvironmentEndReason.Stale, Assert.Single(t.Events.Destroyed).Reason);

        Assert.True(t.Invoke().ColdStart);
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1024, t.Events.Completed[^1].MemorySizeMb);
    }

    [Fact]
    public void Chaos_can_inject_errors_and_latency_without_retiring_warm_environments()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
        });

        t.Invoke();
        t.Advance(TimeSpan.FromSeconds(1));
        t.Model.UpdateFunctionConfiguration("fn", o =>
        {
            o.ErrorRate = 1;
            o.ExtraLatencyMs = 400;
        }, retireEnvironments: false).GetValueOrThrow();

        Assert.False(t.Invoke().ColdStart);
        t.Advance(TimeSpan.FromSeconds(1));
        var result = t.Events.Completed[^1];
        Assert.False(result.IsSuccess);
        Assert.Equal(TimeSpan.FromMilliseconds(500), result.Duration);
        Assert.Empty(t.Events.Destroyed);
    }

    [Fact]
    public void A_timeout_fails_with_Sandbox_Timedout_after_exactly_the_timeout()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 5000;
        });

        var response = t.Invoke();
        t.Advance(TimeSpan.FromSeconds(10));
        var result = Assert.Single(t.Events.Completed);
        Assert.True(result.TimedOut);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        Assert.Equal($"RequestId: {response.RequestId} Error: Task timed out after 3.00 seconds", result.ErrorMessage);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Duration);
        Assert.Equal(3000, result.BilledDurationMs);
        Assert.Equal(t.Start.AddSeconds(3), result.EndTime);

        using var body = JsonDocument.Parse(result.ResponsePayload);
        Assert.Equal("Sandbox.Timedout", body.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(result.ErrorMessage, body.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("stackTrace").ValueKind);
    }

    [Fact]
    public void A_payload_containing_the_poison_marker_always_fails()
    {
        var t = TestModel.WithFunction(f => f.PoisonMarker = "POISON-PILL");

        t.Invoke(payload: "{\"id\":1}");
        t.Invoke(payload: "{\"id\":2,\"note\":\"POISON-PILL\"}");
        t.Advance(TimeSpan.FromSeconds(5));

        Assert.True(t.Events.Completed.Single(r => !r.ColdStart || r.IsSuccess).IsSuccess);
        var poisoned = t.Events.Completed.Single(r => !r.IsSuccess);
        Assert.Equal(LambdaModel.PoisonPillErrorType, poisoned.ErrorType);
        Assert.Equal("Unhandled", poisoned.FunctionError);
    }

    [Fact]
    public void The_error_rate_injects_unhandled_errors()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.ErrorRate = 0.25;
            f.DurationMs = 10;
        }, a => a.ConcurrencyLimit = 5000);

        for (var round = 0; round < 4; round++)
        {
            Assert.Equal(1000, t.Burst(1000).Admitted.Count);
            t.Advance(TimeSpan.FromSeconds(10));
        }

        var errors = t.Events.Completed.Count(r => !r.IsSuccess);
        Assert.Equal(4000, t.Events.Completed.Count);
        Assert.InRange(errors, 900, 1100);
        Assert.All(t.Events.Completed.Where(r => !r.IsSuccess), r => Assert.Equal("Error", r.ErrorType));
    }

    [Theory]
    [InlineData("slow")]
    [InlineData("fail")]
    public void Above_the_downstream_limit_the_function_slows_down_or_fails(string modeName)
    {
        Assert.True(DownstreamModeNames.TryParse(modeName, out var mode));
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
            f.DownstreamLimit = 5;
            f.DownstreamMode = mode;
            f.DownstreamSlowdownFactor = 3;
        });

        t.Burst(8);
        t.Advance(TimeSpan.FromSeconds(1));
        var results = t.Events.Completed.OrderBy(r => r.StartTime).ThenBy(r => r.EnvironmentId).ToList();
        Assert.All(results.Take(5), r => Assert.True(r.IsSuccess && r.Duration == TimeSpan.FromMilliseconds(100)));
        if (mode == DownstreamMode.Slow)
        {
            Assert.All(results.Skip(5), r => Assert.True(r.IsSuccess && r.Duration == TimeSpan.FromMilliseconds(300)));
        }
        else
        {
            Assert.All(results.Skip(5), r => Assert.Equal(LambdaModel.DownstreamErrorType, r.ErrorType));
        }
    }

    [Fact]
    public void The_cpu_bound_share_scales_with_memory_up_to_one_vcpu()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.MemoryMb = 1769;
            f.DurationMs = 1000;
            f.CpuBoundShare = 0.5;
            f.TimeoutSeconds = 60;
        });

        TimeSpan Run()
        {
            t.Invoke();
            t.Advance(TimeSpan.FromSeconds(60));
            return t.Events.Completed[^1].Duration;
        }

        Assert.Equal(TimeSpan.FromMilliseconds(1000), Run());
        t.Model.UpdateFunctionConfiguration("fn", o => o.MemoryMb = 3538);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), Run()); // a single-threaded handler gains nothing above 1 vCPU
        t.Model.UpdateFunctionConfiguration("fn", o => o.MemoryMb = 442);
        Assert.Equal(1000 * (0.5 + (0.5 * 1769 / 442.0)), Run().TotalMilliseconds, 0.001);
    }

    [Fact]
    public void Extra_latency_is_added_to_every_invocation()
    {
        var t = TestModel.WithFunction(f =>
        {
            f.InitDurationMs = 0;
            f.DurationMs = 100;
            f.ExtraLatencyMs = 250;
        });
        t.Invoke();
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(350), t.Events.Completed[0].Duration);
    }

    [Fact]
    public void Init_durations_default_by_runtime_and_arm64_is_faster()
    {
        static double MedianInit(string runtime, FunctionArchitecture architecture)
        {
            var t = TestModel.WithFunction(f =>
            {
                f.Runtime = runtime;
                f.Architecture = architecture;
                f.DurationMs = 1;
            }, a => a.ConcurrencyLimit = 3000);
            t.Burst(2001);
            var init = t.Events.ColdStarts.Select(c => c.InitDuration.TotalMilliseconds).Order().ToList();
            return init[init.Count / 2];
        }

        Assert.InRange(MedianInit("nodejs22.x", FunctionArchitecture.X86_64), 250, 300);
        Assert.InRange(MedianInit("python3.13", FunctionArchitecture.X86_64), 270, 330);
        Assert.InRange(MedianInit("java21", FunctionArchitecture.X86_64), 3200, 3800);
        Assert.InRange(MedianInit("nodejs22.x", FunctionArchitecture.Arm64), 275 * 0.75 * 0.9, 275 * 0.75 * 1.1);
    }
}
