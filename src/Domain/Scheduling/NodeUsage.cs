namespace EventSwarm.Domain.Scheduling;

/// <summary>
/// What the scheduler counts against a node: its active tasks from Assigned on (swarmkit's nodeInfo counts the
/// same), and the resources they reserve. Kept by the projection as tasks change, so a pass never recounts it.
/// </summary>
public readonly record struct NodeUsage(int Tasks, long NanoCpus, long MemoryBytes)
{
    public static NodeUsage None { get; } = new(0, 0, 0);
}
