using System.Collections.Immutable;
using System.Text.RegularExpressions;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Secrets;

/// <summary>
/// One version of a secret's or config's data. A secret's payload is sealed (AEAD ciphertext, see SecretCipher):
/// the log, its snapshots and every copy of the state hold nothing readable. A config's payload is its data in
/// base64, as Docker returns it.
/// </summary>
public sealed record DataVersion(long Number, string Payload, DateTimeOffset CreatedAt)
{
    // A record prints every member; even sealed, the payload has no business in a log line.
    public override string ToString() => $"DataVersion {Number} ({CreatedAt:O})";
}

/// <summary>Where a referenced secret or config appears in the container: a file, its owner and mode (Swarm's FileTarget).</summary>
public sealed record FileTarget(string Name, string Uid, string Gid, uint Mode)
{
    /// <summary>0444, `-r--r--r--`: Swarm's default for secrets and configs alike.</summary>
    public const uint DefaultMode = 0x124;
}

/// <summary>
/// What secrets and configs share: Swarm's naming rule, its refusals for references and removals, and the
/// version of their data each task was started with. Stated once so both read the same.
/// </summary>
public static partial class FileObjects
{
    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$")]
    private static partial Regex ValidName();

    /// <summary>swarmkit's validateConfigOrSecretAnnotations, in its words.</summary>
    public static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name)) return "name must be provided";
        return name.Length > 64 || !ValidName().IsMatch(name)
            ? "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"
            : null;
    }

    /// <summary>swarmkit's refusal to remove a secret or config that services still reference.</summary>
    public static Decision? InUse(string kind, string name, IEnumerable<Service> services)
    {
        var names = services.Select(s => s.Spec.Name).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return null;
        return Decision.Invalid($"{kind} '{name}' is in use by the following {(names.Count == 1 ? "service" : "services")}: {string.Join(", ", names)}");
    }

    /// <summary>swarmkit's checkSecretExistence/checkConfigExistence wording: one name, or several.</summary>
    public static Decision NotFound(string kind, IReadOnlyList<string> names) =>
        Decision.Invalid($"{kind}{(names.Count == 1 ? "" : "s")} not found: {string.Join(", ", names)}");

    /// <summary>
    /// Target rules of swarmkit's validateSecretRefsSpec/validateConfigRefsSpec: a file target is required and
    /// unique within the container. Null when the targets are fine.
    /// </summary>
    public static Decision? ConflictingTarget(string kind, IEnumerable<(string Name, FileTarget? File)> references)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, file) in references)
        {
            if (file is null) continue;
            if (string.IsNullOrEmpty(file.Name))
                return Decision.Invalid($"malformed file {kind} reference, invalid target file name provided");
            if (seen.TryGetValue(file.Name, out var previous))
                return Decision.Invalid($"{kind} references '{previous}' and '{name}' have a conflicting target: '{file.Name}'");
            seen[file.Name] = name;
        }
        return null;
    }

    internal static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;
}
