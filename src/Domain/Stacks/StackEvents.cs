using System.Collections.Immutable;

namespace EventSwarm.Domain.Stacks;

/// <summary>The facts about stacks, recorded last in the batch that deploys or removes the stack's objects.</summary>
public abstract record StackEvent : DomainEvent
{
    /// <param name="metadata">Who deployed and through which command: each version keeps it for `stack history`.</param>
    public static ClusterState Evolve(ClusterState state, StackEvent @event, long sequence, EventMetadata? metadata = null) => @event switch
    {
        StackDeployed e => state with
        {
            Stacks = state.Stacks.SetItem(e.Stack, new Stack(e.Stack,
                (state.Stacks.TryGetValue(e.Stack, out var stack) ? stack.Versions : []).Add(
                    new StackVersion(e.Version, e.Definition, e.Changes, e.At, metadata?.Actor ?? "", metadata?.Command is { Length: > 0 } c ? c : "DeployStack", sequence)))),
        },
        // The stack's objects went in the same batch; its history goes with them, as `docker stack rm` leaves nothing.
        StackRemoved e => state with { Stacks = state.Stacks.Remove(e.Stack) },
        _ => throw ClusterState.CannotApply(@event),
    };
}

/// <summary>A stack was deployed (or rolled back) as its version <paramref name="Version"/>; its objects' events precede it in the batch.</summary>
public sealed record StackDeployed(string Stack, int Version, StackDefinition Definition, ImmutableArray<StackChange> Changes, DateTimeOffset At) : StackEvent;

/// <summary>A stack's objects were removed, in the same batch.</summary>
public sealed record StackRemoved(string Stack, ImmutableArray<StackChange> Changes, DateTimeOffset At) : StackEvent;
