namespace LambdaStorm.Lambda.Tests;

/// <summary>
/// What the model reports as discarded for good (<see cref="LostWorkTracker"/>): messages purged or expired while nobody
/// held them, with their LambdaStorm id; not a message in flight (its consumer may still finish it); and an async event
/// only when no failure target took it.
/// </summary>
public sealed class LostWorkTrackerTests
{
    private static TestModel WithQueues(params QueueOptions[] queues) => TestModel.Create(o => o.Queues.AddRange(queues));

    [Fact]
    public void A_purge_reports_the_visible_and_delayed_messages_with_their_ids_but_not_the_one_in_flight()
    {
        var t = WithQueues(new QueueOptions { Name = "q" });
        var lost = new List<LostWork>();
        t.Model.AddObserver(new LostWorkTracker(lost.Add));
        t.Model.SendMessage("q", """{"id":"held"}""").GetValueOrThrow();
        Assert.Single(t.Model.ReceiveMessage("q", 1, TimeSpan.FromMinutes(1)).GetValueOrThrow()); // in flight now
        t.Model.SendMessage("q", """{"id":"by-payload"}""").GetValueOrThrow();
        t.Model.SendMessage("q", "not json", new Dictionary<string, MessageAttribute> { [Receipt.IdAttribute] = new("String", "by-attribute") }).GetValueOrThrow();
        t.Model.SendMessage("q", """{"id":"delayed"}""", delay: TimeSpan.FromSeconds(30)).GetValueOrThrow();

        Assert.True(t.Model.PurgeQueue("q").IsSuccess);

        Assert.Equal(["by-attribute", "by-payload", "delayed"], lost.Select(w => w.Id!).Order(StringComparer.Ordinal));
        Assert.All(lost, w => Assert.Equal(("q", (string?)null, "purged"), (w.Queue!, w.Function, w.Reason)));
    }

    [Fact]
    public void A_message_visible_again_while_its_batch_still_runs_is_not_reported_when_purged()
    {
        // Visibility 1 s, a 3 s handler: the message is visible again while the function still runs its batch.
        var (t, _, uuid) = EventSourceMappingTests.Setup(f => f.DurationMs = 3000, visibility: TimeSpan.FromSeconds(1));
        var lost = new List<LostWork>();
        t.Model.AddObserver(new LostWorkTracker(lost.Add));
        EventSourceMappingTests.Send(t, 1);
        t.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, EventSourceMappingTests.Counters(t).NotVisible); // the poller took it: the batch runs
        Assert.True(t.Model.UpdateEventSourceMapping(uuid, o => o.Enabled = false).IsSuccess); // nobody takes it again
        t.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, EventSourceMappingTests.Counters(t).Visible);
        Assert.True(t.Model.SendMessage("q", """{"id":"never-received"}""").IsSuccess);

        Assert.True(t.Model.PurgeQueue("q").IsSuccess);

        // Only the message nobody ever took is lost; the running batch may still process the other.
        Assert.Equal(["never-received"], lost.Select(w => w.Id!));
    }

    [Fact]
    public void Retention_expiry_reports_the_messages_that_outlived_the_queue()
    {
        var t = WithQueues(new QueueOptions { Name = "q", MessageRetentionPeriod = TimeSpan.FromSeconds(60) });
        var lost = new List<LostWork>();
        t.Model.AddObserver(new LostWorkTracker(lost.Add));
        t.Model.SendMessage("q", """{"id":"old"}""").GetValueOrThrow();

        t.Advance(TimeSpan.FromSeconds(61));

        var w = Assert.Single(lost);
        Assert.Equal(("old", "retention_expired"), (w.Id, w.Reason));
    }

    [Fact]
    public void A_failed_async_event_is_lost_without_a_failure_target_and_not_when_its_destination_takes_it()
    {
        var t = TestModel.Create(o =>
        {
            o.Queues.Add(new QueueOptions { Name = "failures" });
            o.Functions.Add(new FunctionOptions { Name = "nowhere", ErrorRate = 1, AsyncConfig = { MaximumRetryAttempts = 0 } });
            o.Functions.Add(new FunctionOptions { Name = "kept", ErrorRate = 1, AsyncConfig = { MaximumRetryAttempts = 0, OnFailure = "arn:aws:sqs:us-east-1:000000000000:failures" } });
        });
        var lost = new List<LostWork>();
        t.Model.AddObserver(new LostWorkTracker(lost.Add));

        Assert.True(t.Model.InvokeAsync("nowhere", null, """{"id":"gone"}""").IsAccepted);
        Assert.True(t.Model.InvokeAsync("kept", null, """{"id":"dead-lettered"}""").IsAccepted);
        t.Advance(TimeSpan.FromSeconds(10));

        var w = Assert.Single(lost);
        Assert.Equal(("gone", "nowhere", "retries_exhausted"), (w.Id, w.Function, w.Reason));
    }
}
