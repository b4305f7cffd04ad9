using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EventSwarm.Domain;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;

namespace EventSwarm.Infrastructure.Log;

/// <summary>
/// How events and the projection are written to the log and to snapshots. Every event record of the Domain
/// assembly is registered, found by reflection so that a new event cannot be forgotten, under its type name in
/// kebab case ("service-scaled"). The log outlives class names: renaming an event record would orphan the entries
/// written under its old name, which the unit tests' pinned list of names catches.
/// </summary>
public static class EventJson
{
    private static readonly FrozenDictionary<Type, string> EventTypes = typeof(DomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(DomainEvent)))
        .ToFrozenDictionary(t => t, t => JsonNamingPolicy.KebabCaseLower.ConvertName(t.Name));

    /// <summary>Every event type the log reads and writes, with the name it is stored under.</summary>
    public static IReadOnlyDictionary<Type, string> Registered => EventTypes;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string NameOf(DomainEvent e) => EventTypes[e.GetType()];

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
            foreach (var (type, name) in EventTypes.OrderBy(t => t.Value, StringComparer.Ordinal)) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, name));
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
