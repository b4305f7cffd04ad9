using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Networking;
using DomainMountType = EventSwarm.Domain.Services.MountType;
using NodeDescription = EventSwarm.Domain.Nodes.NodeDescription;
using PortConfig = EventSwarm.Domain.Networking.PortConfig;

namespace EventSwarm.Infrastructure.Docker;

/// <summary>Runs tasks as containers on a real Docker Engine, labelled so that a restarted agent can find them again.</summary>
public sealed class DockerContainerRuntime(IDockerClient docker) : IContainerRuntime, IDisposable
{
    public const string TaskIdLabel = "eventswarm.task.id";
    public const string NodeIdLabel = "eventswarm.node.id";
    public const string ServiceIdLabel = "eventswarm.service.id";
    public const string ServiceNameLabel = "eventswarm.service.name";
    public const string SlotLabel = "eventswarm.task.slot";
    public const string NetworkIdLabel = "eventswarm.network.id";

    private readonly SemaphoreSlim _networkGate = new(1, 1);

    /// <summary>
    /// Containers created here whose spec and image have no health check: most tasks, whose start then costs no
    /// inspect to find that out (the image was inspected at create anyway).
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _withoutCheck = new();

    public static DockerContainerRuntime Connect(string endpoint) =>
        new(new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).WithApiVersion(new System.Version(1, 41)).Build());

    public async Task<NodeDescription> DescribeAsync(CancellationToken ct)
    {
        var info = await docker.System.GetSystemInfoAsync(ct);
        return new NodeDescription(info.Name, info.ServerVersion, info.OSType, NormalizeArchitecture(info.Architecture), info.NCPU * 1_000_000_000L, info.MemTotal);
    }

    public async Task<IReadOnlyList<TaskContainer>> ListTaskContainersAsync(string nodeId, CancellationToken ct)
    {
        var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{NodeIdLabel}={nodeId}"] = true } },
        }, ct);
        var result = new List<TaskContainer>();
        foreach (var c in containers)
        {
            var running = c.State == "running";
            var exitCode = running ? 0 : (await InspectAsync(c.ID, ct))?.ExitCode ?? 0;
            result.Add(new TaskContainer(c.ID, c.Labels[TaskIdLabel], running, exitCode, running ? HealthInStatus(c.Status) : ContainerHealth.None));
        }
        return result;
    }

    public async Task<string> CreateAsync(SwarmTask task, string nodeId, TaskNetworking networking, IReadOnlyList<FileMount> files, CancellationToken ct)
    {
        var spec = task.Spec.Container;
        var image = WithDefaultTag(spec.Image);
        // The image is looked at beside the create, not before it: one engine round trip less on every start. A task
        // on networks still waits for it first, so that a missing image creates no network.
        var imageCheck = ImageHasCheckAsync(image, ct);
        try
        {
            if (networking.Endpoints.Count > 0 && await imageCheck is null) throw NoSuchImage(image);
            return await CreateContainerAsync(task, nodeId, networking, files, image, imageCheck, ct);
        }
        finally
        {
            // Observed whatever happened to the create, so that its failure is never an unobserved exception.
            _ = imageCheck.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>Whether the image has a health check of its own; null when the engine has no such image.</summary>
    private async Task<bool?> ImageHasCheckAsync(string image, CancellationToken ct)
    {
        try
        {
            return HasCheck((await docker.Images.InspectImageAsync(image, ct)).Config?.Healthcheck?.Test);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>No registry is consulted: images must be on the node already (docker's own wording for the error).</summary>
    private static TaskRejectedException NoSuchImage(string image) => new($"No such image: {image}");

    private async Task<string> CreateContainerAsync(SwarmTask task, string nodeId, TaskNetworking networking, IReadOnlyList<FileMount> files, string image,
        Task<bool?> imageCheck, CancellationToken ct)
    {
        var spec = task.Spec.Container;
        var labels = new Dictionary<string, string>(spec.Labels)
        {
            [TaskIdLabel] = task.Id,
            [NodeIdLabel] = nodeId,
            [ServiceIdLabel] = task.ServiceId,
            [ServiceNameLabel] = task.ServiceName,
            [SlotLabel] = task.Slot.ToString(),
        };
        var parameters = ContainerParameters(task, labels, image, files);
        var hostConfig = parameters.HostConfig!;
        var endpointNames = new List<(string Name, TaskEndpoint Endpoint)>();
        foreach (var endpoint in networking.Endpoints)
            endpointNames.Add((await EnsureNetworkNameAsync(endpoint.Network, ct), endpoint));
        if (endpointNames.Count > 0)
        {
            // The engine takes one network at create; the others are connected before the container starts.
            var (firstName, first) = endpointNames[0];
            hostConfig.NetworkMode = firstName;
            parameters.NetworkingConfig = new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [firstName] = Settings(first) } };
            // Docker's resolver in the container forwards the names it does not know here: the node's ServiceDns
            // first, so service names resolve; the spec's own nameservers after it (Swarm's embedded resolver
            // answers service names itself and forwards the rest to them).
            var dns = endpointNames.Select(e => e.Endpoint.Network).FirstOrDefault(n => !n.Ingress) ?? first.Network;
            hostConfig.DNS = [Ipv4Subnet.Format(dns.Gateway), .. hostConfig.DNS ?? []];
        }
        if (networking.HostPorts.Count > 0)
        {
            parameters.ExposedPorts = networking.HostPorts.ToDictionary(p => PortKey(p), _ => new EmptyStruct());
            hostConfig.PortBindings = networking.HostPorts.GroupBy(PortKey)
                .ToDictionary(g => g.Key, g => (IList<PortBinding>)[.. g.Select(p => new PortBinding { HostPort = p.PublishedPort == 0 ? "" : p.PublishedPort.ToString() })]);
        }
        string id;
        try
        {
            id = (await docker.Containers.CreateContainerAsync(parameters, ct)).ID;
            foreach (var (name, endpoint) in endpointNames.Skip(1))
                await docker.Networks.ConnectNetworkAsync(name, new NetworkConnectParameters { Container = id, EndpointConfig = Settings(endpoint) }, ct);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Left by an attempt that was interrupted after create: the name is the task's, so it is this container.
            return (await docker.Containers.InspectContainerAsync(task.ContainerName, ct)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            if (await imageCheck is null) throw NoSuchImage(image);
            throw new TaskRejectedException(ErrorMessage(e));
        }
        // The engine merges the image's check into the container's unless the spec has a test of its own. An image
        // gone since the create leaves the question to HealthCheckAsync, which inspects the container.
        if (spec.Healthcheck is { Test.IsDefaultOrEmpty: false } own ? !HasCheck(own.Test) : await imageCheck == false) _withoutCheck[id] = true;
        return id;
    }

    /// <summary>
    /// The container a task's spec describes, mapped as Docker's swarm executor maps a ContainerSpec onto a
    /// container (moby daemon/cluster/executor/container/container.go: config, hostConfig, resources). Networks
    /// and host ports are added by the caller. The task's secrets and configs are files on the node, each bind-mounted
    /// read-only at its target after the spec's own mounts (Docker mounts them the same way, from a tmpfs of the
    /// container's for secrets; the engine makes the directories above a target, /run/secrets included).
    /// </summary>
    // Docker.DotNet's models declare most members non-nullable, but null is how a field is left to the engine's default.
#pragma warning disable CS8601
    public static CreateContainerParameters ContainerParameters(SwarmTask task, IDictionary<string, string> labels, string image, IReadOnlyList<FileMount>? files = null)
    {
        var spec = task.Spec.Container;
        var limits = task.Spec.EffectiveLimits;
        List<Mount> mounts = [.. spec.Mounts.IsDefaultOrEmpty ? [] : spec.Mounts.Select(ToDockerMount),
            .. (files ?? []).Select(f => new Mount { Type = "bind", Source = f.Source, Target = f.Target, ReadOnly = true })];
        var hostConfig = new HostConfig
        {
            Mounts = mounts.Count == 0 ? null : mounts,
            NanoCPUs = limits.NanoCpus > 0 ? limits.NanoCpus : 0,
            Memory = limits.MemoryBytes > 0 ? limits.MemoryBytes : 0,
            PidsLimit = limits.Pids > 0 ? limits.Pids : null,
            GroupAdd = ListOrNull(spec.Groups),
            ReadonlyRootfs = spec.ReadOnly,
            Init = spec.Init,
            Sysctls = spec.Sysctls.IsEmpty ? null : new Dictionary<string, string>(spec.Sysctls),
            CapAdd = ListOrNull(spec.CapabilityAdd),
            CapDrop = ListOrNull(spec.CapabilityDrop),
            Ulimits = spec.Ulimits.IsDefaultOrEmpty ? null : [.. spec.Ulimits.Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard })],
            DNS = spec.DnsConfig is { } dns ? ListOrNull(dns.Nameservers) : null,
            DNSSearch = spec.DnsConfig is { } search ? ListOrNull(search.Search) : null,
            DNSOptions = spec.DnsConfig is { } options ? ListOrNull(options.Options) : null,
            // Swarm writes hosts entries as /etc/hosts lines, "IP HOSTNAME [ALIAS...]"; the engine takes "HOST:IP",
            // and Docker's executor keeps the first name of each line.
            ExtraHosts = spec.Hosts.IsDefaultOrEmpty
                ? null
                : [.. spec.Hosts.Select(h => h.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 1).Select(p => $"{p[1]}:{p[0]}")],
            LogConfig = task.Spec.LogDriver is { } log ? new LogConfig { Type = log.Name, Config = new Dictionary<string, string>(log.Options) } : null,
            SecurityOpt = SecurityOptions(spec.Privileges),
        };
        var config = new CreateContainerParameters
        {
            Name = task.ContainerName,
            Image = image,
            Cmd = spec.Args.IsDefaultOrEmpty ? null : spec.Args.ToList(),
            Entrypoint = spec.Command.IsDefaultOrEmpty ? null : spec.Command.ToList(),
            Env = spec.Env.IsDefaultOrEmpty ? null : spec.Env.ToList(),
            Labels = labels,
            Hostname = spec.Hostname,
            Tty = spec.Tty,
            OpenStdin = spec.OpenStdin,
            User = spec.User,
            WorkingDir = spec.Dir,
            StopSignal = spec.StopSignal,
            // Docker's executor stops with the grace period itself; written on the container too, so that a plain
            // `docker stop` on the node waits as long.
            StopTimeout = TimeSpan.FromSeconds(Math.Ceiling(spec.EffectiveStopGracePeriod.TotalSeconds)),
            Healthcheck = spec.Healthcheck is { } health
                ? new HealthcheckConfig
                {
                    Test = ListOrNull(health.Test),
                    Interval = health.Interval.ToTimeSpan(),
                    Timeout = health.Timeout.ToTimeSpan(),
                    StartPeriod = health.StartPeriod.ToTimeSpan(),
                    Retries = health.Retries,
                }
                : null,
            HostConfig = hostConfig,
        };
        return config;
    }
#pragma warning restore CS8601

    /// <summary>SELinux labels as `--security-opt label=...`, as Docker's executor applies a spec's privileges.</summary>
    private static List<string>? SecurityOptions(Domain.Services.Privileges? privileges)
    {
        if (privileges?.SeLinuxContext is not { } selinux) return null;
        if (selinux.Disable) return ["label=disable"];
        var options = new List<string>();
        if (!string.IsNullOrEmpty(selinux.User)) options.Add($"label=user:{selinux.User}");
        if (!string.IsNullOrEmpty(selinux.Role)) options.Add($"label=role:{selinux.Role}");
        if (!string.IsNullOrEmpty(selinux.Type)) options.Add($"label=type:{selinux.Type}");
        if (!string.IsNullOrEmpty(selinux.Level)) options.Add($"label=level:{selinux.Level}");
        return options.Count > 0 ? options : null;
    }

    private static List<string>? ListOrNull(System.Collections.Immutable.ImmutableArray<string> values) =>
        values.IsDefaultOrEmpty ? null : [.. values];

    public async Task EnsureNetworkAsync(LocalNetwork network, CancellationToken ct) => await EnsureNetworkNameAsync(network, ct);

    public async Task<IReadOnlyList<string>> ListNetworksAsync(CancellationToken ct) =>
        [.. (await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = LabelFilter(NetworkIdLabel) }, ct))
            .Select(n => n.Labels[NetworkIdLabel])];

    public async Task<bool> RemoveNetworkAsync(string networkId, CancellationToken ct)
    {
        foreach (var network in await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = LabelFilter($"{NetworkIdLabel}={networkId}") }, ct))
        {
            try
            {
                await docker.Networks.DeleteNetworkAsync(network.ID, ct);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Conflict)
            {
                return false; // "network has active endpoints": a container is still on it
            }
            catch (DockerNetworkNotFoundException)
            {
            }
        }
        return true;
    }

    /// <summary>
    /// The network on this engine: a bridge named after the network ID with the network's subnet and gateway, so that
    /// every node's bridge looks the same and tasks keep the addresses the allocator gave them. Docker's masquerading
    /// is off: only traffic leaving the swarm's networks is masqueraded (see IptablesRules).
    /// </summary>
    private async Task<string> EnsureNetworkNameAsync(LocalNetwork network, CancellationToken ct)
    {
        await _networkGate.WaitAsync(ct);
        try
        {
            var existing = await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = LabelFilter($"{NetworkIdLabel}={network.Id}") }, ct);
            if (existing.FirstOrDefault() is { } found) return found.Name;
            var name = network.Name;
            // A local network of the same name that is not ours keeps its name; ours takes the ID as a suffix.
            if ((await docker.Networks.ListNetworksAsync(new NetworksListParameters(), ct)).Any(n => n.Name == name))
                name = $"{network.Name}_{network.Id[..Math.Min(12, network.Id.Length)]}";
            await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = "bridge",
                IPAM = new IPAM { Config = [new IPAMConfig { Subnet = network.Subnet.ToString(), Gateway = Ipv4Subnet.Format(network.Gateway) }] },
                Options = new Dictionary<string, string>
                {
                    ["com.docker.network.bridge.name"] = IptablesRules.BridgeName(network.Id),
                    ["com.docker.network.bridge.enable_ip_masquerade"] = "false",
                },
                Labels = new Dictionary<string, string> { [NetworkIdLabel] = network.Id, ["eventswarm.network.name"] = network.Name },
            }, ct);
            return name;
        }
        finally
        {
            _networkGate.Release();
        }
    }

    private static EndpointSettings Settings(TaskEndpoint endpoint) => new()
    {
        IPAMConfig = new EndpointIPAMConfig { IPv4Address = endpoint.Address },
        Aliases = endpoint.Aliases.IsDefaultOrEmpty ? null! : [.. endpoint.Aliases],
    };

    private static string PortKey(PortConfig port) => $"{port.TargetPort}/{port.ProtocolName}";

    private static Dictionary<string, IDictionary<string, bool>> LabelFilter(string label) =>
        new() { ["label"] = new Dictionary<string, bool> { [label] = true } };

    public async Task StartAsync(string containerId, CancellationToken ct)
    {
        try
        {
            await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), ct);
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException(ErrorMessage(e), e);
        }
    }

    public async Task<bool> WaitUntilListeningAsync(string containerId, string address, IReadOnlyCollection<int> ports, TimeSpan limit, CancellationToken ct)
    {
        var all = new HashSet<int>(ports);
        try
        {
            var exposed = (await docker.Containers.InspectContainerAsync(containerId, ct)).Config?.ExposedPorts;
            foreach (var key in exposed?.Keys ?? [])
                if (key.EndsWith("/tcp", StringComparison.Ordinal) && int.TryParse(key[..^4], out var port)) all.Add(port);
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
        if (all.Count == 0) return true;
        var deadline = DateTime.UtcNow + limit;
        var target = IPAddress.Parse(address);
        foreach (var port in all)
        {
            while (true)
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromMilliseconds(200));
                try
                {
                    using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    await socket.ConnectAsync(target, port, attempt.Token);
                    break;
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    if (DateTime.UtcNow > deadline) return false;
                    await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
                }
            }
        }
        return true;
    }

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken ct)
    {
        try
        {
            await docker.Containers.StopContainerAsync(containerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(gracePeriod.TotalSeconds) }, ct);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    public async Task RemoveAsync(string containerId, CancellationToken ct)
    {
        _withoutCheck.TryRemove(containerId, out _);
        try
        {
            // RemoveVolumes as Swarm's container adapter: an image's anonymous VOLUME (mysql's /var/lib/mysql) goes
            // with the task's container instead of piling up on the node.
            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal already in progress": the container is on its way out anyway.
        }
    }

    public async Task<TaskContainer?> InspectAsync(string containerId, CancellationToken ct)
    {
        try
        {
            var c = await docker.Containers.InspectContainerAsync(containerId, ct);
            // A container the engine reports without Config or State is one being torn down: not running, no task label.
            return new TaskContainer(c.ID, c.Config?.Labels is { } labels && labels.TryGetValue(TaskIdLabel, out var taskId) ? taskId : "", c.State?.Running ?? false, c.State?.ExitCode ?? 0);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The engine writes the check's verdict into a listed container's status: "Up 5 seconds (health: starting)", "(healthy)", "(unhealthy)".</summary>
    public static ContainerHealth HealthInStatus(string? status) => status switch
    {
        null => ContainerHealth.None,
        _ when status.EndsWith("(unhealthy)", StringComparison.Ordinal) => ContainerHealth.Unhealthy,
        _ when status.EndsWith("(healthy)", StringComparison.Ordinal) => ContainerHealth.Healthy,
        _ when status.EndsWith("(health: starting)", StringComparison.Ordinal) => ContainerHealth.Starting,
        _ => ContainerHealth.None,
    };

    /// <summary>No test, or ["NONE"], is no check (swarmkit's controller Start makes the same test).</summary>
    private static bool HasCheck(IEnumerable<string>? test) => test?.FirstOrDefault() is { } first && first != "NONE";

    public async Task<ContainerHealthCheck?> HealthCheckAsync(string containerId, CancellationToken ct)
    {
        if (_withoutCheck.ContainsKey(containerId)) return null;
        ContainerInspectResponse container;
        try
        {
            container = await docker.Containers.InspectContainerAsync(containerId, ct);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        // The container's config holds the check the engine runs: the spec's, else the image's, merged at create.
        if (container.Config?.Healthcheck is not { Test: { } test } check || !HasCheck(test)) return null;
        var status = container.State?.Health?.Status switch
        {
            "healthy" => ContainerHealth.Healthy,
            "unhealthy" => ContainerHealth.Unhealthy,
            _ => ContainerHealth.Starting,
        };
        return new ContainerHealthCheck(new Domain.Services.Healthcheck
        {
            Test = [.. test],
            Interval = Domain.Services.Duration.FromTimeSpan(check.Interval ?? TimeSpan.Zero),
            Timeout = Domain.Services.Duration.FromTimeSpan(check.Timeout ?? TimeSpan.Zero),
            StartPeriod = Domain.Services.Duration.FromTimeSpan(check.StartPeriod ?? TimeSpan.Zero),
            Retries = (int)(check.Retries ?? 0),
        }, status);
    }

    public async IAsyncEnumerable<ContainerEvent> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // The engine calls back on its own threads; a channel keeps the events in order for one reader.
        var channel = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitor = docker.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                // "health_status" matches the engine's "health_status: healthy" and "health_status: unhealthy" (a prefix filter).
                ["event"] = new Dictionary<string, bool> { ["die"] = true, ["oom"] = true, ["health_status"] = true },
                ["label"] = new Dictionary<string, bool> { [TaskIdLabel] = true },
            },
        }, new ChannelProgress(channel.Writer), stop.Token);
        _ = monitor.ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);

        var oom = new HashSet<string>();
        await foreach (var message in channel.Reader.ReadAllAsync(ct))
        {
            var attributes = message.Actor.Attributes;
            if (!attributes.TryGetValue(TaskIdLabel, out var taskId)) continue;
            if (message.Action == "oom")
            {
                oom.Add(message.Actor.ID);
                continue;
            }
            if (message.Action.StartsWith("health_status", StringComparison.Ordinal))
            {
                if (message.Action.EndsWith(": healthy", StringComparison.Ordinal) || message.Action.EndsWith(": unhealthy", StringComparison.Ordinal))
                    yield return new ContainerHealthChanged(message.Actor.ID, taskId, message.Action.EndsWith(": healthy", StringComparison.Ordinal));
                continue;
            }
            var exitCode = attributes.TryGetValue("exitCode", out var code) && long.TryParse(code, out var parsed) ? parsed : -1;
            yield return new ContainerExit(message.Actor.ID, taskId, exitCode, oom.Remove(message.Actor.ID));
        }
        await monitor;
    }

    public void Dispose() => docker.Dispose();

    private static Mount ToDockerMount(EventSwarm.Domain.Services.Mount mount) => new()
    {
        Type = mount.Type switch
        {
            DomainMountType.Volume => "volume",
            DomainMountType.Bind => "bind",
            _ => "tmpfs",
        },
        Source = mount.Source,
        Target = mount.Target,
        ReadOnly = mount.ReadOnly,
        BindOptions = mount.BindOptions is { } bind ? new BindOptions { Propagation = bind.Propagation, NonRecursive = bind.NonRecursive } : null,
        VolumeOptions = mount.VolumeOptions is { } volume
            ? new VolumeOptions
            {
                NoCopy = volume.NoCopy,
                Labels = volume.Labels.IsEmpty ? null : new Dictionary<string, string>(volume.Labels),
                DriverConfig = volume.DriverConfig is { } driver ? new Driver { Name = driver.Name, Options = new Dictionary<string, string>(driver.Options) } : null,
            }
            : null,
        TmpfsOptions = mount.TmpfsOptions is { } tmpfs ? new TmpfsOptions { SizeBytes = tmpfs.SizeBytes, Mode = tmpfs.Mode } : null,
    };

    private static string WithDefaultTag(string image)
    {
        if (image.Contains('@')) return image;
        var lastSlash = image.LastIndexOf('/');
        return image.IndexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
    }

    private static string NormalizeArchitecture(string arch) => arch switch
    {
        "x86_64" => "x86_64",
        _ => arch,
    };

    private static string ErrorMessage(DockerApiException e)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(e.ResponseBody ?? "");
            return json.RootElement.GetProperty("message").GetString() ?? e.Message;
        }
        catch (Exception)
        {
            return e.Message;
        }
    }

    private sealed class ChannelProgress(ChannelWriter<Message> writer) : IProgress<Message>
    {
        public void Report(Message value) => writer.TryWrite(value);
    }
}
