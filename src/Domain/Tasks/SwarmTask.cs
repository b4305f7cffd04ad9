using System.Collections.Immutable;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Tasks;

/// <summary>
/// One execution of a service's task template in a slot (replicated) or on a node (global). A task never runs
/// twice: a restart is a new task in the same slot. Managers own <see cref="DesiredState"/>, the worker owns
/// <see cref="Status"/>.
/// </summary>
public sealed record SwarmTask(
    string Id,
    string ServiceId,
    string ServiceName,
    long Slot,
    string? NodeId,
    TaskTemplate Spec,
    long SpecVersion,
    TaskState DesiredState,
    TaskObservation Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version,
    DateTimeOffset? NotBefore = null)
{
    /// <summary>Its address on each network it joins, given by the allocator before it is scheduled.</summary>
    public ImmutableArray<NetworkAttachment> Networks { get; init; } = [];

    /// <summary>When its worker first reported it Running: the updater's monitor period and delay count from there.</summary>
    public DateTimeOffset? RunningSince { get; init; }

    /// <summary>Attached to the network and not finished: its container holds an endpoint there, on its node.</summary>
    public bool IsAttachedTo(string networkId) => !Status.State.IsTerminal() && Networks.Any(a => a.NetworkId == networkId);

    /// <summary>Swarm's slot model: a task whose desired state is at most Running still holds its slot.</summary>
    public bool IsRunnable => DesiredState <= TaskState.Running;

    /// <summary>Counted against a node by the scheduler: wanted and not yet finished.</summary>
    public bool IsActive => IsRunnable && !Status.State.IsTerminal();

    /// <summary>docker's task name: demo.1 for a replica, demo.&lt;node id&gt; for a global task.</summary>
    public string Name => Slot > 0 ? $"{ServiceName}.{Slot}" : $"{ServiceName}.{NodeId}";

    public string ContainerName => $"{Name}.{Id}";
}

public sealed record TaskObservation(
    TaskState State,
    DateTimeOffset Timestamp,
    string Message,
    string? Error = null,
    string? ContainerId = null,
    long? ExitCode = null);
