using System.Collections.Immutable;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Secrets;

/// <summary>A secret as its owner wrote it, without its data: Swarm's SecretSpec (Annotations, Driver, Templating).</summary>
public sealed record SecretSpec
{
    public required string Name { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>An external secret driver; kept as sent, refused on create (EventSwarm keeps the data in its own log).</summary>
    public Driver? Driver { get; init; }
    public Driver? Templating { get; init; }

    public bool Equals(SecretSpec? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

/// <summary>
/// A secret and every version of its data that a task may still read. Docker's secrets are immutable; EventSwarm
/// rotates one in place (`secret rotate`): a new version, and the tasks that use it roll to it one by one, while
/// the older versions stay (sealed) until no task reads them.
/// </summary>
public sealed record Secret(string Id, SecretSpec Spec, ImmutableArray<DataVersion> Data, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public DataVersion Current => Data[^1];

    public DataVersion? DataAt(long number) => Data.FirstOrDefault(d => d.Number == number);
}

/// <summary>A task template's use of a secret: which one (by ID once recorded), and the file it becomes.</summary>
/// <param name="DataVersion">The version of the data the task reads: 0 on a service's spec, set on each task when it is made.</param>
public sealed record SecretReference(string SecretId, string SecretName, FileTarget? File, long DataVersion = 0);
