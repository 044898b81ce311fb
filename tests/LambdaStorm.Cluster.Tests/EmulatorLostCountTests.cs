using System.Net;
using System.Net.Sockets;
using LambdaStorm.Emulator;
using LambdaStorm.Lambda;
using LambdaStorm.Ledger;
using LambdaStorm.Targets;

namespace LambdaStorm.Cluster.Tests;

/// <summary>
/// The live <c>lost</c> count of a run against a separate emulator: the ledger's SQS reader reads the emulator's
/// <c>/metrics</c> lost counters for the load's own queue only, and says so in the summary when it never could.
/// </summary>
public sealed class EmulatorLostCountTests
{
    private static LambdaModelOptions Model()
    {
        var model = new LambdaModelOptions();
        model.Queues.Add(new QueueOptions { Name = "orders" });
        model.Queues.Add(new QueueOptions { Name = "other" });
        return model;
    }

    [Fact]
    public async Task The_emulators_purged_messages_of_the_source_queue_are_the_live_lost_count()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Model = Model(), Port = 0 }, ct);
        var plan = new LedgerPlan("orders", [], [], Async: false);
        await using var reader = new SqsLedgerReader(SqsClients.Create(emulator.BaseAddress, "us-east-1"), plan, TimeProvider.System, null)
        {
            EmulatorMetrics = new Uri(emulator.BaseAddress, "/metrics"),
            CountsLost = true,
        };
        var ledger = new DeliveryLedger();
        Assert.Equal(SourceState.Quiescent, await reader.SampleAsync(ledger, ct));
        Assert.Equal(0, ledger.SourceLost);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(emulator.Model.SendMessage("orders", $$"""{"id":"o{{i}}"}""").IsSuccess);
            Assert.True(emulator.Model.SendMessage("other", $$"""{"id":"x{{i}}"}""").IsSuccess);
        }

        Assert.True(emulator.Model.PurgeQueue("orders").IsSuccess);
        Assert.True(emulator.Model.PurgeQueue("other").IsSuccess);
        await reader.SampleAsync(ledger, ct);

        Assert.Equal(3, ledger.SourceLost); // the other queue's purge is not the load's
        Assert.Null(reader.Warning);
    }

    [Fact]
    public async Task A_metrics_endpoint_that_never_answers_leaves_the_queue_path_running_and_the_summary_says_why_lost_stayed_0()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Model = Model(), Port = 0 }, ct);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var reader = new SqsLedgerReader(SqsClients.Create(emulator.BaseAddress, "us-east-1"), new LedgerPlan("orders", [], [], Async: false), TimeProvider.System, null)
        {
            EmulatorMetrics = new Uri($"http://127.0.0.1:{closed}/metrics"),
            CountsLost = true,
        };

        Assert.Equal(SourceState.Quiescent, await reader.SampleAsync(new DeliveryLedger(), ct));

        Assert.StartsWith("delivery ledger: the emulator's /metrics could not be read (", reader.Warning, StringComparison.Ordinal);
        Assert.EndsWith("so the live lost count of abort conditions stayed 0", reader.Warning, StringComparison.Ordinal);
    }
}
