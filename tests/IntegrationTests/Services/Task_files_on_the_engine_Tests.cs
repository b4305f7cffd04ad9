using System.Text;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Docker;
using EventSwarm.Infrastructure.Workers;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Services;

/// <summary>
/// A task's secret and config as the worker hands them to the real Docker Engine: files of the node's store,
/// bind-mounted read-only at their targets, readable by the container's user, not writable.
/// </summary>
public sealed class Task_files_on_the_engine_Tests
{
    [Fact]
    public async Task A_secret_is_a_read_only_file_under_run_secrets_on_a_tmpfs_and_a_config_a_read_only_file_at_its_target()
    {
        var root = Directory.CreateTempSubdirectory("eventswarm-files-").FullName;
        var store = TaskFileStore.ForAgent(Path.Combine(root, "eventswarm.sock"), Path.Combine(root, "data"));
        using var runtime = DockerContainerRuntime.Connect("unix:///var/run/docker.sock");
        var taskId = $"files{Guid.NewGuid():N}"[..20];
        var spec = new TaskTemplate
        {
            Container = new ContainerSpec
            {
                Image = "busybox",
                User = "1000",
                Command = ["sh", "-c", "cat /run/secrets/my-pw2; echo; cat /app.conf; echo; mount | grep -E ' /run/secrets/my-pw2 | /app.conf '; "
                    + "echo x > /run/secrets/my-pw2 || echo secret-not-writable"],
            },
        };
        var now = DateTimeOffset.UtcNow;
        var task = new SwarmTask(taskId, "svc-files", "files", 1, "node-files", spec, 1, TaskState.Running, new TaskObservation(TaskState.New, now, "created"), now, now, 1);
        string? containerId = null;
        try
        {
            var mounts = store.Write(taskId,
            [
                new TaskFile(TaskFileKind.Secret, "s1", "my-pw2", 1, "/run/secrets/my-pw2", "1000", "1000", 0b100_000_000, Encoding.UTF8.GetBytes("adminadmin")),
                new TaskFile(TaskFileKind.Config, "c1", "app.conf", 1, "/app.conf", "0", "0", 0b100_100_100, Encoding.UTF8.GetBytes("x=1")),
            ]);
            containerId = await runtime.CreateAsync(task, "node-files", new TaskNetworking([], []), mounts, CancellationToken.None);
            await runtime.StartAsync(containerId, CancellationToken.None);
            (await CommandResult.RunAsync("docker", ["wait", containerId], new Dictionary<string, string>())).ShouldSucceed();
            var logs = (await CommandResult.RunAsync("docker", ["logs", containerId], new Dictionary<string, string>())).ShouldSucceed();
            var output = logs.Output + logs.Error;

            Assert.Contains("adminadmin", output);
            Assert.Contains("x=1", output);
            Assert.Contains("on /run/secrets/my-pw2 type tmpfs (ro", output);
            Assert.Matches(@"on /app\.conf type \S+ \(ro", output);
            Assert.Contains("secret-not-writable", output);
        }
        finally
        {
            if (containerId is not null) await Engine.KillAndRemoveAsync(containerId);
            store.Remove(taskId);
            if (TaskFileStore.IsTmpfsMountPoint(store.SecretsDirectory))
                (await CommandResult.RunAsync("umount", [store.SecretsDirectory], new Dictionary<string, string>())).ShouldSucceed();
            Directory.Delete(root, recursive: true);
        }
    }
}
