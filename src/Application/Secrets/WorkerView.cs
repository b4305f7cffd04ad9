using System.Collections.Immutable;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.Application.Secrets;

/// <summary>
/// What a worker's copy of the state may hold: everything but the data of secrets and configs. Swarm's dispatcher
/// sends a node a secret only while one of its tasks uses it; here a worker follows the manager's state and events,
/// so their payloads are emptied on the way out (even sealed), and the node asks for a task's files when it
/// prepares the task (ITaskFiles).
/// </summary>
public static class WorkerView
{
    public static ClusterState Of(ClusterState state) => state with
    {
        Secrets = state.Secrets.ToImmutableSortedDictionary(p => p.Key, p => p.Value with { Data = [.. p.Value.Data.Select(Emptied)] }),
        Configs = state.Configs.ToImmutableSortedDictionary(p => p.Key, p => p.Value with { Data = [.. p.Value.Data.Select(Emptied)] }),
        // A worker serves no web view: it needs no token's hash (an empty one matches no token: fails closed).
        WebTokens = state.WebTokens.ToImmutableSortedDictionary(p => p.Key, p => p.Value with { Sha256 = "" }),
    };

    public static RecordedEvent Of(RecordedEvent recorded) => recorded.Event switch
    {
        SecretCreated e => recorded with { Event = e with { SealedData = "" } },
        SecretRotated e => recorded with { Event = e with { SealedData = "" } },
        ConfigCreated e => recorded with { Event = e with { Data = "" } },
        ConfigRotated e => recorded with { Event = e with { Data = "" } },
        Domain.Web.WebTokenIssued e => recorded with { Event = e with { Sha256 = "" } },
        _ => recorded,
    };

    private static DataVersion Emptied(DataVersion data) => data with { Payload = "" };
}
