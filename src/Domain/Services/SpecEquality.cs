using System.Collections.Immutable;

namespace EventSwarm.Domain.Services;

/// <summary>
/// Value equality for the collections inside specs. ImmutableArray and ImmutableDictionary compare by reference,
/// so without this two identical specs read from two requests would differ, and every `service scale` would look
/// like a new spec and replace every task.
/// </summary>
public static class SpecEquality
{
    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        (a.IsDefaultOrEmpty && b.IsDefaultOrEmpty) || (!a.IsDefault && !b.IsDefault && a.SequenceEqual(b));

    public static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    public static int Hash<T>(ImmutableArray<T> a)
    {
        var hash = new HashCode();
        if (!a.IsDefault) foreach (var item in a) hash.Add(item);
        return hash.ToHashCode();
    }

    public static int Hash(IReadOnlyDictionary<string, string> d)
    {
        var hash = 0;
        foreach (var (key, value) in d) hash ^= HashCode.Combine(key, value);
        return hash;
    }
}
