using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace LambdaStorm.Cluster.Protocol;

/// <summary>
/// The explicit serializer of every <see cref="IClusterMessage"/>: UTF-8 JSON of the message record, with a short
/// string manifest per type (not a CLR type name, so that renaming a class never breaks a mixed-version cluster
/// silently: an unknown manifest is an error that names it). Histograms inside are HdrHistogram's compressed V2 bytes.
/// Bound through Akka.Hosting in <see cref="ClusterSetup"/>.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id (unique among the system's serializers; Akka reserves 0–100).</summary>
    public const int Id = 7301;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every protocol message type and its manifest.</summary>
    public static readonly FrozenDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(RegisterAgent)] = "reg",
        [typeof(AgentRegistered)] = "reg-ack",
        [typeof(SubmitRun)] = "submit",
        [typeof(RunRejected)] = "rejected",
        [typeof(RunAccepted)] = "accepted",
        [typeof(PrepareRun)] = "prepare",
        [typeof(AgentReady)] = "ready",
        [typeof(StartLoad)] = "start",
        [typeof(ShareAssignment)] = "share",
        [typeof(Reshare)] = "reshare",
        [typeof(StopLoad)] = "stop-load",
        [typeof(StopRun)] = "stop-run",
        [typeof(AgentCut)] = "agent-cut",
        [typeof(AgentRestore)] = "agent-restore",
        [typeof(AgentChaos)] = "agent-chaos",
        [typeof(ChaosEffect)] = "chaos-effect",
        [typeof(SnapshotReport)] = "snapshot",
        [typeof(AgentDone)] = "agent-done",
        [typeof(JournalLines)] = "journal",
        [typeof(RunEnded)] = "ended",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> Types = Manifests.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return Manifests.TryGetValue(o.GetType(), out var m)
            ? m
            : throw new ArgumentException($"{o.GetType().FullName} is not a LambdaStorm protocol message (no manifest)", nameof(o));
    }

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _ = Manifest(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown LambdaStorm protocol manifest '{manifest}' (a node of another version?)");
        }

        return JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty '{manifest}' message");
    }
}
