using EventSwarm.Application.ControlLoops;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.Application.Secrets;

/// <summary>
/// After a rotation the older versions of a secret's or config's data stay (sealed) while a task may still read
/// them; once no unfinished task does, they are dropped, so the state holds no more old secrets than it must.
/// </summary>
public static class DataVersionReaper
{
    public static IReadOnlyList<DomainEvent> Reconcile(ClusterState state, ReconcileContext context)
    {
        var events = new List<DomainEvent>();
        foreach (var secret in state.Secrets.Values.Where(s => s.Data.Length > 1))
        {
            var inUse = FileReferences.VersionsInUse(secret.Id, state);
            events.AddRange(secret.Data.SkipLast(1).Where(d => !inUse.Contains(d.Number))
                .Select(d => new SecretDataPruned(secret.Id, d.Number, context.Now)));
        }
        foreach (var config in state.Configs.Values.Where(c => c.Data.Length > 1))
        {
            var inUse = FileReferences.VersionsInUse(config.Id, state);
            events.AddRange(config.Data.SkipLast(1).Where(d => !inUse.Contains(d.Number))
                .Select(d => new ConfigDataPruned(config.Id, d.Number, context.Now)));
        }
        return events;
    }
}
