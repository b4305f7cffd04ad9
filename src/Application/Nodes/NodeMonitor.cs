using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Nodes;

/// <summary>
/// Marks a node Down when its heartbeats stop, and Ready when they resume (swarmkit's dispatcher). A Down node's
/// unfinished tasks become Orphaned so the orchestrator replaces them elsewhere.
/// </summary>
public static class NodeMonitor
{
    /// <summary>Swarm's grace: three missed periods (13.5–16.5 s with the default 5 s ± jitter).</summary>
    public const int GraceMultiplier = 3;

    /// <summary>
    /// A node whose connection closed (its agent or host died: the kernel closed the socket) is not waited for three
    /// periods: it is Down when one more beat is late by this much. A live node that merely reconnects beats on time.
    /// </summary>
    public static readonly TimeSpan DisconnectedMargin = TimeSpan.FromSeconds(1);

    /// <param name="lastBeats">Last heartbeat per node, from the leader's memory.</param>
    /// <param name="watchingSince">When this leader started listening: a node it has not heard from yet is given
    /// the grace from then on, not from a heartbeat a previous leader may have received.</param>
    /// <param name="disconnects">When a node's connection to a manager last closed, if it did.</param>
    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context,
        IReadOnlyDictionary<string, DateTimeOffset> lastBeats, TimeSpan period, DateTimeOffset watchingSince,
        IReadOnlyDictionary<string, DateTimeOffset>? disconnects = null)
    {
        var events = new List<DomainEvent>();
        foreach (var node in state.Nodes.Values)
        {
            var heard = lastBeats.TryGetValue(node.Id, out var beat) ? beat : (DateTimeOffset?)null;
            var silentSince = heard ?? watchingSince;
            var lostSinceHeard = disconnects is not null && disconnects.TryGetValue(node.Id, out var lost) && lost >= silentSince;
            var grace = lostSinceHeard ? period + DisconnectedMargin : period * GraceMultiplier;
            if (node.Status == NodeStatus.Ready && context.Now - silentSince > grace)
            {
                events.Add(new NodeStatusChanged(node.Id, NodeStatus.Down, "heartbeat failure", context.Now));
                events.AddRange(state.TasksOn(node.Id)
                    .Where(t => t.NodeId == node.Id && t.Status.State is >= TaskState.Assigned and <= TaskState.Running)
                    .Select(t => new TaskOrphaned(t.Id, $"node {node.Description.Hostname} is down (heartbeat failure)", context.Now)));
            }
            else if (node.Status == NodeStatus.Down && heard is { } back && back > node.UpdatedAt)
                events.Add(new NodeStatusChanged(node.Id, NodeStatus.Ready, "", context.Now));
        }
        return events;
    }
}
