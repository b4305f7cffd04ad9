using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

public static class ServiceCommands
{
    private static readonly Flag[] CreateFlags =
    [
        new("name"), new("replicas"), new("mode"), new("env", 'e'), new("label", 'l'), new("container-label"),
        new("mount"), new("restart-condition"), new("restart-delay"), new("restart-max-attempts"), new("restart-window"),
        new("constraint"), new("reserve-cpu"), new("reserve-memory"), new("stop-grace-period"), new("entrypoint"),
        new("detach", 'd', false), new("quiet", 'q', false), new("no-resolve-image", null, false), new("timeout"),
        new("network"), new("publish", 'p'), new("endpoint-mode"),
        // Flags that map one to one onto spec fields (docker service create's names and forms).
        new("hostname"), new("init", null, false), new("read-only", null, false), new("tty", 't', false), new("stop-signal"),
        new("user", 'u'), new("workdir", 'w'), new("group"), new("cap-add"), new("cap-drop"), new("sysctl"), new("ulimit"),
        new("dns"), new("dns-search"), new("dns-option"), new("host"), new("limit-cpu"), new("limit-memory"), new("limit-pids"),
        new("log-driver"), new("log-opt"), new("health-cmd"), new("health-interval"), new("health-timeout"), new("health-retries"),
        new("health-start-period"), new("no-healthcheck", null, false),
        new("update-parallelism"), new("update-delay"), new("update-failure-action"), new("update-monitor"), new("update-max-failure-ratio"), new("update-order"),
        new("rollback-parallelism"), new("rollback-delay"), new("rollback-failure-action"), new("rollback-monitor"), new("rollback-max-failure-ratio"), new("rollback-order"),
    ];

