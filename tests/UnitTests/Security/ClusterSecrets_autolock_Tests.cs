using EventSwarm.Infrastructure.Security;

namespace EventSwarm.UnitTests.Security;

/// <summary>
/// A manager's keys on disk under autolock: wrapped under the unlock key, locked after a restart (a new
/// <see cref="ClusterSecrets"/> on the same directory), opened by the right key only, rewrapped on rotation.
/// </summary>
public sealed class ClusterSecrets_autolock_Tests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("eventswarm-autolock-").FullName;
    private readonly byte[] _dataKey;

    public ClusterSecrets_autolock_Tests()
    {
        var manager = new ClusterSecrets(_dataDirectory);
        var cluster = ClusterSecrets.Create(T0);
        manager.Save(cluster);
        manager.IssueOwnCertificate("n1", NodeRole.Manager, "c1", T0);
        _dataKey = Convert.FromBase64String(cluster.DataKey);
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private ClusterSecrets Restarted() => new(_dataDirectory);

    private string Certificates => Path.Combine(_dataDirectory, "certificates");

    [Fact]
    public void Keys_in_clear_start_unlocked()
    {
        var restarted = Restarted();
        Assert.False(restarted.IsLocked);
        Assert.Equal(_dataKey, restarted.DataKey());
        Assert.NotNull(restarted.NodeCertificate());
    }

    [Fact]
    public void Wrapped_keys_start_locked_and_hold_nothing_until_unlocked()
    {
        var key = UnlockKey.New();
        Assert.True(new ClusterSecrets(_dataDirectory).ApplyUnlockKey(key));
        foreach (var file in new[] { "data-key", "node.key", "ca.key", "join-secrets.json" })
            Assert.StartsWith(KeyWrap.Prefix, File.ReadAllText(Path.Combine(Certificates, file)));
        Assert.DoesNotContain(Convert.ToBase64String(_dataKey), string.Concat(Directory.GetFiles(Certificates).Select(File.ReadAllText)));

        var restarted = Restarted();
        Assert.True(restarted.IsLocked);
        Assert.Null(restarted.DataKey());
        Assert.Null(restarted.NodeCertificate());
        Assert.Null(restarted.ExportManagerMaterial());
    }

    [Fact]
    public void A_wrong_key_leaves_the_manager_locked_and_the_right_one_opens_its_keys_in_memory()
    {
        var key = UnlockKey.New();
        new ClusterSecrets(_dataDirectory).ApplyUnlockKey(key);
        var restarted = Restarted();

        Assert.False(restarted.Unlock(UnlockKey.New()));
        Assert.True(restarted.IsLocked);
        Assert.Null(restarted.DataKey());

        Assert.True(restarted.Unlock(key));
        Assert.False(restarted.IsLocked);
        Assert.Equal(_dataKey, restarted.DataKey());
        Assert.NotNull(restarted.NodeCertificate());
        Assert.NotNull(restarted.ExportManagerMaterial());
        // The files stay wrapped: the next restart is locked again.
        Assert.True(Restarted().IsLocked);
    }

    [Fact]
    public void Rotation_rewraps_under_the_new_key_and_secret_data_stays_readable()
    {
        var first = UnlockKey.New();
        var manager = new ClusterSecrets(_dataDirectory);
        manager.ApplyUnlockKey(first);
        var sealedSecret = new SecretCipher(manager).Seal("s1", 1, "adminadmin"u8);

        var second = UnlockKey.New();
        Assert.True(manager.ApplyUnlockKey(second));
        Assert.False(manager.ApplyUnlockKey(second));

        var restarted = Restarted();
        Assert.False(restarted.Unlock(first));
        Assert.True(restarted.Unlock(second));
        Assert.Equal("adminadmin"u8.ToArray(), new SecretCipher(restarted).Open("s1", 1, sealedSecret));
    }

    [Fact]
    public void Autolock_off_puts_the_keys_back_in_clear()
    {
        var key = UnlockKey.New();
        var restarted = new ClusterSecrets(_dataDirectory);
        restarted.ApplyUnlockKey(key);
        restarted = Restarted();
        Assert.False(restarted.ApplyUnlockKey(null));
        Assert.True(restarted.Unlock(key));

        Assert.True(restarted.ApplyUnlockKey(null));
        var after = Restarted();
        Assert.False(after.IsLocked);
        Assert.Equal(_dataKey, after.DataKey());
    }

    [Fact]
    public void A_demoted_manager_keeps_its_node_key_in_clear_and_restarts_unlocked()
    {
        var manager = new ClusterSecrets(_dataDirectory);
        manager.ApplyUnlockKey(UnlockKey.New());
        manager.DropManagerMaterial();

        var restarted = Restarted();
        Assert.False(restarted.IsLocked);
        Assert.Null(restarted.DataKey());
        Assert.NotNull(restarted.NodeCertificate());
    }
}
