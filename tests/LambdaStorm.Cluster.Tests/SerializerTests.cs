using System.Text.Json;
using Akka.Hosting;
using LambdaStorm.Cluster.Protocol;

namespace LambdaStorm.Cluster.Tests;

/// <summary>Every protocol message is bound to <see cref="ProtocolSerializer"/> and round-trips through it.</summary>
public sealed class SerializerTests : Akka.Hosting.TestKit.TestKit
{
    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
        => builder.WithCustomSerializer("lambdastorm", [typeof(IClusterMessage)], system => new ProtocolSerializer(system));

    public static readonly IClusterMessage[] Samples =
    [
        new RegisterAgent("agent-1"),
        new AgentRegistered(3),
        new SubmitRun("scenarios/spike.yaml", "name: spike\n", 3, "http://127.0.0.1:9001"),
        new SubmitRun("scenarios/poison-pill.yaml", "name: poison-pill\nvariants: []\n", 1, null, "with-rbif"),
        new RunRejected("agent-2's clock differs by 300 ms", 1),
        new RunAccepted("ab12cd34", ["a", "b"], 2),
        new PrepareRun("ab12cd34", "s.yaml", "name: s\n", null, 638_000_000_000_000_000),
        new AgentReady("ab12cd34", "a", 1, 2, 3, null),
        new StartLoad("ab12cd34", 638_000_000_000_000_000, new ShareAssignment(0, 1, 3)),
        new ShareAssignment(1200, 0, 2),
        new Reshare("ab12cd34", new ShareAssignment(1200, 1, 2)),
        new StopLoad("ab12cd34", "stopped"),
        new StopRun("ab12cd34"),
        new AgentCut("ab12cd34", "partition-agent", "chaos action 4-partition-agent-agent-2", 3),
        new AgentRestore("ab12cd34", "4-partition-agent-agent-2"),
        new AgentChaos("ab12cd34", "2-client-faults-client", true),
        new AgentChaos("ab12cd34", "2-client-faults-client", false),
        new ChaosEffect("ab12cd34", "agent-2", "3-function-errors-hello", 4.125, "first invocation showing it: function_error, 3 ms"),
        new SnapshotReport("ab12cd34", "a", 7, 7, 8, "1 inject", 100, 0, 12,
            [new WirePath(1, 50, 49, 1, [1, 2, 3], 49, 2)], [new WireSeries(1, 0, null, [4, 5]), new WireSeries(1, 2, "ReservedFunctionConcurrentInvocationLimitExceeded", [6])],
            new AgentHealth(35.5, 0.8, 1, 50)),
        new SnapshotReport("ab12cd34", "b", 8, 8, 9, "1 inject", 100, 0, 3, [], [], new AgentHealth(10, 0.2, 0, 33),
            new Ledger.SendBatch([3, 9, 12], [40_000, 1_250_000], [new Ledger.FailedSends("throttled", [9]), new Ledger.FailedSends("transport_error", [12])], [3], 13)),
        new AgentDone("ab12cd34", "a", 30, 0, null),
        new JournalLines("ab12cd34", ["{\"type\":\"start\"}", "{\"type\":\"interval\"}"]),
        new RunEnded("ab12cd34", "{}", 2, "/tmp/results/x"),
    ];

    [Fact]
    public void Every_message_type_has_a_manifest_and_a_sample()
    {
        var types = typeof(IClusterMessage).Assembly.GetTypes().Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && !t.IsInterface).ToHashSet();
        Assert.Equal(types.OrderBy(t => t.Name), ProtocolSerializer.Manifests.Keys.OrderBy(t => t.Name));
        Assert.Equal(types.OrderBy(t => t.Name), Samples.Select(s => s.GetType()).Distinct().OrderBy(t => t.Name));
    }

    [Fact]
    public void Every_message_is_bound_to_the_protocol_serializer_and_round_trips()
    {
        foreach (var message in Samples)
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<ProtocolSerializer>(serializer);
            var bytes = serializer.ToBinary(message);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
            Assert.IsType(message.GetType(), back);

            // Records holding arrays compare by reference; their JSON compares by value.
            Assert.Equal(JsonSerializer.Serialize(message, message.GetType()), JsonSerializer.Serialize(back, back.GetType()));
        }
    }

    [Fact]
    public void A_submission_keeps_its_variant_name_and_one_without_reads_as_none()
    {
        var serializer = (ProtocolSerializer)Sys.Serialization.FindSerializerFor(Samples[0]);
        var withVariant = (SubmitRun)serializer.FromBinary(serializer.ToBinary(new SubmitRun("p.yaml", "name: p\n", 2, null, "with-rbif")), "submit");
        Assert.Equal("with-rbif", withVariant.Variant);

        // A submission from a node that predates variants (no 'variant' field) is the scenario itself.
        var old = (SubmitRun)serializer.FromBinary("{\"scenarioPath\":\"p.yaml\",\"scenarioText\":\"name: p\\n\",\"minAgents\":1}"u8.ToArray(), "submit");
        Assert.Null(old.Variant);
        Assert.Equal(1, old.MinAgents);
    }

    [Fact]
    public void A_snapshot_carries_the_agents_sends_for_the_ledger_and_one_without_them_reads_as_none()
    {
        var serializer = (ProtocolSerializer)Sys.Serialization.FindSerializerFor(Samples[0]);
        var withSends = Samples.OfType<SnapshotReport>().Single(s => s.Sends is not null);
        var back = (SnapshotReport)serializer.FromBinary(serializer.ToBinary(withSends), "snapshot");
        Assert.Equal(withSends.Sends!.Sent, back.Sends!.Sent);
        Assert.Equal(withSends.Sends.Closed, back.Sends.Closed);
        Assert.Equal(withSends.Sends.InFlight, back.Sends.InFlight);
        Assert.Equal(13, back.Sends.Frontier);
        Assert.Equal(["throttled", "transport_error"], back.Sends.Failed.Select(f => f.Outcome));
        Assert.Equal([12L], back.Sends.Failed[1].Indices);

        var without = Samples.OfType<SnapshotReport>().First(s => s.Sends is null);
        Assert.Null(((SnapshotReport)serializer.FromBinary(serializer.ToBinary(without), "snapshot")).Sends);
    }

    [Fact]
    public void An_unknown_manifest_is_an_error_that_names_it()
    {
        var serializer = (ProtocolSerializer)Sys.Serialization.FindSerializerFor(Samples[0]);
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "bogus"));
        Assert.Contains("bogus", e.Message);
    }
}
