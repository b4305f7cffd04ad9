namespace EventSwarm.Domain.Tasks;

/// <summary>
/// Swarm's task states. The values are swarmkit's (spaced by 64) so that a greater value is always a later
/// state: observed state only ever moves forward, and "state > Running" means the task has finished.
/// </summary>
public enum TaskState
{
    New = 0,
    Pending = 64,
    Assigned = 192,
    Accepted = 256,
    Preparing = 320,
    Ready = 384,
    Starting = 448,
    Running = 512,
    Complete = 576,
    Shutdown = 640,
    Failed = 704,
    Rejected = 768,
    Remove = 800,
    Orphaned = 832,
}

public static class TaskStates
{
    public static bool IsTerminal(this TaskState state) => state > TaskState.Running;

    /// <summary>Docker prints states lower-case on the wire ("running", "shutdown").</summary>
    public static string ToWire(this TaskState state) => state.ToString().ToLowerInvariant();
}
