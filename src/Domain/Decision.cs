namespace EventSwarm.Domain;

public enum ErrorKind { Invalid, NotFound, Conflict, Unavailable }

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

    public bool Succeeded => Error is null;
}
