extern alias node;
using System.Text.Json;
using EventSwarm.Infrastructure.Docker;
using EventSwarm.UnitTests.Services;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;

namespace EventSwarm.UnitTests.Workers;

/// <summary>A task's container spec becomes the container Docker's swarm executor would create (moby executor/container/container.go).</summary>
public sealed class Container_parameters_Tests
{
    private static SwarmTask TaskOf(ServiceSpec spec) =>
        new("t1", "web", "web", 1, "n1", spec.TaskTemplateForTasks, 1, TaskState.Running, new TaskObservation(TaskState.New, T0, "created"), T0, T0, 1);

    private static ServiceSpec Full => ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(FullSpec.Json, DockerJson.Options)!);

    [Fact]
    public void Every_container_field_of_the_spec_is_applied_as_Docker_applies_it()
    {
        var p = DockerContainerRuntime.ContainerParameters(TaskOf(Full), new Dictionary<string, string>(), "busybox:latest");
        var host = p.HostConfig;

        Assert.True(p.Tty);
        Assert.True(p.OpenStdin);
        Assert.Equal("web-host", p.Hostname);
        Assert.Equal("nobody", p.User);
        Assert.Equal("/tmp", p.WorkingDir);
        Assert.Equal("SIGINT", p.StopSignal);
        Assert.Equal(TimeSpan.FromSeconds(8), p.StopTimeout); // 7 s 5 ns, rounded up to whole seconds as the engine counts them
        Assert.Equal(["/bin/sh", "-c"], p.Entrypoint);
        Assert.Equal(["sleep 1d"], p.Cmd);
        Assert.Equal(["CMD-SHELL", "true"], p.Healthcheck.Test);
        Assert.Equal(4, p.Healthcheck.Retries);
        // "IP HOST [ALIAS]" in the spec, "HOST:IP" for the engine; Docker keeps the first name of a line.
        Assert.Equal(["db.local:10.1.2.3", "cache.local:10.1.2.4"], host.ExtraHosts);
        Assert.Equal(["10.0.0.53"], host.DNS);
        Assert.Equal(["example.org"], host.DNSSearch);
        Assert.Equal(["ndots:2"], host.DNSOptions);
        Assert.True(host.Init);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(["CAP_NET_ADMIN"], host.CapAdd);
        Assert.Equal(["CAP_MKNOD"], host.CapDrop);
        Assert.Equal(["audio", "video"], host.GroupAdd);
        Assert.Equal("1", host.Sysctls["net.ipv4.ip_forward"]);
        Assert.Equal(("nofile", 1024L, 2048L), (host.Ulimits[0].Name, host.Ulimits[0].Soft, host.Ulimits[0].Hard));
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(67_108_864, host.Memory);
        Assert.Equal(100, host.PidsLimit);
        // Docker's executor applies limits only; reservations are the scheduler's business.
        Assert.Equal(0, host.MemoryReservation);
        Assert.Equal("json-file", host.LogConfig.Type);
        Assert.Equal("1m", host.LogConfig.Config["max-size"]);
        Assert.Equal(["label=user:user_u", "label=role:role_r", "label=type:type_t", "label=level:s0"], host.SecurityOpt);
        var tmpfs = host.Mounts.Single(m => m.Type == "tmpfs");
        Assert.Equal((1048576L, 448u), (tmpfs.TmpfsOptions.SizeBytes, tmpfs.TmpfsOptions.Mode));
        Assert.Equal("rslave", host.Mounts.Single(m => m.Type == "bind").BindOptions.Propagation);
    }

    [Fact]
    public void Secrets_and_configs_are_bind_mounted_read_only_after_the_specs_own_mounts()
    {
        var spec = Spec("web") with { TaskTemplate = new TaskTemplate { Container = new ContainerSpec { Image = "nginx:1", Mounts = [new Mount(MountType.Volume, "data", "/data")] } } };
        IReadOnlyList<Application.Workers.FileMount> files = [new("/run/eventswarm/eventswarm.secrets/t1/s1-v1", "/run/secrets/pw"), new("/var/lib/eventswarm/configs/t1/c1-v1", "/app.conf")];

        var mounts = DockerContainerRuntime.ContainerParameters(TaskOf(spec), new Dictionary<string, string>(), "nginx:1", files).HostConfig.Mounts;

        Assert.Equal(["volume data /data False", "bind /run/eventswarm/eventswarm.secrets/t1/s1-v1 /run/secrets/pw True", "bind /var/lib/eventswarm/configs/t1/c1-v1 /app.conf True"],
            mounts.Select(m => $"{m.Type} {m.Source} {m.Target} {m.ReadOnly}"));
    }

    [Fact]
    public void A_stack_volume_is_mounted_with_its_labels_and_driver_so_the_engine_creates_it_with_them()
    {
        // What `docker stack deploy` sends for `volumes: [mysql-data:/var/lib/mysql]` with a driver in the file. The
        // engine creates a missing volume from the mount's VolumeOptions, labels and driver options included (moby
        // daemon/volumes.go registerMountPoints), as Docker's executor does for a volume with a driver (adapter.go createVolumes).
        var volume = new VolumeOptions(NoCopy: false)
        {
            Labels = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("com.docker.stack.namespace", "wordpress"),
            DriverConfig = new Driver("local") { Options = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("type", "tmpfs").Add("device", "tmpfs") },
        };
        var spec = Spec("wordpress_mysql") with
        {
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec { Image = "mysql:5.7", Mounts = [new Mount(MountType.Volume, "wordpress_mysql-data", "/var/lib/mysql") { VolumeOptions = volume }] },
            },
        };

        var mount = Assert.Single(DockerContainerRuntime.ContainerParameters(TaskOf(spec), new Dictionary<string, string>(), "mysql:5.7").HostConfig.Mounts);

        Assert.Equal(("volume", "wordpress_mysql-data", "/var/lib/mysql"), (mount.Type, mount.Source, mount.Target));
        Assert.Equal(new Dictionary<string, string> { ["com.docker.stack.namespace"] = "wordpress" }, mount.VolumeOptions.Labels);
        Assert.Equal("local", mount.VolumeOptions.DriverConfig.Name);
        Assert.Equal(new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs" }, mount.VolumeOptions.DriverConfig.Options);
    }

    [Fact]
    public void A_spec_with_defaults_leaves_the_engine_its_defaults()
    {
        var p = DockerContainerRuntime.ContainerParameters(TaskOf(Spec("web")), new Dictionary<string, string>(), "nginx:1");

        Assert.Null(p.Hostname);
        Assert.Null(p.Healthcheck);
        Assert.Null(p.HostConfig.Init);
        Assert.Null(p.HostConfig.ExtraHosts);
        Assert.Null(p.HostConfig.DNS);
        Assert.Null(p.HostConfig.PidsLimit);
        Assert.Null(p.HostConfig.LogConfig);
        Assert.Equal(0, p.HostConfig.Memory);
        Assert.Equal(TimeSpan.FromSeconds(10), p.StopTimeout);
    }
}
