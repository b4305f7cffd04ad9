using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;

namespace EventSwarm.Domain.Services;

/// <summary>
/// Value equality for the records of a spec. ImmutableArray and ImmutableDictionary compare by reference, so
/// without this two identical specs read from two requests would differ, and every `service scale` would look like
/// a new spec and replace every task. The records delegate to <see cref="Equal{T}"/>, which compares every settable
/// property (the record's data), so a field added later cannot be forgotten by a hand-written Equals.
/// A default (uninitialised) array equals an empty one, as the log may hold either.
/// </summary>
public static class SpecEquality
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> DataProperties = new();

    public static bool Equal<T>(T self, T? other) where T : class =>
        other is not null && (ReferenceEquals(self, other) || Properties(typeof(T)).All(p => Same(p.GetValue(self), p.GetValue(other))));

    public static int Hash<T>(T self) where T : class
    {
        var hash = new HashCode();
        foreach (var property in Properties(typeof(T))) hash.Add(HashOf(property.GetValue(self)));
        return hash.ToHashCode();
    }

    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) => Same((object)a, b);

    public static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => Same((object)a, b);

    public static int Hash<T>(ImmutableArray<T> a) => HashOf(a);

    public static int Hash(IReadOnlyDictionary<string, string> d) => HashOf(d);

    private static PropertyInfo[] Properties(Type type) => DataProperties.GetOrAdd(type, t =>
        [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0)]);

    private static bool Same(object? a, object? b)
    {
        if (a is IDictionary da && b is IDictionary db)
            return da.Count == db.Count && da.Keys.Cast<object>().All(k => db.Contains(k) && Same(da[k], db[k]));
        if (IsSequence(a) && IsSequence(b))
            return Items(a!).SequenceEqual(Items(b!), ItemComparer.Instance);
        return Equals(a, b);
    }

    private static int HashOf(object? value)
    {
        if (value is IDictionary d)
        {
            var hash = 0;
            foreach (DictionaryEntry entry in d) hash ^= HashCode.Combine(entry.Key, HashOf(entry.Value));
            return hash;
        }
        if (IsSequence(value))
        {
            var hash = new HashCode();
            foreach (var item in Items(value!)) hash.Add(HashOf(item));
            return hash.ToHashCode();
        }
        return value?.GetHashCode() ?? 0;
    }

    private static bool IsSequence(object? value) => value is IEnumerable and not string;

    // A default ImmutableArray throws when enumerated; it stands for "none".
    private static IEnumerable<object?> Items(object sequence) =>
        IsDefaultArray(sequence) ? [] : ((IEnumerable)sequence).Cast<object?>();

    private static bool IsDefaultArray(object sequence)
    {
        var type = sequence.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
            && (bool)type.GetProperty(nameof(ImmutableArray<int>.IsDefault))!.GetValue(sequence)!;
    }

    private sealed class ItemComparer : IEqualityComparer<object?>
    {
        public static ItemComparer Instance { get; } = new();
        public new bool Equals(object? x, object? y) => Same(x, y);
        public int GetHashCode(object? obj) => HashOf(obj);
    }
}
