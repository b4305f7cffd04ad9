namespace EventSwarm.Domain.Web;

/// <param name="Name">The name asked for; null gives the first free of web-1, web-2, …</param>
public sealed record IssueWebToken(string? Name, WebRole Role, string Sha256, DateTimeOffset At);

/// <summary>Revokes the token of that name, or (when <paramref name="Sha256"/> is given) the token of that hash.</summary>
public sealed record RevokeWebToken(string? Name, string? Sha256, DateTimeOffset At);

/// <summary>The rules of web tokens: names are unique, only a token that is there can be revoked.</summary>
public static class WebTokenDecider
{
    public const string DefaultNamePrefix = "web-";

    public static Decision Decide(IssueWebToken command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, Swarm.SwarmDecider.NotInSwarm);
        if (command.Sha256.Length != 64 || command.Sha256.Any(c => !char.IsAsciiHexDigitLower(c)))
            return Decision.Invalid("a web token is recorded by its SHA-256 (64 lowercase hex digits)");
        var name = command.Name ?? DefaultName(state);
        if (WebTokens.NameProblem(name) is { } problem) return Decision.Invalid(problem);
        if (state.WebTokens.ContainsKey(name)) return Decision.Conflict($"web token {name} already exists");
        if (state.WebTokens.Values.Any(t => t.Sha256 == command.Sha256)) return Decision.Conflict("that web token is already issued");
        return Decision.Of(new WebTokenIssued(name, command.Role, command.Sha256, command.At));
    }

    public static Decision Decide(RevokeWebToken command, ClusterState state)
    {
        if (state.Swarm is null) return Decision.Fail(ErrorKind.Unavailable, Swarm.SwarmDecider.NotInSwarm);
        // The token itself is never echoed: a refusal of one says only that it is not issued.
        var token = command.Sha256 is { } hash
            ? state.WebTokens.Values.FirstOrDefault(t => t.Sha256 == hash)
            : command.Name is { } name ? state.WebTokens.GetValueOrDefault(name) : null;
        if (token is null)
            return Decision.NotFound(command.Sha256 is not null ? "that web token is not issued (or was revoked)" : $"web token {command.Name} not found");
        return Decision.Of(new WebTokenRevoked(token.Name, command.At));
    }

    /// <summary>The first free web-N from N = the number of tokens + 1: short names, in the order issued.</summary>
    private static string DefaultName(ClusterState state)
    {
        var n = state.WebTokens.Count + 1;
        while (state.WebTokens.ContainsKey(DefaultNamePrefix + n)) n++;
        return DefaultNamePrefix + n;
    }
}
