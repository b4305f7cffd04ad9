using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Infrastructure.Log;

/// <summary>
/// How events and the projection are written to the log and to snapshots. Event type names are pinned here,
/// once, because the log outlives any class name: renaming a record must not orphan old entries.
/// </summary>
public static class EventJson
{
    private static readonly (Type Type, string Name)[] EventTypes =
    [
        (typeof(SwarmInitialized), "swarm-initialized"),
        (typeof(SwarmSpecUpdated), "swarm-spec-updated"),
        (typeof(ClusterCaIssued), "cluster-ca-issued"),
        (typeof(JoinTokenRotated), "join-token-rotated"),
        (typeof(NodeJoined), "node-joined"),
        (typeof(NodeDescribed), "node-described"),
        (typeof(NodeStatusChanged), "node-status-changed"),
        (typeof(NodeAvailabilityChanged), "node-availability-changed"),
        (typeof(NodeLabelsChanged), "node-labels-changed"),
        (typeof(NodeRoleChanged), "node-role-changed"),
        (typeof(NodeRemoved), "node-removed"),
        (typeof(ServiceCreated), "service-created"),
        (typeof(ServiceScaled), "service-scaled"),
        (typeof(ServiceUpdated), "service-updated"),
        (typeof(ServiceRemoved), "service-removed"),
        (typeof(TaskCreated), "task-created"),
        (typeof(TaskUnschedulable), "task-unschedulable"),
        (typeof(TaskAssigned), "task-assigned"),
        (typeof(TaskDesiredStateChanged), "task-desired-state-changed"),
        (typeof(TaskStatusReported), "task-status-reported"),
        (typeof(TaskRemoved), "task-removed"),
        (typeof(TaskOrphaned), "task-orphaned"),
        (typeof(ClusterForcedNew), "cluster-forced-new"),
        (typeof(NetworkCreated), "network-created"),
        (typeof(NetworkRemoved), "network-removed"),
        (typeof(ServiceEndpointAllocated), "service-endpoint-allocated"),
        (typeof(TaskAddressesAllocated), "task-addresses-allocated"),
    ];

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string NameOf(DomainEvent e) => EventTypes.First(t => t.Type == e.GetType()).Name;

    public static byte[] Serialize(EventBatch batch) => JsonSerializer.SerializeToUtf8Bytes(batch, Options);

    public static EventBatch DeserializeBatch(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<EventBatch>(utf8, Options) ?? throw new InvalidDataException("empty event batch");

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type != typeof(DomainEvent)) return;
            info.PolymorphismOptions = new JsonPolymorphismOptions
            {
                TypeDiscriminatorPropertyName = "$type",
                UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
            };
            foreach (var (type, name) in EventTypes) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, name));
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = resolver,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new SubnetConverter());
        options.Converters.Add(new DurationConverter());
        return options;
    }

    /// <summary>
    /// Durations are written as integer nanoseconds. Logs written before durations were exact hold TimeSpan
    /// strings ("00:00:05"); those still read.
    /// </summary>
    private sealed class DurationConverter : JsonConverter<Duration>
    {
        public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Number => new Duration(reader.GetInt64()),
            JsonTokenType.String => Duration.FromTimeSpan(TimeSpan.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new JsonException("a duration must be a number of nanoseconds"),
        };

        public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Nanoseconds);
    }

    /// <summary>Subnets are written as people write them, "10.0.1.0/24".</summary>
    private sealed class SubnetConverter : JsonConverter<Ipv4Subnet>
    {
        public override Ipv4Subnet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Ipv4Subnet.Parse(reader.GetString() ?? throw new JsonException("subnet must be a string"));

        public override void Write(Utf8JsonWriter writer, Ipv4Subnet value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
