using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>The machine's real Docker Engine, looked at directly to check what EventSwarm did to it.</summary>
public static class Engine
{
    public static IDockerClient Client() =>
        new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).WithApiVersion(new System.Version(1, 41)).Build();

    public static async Task<IList<ContainerListResponse>> ContainersOfNodeAsync(string nodeId, bool all = false)
    {
        using var docker = Client();
        return await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = all,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"eventswarm.node.id={nodeId}"] = true } },
        });
    }

    /// <summary>The containers of one service on the node, for tests that share a node with other services.</summary>
    public static async Task<IList<ContainerListResponse>> ContainersOfServiceAsync(string nodeId, string service, bool all = false) =>
        (await ContainersOfNodeAsync(nodeId, all)).Where(c => c.Labels.TryGetValue("eventswarm.service.name", out var name) && name == service).ToList();

    public static async Task RemoveContainersOfNodeAsync(string nodeId)
    {
        using var docker = Client();
        foreach (var c in await ContainersOfNodeAsync(nodeId, all: true))
            await docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
    }

    public static async Task KillAndRemoveAsync(string containerId)
    {
        using var docker = Client();
        await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true });
    }
}
