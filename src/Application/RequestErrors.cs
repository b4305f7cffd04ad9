using EventSwarm.Domain;

namespace EventSwarm.Application;

// Refusals of a request that no decider made: found while reading it, routing it or passing it to another node.
// They live here, beside the command exceptions, so that the manager and worker code that raises them knows
// nothing of HTTP; the API (Node/Api/ApiErrors) alone maps each to Docker's status code and {"message": …} body.

/// <summary>An error of the request itself, found while reading it (malformed JSON, an unknown mount type): 400.</summary>
public sealed class BadRequestException(string message) : Exception(message);

/// <summary>A caller without the identity a route needs: 403.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>An error the engine answers unclassified, with 500, where matching it matters to clients.</summary>
public sealed class UnclassifiedException(string message) : Exception(message);

/// <summary>
/// A refusal of a kind the domain names (not found 404, conflict 409, unavailable 503, internal 500) raised outside
/// a decider, e.g. by a node talking to another: the same <see cref="CommandRejectedException"/> a decider's
/// refusal becomes, so a caller sees one shape whichever side refused.
/// </summary>
public static class RequestErrors
{
    public static CommandRejectedException NotFound(string message) => Of(ErrorKind.NotFound, message);

    public static CommandRejectedException Conflict(string message) => Of(ErrorKind.Conflict, message);

    public static CommandRejectedException Unavailable(string message) => Of(ErrorKind.Unavailable, message);

    /// <summary>What Docker answers from deep inside swarmkit, hence unclassified (500).</summary>
    public static CommandRejectedException Internal(string message) => Of(ErrorKind.Internal, message);

    public static CommandRejectedException Of(ErrorKind kind, string message) => new(new DomainError(kind, message));
}
