namespace EventSwarm.Domain.Services;

/// <summary>The facts about services, and how each changes the cluster's state.</summary>
public abstract record ServiceEvent : DomainEvent
{
    /// <param name="metadata">Who recorded the event and through which command: each version of the spec keeps it.</param>
    public static ClusterState Evolve(ClusterState state, ServiceEvent @event, long sequence, EventMetadata? metadata = null) => @event switch
    {
        ServiceCreated e => state with
        {
            Services = state.Services.SetItem(e.ServiceId, new Service(e.ServiceId, e.Spec, null, 1, sequence, e.At, e.At)
            {
                LatestSpecVersion = 1,
                Versions = [new ServiceVersion(1, 1, e.Spec, e.At, Who(metadata), Command(metadata, "CreateService"), sequence)],
            }),
        },
        // Swarm's `service scale` is an update of the spec: the spec before it becomes the previous one.
        ServiceScaled e => state.WithService(e.ServiceId, s => NewSpec(s, s.Spec with { Mode = ServiceMode.Replicated(e.Replicas) }, s.SpecVersion,
            e.At, sequence, Command(metadata, "ScaleService"), metadata)),
        // A new spec version makes the running tasks out of date; a pure replica-count change does not.
        ServiceUpdated e => state.WithService(e.ServiceId, s => NewSpec(s, e.Spec, s.Spec.TasksDifferFrom(e.Spec) ? s.NextSpecVersion : s.SpecVersion,
            e.At, sequence, Command(metadata, "UpdateService"), metadata)),
        // swarmkit's rollback: the previous spec comes back with its task generation, so the tasks the update had not
        // reached yet are current again and only the updated ones are replaced. A manual rollback keeps the spec it
        // leaves as the previous one (a second rollback undoes the first); the updater's own leaves none.
        ServiceRolledBack e => state.WithService(e.ServiceId, s => s.PreviousSpec is not { } previous ? s : NewSpec(s, previous,
            s.PreviousSpecVersion ?? (s.Spec.TasksDifferFrom(previous) ? s.NextSpecVersion : s.SpecVersion),
            e.At, sequence, Command(metadata, "RollbackService"), metadata) with
        {
            PreviousSpec = e.Automatic ? null : s.Spec,
            PreviousSpecVersion = e.Automatic ? null : s.SpecVersion,
            UpdateStatus = new UpdateStatus(UpdateState.RollbackStarted, e.At, null, e.Message),
        }),
        ServiceUpdateStarted e => state.WithService(e.ServiceId, s => s with { UpdateStatus = new UpdateStatus(UpdateState.Updating, e.At, null, UpdateStatus.InProgress) }),
        ServiceUpdatePaused e => state.WithService(e.ServiceId, s => s.UpdateStatus is not { } status ? s : s with
        {
            UpdateStatus = status with { State = status.IsRollback ? UpdateState.RollbackPaused : UpdateState.Paused, Message = e.Message },
        }),
        ServiceUpdateCompleted e => state.WithService(e.ServiceId, s => s.UpdateStatus is not { } status ? s : s with
        {
            UpdateStatus = status.IsRollback
                ? status with { State = UpdateState.RollbackCompleted, Message = UpdateStatus.RollbackCompleted, CompletedAt = e.At }
                : status with { State = UpdateState.Completed, Message = UpdateStatus.UpdateCompleted, CompletedAt = e.At },
        }),
        ServiceRemoved e => state with { Services = state.Services.Remove(e.ServiceId) },
        _ => throw ClusterState.CannotApply(@event),
    };

    /// <summary>
    /// A new spec from a client (or the updater's rollback): the old one becomes the previous one, the update
    /// status starts over (swarmkit resets it on every update, and the updater sets it again if tasks must be
    /// replaced), and the log's history gains a version.
    /// </summary>
    private static Service NewSpec(Service s, ServiceSpec spec, long specVersion, DateTimeOffset at, long sequence, string command, EventMetadata? metadata) => s with
    {
        PreviousSpec = s.Spec,
        PreviousSpecVersion = s.SpecVersion,
        Spec = spec,
        SpecVersion = specVersion,
        LatestSpecVersion = Math.Max(specVersion, Math.Max(s.LatestSpecVersion, s.SpecVersion)),
        UpdateStatus = null,
        Version = sequence,
        UpdatedAt = at,
        Versions = s.Versions.Add(new ServiceVersion(s.Versions.Count + 1, specVersion, spec, at, Who(metadata), command, sequence)),
    };

    private static string Who(EventMetadata? metadata) => metadata?.Actor ?? "";

    private static string Command(EventMetadata? metadata, string fallback) => metadata?.Command is { Length: > 0 } command ? command : fallback;
}

public sealed record ServiceCreated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : ServiceEvent;

/// <summary>Scaling gets its own event: "who scaled web to 30, when" is the question the audit trail answers most.</summary>
public sealed record ServiceScaled(string ServiceId, long Replicas, DateTimeOffset At) : ServiceEvent;

public sealed record ServiceUpdated(string ServiceId, ServiceSpec Spec, DateTimeOffset At) : ServiceEvent;

/// <summary>
/// The previous spec is the service's spec again: asked for by a client (`service rollback`, Docker's
/// rollback=previous), or decided by the updater when an update failed and its failure action is rollback.
/// </summary>
public sealed record ServiceRolledBack(string ServiceId, string Message, bool Automatic, DateTimeOffset At) : ServiceEvent;

/// <summary>The updater began replacing tasks of an older spec ("update in progress").</summary>
public sealed record ServiceUpdateStarted(string ServiceId, DateTimeOffset At) : ServiceEvent;

/// <summary>The updater stopped after a failure, with swarmkit's message naming the task; a new spec resumes it.</summary>
public sealed record ServiceUpdatePaused(string ServiceId, string Message, DateTimeOffset At) : ServiceEvent;

/// <summary>Every task runs the spec, and none failed within the monitor period: "update completed" ("rollback completed").</summary>
public sealed record ServiceUpdateCompleted(string ServiceId, DateTimeOffset At) : ServiceEvent;

public sealed record ServiceRemoved(string ServiceId, DateTimeOffset At) : ServiceEvent;
