using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventSwarm.Node.Api;

/// <summary>
/// JSON as the Docker Engine API writes it. The Docker.DotNet models carry the field names; durations travel as
/// integer nanoseconds and enums as their lower-case wire names, which the models leave to converters of ours.
/// </summary>
public static class DockerJson
{
    public static JsonSerializerOptions Options { get; } = ApplyTo(new JsonSerializerOptions());

    /// <summary>
    /// Makes options write as the Engine does: names as declared (Docker's PascalCase), not ASP.NET's camelCase web
    /// defaults. The agent's default HTTP JSON options get this too, so that no answer of a Docker route can slip
    /// back to camelCase (a Docker SDK's version negotiation looks for "ApiVersion"). EventSwarm's own
    /// /eventswarm/v1 answers declare their (camelCase) names or use EventJson.Options, so they read the same.
    /// </summary>
    public static JsonSerializerOptions ApplyTo(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = null;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.PropertyNameCaseInsensitive = true;
        // Go's encoder leaves '+' and non-ASCII text as they are ("20.10.24+dfsg1"), where the default escapes them.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new NanosecondsConverter());
        options.Converters.Add(new EnumMemberConverterFactory());
        options.Converters.Add(new ZeroForNullElementsFactory());
        options.Converters.Add(new ZeroForNullValues<IDictionary<string, string>>());
        options.Converters.Add(new ZeroForNullValues<Dictionary<string, string>>());
        return options;
    }

    /// <summary>
    /// Go decodes a <c>null</c> element of a list to the element's zero value (<c>""</c>, an empty struct): a
    /// <c>"Mounts": [null]</c> is a list of one empty mount, refused by the validators by name, where a null element
    /// went on to fail with a 500 (NullReferenceException).
    /// </summary>
    private sealed class ZeroForNullElementsFactory : JsonConverterFactory
    {
        // List<T> (EventSwarm's wire types) and IList<T> (Docker.DotNet's models).
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() is var list && (list == typeof(List<>) || list == typeof(IList<>));

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ZeroForNullElements<,>).MakeGenericType(typeToConvert, typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ZeroForNullElements<TList, T> : JsonConverter<TList> where TList : class, IList<T>
    {
        private static readonly Func<T>? Zero = typeof(T) == typeof(string) ? () => (T)(object)""
            : typeof(T).IsClass && typeof(T).GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<T>
            : null;

        public override TList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"expected a list, found {reader.TokenType}");
            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                list.Add(reader.TokenType == JsonTokenType.Null && Zero is not null ? Zero() : JsonSerializer.Deserialize<T>(ref reader, options)!);
            return (TList)(object)list;
        }

        public override void Write(Utf8JsonWriter writer, TList value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value) JsonSerializer.Serialize(writer, item, options);
            writer.WriteEndArray();
        }
    }

    /// <summary>Go's zero value for a <c>null</c> in a map of strings (labels, options, sysctls): <c>""</c>.</summary>
    private sealed class ZeroForNullValues<TMap> : JsonConverter<TMap> where TMap : class, IDictionary<string, string>
    {
        public override TMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object of strings, found {reader.TokenType}");
            var map = new Dictionary<string, string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                map[key] = reader.TokenType == JsonTokenType.Null ? "" : reader.TokenType == JsonTokenType.String
                    ? reader.GetString()!
                    : throw new JsonException($"the value of '{key}' must be a string");
            }
            return (TMap)(object)map;
        }

        public override void Write(Utf8JsonWriter writer, TMap value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value) writer.WriteString(options.DictionaryKeyPolicy?.ConvertName(key) ?? key, item);
            writer.WriteEndObject();
        }
    }

    private sealed class NanosecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number
                ? TimeSpan.FromTicks(reader.GetInt64() / 100)
                : throw new JsonException("a duration must be an integer number of nanoseconds");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.Ticks * 100);
    }

    private sealed class EnumMemberConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsEnum && typeToConvert.Namespace == "Docker.DotNet.Models";

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(EnumMemberConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class EnumMemberConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly Dictionary<T, string> Names = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (T)f.GetValue(null)!, f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? f.Name.ToLowerInvariant());

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            foreach (var (value, name) in Names)
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return value;
            throw new JsonException($"unknown {typeof(T).Name} '{text}'");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Names[value]);
    }
}
