namespace EventSwarm.Domain.Web;

/// <summary>The facts about web tokens, and how each changes the cluster's state.</summary>
public abstract record WebTokenEvent : DomainEvent
{
    public static ClusterState Evolve(ClusterState state, WebTokenEvent @event, long sequence) => @event switch
    {
        WebTokenIssued e => state with { WebTokens = state.WebTokens.SetItem(e.Name, new WebToken(e.Name, e.Role, e.Sha256, e.At)) },
        WebTokenRevoked e => state with { WebTokens = state.WebTokens.Remove(e.Name) },
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>A web token was issued; <paramref name="Sha256"/> is the hash of the token, never the token.</summary>
public sealed record WebTokenIssued(string Name, WebRole Role, string Sha256, DateTimeOffset At) : WebTokenEvent;

public sealed record WebTokenRevoked(string Name, DateTimeOffset At) : WebTokenEvent;
