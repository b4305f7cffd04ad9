using EventSwarm.Domain;

namespace EventSwarm.Application.ControlLoops;

/// <summary>What a reconcile pass may depend on besides the state: the time, and a source of fresh task IDs.</summary>
public sealed record ReconcileContext(DateTimeOffset Now, Func<string> NewId);

/// <summary>
/// A control loop is swarmkit's reconciler made pure: the projection in, the events that move the cluster
/// toward its spec out. Running one twice on the same state must yield nothing the second time.
/// </summary>
public delegate IReadOnlyList<DomainEvent> ControlLoop(ClusterState state, ReconcileContext context);
