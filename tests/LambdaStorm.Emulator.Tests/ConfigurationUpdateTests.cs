using Amazon.Runtime;
using LambdaStorm.Chaos;
using LambdaStorm.Lambda;
using Microsoft.Extensions.Time.Testing;

namespace LambdaStorm.Emulator.Tests;

/// <summary>
/// A configuration update that takes time, as on AWS (<c>updateDuration</c>): the emulator answers
/// <c>LastUpdateStatus: InProgress</c> and 409 <c>ResourceConflictException</c> meanwhile, and the chaos control plane
/// that sets fault variables on aws targets waits for the update in progress and for its own before it calls a fault live.
/// </summary>
public sealed class ConfigurationUpdateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_control_plane_waits_out_an_update_in_progress_and_its_own_before_the_fault_counts_as_live()
    {
        var fake = new FakeTimeProvider(Start);
        var time = new WaitingTime(fake);
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn", f => f.UpdateDurationMs = 3000)), fake);
        await using var plane = new HttpControlPlane(emulator.Host.BaseAddress, emulator.Host.BaseAddress, "us-east-1", new BasicAWSCredentials("lambdastorm", "lambdastorm"), time);

        // Somebody else's update is in progress: a PUT now would be a conflict, so the plane polls until it has landed.
        Assert.Equal("InProgress", emulator.Model.UpdateFunctionConfiguration("fn", o => o.MemoryMb = 256).GetValueOrThrow().LastUpdateStatus);
        var set = plane.SetEnvironmentAsync("fn", new Dictionary<string, string> { ["LAMBDASTORM_FAULT_ERROR_RATE"] = "1" }, CancellationToken.None);
        var polls = 0;
        while (!set.IsCompleted)
        {
            await time.NextWaitAsync(set); // the plane is waiting on the clock (or done)
            if (set.IsCompleted)
            {
                break;
            }

            polls++;
            fake.Advance(HttpControlPlane.UpdatePoll);
        }

        await set;
        // 3 s for the other update, then 3 s for its own, polled once a second.
        Assert.InRange(polls, 5, 7);
        Assert.True(fake.GetUtcNow() - Start >= TimeSpan.FromSeconds(6));
        var now = emulator.Model.GetFunction("fn").GetValueOrThrow();
        Assert.Equal("Successful", now.LastUpdateStatus);
        Assert.Equal("1", now.Settings.Environment["LAMBDASTORM_FAULT_ERROR_RATE"]);
        Assert.Equal(256, now.MemorySize); // the other update landed first and was kept
    }

    [Fact]
    public async Task The_emulator_answers_a_second_update_with_AWS_conflict_shape_while_the_first_is_in_progress()
    {
        var fake = new FakeTimeProvider(Start);
        await using var emulator = await TestEmulator.StartAsync(o => o.Functions.Add(TestEmulator.Instant("fn", f => f.UpdateDurationMs = 2000)), fake);
        const string path = "2015-03-31/functions/fn/configuration";
        using var first = await emulator.Client.PutAsync(path, new StringContent("""{"Timeout":9}"""), TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Contains("\"LastUpdateStatus\":\"InProgress\"", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var second = await emulator.Client.PutAsync(path, new StringContent("""{"Timeout":10}"""), TestContext.Current.CancellationToken);
        Assert.Equal(409, (int)second.StatusCode);
        Assert.Equal("ResourceConflictException", second.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"message\":\"The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:fn\"", body, StringComparison.Ordinal);

        fake.Advance(TimeSpan.FromSeconds(2));
        using var get = await emulator.Client.GetAsync(path, TestContext.Current.CancellationToken);
        var json = await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"LastUpdateStatus\":\"Successful\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Timeout\":9", json, StringComparison.Ordinal);
    }

    /// <summary>A fake clock that tells the test when its user starts waiting on it (a timer is created).</summary>
    private sealed class WaitingTime(FakeTimeProvider inner) : TimeProvider
    {
        private readonly SemaphoreSlim _waits = new(0);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = inner.CreateTimer(callback, state, dueTime, period);
            _waits.Release();
            return timer;
        }

        /// <summary>Until the next timer is created or <paramref name="done"/> completes (guarded: a hang fails the test).</summary>
        public async Task NextWaitAsync(Task done)
        {
            var wait = _waits.WaitAsync(TestContext.Current.CancellationToken);
            await Task.WhenAny(wait, done).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
    }
}
