namespace EventSwarm.Domain.History;

/// <summary>The kinds of object the log keeps a history of: one archive stream per object.</summary>
public enum SubjectKind { Swarm, Node, Service, Task, Network, Secret, Config, Stack }

/// <summary>
/// The object an event belongs to (its stream in the archive, "service/ID") and the service and node it concerns:
/// a task's events concern its service and node, so `audit --service` and `explain` find them without replaying
/// the log. Computed once, when the event is applied, from the states before and after it.
/// </summary>
public sealed record EventSubject(SubjectKind Kind, string Id, string? ServiceId = null, string? NodeId = null)
{
    public string StreamKey => $"{Kind.ToString().ToLowerInvariant()}/{Id}";

    /// <summary>The subject of <paramref name="event"/>, applied to <paramref name="before"/> to give <paramref name="after"/>.</summary>
    public static EventSubject Of(DomainEvent @event, ClusterState before, ClusterState after) =>
        throw new NotImplementedException("history helper: EventSubject.Of");
}
