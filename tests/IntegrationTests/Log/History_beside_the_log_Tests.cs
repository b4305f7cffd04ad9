#pragma warning disable DOTNEXT001
using System.Net;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Swarm;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Log.History;
using EventSwarm.IntegrationTests.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.IntegrationTests.Log;

/// <summary>The history on the real Raft log (DotNext's WAL and snapshots), in a temporary directory.</summary>
public sealed class History_beside_the_log_Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventswarm-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Snapshots_compact_the_log_but_the_history_keeps_every_event_from_index_1_across_restarts()
    {
        var options = new RaftLogOptions(_dir, new IPEndPoint(IPAddress.Loopback, LocalAgent.FreePort()), SnapshotEvery: 10, HistoryCheckpointEvery: 20);
        var written = new ClusterProjection();
        await using (var log = await RaftLog.StartAsync(options, written, NullLoggerFactory.Instance, CancellationToken.None))
        {
            await await log.AppendAsync(Batch(new SwarmInitialized("c1", "n1", "127.0.0.1", DateTimeOffset.UnixEpoch),
                new NodeJoined("n1", NodeRole.Manager, "127.0.0.1", new NodeDescription("h", "20.10", "linux", "x86_64", 2, 1024), DateTimeOffset.UnixEpoch)), default);
            for (var i = 0; i < 45; i++)
                await await log.AppendAsync(Batch(new ServiceCreated($"s{i}", Spec($"web{i}"), DateTimeOffset.UnixEpoch.AddSeconds(i))), default);
            Assert.Equal(47, log.History.LastSequence);
        }
        Assert.True(LogRepair.SnapshotIndex(Path.Combine(_dir, "raft")) >= 40, "snapshots compacted the log");

        var restored = new ClusterProjection();
        await using (var reopened = await RaftLog.StartAsync(options, restored, NullLoggerFactory.Instance, CancellationToken.None))
        {
            // The log replayed the entries after its snapshot into the history, which held them already.
            Assert.Equal(47, reopened.History.LastSequence);
            for (var i = 45; i < 50; i++)
                await await reopened.AppendAsync(Batch(new ServiceScaled($"s{i - 45}", 5, DateTimeOffset.UnixEpoch.AddSeconds(i))), default);

            var history = reopened.History;
            Assert.Equal(1, history.FirstSequence);
            Assert.Equal(restored.Current.LastSequence, history.LastSequence);
            Assert.Equal(Enumerable.Range(1, 52).Select(i => (long)i), history.Read(new EventSelection()).Select(e => e.Sequence));
            Assert.Equal(StateDigest.Of(restored.Current), StateDigest.Of(history.StateAt(history.LastSequence)));
            Assert.Equal(["s0"], history.Read(new EventSelection(ServiceId: "s0")).Select(e => e.Subject.Id).Distinct());
            Assert.Equal(2, history.Read(new EventSelection(ServiceId: "s0")).Count());
            // Between two scales of the history: the state as it was then.
            Assert.Equal(2, history.StateAt(47).Services["s0"].Spec.Mode.Replicas);
            Assert.Equal(5, history.StateAt(48).Services["s0"].Spec.Mode.Replicas);
            Assert.Equal(2, history.StateAt(48).Services["s1"].Spec.Mode.Replicas);
        }
    }

    private static EventBatch Batch(params DomainEvent[] events) =>
        new(Guid.NewGuid().ToString("N"), new EventMetadata(events.OfType<ServiceCreated>().FirstOrDefault()?.At ?? DateTimeOffset.UnixEpoch, "test", "Test", "c"), events);

    private static ServiceSpec Spec(string name) => new()
    {
        Name = name,
        Mode = ServiceMode.Replicated(2),
        TaskTemplate = new TaskTemplate { Container = new ContainerSpec { Image = "busybox", Args = ["sleep", "1"] } },
    };
}
