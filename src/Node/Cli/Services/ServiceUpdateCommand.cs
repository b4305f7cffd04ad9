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
    private readonly Option<string> _args = Flags.String("--args", "Service command args", "command");
    private readonly Option<string[]> _configAdd = Flags.List("--config-add", "Add or update a config file on a service", "config");
    private readonly Option<string[]> _configRm = Flags.List("--config-rm", "Remove a configuration file");
    private readonly Option<string[]> _constraintAdd = Flags.List("--constraint-add", "Add or update a placement constraint");
    private readonly Option<string[]> _constraintRm = Flags.List("--constraint-rm", "Remove a constraint");
    private readonly Option<string[]> _containerLabelAdd = Flags.List("--container-label-add", "Add or update a container label");
    private readonly Option<string[]> _containerLabelRm = Flags.List("--container-label-rm", "Remove a container label by its key");
    private readonly Option<string[]> _envAdd = Flags.List("--env-add", "Add or update an environment variable");
    private readonly Option<string[]> _envRm = Flags.List("--env-rm", "Remove an environment variable");
    private readonly Option<bool> _force = Flags.Bool("--force", "Force update even if no changes require it");
    private readonly Option<string> _image = Flags.String("--image", "Service image tag");
    private readonly Option<bool> _init = Flags.Bool("--init", "Use an init inside each service container to forward signals and reap processes");
    private readonly Option<string[]> _labelAdd = Flags.List("--label-add", "Add or update a service label");
    private readonly Option<string[]> _labelRm = Flags.List("--label-rm", "Remove a label by its key");
    private readonly Option<string[]> _mountAdd = Flags.List("--mount-add", "Add or update a mount on a service", "mount");
    private readonly Option<string[]> _mountRm = Flags.List("--mount-rm", "Remove a mount by its target path");
    private readonly Option<string[]> _networkAdd = Flags.List("--network-add", "Add a network", "network");
    private readonly Option<string[]> _networkRm = Flags.List("--network-rm", "Remove a network");
    private readonly Option<string[]> _placementPrefAdd = Flags.List("--placement-pref-add", "Add a placement preference", "pref");
    private readonly Option<string[]> _placementPrefRm = Flags.List("--placement-pref-rm", "Remove a placement preference", "pref");
    private readonly Option<string[]> _publishAdd = Flags.List("--publish-add", "Add or update a published port", "port");
    private readonly Option<string[]> _publishRm = Flags.List("--publish-rm", "Remove a published port by its target port", "port");
    private readonly Option<bool> _rollback = Flags.Bool("--rollback", "Rollback to previous specification");
    private readonly Option<string[]> _secretAdd = Flags.List("--secret-add", "Add or update a secret on a service", "secret");
    private readonly Option<string[]> _secretRm = Flags.List("--secret-rm", "Remove a secret");
    private readonly SharedServiceFlags _shared = new(showDefaults: false);

    public ServiceUpdateCommand() : base("update", "[OPTIONS] SERVICE", "Update a service")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Option[] flags =
        [
            _args, _configAdd, _configRm, _constraintAdd, _constraintRm, _containerLabelAdd, _containerLabelRm, _envAdd, _envRm, _force, _image, _init,
            _labelAdd, _labelRm, _mountAdd, _mountRm, _networkAdd, _networkRm, _placementPrefAdd, _placementPrefRm, _publishAdd, _publishRm, _rollback,
            _secretAdd, _secretRm, .. _shared.All,
        ];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>
    /// The flags applied to <paramref name="spec"/> (the service's current one), networks aside: those need the
    /// manager to turn names into IDs (<see cref="UpdateNetworksAsync"/>). docker's updateService, field by field.
    /// </summary>
    public void Apply(ParseResult result, ServiceSpec spec)
    {
        var template = spec.TaskTemplate ??= new TaskSpec();
        var container = template.ContainerSpec ??= new ContainerSpec();
        if (UpdateLabels(spec.Labels, result.Values(_labelRm), result.Values(_labelAdd)) is { } labels) spec.Labels = labels;
        container.Labels = UpdateLabels(container.Labels, result.Values(_containerLabelRm), result.Values(_containerLabelAdd));
        if (result.Value(_image) is { } image) container.Image = image;
        if (result.Value(_args) is { } args) container.Args = ServiceFlags.ParseShellWords(args, "--args");
        if (result.Values(_envRm).Count > 0 || result.Values(_envAdd).Count > 0) container.Env = UpdateEnv(container.Env ?? [], result);
        if (result.Given(_init)) container.Init = result.Has(_init);
        if (result.Values(_mountAdd).Count > 0 || result.Values(_mountRm).Count > 0) container.Mounts = UpdateMounts(container.Mounts ?? [], result);
        if (result.Values(_constraintAdd).Count > 0 || result.Values(_constraintRm).Count > 0)
        {
            // docker's updatePlacementConstraints: appended, the removed taken out, sorted so that the result is predictable.
            var placement = template.Placement ??= new Placement();
            var removed = result.Values(_constraintRm).ToHashSet(StringComparer.Ordinal);
            placement.Constraints = [.. (placement.Constraints ?? []).Concat(result.Values(_constraintAdd)).Where(c => !removed.Contains(c)).Order(StringComparer.Ordinal)];
        }
        if (result.Values(_placementPrefAdd).Count > 0 || result.Values(_placementPrefRm).Count > 0)
        {
            // docker's updatePlacementPreferences: a removal matches the spread descriptor; additions go last.
            var placement = template.Placement ??= new Placement();
            var removed = result.Values(_placementPrefRm).Select(p => ServiceFlags.ParsePlacementPref(p, "--placement-pref-rm").Spread!.SpreadDescriptor).ToHashSet(StringComparer.Ordinal);
            placement.Preferences =
            [
                .. (placement.Preferences ?? []).Where(p => p.Spread is null || !removed.Contains(p.Spread.SpreadDescriptor ?? "")),
                .. result.Values(_placementPrefAdd).Select(p => ServiceFlags.ParsePlacementPref(p, "--placement-pref-add")),
            ];
        }
        _shared.Apply(result, spec);
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
        if (result.Values(_publishAdd).Count > 0 || result.Values(_publishRm).Count > 0)
        {
            var endpoint = spec.EndpointSpec ??= new EndpointSpec { Mode = "vip" };
            endpoint.Ports = UpdatePorts(endpoint.Ports ?? [], result);
        }
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var name = Args(result)[0];
        // docker parses every flag before asking for the service (pflag's Set): a dry run on a blank replicated spec
        // refuses a value that does not parse with nothing sent.
        Apply(result, new ServiceSpec { Mode = new ServiceMode { Replicated = new ReplicatedService() } });
        var client = context.Client;
        var service = await client.Swarm.InspectServiceAsync(name);
        var rollback = result.Has(_rollback);
        // docker's runUpdate: --rollback sends the current spec back untouched; only -d and -q (and our --timeout) may go with it.
        if (rollback && Options.Except([_rollback, .. _shared.Display]).Any(result.Given))
            throw new UsageException("other flags may not be combined with --rollback");
        var spec = service.Spec ?? new ServiceSpec();
        if (!rollback)
        {
            Apply(result, spec);
            if (result.Values(_networkAdd).Count > 0 || result.Values(_networkRm).Count > 0)
            {
                var template = spec.TaskTemplate ??= new TaskSpec();
                template.Networks = await UpdateNetworksAsync(client, template.Networks ?? [], result);
            }
        }
        await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters
        {
            Service = spec,
            Version = ServiceFlags.VersionOf(service),
            Rollback = rollback ? "previous" : null,
        });
        context.Out.WriteLine(name);
        return result.Has(_shared.Detach) ? 0
            : await Progress.WaitForConvergenceAsync(client, name, ServiceFlags.WaitFor(result, _shared.Timeout), result.Has(_shared.Quiet), context.Out, context.Err);
    }

    /// <summary>docker's updateLabels/updateContainerLabels: the removed keys out, then the added set (a key alone is an empty value).</summary>
    private static IDictionary<string, string>? UpdateLabels(IDictionary<string, string>? labels, IReadOnlyList<string> remove, IReadOnlyList<string> add)
    {
        if (labels is not null)
            foreach (var key in remove) labels.Remove(key);
        if (add.Count == 0) return labels;
        labels ??= new Dictionary<string, string>();
        foreach (var pair in add)
            labels[pair.Split('=', 2)[0]] = pair.Split('=', 2) is [_, var value] ? value : "";
        return labels;
    }

    /// <summary>docker's updateEnvironment: --env-rm takes out a variable by name, --env-add replaces one of the same name.</summary>
    private List<string> UpdateEnv(IList<string> env, ParseResult result)
    {
        static string Key(string variable) => variable.Split('=', 2)[0];
        var removed = result.Values(_envRm).ToHashSet(StringComparer.Ordinal);
        var kept = env.Where(e => !removed.Contains(Key(e))).ToList();
        foreach (var added in result.Values(_envAdd))
        {
            kept.RemoveAll(e => Key(e) == Key(added));
            kept.Add(added);
        }
        return kept;
    }

    /// <summary>
    /// docker's updateMounts: mounts by target, an added one replacing the mount at its target (two additions at one
    /// target are refused), --mount-rm taking out a target; sorted by source, then target.
    /// </summary>
    private List<Mount> UpdateMounts(IList<Mount> current, ParseResult result)
    {
        var byTarget = new Dictionary<string, Mount>(StringComparer.Ordinal);
        foreach (var mount in result.Values(_mountAdd).Select(ServiceFlags.ParseMount))
            if (!byTarget.TryAdd(mount.Target ?? "", mount)) throw new UsageException("duplicate mount target");
        foreach (var mount in current) byTarget.TryAdd(mount.Target ?? "", mount);
        var removed = result.Values(_mountRm).ToHashSet(StringComparer.Ordinal);
        return [.. byTarget.Values.Where(m => !removed.Contains(m.Target ?? "")).OrderBy(m => m.Source, StringComparer.Ordinal).ThenBy(m => m.Target, StringComparer.Ordinal)];
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
