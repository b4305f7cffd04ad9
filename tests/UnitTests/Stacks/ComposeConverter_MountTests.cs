using System.Collections.Immutable;
using EventSwarm.Domain.Services;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_MountTests
{
    private static readonly ImmutableDictionary<string, string> Namespace =
        ImmutableDictionary<string, string>.Empty.Add("com.docker.stack.namespace", "app");

    private static Mount OnlyMount(string service, string topLevel = "") => Assert.Single(Container(service, topLevel).Mounts);

    [Fact]
    public void A_named_volume_is_the_stacks_and_labelled_with_it()
    {
        var mount = OnlyMount("""{"image": "db", "volumes": ["data:/var/lib/data"]}""", """ "volumes": {"data": null} """);

        Assert.Equal(new Mount(MountType.Volume, "app_data", "/var/lib/data") { VolumeOptions = new VolumeOptions(false) { Labels = Namespace } }, mount);
    }

    [Fact]
    public void The_volumes_driver_and_options_become_its_driver_config()
    {
        var mount = OnlyMount("""{"image": "db", "volumes": ["data:/data"]}""",
            """ "volumes": {"data": {"driver": "local", "driver_opts": {"type": "nfs", "o": "addr=10.0.0.1"}, "labels": {"backup": "daily"}}} """);

        Assert.Equal("local", mount.VolumeOptions!.DriverConfig!.Name);
        Assert.Equal(new Dictionary<string, string> { ["type"] = "nfs", ["o"] = "addr=10.0.0.1" }, mount.VolumeOptions.DriverConfig.Options);
        Assert.Equal(Namespace.Add("backup", "daily"), mount.VolumeOptions.Labels);
    }

    [Fact]
    public void An_external_volume_keeps_its_name_and_gets_no_labels()
    {
        var mount = OnlyMount("""{"image": "db", "volumes": ["data:/data"]}""", """ "volumes": {"data": {"external": true, "name": "legacy"}} """);

        Assert.Equal(new Mount(MountType.Volume, "legacy", "/data") { VolumeOptions = new VolumeOptions(false) }, mount);
    }

    [Fact]
    public void A_volume_with_a_name_is_mounted_by_that_name()
    {
        Assert.Equal("shared-data", OnlyMount("""{"image": "db", "volumes": ["data:/data"]}""", """ "volumes": {"data": {"name": "shared-data"}} """).Source);
    }

    [Fact]
    public void An_external_volume_with_a_driver_is_refused_as_docker_does()
    {
        Assert.Equal("conflicting parameters \"external\" and \"driver\" specified for volume \"data\"",
            Refused("""{"image": "db", "volumes": ["data:/data"]}""", """ "volumes": {"data": {"external": true, "driver": "local"}} """));
    }

    [Fact]
    public void A_path_source_is_a_bind_mount_and_ro_makes_it_read_only()
    {
        Assert.Equal(new Mount(MountType.Bind, "/etc/app", "/config", ReadOnly: true), OnlyMount("""{"image": "db", "volumes": ["/etc/app:/config:ro"]}"""));
    }

    [Fact]
    public void A_relative_bind_source_is_relative_to_the_first_files_directory()
    {
        Assert.Equal("/srv/app/html", OnlyMount("""{"image": "db", "volumes": ["./html:/usr/share/nginx/html"]}""").Source);
    }

    [Fact]
    public void A_bind_propagation_option_becomes_bind_options()
    {
        Assert.Equal(new BindOptions("rshared", false), OnlyMount("""{"image": "db", "volumes": ["/mnt:/mnt:rshared"]}""").BindOptions);
        Assert.Equal(new BindOptions("slave", false),
            OnlyMount("""{"image": "db", "volumes": [{"type": "bind", "source": "/mnt", "target": "/mnt", "bind": {"propagation": "slave"}}]}""").BindOptions);
    }

    [Fact]
    public void Nocopy_is_a_volume_option()
    {
        Assert.True(OnlyMount("""{"image": "db", "volumes": ["data:/data:nocopy"]}""", """ "volumes": {"data": {}} """).VolumeOptions!.NoCopy);
        Assert.True(OnlyMount("""{"image": "db", "volumes": [{"type": "volume", "source": "data", "target": "/data", "volume": {"nocopy": true}}]}""",
            """ "volumes": {"data": {}} """).VolumeOptions!.NoCopy);
    }

    [Fact]
    public void A_target_alone_is_an_anonymous_volume()
    {
        Assert.Equal(new Mount(MountType.Volume, null, "/cache"), OnlyMount("""{"image": "db", "volumes": ["/cache"]}"""));
    }

    [Fact]
    public void A_tmpfs_mount_takes_its_size()
    {
        Assert.Equal(new Mount(MountType.Tmpfs, null, "/run") { TmpfsOptions = new TmpfsOptions(67108864, 0) },
            OnlyMount("""{"image": "db", "volumes": [{"type": "tmpfs", "target": "/run", "tmpfs": {"size": 67108864}}]}"""));
    }

    [Fact]
    public void A_long_form_read_only_volume()
    {
        var mount = OnlyMount("""{"image": "db", "volumes": [{"type": "volume", "source": "data", "target": "/data", "read_only": true}]}""", """ "volumes": {"data": {}} """);

        Assert.True(mount.ReadOnly);
        Assert.Equal("app_data", mount.Source);
    }

    [Fact]
    public void Mounts_keep_the_files_order()
    {
        var mounts = Container("""{"image": "db", "volumes": ["/b:/b", "/a:/a"]}""").Mounts;

        Assert.Equal<string>(["/b", "/a"], mounts.Select(m => m.Target));
    }

    [Fact]
    public void An_undeclared_volume_is_refused_as_docker_says()
    {
        Assert.Equal("service web: undefined volume \"data\"", Refused("""{"image": "db", "volumes": ["data:/data"]}"""));
    }

    [Fact]
    public void A_tmpfs_mount_with_a_source_is_refused()
    {
        Assert.Equal("service web: invalid tmpfs source, source must be empty",
            Refused("""{"image": "db", "volumes": [{"type": "tmpfs", "source": "x", "target": "/run"}]}"""));
    }

    [Fact]
    public void Options_of_another_mount_type_are_refused()
    {
        Assert.Equal("service web: tmpfs options are incompatible with type bind",
            Refused("""{"image": "db", "volumes": [{"type": "bind", "source": "/x", "target": "/x", "tmpfs": {"size": 1}}]}"""));
    }
}