    public static async Task<int> CreateAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, CreateFlags, interspersed: false);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm service create\" requires at least 1 argument: IMAGE [COMMAND] [ARG...]");
        var mode = args.Value("mode") ?? "replicated";
        if (mode is not ("replicated" or "global")) throw new UsageException($"invalid argument \"{mode}\" for \"--mode\" flag: must be replicated or global");
        if (mode == "global" && args.Value("replicas") is not null) throw new UsageException("replicas can only be used with replicated mode");

        var ports = args.Values("publish").SelectMany(p => PublishedPorts.Parse(p)).ToList();
        var spec = new ServiceSpec
        {
            Name = args.Value("name") ?? "",
            Labels = KeyValues(args.Values("label")) ?? new Dictionary<string, string>(),
            Mode = mode == "global"
                ? new ServiceMode { Global = new GlobalService() }
                : new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)NonNegative(args.Long("replicas") ?? 1, "replicas") } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = args.Positionals[0],
                    Args = args.Positionals.Count > 1 ? args.Positionals.Skip(1).ToList() : null,
                    Command = args.Value("entrypoint") is { } entrypoint ? entrypoint.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null,
                    Env = args.Values("env").Count > 0 ? args.Values("env").ToList() : null,
                    Labels = KeyValues(args.Values("container-label")),
                    Mounts = args.Values("mount").Count > 0 ? args.Values("mount").Select(ParseMount).ToList() : null,
                    StopGracePeriod = args.Duration("stop-grace-period"),
                    Hostname = args.Value("hostname"),
                    Init = args.Has("init") ? true : null,
                    ReadOnly = args.Has("read-only"),
                    TTY = args.Has("tty"),
                    StopSignal = args.Value("stop-signal"),
                    User = args.Value("user"),
                    Dir = args.Value("workdir"),
                    Groups = ListOrNull(args.Values("group")),
                    CapabilityAdd = ListOrNull(args.Values("cap-add")),
                    CapabilityDrop = ListOrNull(args.Values("cap-drop")),
                    Sysctls = KeyValues(args.Values("sysctl")),
                    Ulimits = args.Values("ulimit").Count > 0 ? args.Values("ulimit").Select(ParseUlimit).ToList() : null,
                    DNSConfig = args.Values("dns").Count + args.Values("dns-search").Count + args.Values("dns-option").Count > 0
                        ? new DNSConfig { Nameservers = ListOrNull(args.Values("dns")), Search = ListOrNull(args.Values("dns-search")), Options = ListOrNull(args.Values("dns-option")) }
                        : null,
                    // docker's --host HOST:IP is written in the spec as an /etc/hosts line, "IP HOST".
                    Hosts = args.Values("host").Count > 0 ? args.Values("host").Select(ParseHost).ToList() : null,
                    Healthcheck = Healthcheck(args),
                },
                LogDriver = args.Value("log-driver") is { } driver ? new SwarmDriver { Name = driver, Options = KeyValues(args.Values("log-opt")) } : null,
                RestartPolicy = new SwarmRestartPolicy
                {
                    Condition = args.Value("restart-condition"),
                    Delay = args.Duration("restart-delay"),
                    MaxAttempts = args.Long("restart-max-attempts") is { } max ? (ulong)NonNegative(max, "restart-max-attempts") : null,
                    Window = args.Duration("restart-window"),
                },
                Placement = args.Values("constraint").Count > 0 ? new Placement { Constraints = args.Values("constraint").ToList() } : null,
                Networks = args.Values("network").Count > 0 ? args.Values("network").Select(ParseNetwork).ToList() : null,
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        NanoCPUs = args.Value("limit-cpu") is { } limitCpu ? (long)(double.Parse(limitCpu, System.Globalization.CultureInfo.InvariantCulture) * 1e9) : null,
                        MemoryBytes = args.Value("limit-memory") is { } limitMemory ? Units.ParseBytes(limitMemory, "limit-memory") : null,
                        Pids = args.Long("limit-pids"),
                    },
                    Reservations = new SwarmResources
                    {
                        NanoCPUs = args.Value("reserve-cpu") is { } cpu ? (long)(double.Parse(cpu, System.Globalization.CultureInfo.InvariantCulture) * 1e9) : null,
                        MemoryBytes = args.Value("reserve-memory") is { } memory ? Units.ParseBytes(memory, "reserve-memory") : null,
                    },
                },
            },
            EndpointSpec = new EndpointSpec { Mode = EndpointMode(args) ?? "vip", Ports = ports.Count > 0 ? ports : null },
            UpdateConfig = UpdateConfig(args, "update"),
            RollbackConfig = UpdateConfig(args, "rollback"),
        };
        var created = await client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec });
        var id = created.ID ?? "";
        Console.WriteLine(id);
        return args.Has("detach") ? 0 : await Progress.WaitForConvergenceAsync(client, id, Timeout(args), args.Has("quiet"));
    }

    public static async Task<int> ListAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("quiet", 'q', false)]);
        var services = (await client.Swarm.ListServicesAsync()).OrderBy(s => s.Spec?.Name, StringComparer.Ordinal).ToList();
        if (args.Has("quiet"))
        {
            services.ForEach(s => Console.WriteLine(s.ID));
            return 0;
        }
        var tasks = await client.Tasks.ListAsync(new TasksListParameters());
        var table = new Table("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS");
        foreach (var service in services)
        {
            var mine = tasks.Where(t => t.ServiceID == service.ID).ToList();
            var running = mine.Count(t => t.Status?.State == TaskState.Running && t.DesiredState == TaskState.Running);
            var global = service.Spec?.Mode?.Global is not null;
            var desired = global ? mine.Count(t => t.DesiredState is TaskState.Running or TaskState.Ready) : (long)(service.Spec?.Mode?.Replicated?.Replicas ?? 0);
            table.Add(service.ID[..Math.Min(12, service.ID.Length)], service.Spec?.Name ?? "", global ? "global" : "replicated",
                $"{running}/{desired}", ShortImage(service.Spec?.TaskTemplate?.ContainerSpec?.Image ?? ""), PublishedPorts.Column(service.Endpoint?.Ports));
        }
        table.Print(Console.Out);
        return 0;
    }

    public static async Task<int> PsAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("no-trunc", null, false), new("quiet", 'q', false), new("filter", 'f')]);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm service ps\" requires at least 1 argument: SERVICE [SERVICE...]");
        var noTrunc = args.Has("no-trunc");
        var nodeNames = new Dictionary<string, string>();
        var table = new Table("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS");
        var quiet = new List<string>();
        foreach (var name in args.Positionals)
        {
            var service = await client.Swarm.InspectServiceAsync(name);
            var filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [service.ID] = true } };
            foreach (var filter in args.Values("filter"))
            {
                var (key, value) = filter.Split('=', 2) is [var k, var v] ? (k, v) : throw new UsageException($"bad format of filter (expected name=value): {filter}");
                filters[key] = new Dictionary<string, bool> { [value] = true };
            }
            var tasks = await client.Tasks.ListAsync(new TasksListParameters { Filters = filters });
            var serviceName = service.Spec?.Name ?? service.ID;
            string Group(TaskResponse t) => t.Slot is > 0 ? $"{serviceName}.{t.Slot}" : $"{serviceName}.{t.NodeID}";
            foreach (var group in tasks.GroupBy(Group).OrderBy(g => g.First().Slot ?? 0).ThenBy(g => g.Key))
            {
                var first = true;
                foreach (var task in group.OrderByDescending(t => t.CreatedAt))
                {
                    quiet.Add(task.ID);
                    var node = task.NodeID is null ? "" : nodeNames.TryGetValue(task.NodeID, out var known) ? known
                        : nodeNames[task.NodeID] = (await client.Swarm.InspectNodeAsync(task.NodeID)).Description?.Hostname ?? task.NodeID;
                    var error = task.Status?.Err ?? "";
                    if (!noTrunc && error.Length > 30) error = error[..29] + "…";
                    table.Add(
                        noTrunc ? task.ID : task.ID[..Math.Min(12, task.ID.Length)],
                        first ? group.Key : $" \\_ {group.Key}",
                        ShortImage(task.Spec?.ContainerSpec?.Image ?? ""),
                        node,
                        Nodes.NodeCommands.Capitalize(StateName(task.DesiredState)),
                        $"{Nodes.NodeCommands.Capitalize(StateName(task.Status?.State))} {Units.HumanDuration(DateTime.UtcNow - (task.Status?.Timestamp ?? DateTime.UtcNow).ToUniversalTime())} ago",
                        error.Length > 0 ? $"\"{error}\"" : "",
                        "");
                    first = false;
                }
            }
        }
        if (args.Has("quiet")) quiet.ForEach(Console.WriteLine);
        else table.Print(Console.Out);
        return 0;
    }

    public static async Task<int> ScaleAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("detach", 'd', false), new("timeout")]);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm service scale\" requires at least 1 argument: SERVICE=REPLICAS [SERVICE=REPLICAS...]");
        var scaled = new List<string>();
        var failed = false;
        foreach (var pair in args.Positionals)
        {
            if (pair.Split('=', 2) is not [var name, var count] || !long.TryParse(count, out var replicas))
                throw new UsageException($"invalid scale specifier '{pair}': expected SERVICE=REPLICAS");
            if (replicas < 0) throw new UsageException($"invalid replicas value {replicas}: must be a non-negative integer");
            try
            {
                var service = await client.Swarm.InspectServiceAsync(name);
                if (service.Spec?.Mode?.Replicated is not { } replicated) throw new UsageException($"scale can only be used with replicated mode; service '{name}' is global");
                replicated.Replicas = (ulong)replicas;
                await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = service.Spec, Version = VersionOf(service) });
                Console.WriteLine($"{name} scaled to {replicas}");
                scaled.Add(service.ID);
            }
            catch (DockerApiException e)
            {
                await Console.Error.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        if (!args.Has("detach"))
            foreach (var id in scaled)
                failed |= await Progress.WaitForConvergenceAsync(client, id, Timeout(args), quiet: false) != 0;
        return failed ? 1 : 0;
    }

    public static async Task<int> RemoveAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, []);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm service rm\" requires at least 1 argument: SERVICE [SERVICE...]");
        var failed = false;
        foreach (var name in args.Positionals)
        {
            try
            {
                await client.Swarm.RemoveServiceAsync(name);
                Console.WriteLine(name);
            }
            catch (DockerApiException e)
            {
                await Console.Error.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    public static async Task<int> InspectAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, [new("pretty", null, false)]);
        if (args.Positionals.Count == 0) throw new UsageException("\"eventswarm service inspect\" requires at least 1 argument: SERVICE [SERVICE...]");
        var services = new List<SwarmService>();
        foreach (var name in args.Positionals) services.Add(await client.Swarm.InspectServiceAsync(name));
        if (!args.Has("pretty"))
        {
            CliApp.PrintJson(services);
            return 0;
        }
        var networkNames = new Dictionary<string, string>();
        foreach (var s in services)
        {
            var spec = s.Spec ?? new ServiceSpec();
            var template = spec.TaskTemplate ?? new TaskSpec();
            var container = template.ContainerSpec ?? new ContainerSpec();
            var restart = template.RestartPolicy;
            Console.WriteLine($"\nID:\t\t{s.ID}\nName:\t\t{spec.Name}");
            Console.WriteLine(spec.Mode?.Global is not null ? "Service Mode:\tGlobal" : $"Service Mode:\tReplicated\n Replicas:\t{spec.Mode?.Replicated?.Replicas}");
            Console.WriteLine($"Placement:{string.Concat((template.Placement?.Constraints ?? []).Select(c => $"\n Constraints:\t[{c}]"))}");
            Console.WriteLine($"RestartPolicy:\n Condition:\t{restart?.Condition}\n Delay:\t\t{restart?.Delay?.TotalSeconds}s\n Max attempts:\t{restart?.MaxAttempts}");
            Console.WriteLine($"ContainerSpec:\n Image:\t\t{container.Image}");
            if (container.Args is { Count: > 0 }) Console.WriteLine($" Args:\t\t{string.Join(' ', container.Args)}");
            if (container.Env is { Count: > 0 }) Console.WriteLine($" Env:\t\t{string.Join(' ', container.Env)}");
            if (container.Mounts is { Count: > 0 })
                Console.WriteLine("Mounts:" + string.Concat(container.Mounts.Select(m => $"\n Target:\t{m.Target}\n  Source:\t{m.Source}\n  ReadOnly:\t{m.ReadOnly ?? false}\n  Type:\t\t{m.Type}")));
            // docker's template, trailing spaces included: "Networks: a b ", and " " after the last port.
            if (template.Networks is { Count: > 0 } attached)
            {
                var names = new List<string>();
                foreach (var target in attached.Select(n => n.Target ?? ""))
                    names.Add(networkNames.TryGetValue(target, out var known) ? known : networkNames[target] = await NetworkName(client, target));
                Console.WriteLine($"Networks:{string.Concat(names.Select(n => $" {n}"))} ");
            }
            Console.WriteLine($"Endpoint Mode:\t{spec.EndpointSpec?.Mode ?? "vip"}");
            if (s.Endpoint?.Ports is { Count: > 0 } ports)
                Console.WriteLine("Ports:" + string.Concat(ports.Select(p =>
                    $"\n PublishedPort = {p.PublishedPort ?? 0}\n  Protocol = {p.Protocol}\n  TargetPort = {p.TargetPort ?? 0}\n  PublishMode = {p.PublishMode}")) + " ");
        }
        return 0;
    }

    private static async Task<string> NetworkName(IDockerClient client, string idOrName)
    {
        try
        {
            return (await client.Networks.InspectNetworkAsync(idOrName)).Name;
        }
        catch (DockerApiException)
        {
            return idOrName;
        }
    }

    private static readonly Flag[] UpdateFlags =
    [
        new("image"), new("replicas"), new("env-add"), new("force", null, false), new("detach", 'd', false), new("timeout"),
        new("publish-add"), new("publish-rm"), new("network-add"), new("network-rm"), new("endpoint-mode"),
    ];

    public static async Task<int> UpdateAsync(IDockerClient client, IReadOnlyList<string> argv)
    {
        var args = Args.Parse(argv, UpdateFlags);
        if (args.Positionals.Count != 1) throw new UsageException("\"eventswarm service update\" requires exactly 1 argument: SERVICE");
        var service = await client.Swarm.InspectServiceAsync(args.Positionals[0]);
        var spec = service.Spec ?? new ServiceSpec();
        var template = spec.TaskTemplate ??= new TaskSpec();
        var container = template.ContainerSpec ??= new ContainerSpec();
        if (args.Value("image") is { } image) container.Image = image;
        if (args.Long("replicas") is { } replicas)
        {
            if (spec.Mode?.Replicated is not { } replicated) throw new UsageException("replicas can only be used with replicated mode");
            replicated.Replicas = (ulong)NonNegative(replicas, "replicas");
        }
        foreach (var env in args.Values("env-add"))
        {
            var key = env.Split('=')[0];
            container.Env = (container.Env ?? []).Where(e => e.Split('=')[0] != key).Append(env).ToList();
        }
        if (args.Has("force")) template.ForceUpdate++;
        if (EndpointMode(args) is { } mode) (spec.EndpointSpec ??= new EndpointSpec()).Mode = mode;
        if (args.Values("publish-add").Count > 0 || args.Values("publish-rm").Count > 0)
        {
            var endpoint = spec.EndpointSpec ??= new EndpointSpec { Mode = "vip" };
            endpoint.Ports = UpdatePorts(endpoint.Ports ?? [], args);
        }
        if (args.Values("network-add").Count > 0 || args.Values("network-rm").Count > 0)
            template.Networks = await UpdateNetworksAsync(client, template.Networks ?? [], args);
        await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = spec, Version = VersionOf(service) });
        Console.WriteLine(args.Positionals[0]);
        return args.Has("detach") ? 0 : await Progress.WaitForConvergenceAsync(client, service.ID, Timeout(args), quiet: false);
    }

    /// <summary>
    /// docker's --publish-rm/--publish-add: a removal takes out every port with the same target port, protocol and
    /// mode (the published port is not compared); an addition identical to a kept port is not added twice.
    /// </summary>
    private static List<PortConfig> UpdatePorts(IList<PortConfig> current, Args args)
    {
        var toRemove = args.Values("publish-rm").SelectMany(p => PublishedPorts.Parse(p, "publish-rm")).ToList();
        var kept = current
            .DistinctBy(PublishedPorts.SortKey)
            .Where(port => !toRemove.Any(r => (r.Protocol ?? "tcp") == (port.Protocol ?? "tcp") && r.TargetPort == port.TargetPort
                && (r.PublishMode ?? "ingress") == (port.PublishMode ?? "ingress")))
            .ToList();
        var keys = current.Select(PublishedPorts.SortKey).ToHashSet();
        kept.AddRange(args.Values("publish-add").SelectMany(p => PublishedPorts.Parse(p, "publish-add")).Where(p => !keys.Contains(PublishedPorts.SortKey(p))));
        // Sorted, so that the same ports in another order are not an update.
        return [.. kept.OrderBy(PublishedPorts.SortKey, StringComparer.Ordinal)];
    }

    /// <summary>docker's --network-rm/--network-add: names become network IDs, so that a network is attached at most once.</summary>
    private static async Task<List<NetworkAttachmentConfig>> UpdateNetworksAsync(IDockerClient client, IList<NetworkAttachmentConfig> current, Args args)
    {
        var removed = new HashSet<string>();
        foreach (var name in args.Values("network-rm")) removed.Add((await client.Networks.InspectNetworkAsync(name)).ID);
        var networks = current.Where(n => !removed.Contains(n.Target ?? "")).ToList();
        foreach (var added in args.Values("network-add").Select(ParseNetwork))
        {
            var id = (await client.Networks.InspectNetworkAsync(added.Target ?? "")).ID;
            if (networks.Any(n => n.Target == id)) throw new UsageException($"service is already attached to network {added.Target}");
            added.Target = id;
            networks.Add(added);
        }
        return [.. networks.OrderBy(n => n.Target, StringComparer.Ordinal)];
    }

    /// <summary>docker's --network: a name or ID, or the long form name=NETWORK,alias=NAME[,alias=NAME...].</summary>
    private static NetworkAttachmentConfig ParseNetwork(string value)
    {
        if (!value.Contains('=')) return new NetworkAttachmentConfig { Target = value };
        var attachment = new NetworkAttachmentConfig();
        var aliases = new List<string>();
        foreach (var field in value.Split(','))
        {
            switch (field.Split('=', 2))
            {
                case ["name", var name]: attachment.Target = name; break;
                case ["alias", var alias]: aliases.Add(alias); break;
                default: throw new UsageException($"invalid field '{field}' in --network \"{value}\": expected name=NETWORK or alias=NAME");
            }
        }
        if (string.IsNullOrEmpty(attachment.Target)) throw new UsageException($"invalid --network \"{value}\": the network name is missing");
        attachment.Aliases = aliases.Count > 0 ? aliases : null;
        return attachment;
    }

    private static string? EndpointMode(Args args) => args.Value("endpoint-mode") switch
    {
        null => null,
        "vip" or "dnsrr" => args.Value("endpoint-mode"),
        var other => throw new UsageException($"invalid argument \"{other}\" for \"--endpoint-mode\" flag: must be vip or dnsrr"),
    };

    private static long VersionOf(SwarmService service) =>
        (long)(service.Version?.Index ?? throw new UsageException($"service {service.ID} came back without a version"));

    internal static string StateName(TaskState? state) => state?.ToString().ToLowerInvariant() ?? "";

    private static string ShortImage(string image) => image.Split('@')[0];

    private static TimeSpan Timeout(Args args) => args.Duration("timeout") ?? TimeSpan.FromMinutes(5);

    private static long NonNegative(long value, string flag) =>
        value >= 0 ? value : throw new UsageException($"invalid argument \"{value}\" for \"--{flag}\" flag: must be a non-negative integer");

    private static Dictionary<string, string>? KeyValues(IReadOnlyList<string> pairs) =>
        pairs.Count == 0 ? null : pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    private static List<string>? ListOrNull(IReadOnlyList<string> values) => values.Count > 0 ? [.. values] : null;

    /// <summary>docker's --host: "HOST:IP" on the command line, "IP HOST" in the spec (as /etc/hosts writes it).</summary>
    private static string ParseHost(string value) =>
        value.IndexOf(':') is var at and > 0 ? $"{value[(at + 1)..]} {value[..at]}" : throw new UsageException($"invalid argument \"{value}\" for \"--host\" flag: expected HOST:IP");

    /// <summary>docker's --ulimit: NAME=SOFT[:HARD]</summary>
    private static Ulimit ParseUlimit(string value)
    {
        if (value.Split('=', 2) is not [var name, var limits]) throw new UsageException($"invalid argument \"{value}\" for \"--ulimit\" flag: expected NAME=SOFT[:HARD]");
        var parts = limits.Split(':', 2);
        if (!long.TryParse(parts[0], out var soft) || !long.TryParse(parts.Length > 1 ? parts[1] : parts[0], out var hard))
            throw new UsageException($"invalid argument \"{value}\" for \"--ulimit\" flag: limits must be integers");
        return new Ulimit { Name = name, Soft = soft, Hard = hard };
    }

    private static HealthcheckConfig? Healthcheck(Args args)
    {
        if (args.Has("no-healthcheck")) return new HealthcheckConfig { Test = ["NONE"] };
        var command = args.Value("health-cmd");
        if (command is null && args.Value("health-interval") is null && args.Value("health-timeout") is null
            && args.Value("health-retries") is null && args.Value("health-start-period") is null) return null;
        return new HealthcheckConfig
        {
            Test = command is null ? null : ["CMD-SHELL", command],
            Interval = args.Duration("health-interval"),
            Timeout = args.Duration("health-timeout"),
            StartPeriod = args.Duration("health-start-period"),
            Retries = args.Long("health-retries"),
        };
    }

    /// <summary>docker's --update-* and --rollback-* flags; no config at all when none is given, as docker sends.</summary>
    private static SwarmUpdateConfig? UpdateConfig(Args args, string prefix)
    {
        string[] names = ["parallelism", "delay", "failure-action", "monitor", "max-failure-ratio", "order"];
        if (names.All(n => args.Value($"{prefix}-{n}") is null)) return null;
        return new SwarmUpdateConfig
        {
            Parallelism = (ulong)NonNegative(args.Long($"{prefix}-parallelism") ?? 1, $"{prefix}-parallelism"),
            Delay = args.Duration($"{prefix}-delay") ?? TimeSpan.Zero,
            FailureAction = args.Value($"{prefix}-failure-action"),
            Monitor = args.Duration($"{prefix}-monitor") ?? TimeSpan.Zero,
            MaxFailureRatio = args.Value($"{prefix}-max-failure-ratio") is { } ratio ? float.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture) : 0,
            Order = args.Value($"{prefix}-order") ?? "stop-first",
        };
    }

    /// <summary>docker's --mount CSV: type=volume,source=data,target=/data,readonly</summary>
    private static Mount ParseMount(string csv)
    {
        var mount = new Mount { Type = "volume" };
        foreach (var field in csv.Split(','))
        {
            var (key, value) = field.Split('=', 2) is [var k, var v] ? (k.Trim().ToLowerInvariant(), v) : (field.Trim().ToLowerInvariant(), null);
            switch (key)
            {
                case "type": mount.Type = value; break;
                case "source" or "src": mount.Source = value; break;
                case "target" or "dst" or "destination": mount.Target = value; break;
                case "readonly" or "ro": mount.ReadOnly = value is null or "1" or "true"; break;
                default: throw new UsageException($"invalid field '{key}' in --mount \"{csv}\"");
            }
        }
        return mount;
    }
}
