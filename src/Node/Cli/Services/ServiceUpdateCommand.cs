using System.CommandLine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service update [OPTIONS] SERVICE</c>: the service's current spec with the flags applied, sent back with its
/// version, as docker does (a change of replicas alone, or of the image alone, is what the manager logs as such).
/// </summary>
public sealed class ServiceUpdateCommand : Verb
{
    private readonly Option<string[]> _configAdd = Flags.List("--config-add", "Add or update a config file on a service", "config");
    private readonly Option<string[]> _configRm = Flags.List("--config-rm", "Remove a configuration file");
    private readonly Option<bool> _detach = ServiceFlags.Detach();
    private readonly Option<string> _endpointMode = Flags.String("--endpoint-mode", "Endpoint mode (vip or dnsrr)");
    private readonly Option<string[]> _envAdd = Flags.List("--env-add", "Add or update an environment variable");
    private readonly Option<bool> _force = Flags.Bool("--force", "Force update even if no changes require it");
    private readonly Option<string> _image = Flags.String("--image", "Service image tag");
    private readonly Option<string[]> _networkAdd = Flags.List("--network-add", "Add a network", "network");
    private readonly Option<string[]> _networkRm = Flags.List("--network-rm", "Remove a network");
    private readonly Option<string[]> _publishAdd = Flags.List("--publish-add", "Add or update a published port", "port");
    private readonly Option<string[]> _publishRm = Flags.List("--publish-rm", "Remove a published port by its target port", "port");
    private readonly Option<bool> _quiet = ServiceFlags.Quiet();
    private readonly Option<string> _replicas = Flags.String("--replicas", "Number of tasks", "uint");
    private readonly Option<string[]> _secretAdd = Flags.List("--secret-add", "Add or update a secret on a service", "secret");
    private readonly Option<string[]> _secretRm = Flags.List("--secret-rm", "Remove a secret");
    private readonly Option<string> _timeout = ServiceFlags.Timeout();

