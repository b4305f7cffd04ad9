namespace EventSwarm.Domain;

/// <summary>
/// The class of a refusal, as the Docker Engine answers it for Swarm: Invalid 400 (swarmkit's InvalidArgument and
/// FailedPrecondition), NotFound 404, Conflict 409 (AlreadyExists), Unavailable 503 (not in a swarm, no leader),
/// Unimplemented 501 (what swarmkit refuses to do, such as renaming a service), and Internal 500: what the engine
/// answers for swarmkit errors without a gRPC code, such as "update out of sequence".
/// </summary>
public enum ErrorKind { Invalid, NotFound, Conflict, Unavailable, Unimplemented, Internal }

/// <summary>A refused command: the message names the problem, and nothing is appended.</summary>
public sealed record DomainError(ErrorKind Kind, string Message);

/// <summary>The outcome of Decide: the events to append, or why there are none.</summary>
public sealed record Decision(IReadOnlyList<DomainEvent> Events, DomainError? Error = null)
{
    public static Decision Of(params DomainEvent[] events) => new(events);
    public static Decision None { get; } = new(Array.Empty<DomainEvent>());
    public static Decision Fail(ErrorKind kind, string message) => new(Array.Empty<DomainEvent>(), new DomainError(kind, message));
    public static Decision NotFound(string message) => Fail(ErrorKind.NotFound, message);
    public static Decision Conflict(string message) => Fail(ErrorKind.Conflict, message);
    public static Decision Invalid(string message) => Fail(ErrorKind.Invalid, message);
    public static Decision Unimplemented(string message) => Fail(ErrorKind.Unimplemented, message);
    public static Decision Internal(string message) => Fail(ErrorKind.Internal, message);
    public static Decision Refused(DomainError error) => new(Array.Empty<DomainEvent>(), error);

    public bool Succeeded => Error is null;

    /// <summary>
    /// The state the events make from the state decided on, when the decider had to build it anyway (a control-loop
    /// pass applies each loop's events for the next): the writer takes it instead of applying the events again while
    /// every other write waits. Only a state that the batch's own metadata would make identically may be given.
    /// </summary>
    public ClusterState? After { get; init; }
}
