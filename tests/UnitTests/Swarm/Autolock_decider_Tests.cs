using EventSwarm.Domain.Swarm;

namespace EventSwarm.UnitTests.Swarm;

/// <summary>
/// Autolock in the log: the unlock key is recorded sealed (the Node layer seals it under the data key; here it is
/// an opaque string) when autolock turns on or the key rotates, and dropped when autolock turns off.
/// </summary>
public sealed class Autolock_decider_Tests
{
    private static readonly NodeDescription Engine = new("host-1", "27.0.0", "linux", "x86_64", 4_000_000_000, 8 * GiB);
    private static readonly SwarmSpec Locked = SwarmSpec.Default with { AutoLockManagers = true };

    private static ClusterState Swarm(SwarmSpec spec, string? sealedKey = null) => ClusterState.Initial.And(SwarmDecider.Decide(
        new InitSwarm("c1", "n1", "10.0.0.1", Engine, T0) { Spec = spec, SealedUnlockKey = sealedKey }, ClusterState.Initial).Events);

    private static Decision Update(ClusterState state, SwarmSpec spec, string? sealedKey, bool rotate = false) =>
        SwarmDecider.Decide(new UpdateSwarm(state.Swarm!.Version, spec, At(1)) { SealedUnlockKey = sealedKey, RotateUnlockKey = rotate }, state);

    [Fact]
    public void Init_with_autolock_records_the_sealed_unlock_key()
    {
        var state = Swarm(Locked, "sealed-1");
        Assert.Equal("sealed-1", state.Swarm!.SealedUnlockKey);
        Assert.True(state.Swarm.Spec.AutoLockManagers);
        Assert.Null(Swarm(SwarmSpec.Default, "sealed-1").Swarm!.SealedUnlockKey);
    }

    [Fact]
    public void Init_with_autolock_but_no_key_is_refused_with_nothing_appended()
    {
        var decision = SwarmDecider.Decide(new InitSwarm("c1", "n1", "10.0.0.1", Engine, T0) { Spec = Locked }, ClusterState.Initial);
        Assert.Equal(ErrorKind.Internal, decision.Error?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Autolock_turned_on_takes_the_offered_key_and_an_update_that_keeps_it_on_keeps_the_key()
    {
        var on = Update(Swarm(SwarmSpec.Default), Locked, "sealed-1");
        Assert.Contains(new ManagerUnlockKeyRotated("sealed-1", At(1)), on.Events);
        var state = Swarm(SwarmSpec.Default).And(on.Events);
        Assert.Equal("sealed-1", state.Swarm!.SealedUnlockKey);

        var again = Update(state, Locked with { TaskHistoryRetentionLimit = 3 }, "sealed-2");
        Assert.DoesNotContain(again.Events, e => e is ManagerUnlockKeyRotated);
        Assert.Equal("sealed-1", state.And(again.Events).Swarm!.SealedUnlockKey);
    }

    [Fact]
    public void Rotation_replaces_the_key_and_a_version_read_before_it_is_stale()
    {
        var state = Swarm(Locked, "sealed-1");
        var rotated = Update(state, Locked, "sealed-2", rotate: true);
        var after = state.And(rotated.Events);
        Assert.Equal("sealed-2", after.Swarm!.SealedUnlockKey);
        Assert.True(after.Swarm.Version > state.Swarm!.Version);
    }

    [Fact]
    public void Autolock_turned_off_drops_the_key()
    {
        var state = Swarm(Locked, "sealed-1");
        var off = Update(state, SwarmSpec.Default, null);
        Assert.Contains(new ManagerUnlockKeyCleared(At(1)), off.Events);
        Assert.Null(state.And(off.Events).Swarm!.SealedUnlockKey);
        // Off and staying off: nothing about the key.
        Assert.DoesNotContain(Update(state.And(off.Events), SwarmSpec.Default, null).Events, e => e is ManagerUnlockKeyCleared);
    }

    [Fact]
    public void Rotation_while_autolock_is_off_rotates_nothing()
    {
        var decision = Update(Swarm(SwarmSpec.Default), SwarmSpec.Default, null, rotate: true);
        Assert.Null(decision.Error);
        Assert.DoesNotContain(decision.Events, e => e is ManagerUnlockKeyRotated or ManagerUnlockKeyCleared);
    }

    [Fact]
    public void The_event_never_prints_its_sealed_key() =>
        Assert.DoesNotContain("sealed-1", new ManagerUnlockKeyRotated("sealed-1", T0).ToString());
}
