using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Domain.Networking;

public sealed record CreateNetwork(string NetworkId, NetworkSpec Spec, DateTimeOffset At);
public sealed record RemoveNetwork(string Network, DateTimeOffset At);

/// <summary>Network invariants that need the cluster's state: unique names, subnets that do not overlap, no removal while used.</summary>
public static class NetworkDecider
{
    private static readonly string[] Predefined = ["bridge", "host", "none"];

    /// <summary>
    /// The ingress network `swarm init` creates, as Swarm does: the first subnet of the address pool (10.0.0.0/24
    /// with the default pool 10.0.0.0/8 and size 24).
    /// </summary>
    public static NetworkCreated Ingress(string networkId, DateTimeOffset at, AddressPool? pool = null)
    {
        pool ??= AddressPool.Default;
        var subnet = new Ipv4Subnet(Ipv4Subnet.Parse(pool.Pools[0]).Network, pool.SubnetSize);
        return new(networkId, new NetworkSpec { Name = "ingress", Ingress = true }, subnet.ToString(), Ipv4Subnet.Format(subnet.FirstHost), at);
    }

    public static Decision Decide(CreateNetwork command, ClusterState state)
    {
        // The engine tries an overlay network itself outside a swarm and answers Swarm's refusal unclassified (500).
        if (state.Swarm is null) return Decision.Internal(SwarmDecider.NotInSwarm);
        var spec = command.Spec;
        // The engine refuses an empty name itself, with 500; swarmkit refuses the others with its own wording.
        if (string.IsNullOrEmpty(spec.Name)) return Decision.Internal("invalid name: ");
        if (ObjectName.Problem(spec.Name) is { } badName) return Decision.Invalid(badName);
        // The engine's own bridge, host and none networks hold these names.
        if (Predefined.Contains(spec.Name))
            return Decision.Conflict($"network with name {spec.Name} already exists");
        if (spec.Driver != "overlay")
            return Decision.Invalid($"network driver '{spec.Driver}' is not supported in a swarm: only 'overlay' networks span its nodes");
        if (state.Networks.Values.Any(n => n.Spec.Name == spec.Name))
            return Decision.Conflict($"network with name {spec.Name} already exists");
        if (spec.Ingress && state.Networks.Values.FirstOrDefault(n => n.Spec.Ingress) is { } ingress)
            return Decision.Conflict($"ingress network ({ingress.Id}) is already present");

        Ipv4Subnet subnet;
        if (!string.IsNullOrEmpty(spec.Subnet))
        {
            // The engine answers what is not CIDR notation at all with 500 and Go's wording.
            if (!Ipv4Subnet.TryParse(spec.Subnet, out subnet, out var error))
                return Ipv4Subnet.IsCidrNotation(spec.Subnet)
                    ? Decision.Invalid(error)
                    : Decision.Internal($"Invalid subnet {spec.Subnet} : invalid CIDR address: {spec.Subnet}");
            var subnetCopy = subnet;
            if (state.Networks.Values.FirstOrDefault(n => n.Subnet.Overlaps(subnetCopy)) is { } clash)
                return Decision.Conflict($"subnet {subnet} overlaps with network {clash.Spec.Name} ({clash.Subnet})");
        }
        else if (NextFreeSubnet(state, state.Swarm.AddressPool) is { } free) subnet = free;
        else return Decision.Conflict($"no free subnet left in the default address pool {string.Join(", ", state.Swarm.AddressPool.Pools)}");

        var gateway = subnet.FirstHost;
        if (!string.IsNullOrEmpty(spec.Gateway))
        {
            if (!Ipv4Subnet.TryParseAddress(spec.Gateway, out gateway))
                return Decision.Invalid($"ipam configuration: invalid gateway {spec.Gateway}");
            if (!subnet.Contains(gateway))
                return Decision.Invalid($"ipam configuration: subnet {spec.Subnet} does not contain gateway {spec.Gateway}");
            if (gateway == subnet.Network || gateway == subnet.Broadcast)
                return Decision.Invalid($"invalid gateway {spec.Gateway}: must be a host address inside {subnet}");
        }
        return Decision.Of(new NetworkCreated(command.NetworkId, spec, subnet.ToString(), Ipv4Subnet.Format(gateway), command.At));
    }

    public static Decision Decide(RemoveNetwork command, ClusterState state)
    {
        var found = state.LookupNetwork(command.Network);
        if (found.Match is not { } network) return Decision.Refused(NetworkLookup.Refusal(found, command.Network));
        if (state.Services.Values.FirstOrDefault(s => s.UsesNetwork(network)) is { } service)
            return Decision.Invalid($"network {network.Id} is in use by service {service.Id} ({service.Spec.Name})");
        if (state.TasksAttachedTo(network.Id).FirstOrDefault(t => HoldsNetwork(t, network.Id, state)) is { } task)
            return Decision.Invalid($"network {network.Id} is in use by task {task.Id} ({task.Name})");
        return Decision.Of(new NetworkRemoved(network.Id, command.At));
    }

    /// <summary>
    /// swarmkit (controlapi removeNetwork) refuses only for a task still meant to run and not yet past Running:
    /// `docker stack rm` removes a stack's networks right after its services, while their containers are still
    /// stopping. A task whose service is gone counts as stopping too: swarmkit's orchestrator sets such tasks to
    /// Remove on the service's deletion, which here is the orchestrator's next pass, possibly after the CLI's
    /// network removal arrives. The node removes its bridge once the last container on it is gone (NetworkService).
    /// </summary>
    private static bool HoldsNetwork(SwarmTask task, string networkId, ClusterState state) =>
        task.IsRunnable && !task.Status.State.IsTerminal() && state.Services.ContainsKey(task.ServiceId)
        && task.Networks.Any(a => a.NetworkId == networkId);

    /// <summary>The first /SubnetSize piece of the pools, in their order, that no network overlaps (Swarm's DefaultAddrPool).</summary>
    private static Ipv4Subnet? NextFreeSubnet(ClusterState state, AddressPool addressPool)
    {
        var step = 1u << (32 - addressPool.SubnetSize);
        // A removed network's bridge stays on a node until the last container of its stopping tasks is gone, and the
        // engine refuses a second bridge overlapping it: its subnet is not handed out again until then.
        var stillHeld = state.NetworksWithTasks
            .Where(id => !state.Networks.ContainsKey(id))
            .SelectMany(state.TasksAttachedTo)
            .Where(t => !t.Status.State.IsTerminal())
            .SelectMany(t => t.Networks.Where(a => !state.Networks.ContainsKey(a.NetworkId)))
            .Select(a => Ipv4Subnet.ParseAddress(a.Address))
            .ToList();
        foreach (var pool in addressPool.Pools.Select(Ipv4Subnet.Parse))
            for (var network = pool.Network; pool.Contains(network); network += step)
            {
                var candidate = new Ipv4Subnet(network, addressPool.SubnetSize);
                if (!state.Networks.Values.Any(n => n.Subnet.Overlaps(candidate)) && !stillHeld.Any(candidate.Contains)) return candidate;
                if (network + step < network) break;
            }
        return null;
    }
}

/// <summary>dockerd's network router words its refusals itself (findUniqueNetwork), naming what the matches were on.</summary>
public static class NetworkLookup
{
    public static DomainError Refusal(Lookup<Network> found, string input) => found.Matches == 0
        ? new DomainError(ErrorKind.NotFound, $"network {input} not found")
        : new DomainError(ErrorKind.Invalid, $"network {input} is ambiguous ({found.Matches} matches found based on {(found.ByName ? "name" : "ID prefix")})");
}
