using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Application;

/// <summary>Who asked: the identity the API established (the unix peer's user, a node's ID) and the request's correlation ID.</summary>
public sealed record Caller(string Identity, string CorrelationId)
{
    public static Caller System(string loop) => new($"system:{loop}", Ids.NewBatchId());
}

/// <summary>Thrown when a command's input is malformed; nothing was appended. The message names every problem.</summary>
public sealed class CommandValidationException(string command, IReadOnlyDictionary<string, string[]> errors)
    : Exception($"{command} is invalid: {string.Join("; ", errors.SelectMany(e => e.Value))}")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Thrown when the cluster's state refuses a command (unknown service, name in use); nothing was appended.</summary>
public sealed class CommandRejectedException(DomainError error) : Exception(error.Message)
{
    public DomainError Error { get; } = error;
}

/// <summary>Runs a decision through the writer with the caller's metadata and turns a refusal into an exception.</summary>
public sealed class CommandExecutor(ClusterWriter writer, IClock clock)
{
    public DateTimeOffset Now => clock.Now;

    public async Task<Decision> ExecuteAsync(string command, Caller caller, Func<ClusterState, Decision> decide, CancellationToken ct)
    {
        var metadata = new EventMetadata(clock.Now, caller.Identity, command, caller.CorrelationId);
        var decision = await writer.WriteAsync(decide, metadata, ct);
        return decision.Error is { } error ? throw new CommandRejectedException(error) : decision;
    }
}
