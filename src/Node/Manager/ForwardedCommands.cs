using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Application;
using EventSwarm.Infrastructure.Log;
using Mediator;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The leader's half of write forwarding (<see cref="LeaderLink.ForwardAsync{TResponse}"/> is the follower's): a
/// command a follower received, run here as if it had been sent here, recorded as its original caller vouched for
/// by the forwarding manager.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class ForwardedCommands(RaftLogHost raft, IMediator mediator)
{
    /// <summary>The commands a follower may forward, by name: every command of the Application layer.</summary>
    private static readonly FrozenDictionary<string, Type> Commands = typeof(Caller).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i == typeof(ICommand)
            || i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>)))
        .ToFrozenDictionary(t => t.Name);

    /// <summary>
    /// Who a forwarded command is recorded as: the caller the forwarding manager established (the unix peer's
    /// kernel credentials on its socket, a node's certificate), vouched for by that manager's own certificate and
    /// said so in the audit trail — `unix:alice(uid=1000,pid=4711) via manager 7k2…`. The command's body is never
    /// believed about its caller. A manager acting for itself (`node:&lt;its id&gt;`) needs no one to vouch.
    /// </summary>
    public static Caller Vouched(string forwardedCaller, string correlationId, string manager) =>
        new(forwardedCaller == $"node:{manager}" ? forwardedCaller : $"{forwardedCaller} via manager {manager}", correlationId);

    /// <param name="manager">The forwarding manager, as its certificate names it.</param>
    /// <param name="forwardedCaller">The original caller, as the <see cref="LeaderLink.CallerHeader"/> carried it (escaped).</param>
    /// <returns>The command's result, and the index the follower waits to have applied before it answers (read your writes).</returns>
    public async Task<(object? Result, long Committed)> RunAsync(string command, string manager, string? forwardedCaller, string correlationId,
        Stream body, CancellationToken ct)
    {
        if (!Commands.TryGetValue(command, out var type)) throw new BadRequestException($"unknown command {command}");
        if (string.IsNullOrWhiteSpace(forwardedCaller))
            throw new BadRequestException($"a forwarded command needs its original caller in the {LeaderLink.CallerHeader} header");
        var caller = Vouched(Uri.UnescapeDataString(forwardedCaller), correlationId, manager);
        JsonObject json;
        try
        {
            json = await JsonNode.ParseAsync(body, cancellationToken: ct) as JsonObject
                ?? throw new BadRequestException($"{command} needs a body");
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"{command}: {e.Message}");
        }
        foreach (var name in json.Select(p => p.Key).Where(k => k.Equals(nameof(Caller), StringComparison.OrdinalIgnoreCase)).ToList()) json.Remove(name);
        json[EventJson.Options.PropertyNamingPolicy?.ConvertName(nameof(Caller)) ?? nameof(Caller)] = JsonSerializer.SerializeToNode(caller, EventJson.Options);
        var message = json.Deserialize(type, EventJson.Options) ?? throw new BadRequestException($"{command} needs a body");
        var result = await mediator.Send(message, ct);
        return (result, raft.CommittedIndex);
    }
}
