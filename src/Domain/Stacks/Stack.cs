using System.Collections.Immutable;
using System.Security.Cryptography;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Stacks;

/// <summary>
/// A stack deployed through EventSwarm's own endpoint: every version it was deployed as, oldest first. Docker keeps
/// no such record (a stack is only the label on its objects); the versions are what `stack history` shows and what
/// `stack rollback` deploys again.
/// </summary>
public sealed record Stack(string Name, ImmutableList<StackVersion> Versions)
{
    public StackVersion Current => Versions[^1];
}

/// <summary>One deploy (or rollback) of a stack: what was asked for, what it changed, who asked and how.</summary>
public sealed record StackVersion(
    int Number,
    StackDefinition Definition,
    ImmutableArray<StackChange> Changes,
    DateTimeOffset At,
    string Who,
    string Command,
    long Sequence);

/// <summary>
/// A stack spec as the log keeps it: everything a deploy asked for except the data of its secrets and configs, of
/// which only the SHA-256 is kept. A rollback deploys it again, so the objects named must still hold that data.
/// </summary>
public sealed record StackDefinition
{
    public required string Name { get; init; }
    public ImmutableArray<ServiceSpec> Services { get; init; } = [];
    public ImmutableArray<NetworkSpec> Networks { get; init; } = [];
    public ImmutableArray<string> ExternalNetworks { get; init; } = [];
    public ImmutableArray<StackObjectDigest> Secrets { get; init; } = [];
    public ImmutableArray<string> ExternalSecrets { get; init; } = [];
    public ImmutableArray<StackObjectDigest> Configs { get; init; } = [];
    public ImmutableArray<string> ExternalConfigs { get; init; } = [];
    public ImmutableArray<StackFile> Files { get; init; } = [];

    /// <summary>The spec this definition was made from, without the data of its secrets and configs.</summary>
    public StackSpec ToSpec() => new()
    {
        Name = Name,
        Services = Services,
        Networks = Networks,
        ExternalNetworks = ExternalNetworks,
        Secrets = [.. Secrets.OrEmpty().Select(s => new StackFileObject(s.Name, s.Labels, []))],
        ExternalSecrets = ExternalSecrets,
        Configs = [.. Configs.OrEmpty().Select(c => new StackFileObject(c.Name, c.Labels, []))],
        ExternalConfigs = ExternalConfigs,
        Files = Files,
    };
}

/// <summary>A secret or config of a stack as its history keeps it: the SHA-256 (hex) of its data, never the data.</summary>
public sealed record StackObjectDigest(string Name, ImmutableDictionary<string, string> Labels, string Digest);

/// <summary>What a deploy, rollback or removal did to one object of the stack.</summary>
/// <param name="Kind">service, network, secret or config.</param>
/// <param name="Action">created, updated, rotated, unchanged or removed.</param>
/// <param name="Detail">For an update, what changed ("image wordpress:latest -> wordpress:6").</param>
public sealed record StackChange(string Kind, string Name, string Id, string Action, string? Detail = null)
{
    /// <summary>The short line `stack history` prints.</summary>
    public string Line => Detail is null ? $"{Kind} {Name} {Action}" : $"{Kind} {Name}: {Detail}";
}

public static class StackDigest
{
    /// <summary>SHA-256 of the data, lower-case hex: how a stack's history names a secret's or config's data.</summary>
    public static string Of(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
