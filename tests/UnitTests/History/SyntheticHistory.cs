using System.Collections.Immutable;
using EventSwarm.Application.Log;

namespace EventSwarm.UnitTests.History;

/// <summary>
/// A cluster's life as the log would record it: services created and scaled, their tasks created, assigned,
/// running and removed, nodes labelled, secrets created. Each batch goes through a real projection, so each event
/// has its sequence and subject as the state machine would give them.
/// </summary>
internal sealed class SyntheticHistory(int seed, Func<int, DateTimeOffset>? clock = null)
{
    private readonly Random _random = new(seed);
    private readonly Func<int, DateTimeOffset> _clock = clock ?? (i => At(i));
    private int _batches;
    private int _ids;

    public ClusterProjection Projection { get; } = new();

    public IEnumerable<AppliedBatch> Batches(int count)
    {
        for (var i = 0; i < count; i++) yield return Next();
    }

    public AppliedBatch Next()
    {
        var state = Projection.Current;
        var at = _clock(_batches);
        var events = state.Swarm is null ? [.. Cluster("n1", "n2", "n3")] : Decide(state, at);
        _batches++;
        return Projection.Apply(new EventBatch($"b{_batches}", new EventMetadata(at, _batches % 3 == 0 ? "system:orchestrator" : "user:alice", "Test", $"c{_batches}"), events));
    }

    private List<DomainEvent> Decide(ClusterState state, DateTimeOffset at)
    {
        var services = state.Services.Keys.ToList();
        var tasks = state.Tasks.Values.ToList();
        var roll = _random.Next(100);
        if (services.Count == 0 || roll < 10)
        {
            var id = $"svc{++_ids}";
            var spec = Spec(id, replicas: 2);
            return [new ServiceCreated(id, spec, at), .. Enumerable.Range(1, 2).Select(slot => (DomainEvent)new TaskCreated($"task{++_ids}", id, id, slot, null, spec.TaskTemplate, 1, TaskState.Running, at))];
        }
        if (roll < 20) return [new ServiceScaled(services[_random.Next(services.Count)], _random.Next(1, 5), at)];
        var unassigned = tasks.FirstOrDefault(t => t.NodeId is null);
        if (roll < 50 && unassigned is not null) return [new TaskAssigned(unassigned.Id, $"n{_random.Next(1, 4)}", at)];
        var assigned = tasks.Where(t => t.NodeId is not null).ToList();
        if (roll < 80 && assigned.Count > 0)
        {
            var task = assigned[_random.Next(assigned.Count)];
            return [new TaskStatusReported(task.Id, task.NodeId!, new TaskObservation(TaskState.Running, at, "started", null, $"c{task.Id}", null))];
        }
        if (roll < 90 && tasks.Count > 0) return [new TaskRemoved(tasks[_random.Next(tasks.Count)].Id, at)];
        if (roll < 95) return [new NodeLabelsChanged($"n{_random.Next(1, 4)}", ImmutableDictionary<string, string>.Empty.Add("zone", $"z{_random.Next(3)}"), at)];
        return [new Domain.Secrets.SecretCreated($"sec{++_ids}", new Domain.Secrets.SecretSpec { Name = $"pw{_ids}" }, "aes256gcm:c2VhbGVk", at)];
    }
}
