using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Domain;

namespace EventSwarm.Infrastructure.Log;

/// <summary>
/// A SHA-256 of the projection in a canonical form (object keys sorted), so that two managers that applied the
/// same log show the same digest whatever order their dictionaries enumerate in.
/// </summary>
public static class StateDigest
{
    public static string Of(ClusterState state)
    {
        var canonical = Canonical(JsonSerializer.SerializeToNode(state, EventJson.Options));
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(canonical)));
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
