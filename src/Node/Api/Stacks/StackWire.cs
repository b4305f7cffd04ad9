using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Application;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Stacks;
using EventSwarm.Node.Api.Services;

namespace EventSwarm.Node.Api.Stacks;

// The HTTP contract of EventSwarm's native stack endpoints (PascalCase JSON, as the Engine API's):
//   POST   /eventswarm/v1/stacks/{name}/deploy            body: StackWire.ToRequest(spec, prune)  → 200 StackDeployResultJson
//   GET    /eventswarm/v1/stacks                                                                   → 200 [StackSummaryJson]
//   GET    /eventswarm/v1/stacks/{name}/history                                                    → 200 [StackVersionJson]
//   POST   /eventswarm/v1/stacks/{name}/rollback[?to-version=N]                                    → 200 StackDeployResultJson
//   DELETE /eventswarm/v1/stacks/{name}                                                            → 200 StackDeployResultJson (what was removed)
// Errors as every endpoint: {"message": "..."} with Docker's status codes; nothing is appended on an error.

/// <summary>What a deploy, a rollback or a removal did to each object of the stack.</summary>
/// <param name="Version">The stack's version after the deploy (1 for the first), or its last version for a removal.</param>
public sealed record StackDeployResultJson(int Version, IReadOnlyList<StackObjectChangeJson> Changes);

/// <param name="Kind">service, network, secret or config.</param>
/// <param name="Action">created, updated, unchanged or removed.</param>
public sealed record StackObjectChangeJson(string Kind, string Name, string Id, string Action);

/// <summary>A stack for `stack ls`: its services counted as docker does (by the namespace label), and its last recorded version (0 when only the stock CLI deployed it).</summary>
public sealed record StackSummaryJson(string Name, int Services, int Version, DateTimeOffset? UpdatedAt);

/// <summary>One deploy of a stack, for `stack history`.</summary>
public sealed record StackVersionJson(int Version, DateTimeOffset At, string? Who, string? Command, IReadOnlyList<StackFile> Files, IReadOnlyList<string> Changes);

public static class StackWire
{
    /// <summary>The deploy request: each service as the Engine API's ServiceSpec JSON (ServiceWire, the tested round trip), the rest as below.</summary>
    public static JsonObject ToRequest(StackSpec spec, bool prune) =>
        JsonSerializer.SerializeToNode(new StackRequestJson
        {
            Name = spec.Name,
            Prune = prune,
            Services = [.. spec.Services.OrEmpty().Select(ServiceWire.ToWire)],
            Networks = [.. spec.Networks.OrEmpty().Select(n => new StackNetworkJson
            {
                Name = n.Name,
                Driver = n.Driver,
                Attachable = n.Attachable,
                Labels = n.Labels.IsEmpty ? null : new Dictionary<string, string>(n.Labels),
                IPAM = string.IsNullOrEmpty(n.Subnet) && string.IsNullOrEmpty(n.Gateway)
                    ? null
                    : new StackIpamJson { Config = [new StackIpamConfigJson { Subnet = n.Subnet, Gateway = n.Gateway }] },
            })],
            ExternalNetworks = [.. spec.ExternalNetworks.OrEmpty()],
            Secrets = [.. spec.Secrets.OrEmpty().Select(ToWire)],
            ExternalSecrets = [.. spec.ExternalSecrets.OrEmpty()],
            Configs = [.. spec.Configs.OrEmpty().Select(ToWire)],
            ExternalConfigs = [.. spec.ExternalConfigs.OrEmpty()],
            Files = [.. spec.Files.OrEmpty().Select(f => new StackFileJson { Path = f.Path, Digest = f.Digest })],
        }, DockerJson.Options)!.AsObject();

