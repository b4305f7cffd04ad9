namespace EventSwarm.Infrastructure.Stacks;

/// <summary>
/// `KEY=value` files: a service's env_file, read as docker's opts.ParseEnvFile reads it (the value taken as written,
/// no quotes removed; a line `KEY` alone takes KEY from the deploying environment, or is dropped), and the `.env` of the
/// working directory, read with the Compose Specification's syntax (`export ` allowed, quotes removed, ` #` comments).
/// </summary>
internal static class ComposeEnvFile
{
    public static IEnumerable<(string Name, string? Value)> Parse(IReadOnlyList<string> lines, string where, bool dotEnvSyntax, Func<string, string?> lookup)
    {
        for (var n = 0; n < lines.Count; n++)
        {
            var line = lines[n].TrimStart();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (dotEnvSyntax && line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var parts = line.Split('=', 2);
            var name = dotEnvSyntax ? parts[0].Trim() : parts[0];
            if (name.Length == 0)
                throw new ComposeException($"{where} line {n + 1}: no variable name before '='");
            if (name.Any(char.IsWhiteSpace))
                throw new ComposeException($"{where} line {n + 1}: variable '{name}' contains whitespaces");
            if (parts.Length == 2)
                yield return (name, dotEnvSyntax ? Unquote(parts[1].Trim()) : parts[1]);
            else if (lookup(name) is { } value)
                yield return (name, value);
        }
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
        {
            var inner = value[1..^1];
            return value[0] == '"' ? inner.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal) : inner;
        }
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }
}
