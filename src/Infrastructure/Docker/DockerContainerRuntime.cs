using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;
using DomainMountType = EventSwarm.Domain.Services.MountType;
using NodeDescription = EventSwarm.Domain.Nodes.NodeDescription;

namespace EventSwarm.Infrastructure.Docker;

/// <summary>Runs tasks as containers on a real Docker Engine, labelled so that a restarted agent can find them again.</summary>
public sealed class DockerContainerRuntime(IDockerClient docker) : IContainerRuntime, IDisposable
{
    public const string TaskIdLabel = "eventswarm.task.id";
    public const string NodeIdLabel = "eventswarm.node.id";
    public const string ServiceIdLabel = "eventswarm.service.id";
    public const string ServiceNameLabel = "eventswarm.service.name";
    public const string SlotLabel = "eventswarm.task.slot";

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
            result.Add(new TaskContainer(c.ID, c.Labels[TaskIdLabel], running, exitCode));
        }
        return result;
    }

    public async Task<string> CreateAsync(SwarmTask task, string nodeId, CancellationToken ct)
    {
        var spec = task.Spec.Container;
        var image = WithDefaultTag(spec.Image);
        try
        {
            await docker.Images.InspectImageAsync(image, ct);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // No registry is consulted: images must be on the node already (docker's own wording for the error).
            throw new TaskRejectedException($"No such image: {image}");
        }

        var labels = new Dictionary<string, string>(spec.Labels)
        {
            [TaskIdLabel] = task.Id,
            [NodeIdLabel] = nodeId,
            [ServiceIdLabel] = task.ServiceId,
            [ServiceNameLabel] = task.ServiceName,
            [SlotLabel] = task.Slot.ToString(),
        };
        var parameters = new CreateContainerParameters
        {
            Name = task.ContainerName,
            Image = image,
            Cmd = spec.Args.IsDefaultOrEmpty ? null : spec.Args.ToList(),
            Entrypoint = spec.Command.IsDefaultOrEmpty ? null : spec.Command.ToList(),
            Env = spec.Env.IsDefaultOrEmpty ? null : spec.Env.ToList(),
            Labels = labels,
            HostConfig = new HostConfig
            {
                Mounts = spec.Mounts.IsDefaultOrEmpty ? null : spec.Mounts.Select(ToDockerMount).ToList(),
                NanoCPUs = 0,
            },
        };
        try
        {
            return (await docker.Containers.CreateContainerAsync(parameters, ct)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Left by an attempt that was interrupted after create: the name is the task's, so it is this container.
            return (await docker.Containers.InspectContainerAsync(task.ContainerName, ct)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            throw new TaskRejectedException(ErrorMessage(e));
        }
    }

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
        try
        {
            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, ct);
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
            return new TaskContainer(c.ID, c.Config.Labels.TryGetValue(TaskIdLabel, out var taskId) ? taskId : "", c.State.Running, c.State.ExitCode);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ContainerExit> WatchExitsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // The engine calls back on its own threads; a channel keeps the events in order for one reader.
        var channel = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitor = docker.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["event"] = new Dictionary<string, bool> { ["die"] = true, ["oom"] = true },
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
            using var json = System.Text.Json.JsonDocument.Parse(e.ResponseBody);
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
