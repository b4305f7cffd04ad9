using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service create [OPTIONS] IMAGE [COMMAND] [ARG...]</c>: docker's flags that map onto EventSwarm's service spec.
/// As in docker, flags stop at the image: <c>busybox sh -c "…"</c> hands <c>-c</c> to the container. Spec rules
/// (replicas, names, constraints …) are the manager's to check; the CLI only parses, and prints the manager's refusal.
/// </summary>
public sealed class ServiceCreateCommand : Verb
{
    private readonly Option<string[]> _capAdd = Flags.List("--cap-add", "Add Linux capabilities");
    private readonly Option<string[]> _capDrop = Flags.List("--cap-drop", "Drop Linux capabilities");
    private readonly Option<string[]> _config = Flags.List("--config", "Specify configurations to expose to the service", "config");
    private readonly Option<string[]> _constraint = Flags.List("--constraint", "Placement constraints");
    private readonly Option<string[]> _containerLabel = Flags.List("--container-label", "Container labels");
    private readonly Option<string[]> _dns = Flags.List("--dns", "Set custom DNS servers");
    private readonly Option<string[]> _dnsOption = Flags.List("--dns-option", "Set DNS options");
    private readonly Option<string[]> _dnsSearch = Flags.List("--dns-search", "Set custom DNS search domains");
    private readonly Option<string[]> _env = Flags.List("--env", "Set environment variables", shorthand: "-e");
    private readonly Option<string[]> _group = Flags.List("--group", "Set one or more supplementary user groups for the container");
    private readonly Option<string[]> _host = Flags.List("--host", "Set one or more custom host-to-IP mappings (host:ip)");
    private readonly Option<bool> _init = Flags.Bool("--init", "Use an init inside each service container to forward signals and reap processes");
    private readonly Option<string[]> _label = Flags.List("--label", "Service labels", shorthand: "-l");
    private readonly Option<string> _mode = Flags.String("--mode", "Service mode (\"replicated\", \"global\") (default \"replicated\")");
    private readonly Option<string[]> _mount = Flags.List("--mount", "Attach a filesystem mount to the service", "mount");
    private readonly Option<string> _name = Flags.String("--name", "Service name");
    private readonly Option<string[]> _network = Flags.List("--network", "Network attachments", "network");
    private readonly Option<string[]> _placementPref = Flags.List("--placement-pref", "Add a placement preference", "pref");
    private readonly Option<string[]> _publish = Flags.List("--publish", "Publish a port as a node port", "port", "-p");
    private readonly Option<string[]> _secret = Flags.List("--secret", "Specify secrets to expose to the service", "secret");
    private readonly Option<string[]> _sysctl = Flags.List("--sysctl", "Sysctl options");
    private readonly Option<string[]> _ulimit = Flags.List("--ulimit", "Ulimit options (default [])", "ulimit");
    private readonly SharedServiceFlags _shared = new(showDefaults: true);

    public ServiceCreateCommand() : base("create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new service")
    {
        MinArgs = 1;
        MaxArgs = null;
        Operands.CaptureRemainingTokens = true;
        Option[] flags =
        [
            _capAdd, _capDrop, _config, _constraint, _containerLabel, _dns, _dnsOption, _dnsSearch, _env, _group, _host, _init, _label, _mode, _mount,
            _name, _network, _placementPref, _publish, _secret, _sysctl, _ulimit, .. _shared.All,
        ];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>
    /// The spec this command line asks for, exactly as sent to <c>POST /services/create</c>: the create-only flags,
    /// then the flags it shares with update applied as update applies them (docker's ToService reads them alike).
    /// </summary>
    public ServiceSpec Spec(ParseResult result)
    {
        var args = Args(result);
        var mode = result.Value(_mode) ?? "replicated";
        if (mode is not ("replicated" or "global")) throw UsageException.InvalidFlag(mode, "--mode", "must be replicated or global");
        if (mode == "global" && result.Value(_shared.MaxReplicas) is not null)
            throw new UsageException("replicas-max-per-node can only be used with replicated or replicated-job mode");
        var ports = result.Values(_publish).SelectMany(p => PublishedPorts.Parse(p)).ToList();
        var spec = new ServiceSpec
        {
            Name = result.Value(_name) ?? "",
            Labels = result.KeyValues(_label) ?? new Dictionary<string, string>(),
            Mode = mode == "global"
                ? new ServiceMode { Global = new GlobalService() }
                : new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = args[0],
                    Args = args.Count > 1 ? args.Skip(1).ToList() : null,
                    Env = result.ListOrNull(_env),
                    Labels = result.KeyValues(_containerLabel),
                    Mounts = result.Values(_mount) is { Count: > 0 } mounts ? mounts.Select(ServiceFlags.ParseMount).ToList() : null,
                    Init = result.Has(_init) ? true : null,
                    ReadOnly = false,
                    TTY = false,
                    Groups = result.ListOrNull(_group),
                    CapabilityAdd = result.ListOrNull(_capAdd),
                    CapabilityDrop = result.ListOrNull(_capDrop),
                    Sysctls = result.KeyValues(_sysctl),
                    Ulimits = result.Values(_ulimit) is { Count: > 0 } ulimits ? ulimits.Select(ServiceFlags.ParseUlimit).ToList() : null,
                    DNSConfig = result.Values(_dns).Count + result.Values(_dnsSearch).Count + result.Values(_dnsOption).Count > 0
                        ? new DNSConfig { Nameservers = result.ListOrNull(_dns), Search = result.ListOrNull(_dnsSearch), Options = result.ListOrNull(_dnsOption) }
                        : null,
                    // docker's --host HOST:IP is written in the spec as an /etc/hosts line, "IP HOST".
                    Hosts = result.Values(_host) is { Count: > 0 } hosts ? hosts.Select(ServiceFlags.ParseHost).ToList() : null,
                    Secrets = FileReferences.Secrets(result, _secret),
                    Configs = FileReferences.Configs(result, _config),
                },
                // docker's ToService always sends a restart policy and resources, empty when no flag fills them.
                RestartPolicy = new SwarmRestartPolicy(),
                Placement = result.ListOrNull(_constraint) is { } constraints ? new Placement { Constraints = constraints } : null,
                Networks = result.Values(_network) is { Count: > 0 } networks ? networks.Select(ServiceFlags.ParseNetwork).ToList() : null,
                Resources = new ResourceRequirements { Limits = new SwarmLimit(), Reservations = new SwarmResources() },
            },
            EndpointSpec = new EndpointSpec { Mode = "vip", Ports = ports.Count > 0 ? ports : null },
        };
        if (result.Values(_placementPref) is { Count: > 0 } prefs)
            (spec.TaskTemplate.Placement ??= new Placement()).Preferences = [.. prefs.Select(p => ServiceFlags.ParsePlacementPref(p, "--placement-pref"))];
        _shared.Apply(result, spec);
        return spec;
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var spec = Spec(result);
        var created = await context.Client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec });
        var id = created.ID ?? "";
        context.Out.WriteLine(id);
        return result.Has(_shared.Detach) ? 0
            : await Progress.WaitForConvergenceAsync(context.Client, id, ServiceFlags.WaitFor(result, _shared.Timeout), result.Has(_shared.Quiet), context.Out, context.Err);
    }
}