    /// <summary>The request read back; what is not a stack at all is a 400 naming the problem (nothing is decided).</summary>
    public static (StackSpec Spec, bool Prune) FromRequest(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("a stack deploy needs a JSON object: the stack's Name, Services, Networks, Secrets, Configs");
        StackRequestJson wire;
        try
        {
            wire = body.Deserialize<StackRequestJson>(DockerJson.Options) ?? new StackRequestJson();
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"malformed stack in request body: {e.Message}");
        }
        var spec = new StackSpec
        {
            Name = wire.Name ?? "",
            Services = [.. (wire.Services ?? []).Select((s, i) => s is null ? throw new BadRequestException($"Services[{i}]: a service spec is expected") : ServiceWire.ToDomain(s))],
            Networks = [.. (wire.Networks ?? []).Select((n, i) => n is null ? throw new BadRequestException($"Networks[{i}]: a network is expected") : ToDomain(n))],
            ExternalNetworks = Names(wire.ExternalNetworks),
            Secrets = [.. (wire.Secrets ?? []).Select((s, i) => ToDomain(s, "Secrets", i))],
            ExternalSecrets = Names(wire.ExternalSecrets),
            Configs = [.. (wire.Configs ?? []).Select((c, i) => ToDomain(c, "Configs", i))],
            ExternalConfigs = Names(wire.ExternalConfigs),
            Files = [.. (wire.Files ?? []).Where(f => f is not null).Select(f => new StackFile(f!.Path ?? "", f.Digest ?? ""))],
        };
        return (spec, wire.Prune);
    }

    private static NetworkSpec ToDomain(StackNetworkJson n)
    {
        var ipam = n.IPAM?.Config?.FirstOrDefault();
        return new NetworkSpec
        {
            Name = n.Name ?? "",
            Driver = string.IsNullOrEmpty(n.Driver) ? "overlay" : n.Driver,
            Attachable = n.Attachable,
            Labels = n.Labels is null ? ImmutableDictionary<string, string>.Empty : n.Labels.ToImmutableDictionary(),
            Subnet = string.IsNullOrEmpty(ipam?.Subnet) ? null : ipam.Subnet,
            Gateway = string.IsNullOrEmpty(ipam?.Gateway) ? null : ipam.Gateway,
        };
    }

    private static StackFileObjectJson ToWire(StackFileObject o) => new()
    {
        Name = o.Name,
        Labels = o.Labels.IsEmpty ? null : new Dictionary<string, string>(o.Labels),
        Data = o.Data.IsDefault ? [] : o.Data.ToArray(),
    };

    private static StackFileObject ToDomain(StackFileObjectJson? o, string field, int index) => o is null
        ? throw new BadRequestException($"{field}[{index}]: an object with Name, Labels and Data is expected")
        : new StackFileObject(o.Name ?? "", o.Labels is null ? ImmutableDictionary<string, string>.Empty : o.Labels.ToImmutableDictionary(),
            o.Data is null ? [] : [.. o.Data]);

    private static ImmutableArray<string> Names(List<string?>? names) => [.. (names ?? []).Select(n => n ?? "")];

    private static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;

    // The request's JSON, PascalCase as the Engine API's.
    private sealed class StackRequestJson
    {
        public string? Name { get; set; }
        public bool Prune { get; set; }
        public List<ServiceSpecJson?>? Services { get; set; }
        public List<StackNetworkJson?>? Networks { get; set; }
        public List<string?>? ExternalNetworks { get; set; }
        public List<StackFileObjectJson?>? Secrets { get; set; }
        public List<string?>? ExternalSecrets { get; set; }
        public List<StackFileObjectJson?>? Configs { get; set; }
        public List<string?>? ExternalConfigs { get; set; }
        public List<StackFileJson?>? Files { get; set; }
    }

    private sealed class StackNetworkJson
    {
        public string? Name { get; set; }
        public string? Driver { get; set; }
        public bool Attachable { get; set; }
        public Dictionary<string, string>? Labels { get; set; }
        public StackIpamJson? IPAM { get; set; }
    }

    private sealed class StackIpamJson
    {
        public List<StackIpamConfigJson>? Config { get; set; }
    }

    private sealed class StackIpamConfigJson
    {
        public string? Subnet { get; set; }
        public string? Gateway { get; set; }
    }

    /// <summary>A secret or config: its data in base64 (System.Text.Json's byte[]), as the Engine API carries a secret's.</summary>
    private sealed class StackFileObjectJson
    {
        public string? Name { get; set; }
        public Dictionary<string, string>? Labels { get; set; }
        public byte[]? Data { get; set; }
    }

    private sealed class StackFileJson
    {
        public string? Path { get; set; }
        public string? Digest { get; set; }
    }
}