    public ServiceUpdateCommand() : base("update", "[OPTIONS] SERVICE", "Update a service")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Option[] flags =
        [
            _configAdd, _configRm, _detach, _endpointMode, _envAdd, _force, _image, _networkAdd, _networkRm, _publishAdd, _publishRm, _quiet, _replicas,
            _secretAdd, _secretRm, _timeout,
        ];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>
    /// The flags applied to <paramref name="spec"/> (the service's current one), networks aside: those need the
    /// manager to turn names into IDs (<see cref="UpdateNetworksAsync"/>).
    /// </summary>
    public void Apply(ParseResult result, ServiceSpec spec)
    {
        var template = spec.TaskTemplate ??= new TaskSpec();
        var container = template.ContainerSpec ??= new ContainerSpec();
        if (result.Value(_image) is { } image) container.Image = image;
        if (result.UInt(_replicas) is { } replicas)
        {
            if (spec.Mode?.Replicated is not { } replicated) throw new UsageException("replicas can only be used with replicated mode");
            replicated.Replicas = replicas;
        }
        foreach (var env in result.Values(_envAdd))
        {
            var key = env.Split('=')[0];
            container.Env = (container.Env ?? []).Where(e => e.Split('=')[0] != key).Append(env).ToList();
        }
        if (result.Values(_secretRm).Count > 0 || result.Values(_secretAdd).Count > 0)
        {
            // docker's getUpdatedSecrets: --secret-rm takes out the references to that secret name, --secret-add appends.
            var removed = result.Values(_secretRm).ToHashSet(StringComparer.Ordinal);
            container.Secrets = [.. (container.Secrets ?? []).Where(s => !removed.Contains(s.SecretName ?? "")), .. FileReferences.Secrets(result, _secretAdd) ?? []];
        }
        if (result.Values(_configRm).Count > 0 || result.Values(_configAdd).Count > 0)
        {
            // docker's getUpdatedConfigs: the same by config name (credential-spec runtime configs aside: EventSwarm has none).
            var removed = result.Values(_configRm).ToHashSet(StringComparer.Ordinal);
            container.Configs = [.. (container.Configs ?? []).Where(c => !removed.Contains(c.ConfigName ?? "")), .. FileReferences.Configs(result, _configAdd) ?? []];
        }
        if (result.Has(_force)) template.ForceUpdate++;
        if (ServiceFlags.EndpointMode(result, _endpointMode) is { } mode) (spec.EndpointSpec ??= new EndpointSpec()).Mode = mode;
        if (result.Values(_publishAdd).Count > 0 || result.Values(_publishRm).Count > 0)
        {
            var endpoint = spec.EndpointSpec ??= new EndpointSpec { Mode = "vip" };
            endpoint.Ports = UpdatePorts(endpoint.Ports ?? [], result);
        }
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var name = Args(result)[0];
        // docker parses --secret-add/--config-add with the other flags, before asking for the service.
        FileReferences.Secrets(result, _secretAdd);
        FileReferences.Configs(result, _configAdd);
        var client = context.Client;
        var service = await client.Swarm.InspectServiceAsync(name);
        var spec = service.Spec ?? new ServiceSpec();
        Apply(result, spec);
        if (result.Values(_networkAdd).Count > 0 || result.Values(_networkRm).Count > 0)
        {
            var template = spec.TaskTemplate ??= new TaskSpec();
            template.Networks = await UpdateNetworksAsync(client, template.Networks ?? [], result);
        }
        await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = spec, Version = ServiceFlags.VersionOf(service) });
        context.Out.WriteLine(name);
        return result.Has(_detach) ? 0
            : await Progress.WaitForConvergenceAsync(client, service.ID, ServiceFlags.WaitFor(result, _timeout), result.Has(_quiet), context.Out, context.Err);
    }

    /// <summary>
    /// docker's --publish-rm/--publish-add: a removal takes out every port with the same target port, protocol and
    /// mode (the published port is not compared); an addition identical to a kept port is not added twice.
    /// </summary>
    private List<PortConfig> UpdatePorts(IList<PortConfig> current, ParseResult result)
    {
        var toRemove = result.Values(_publishRm).SelectMany(p => PublishedPorts.Parse(p, "publish-rm")).ToList();
        var kept = current
            .DistinctBy(PublishedPorts.SortKey)
            .Where(port => !toRemove.Any(r => (r.Protocol ?? "tcp") == (port.Protocol ?? "tcp") && r.TargetPort == port.TargetPort
                && (r.PublishMode ?? "ingress") == (port.PublishMode ?? "ingress")))
            .ToList();
        var keys = current.Select(PublishedPorts.SortKey).ToHashSet();
        kept.AddRange(result.Values(_publishAdd).SelectMany(p => PublishedPorts.Parse(p, "publish-add")).Where(p => !keys.Contains(PublishedPorts.SortKey(p))));
        // Sorted, so that the same ports in another order are not an update.
        return [.. kept.OrderBy(PublishedPorts.SortKey, StringComparer.Ordinal)];
    }

    /// <summary>docker's --network-rm/--network-add: names become network IDs, so that a network is attached at most once.</summary>
    private async Task<List<NetworkAttachmentConfig>> UpdateNetworksAsync(IDockerClient client, IList<NetworkAttachmentConfig> current, ParseResult result)
    {
        var removed = new HashSet<string>();
        foreach (var name in result.Values(_networkRm)) removed.Add((await client.Networks.InspectNetworkAsync(name)).ID);
        var networks = current.Where(n => !removed.Contains(n.Target ?? "")).ToList();
        foreach (var added in result.Values(_networkAdd).Select(ServiceFlags.ParseNetwork))
        {
            var id = (await client.Networks.InspectNetworkAsync(added.Target ?? "")).ID;
            if (networks.Any(n => n.Target == id)) throw new UsageException($"service is already attached to network {added.Target}");
            added.Target = id;
            networks.Add(added);
        }
        return [.. networks.OrderBy(n => n.Target, StringComparer.Ordinal)];
    }
}
