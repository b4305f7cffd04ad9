using System.Collections.Immutable;

namespace EventSwarm.Domain.Scheduling;

/// <summary>The scheduler's filters, in the order it applies them; a node is counted against the first one it fails.</summary>
public enum PlacementFilter { Availability, Resources, Constraints }

/// <summary>
/// Why the scheduler placed a task where it did, recorded in its TaskAssigned event so that `explain task` can answer
/// long after the cluster changed: how many nodes it considered, which filters removed which of them, and the score
/// of the node that won against the runner-up. Compact on purpose: counts per filter and at most
/// <see cref="ExampleNodes"/> node IDs each, so that a placement in a 1,000-node cluster stays a few hundred bytes
/// in the log.
/// </summary>
/// <param name="Candidates">The nodes considered: every node, or the one node a global task was created for.</param>
/// <param name="Removed">Each filter (and, for constraints, each constraint) that removed nodes, in filter order.</param>
/// <param name="Chosen">The winner's score: tasks of the service on it, and tasks in all, before this one.</param>
/// <param name="RunnerUp">The best node that lost, null when only one node passed the filters.</param>
public sealed record PlacementReason(int Candidates, ImmutableArray<FilteredNodes> Removed, NodeScore Chosen, NodeScore? RunnerUp)
{
    public const int ExampleNodes = 3;

    /// <summary>The runner-up scored the same: the lower node ID won (a replay then places the same way).</summary>
    public bool TieBrokenByNodeId => RunnerUp is { } r && r.ServiceTasks == Chosen.ServiceTasks && r.TotalTasks == Chosen.TotalTasks;

    public bool Equals(PlacementReason? other) =>
        other is not null && Candidates == other.Candidates && Chosen == other.Chosen && RunnerUp == other.RunnerUp
        && Removed.AsSpan().SequenceEqual(other.Removed.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Candidates, Removed.Length, Chosen, RunnerUp);
}

/// <summary>
/// The nodes one filter removed: how many, and the first few IDs (in ID order). <paramref name="Constraint"/> is the
/// constraint they failed (the first of the task's constraints each fails), for the constraints filter.
/// </summary>
public sealed record FilteredNodes(PlacementFilter Filter, int Count, ImmutableArray<string> Nodes, string? Constraint = null)
{
    public bool Equals(FilteredNodes? other) =>
        other is not null && Filter == other.Filter && Count == other.Count && Constraint == other.Constraint
        && Nodes.AsSpan().SequenceEqual(other.Nodes.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Filter, Count, Constraint);
}

/// <summary>A node's score when the task was placed: the spread strategy prefers fewer tasks of the service, then fewer in all.</summary>
public sealed record NodeScore(string NodeId, int ServiceTasks, int TotalTasks);
