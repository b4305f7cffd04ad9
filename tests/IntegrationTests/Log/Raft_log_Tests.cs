#pragma warning disable DOTNEXT001
using System.Net;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;
using EventSwarm.IntegrationTests.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.IntegrationTests.Log;

/// <summary>The Raft log on its real write-ahead log and snapshots, in a temporary directory.</summary>
public sealed class Raft_log_Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventswarm-raft-").FullName;

    [Fact]
    public async Task Committed_batches_come_back_after_a_restart_from_the_snapshot_plus_the_wal_tail()
    {
        var options = new RaftLogOptions(_dir, new IPEndPoint(IPAddress.Loopback, LocalAgent.FreePort()), SnapshotEvery: 10);
        var written = new ClusterProjection();
        await using (var log = await RaftLog.StartAsync(options, written, NullLoggerFactory.Instance, CancellationToken.None))
        {
            await await log.AppendAsync(Batch(new SwarmInitialized("c1", "n1", "127.0.0.1", DateTimeOffset.UnixEpoch),
                new NodeJoined("n1", NodeRole.Manager, "127.0.0.1", new NodeDescription("h", "20.10", "linux", "x86_64", 2, 1024), DateTimeOffset.UnixEpoch)), default);
            // 25 more batches: two snapshots (at 10 and 20) and a tail of entries that only the WAL holds.
            for (var i = 0; i < 25; i++)
                await await log.AppendAsync(Batch(new ServiceCreated($"s{i}", Spec($"web{i}"), DateTimeOffset.UnixEpoch)), default);
        }
        Assert.True(Directory.EnumerateFiles(Path.Combine(_dir, "raft", "snapshots"), "*", SearchOption.AllDirectories).Any(), "a snapshot was written");

        var restored = new ClusterProjection();
        // Same address: a Raft member is known by it, and the membership itself is part of what comes back.
        await using var reopened = await RaftLog.StartAsync(options, restored, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal(written.Current.LastSequence, restored.Current.LastSequence);
        Assert.Equal(27, restored.Current.LastSequence);
        Assert.Equal(written.Current.Services.Keys, restored.Current.Services.Keys);
        Assert.Equal(Spec("web24"), restored.Current.Services["s24"].Spec);
        Assert.Equal("c1", restored.Current.Swarm?.ClusterId);
        Assert.Equal(written.Current.Nodes["n1"].Description, restored.Current.Nodes["n1"].Description);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static EventBatch Batch(params DomainEvent[] events) =>
        new(Guid.NewGuid().ToString("N"), new EventMetadata(DateTimeOffset.UnixEpoch, "test", "Test", "c"), events);

    private static ServiceSpec Spec(string name) => new()
    {
        Name = name,
        Mode = ServiceMode.Replicated(2),
        TaskTemplate = new TaskTemplate
        {
            Container = new ContainerSpec { Image = "busybox", Args = ["sleep", "1"], Env = ["A=1"], Mounts = [new Mount(MountType.Tmpfs, null, "/t")] },
            Placement = new Placement(["node.role==manager"]),
        },
    };
}
