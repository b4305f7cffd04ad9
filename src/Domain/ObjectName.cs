using System.Text.RegularExpressions;

namespace EventSwarm.Domain;

/// <summary>
/// Swarm's rule for the names of services and networks (swarmkit api/validation): a DNS label that may also hold
/// underscores, at most 63 characters. Stated once: the service validator applies it to a spec before anything is
/// decided; the network decider applies it itself, because the engine answers a network's name in its own order
/// (an empty name is its 500 "invalid name: " before swarmkit sees the rest) and without the validators' prefix.
/// </summary>
public static partial class ObjectName
{
    // Swarm writes the repetition as [A-Za-z0-9]+, harmless in Go's linear engine but exponential in a backtracking
    // one; one character per repetition accepts the same names in linear time.
    [GeneratedRegex("^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9])*$")]
    private static partial Regex DnsLabel();

    /// <summary>Why a non-empty name is refused, in swarmkit's words and order, or null when it is a valid name.</summary>
    public static string? Problem(string name)
    {
        if (!DnsLabel().IsMatch(name))
            return $"name must be valid as a DNS name component: '{name}' (letters, digits, '-' and '_', starting and ending with a letter or digit)";
        return name.Length > 63 ? "name must be 63 characters or fewer" : null;
    }
}
