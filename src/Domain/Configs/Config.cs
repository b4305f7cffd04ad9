using System.Collections.Immutable;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Configs;

/// <summary>A config as its owner wrote it, without its data: Swarm's ConfigSpec.</summary>
public sealed record ConfigSpec
{
    public required string Name { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public Driver? Templating { get; init; }

    public bool Equals(ConfigSpec? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

/// <summary>A config and the versions of its data that tasks may still read (data in base64, not secret: Docker returns it).</summary>
public sealed record Config(string Id, ConfigSpec Spec, ImmutableArray<DataVersion> Data, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public DataVersion Current => Data[^1];

    public DataVersion? DataAt(long number) => Data.FirstOrDefault(d => d.Number == number);
}

/// <summary>A task template's use of a config: a file (default `/NAME`), or a runtime config (a Windows credential spec).</summary>
public sealed record ConfigReference(string ConfigId, string ConfigName, FileTarget? File, bool Runtime = false, long DataVersion = 0);
