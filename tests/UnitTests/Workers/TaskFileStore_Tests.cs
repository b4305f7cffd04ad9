using System.Diagnostics;
using System.Text;
using EventSwarm.Application.Workers;
using EventSwarm.Infrastructure.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// The node's store of task files on the real file system: secrets in a tmpfs it mounts itself (root only, as
/// the agent runs), configs on disk, each file owned and moded as its reference says.
/// </summary>
public sealed class TaskFileStore_Tests : IDisposable
{
    private const uint ReadOnlyForOwner = 0b100_000_000;
    private static readonly bool IsRoot = Environment.UserName == "root";

    private readonly string _root = Directory.CreateTempSubdirectory("eventswarm-files-").FullName;
    private readonly TaskFileStore _store;

    public TaskFileStore_Tests() => _store = TaskFileStore.ForAgent(Path.Combine(_root, "eventswarm.sock"), Path.Combine(_root, "data"));

    private static TaskFile Secret(string id, string data, string target = "/run/secrets/pw", string uid = "1000", string gid = "1001", uint mode = ReadOnlyForOwner) =>
        new(TaskFileKind.Secret, id, "pw", 1, target, uid, gid, mode, Encoding.UTF8.GetBytes(data));

    private static TaskFile Config(string id, string data) =>
        new(TaskFileKind.Config, id, "app.conf", 3, "/app.conf", "0", "0", 0b100_100_100, Encoding.UTF8.GetBytes(data));

    private static string Owner(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%u:%g", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    [Fact]
    public void Secrets_are_written_in_a_tmpfs_of_the_agents_own_beside_its_socket()
    {
        if (!IsRoot) return; // mounting needs root, as the agent has

        var mount = Assert.Single(_store.Write("t1", [Secret("s1", "adminadmin")]));

        Assert.Equal(Path.Combine(_root, "eventswarm.secrets"), _store.SecretsDirectory);
        Assert.Equal(Path.Combine(_root, "eventswarm.secrets", "t1", "s1-v1"), mount.Source);
        Assert.Equal("/run/secrets/pw", mount.Target);
        Assert.Contains(File.ReadLines("/proc/mounts"), line => line.StartsWith($"tmpfs {_store.SecretsDirectory} tmpfs ", StringComparison.Ordinal)
            && line.Contains("mode=700") && line.Contains("nosuid") && line.Contains("nodev") && line.Contains("noexec"));
        Assert.Equal("adminadmin", File.ReadAllText(mount.Source));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(mount.Source));
        Assert.Equal("1000:1001", Owner(mount.Source));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_store.SecretsDirectory));
    }

    [Fact]
    public void Configs_are_written_on_disk_under_the_data_dir_and_mount_no_tmpfs()
    {
        if (!IsRoot) return;

        var mount = Assert.Single(_store.Write("t1", [Config("c1", "x=1")]));

        Assert.Equal(Path.Combine(_root, "data", "configs", "t1", "c1-v3"), mount.Source);
        Assert.Equal("x=1", File.ReadAllText(mount.Source));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(mount.Source));
        Assert.False(TaskFileStore.IsTmpfsMountPoint(_store.SecretsDirectory));
    }

    [Fact]
    public void The_same_secret_mounted_twice_gets_a_file_for_each_target()
    {
        if (!IsRoot) return;

        var mounts = _store.Write("t1", [Secret("s1", "a", "/run/secrets/a"), Secret("s1", "a", "/etc/b", mode: 0b110_100_100)]);

        Assert.Equal(2, mounts.Select(m => m.Source).Distinct().Count());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(mounts[1].Source));
    }

    [Fact]
    public void Removing_a_task_deletes_its_files_and_leaves_the_tmpfs_mounted_for_the_others()
    {
        if (!IsRoot) return;
        var first = _store.Write("t1", [Secret("s1", "one"), Config("c1", "x=1")]);
        var second = _store.Write("t2", [Secret("s1", "one")]);

        _store.Remove("t1");

        Assert.All(first, m => Assert.False(File.Exists(m.Source)));
        Assert.False(Directory.Exists(Path.Combine(_store.SecretsDirectory, "t1")));
        Assert.False(Directory.Exists(Path.Combine(_store.ConfigsDirectory, "t1")));
        Assert.True(File.Exists(second[0].Source));
        Assert.True(TaskFileStore.IsTmpfsMountPoint(_store.SecretsDirectory));
    }

    [Fact]
    public void Sweeping_keeps_only_the_tasks_named()
    {
        if (!IsRoot) return;
        _store.Write("t1", [Secret("s1", "one"), Config("c1", "x")]);
        _store.Write("t2", [Secret("s1", "one"), Config("c1", "x")]);

        _store.RemoveAllBut(new HashSet<string> { "t2" });

        Assert.Equal(["t2"], Directory.GetDirectories(_store.SecretsDirectory).Select(Path.GetFileName));
        Assert.Equal(["t2"], Directory.GetDirectories(_store.ConfigsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_second_store_on_the_same_path_uses_the_tmpfs_already_mounted()
    {
        if (!IsRoot) return;
        _store.Write("t1", [Secret("s1", "one")]);

        // The agent restarted: the tmpfs it left is used as it is, not mounted over (which would hide t1's file).
        var again = TaskFileStore.ForAgent(Path.Combine(_root, "eventswarm.sock"), Path.Combine(_root, "data"));
        again.Write("t2", [Secret("s1", "one")]);

        Assert.Equal(1, File.ReadLines("/proc/mounts").Count(l => l.Contains($" {_store.SecretsDirectory} ")));
        Assert.True(File.Exists(Path.Combine(_store.SecretsDirectory, "t1", "s1-v1")));
    }

    [Fact]
    public void Names_that_would_leave_the_tasks_directory_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => _store.Write("..", [Config("c1", "x")]));
        Assert.Throws<InvalidOperationException>(() => _store.Write("t1", [Config("../../etc", "x")]));
        Assert.False(Directory.Exists(Path.Combine(_root, "etc")));
    }

    public void Dispose()
    {
        if (TaskFileStore.IsTmpfsMountPoint(_store.SecretsDirectory))
            Process.Start("umount", [_store.SecretsDirectory])!.WaitForExit();
        Directory.Delete(_root, recursive: true);
    }
}
