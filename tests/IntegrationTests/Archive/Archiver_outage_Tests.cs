using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Archive;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSwarm.IntegrationTests.Archive;

/// <summary>
/// The archiver against a PostgreSQL of its own that the tests stop and start, fed by a history that grows as the
/// log would: an outage only delays the archive, which resumes from what it holds and ends equal to the log.
/// </summary>
public sealed class Archiver_outage_Tests
{
    [Fact]
    public async Task After_the_database_comes_back_the_archive_catches_up_equal_to_the_log()
    {
        await using var server = await ThrowawayPostgres.OwnAsync();
        await using var archive = new MartenEventArchive(await server.CreateDatabaseAsync());
        var history = new GrowingHistory();
        var status = new ArchiveStatus(archive.Description);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var running = new Archiver(archive, status, NullLogger.Instance, TimeProvider.System).RunAsync(history, stop.Token);

        history.Add(SampleHistory.Entries(1, 3000));
        await Cluster.Eventually.True(() => Task.FromResult(status.Read(DateTimeOffset.UtcNow).ArchivedThrough == 3000), TimeSpan.FromSeconds(30), "the first 3,000 events archived");
        await server.StopAsync();
        history.Add(SampleHistory.Entries(3001, 2000));
        await Cluster.Eventually.True(() => Task.FromResult(status.Read(DateTimeOffset.UtcNow) is { Up: false, Errors: > 0 }), TimeSpan.FromSeconds(30), "the archiver sees the outage");
        await Task.Delay(TimeSpan.FromSeconds(3));
        history.Add(SampleHistory.Entries(5001, 1000));
        Assert.Equal(3000, status.Read(DateTimeOffset.UtcNow).ArchivedThrough);
        await server.StartAsync();

        await Cluster.Eventually.True(() => Task.FromResult(status.Read(DateTimeOffset.UtcNow) is { ArchivedThrough: 6000, LagEvents: 0, Up: true }),
            TimeSpan.FromSeconds(60), "the archive caught up to 6,000");
        await stop.CancelAsync();
        await running;
        var archived = await archive.ReadAllAsync();
        Assert.Equal(6000, archived.Count);
        Assert.Equal(SampleHistory.Digest(history.Read(new EventSelection())), SampleHistory.Digest(archived));
    }

    [Fact]
    public async Task An_archive_unreachable_at_start_is_filled_once_the_database_appears()
    {
        await using var server = await ThrowawayPostgres.OwnAsync();
        var connection = await server.CreateDatabaseAsync();
        await server.StopAsync();
        await using var archive = new MartenEventArchive(connection);
        var history = new GrowingHistory();
        history.Add(SampleHistory.Entries(1, 500));
        var status = new ArchiveStatus(archive.Description);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var running = new Archiver(archive, status, NullLogger.Instance, TimeProvider.System).RunAsync(history, stop.Token);

        await Cluster.Eventually.True(() => Task.FromResult(status.Read(DateTimeOffset.UtcNow) is { Up: false, Errors: > 0 }), TimeSpan.FromSeconds(30), "the archiver sees no database");
        Assert.Contains("127.0.0.1", archive.Description);
        await server.StartAsync();

        await Cluster.Eventually.True(() => Task.FromResult(status.Read(DateTimeOffset.UtcNow) is { ArchivedThrough: 500, Up: true }), TimeSpan.FromSeconds(60), "the archive caught up");
        await stop.CancelAsync();
        await running;
        Assert.Equal(SampleHistory.Digest(history.Read(new EventSelection())), SampleHistory.Digest(await archive.ReadAllAsync()));
    }

    /// <summary>A history that grows while the archiver reads it, as the log's does.</summary>
    private sealed class GrowingHistory : IEventHistory
    {
        private readonly Lock _lock = new();
        private readonly List<HistoryEntry> _entries = [];

        public void Add(IEnumerable<HistoryEntry> entries)
        {
            lock (_lock) _entries.AddRange(entries);
        }

        public long FirstSequence { get { lock (_lock) return _entries.Count == 0 ? 0 : _entries[0].Sequence; } }

        public long LastSequence { get { lock (_lock) return _entries.Count == 0 ? 0 : _entries[^1].Sequence; } }

        public DateTimeOffset? FirstAt { get { lock (_lock) return _entries.Count == 0 ? null : _entries[0].Recorded.Metadata.At; } }

        public IEnumerable<HistoryEntry> Read(EventSelection selection)
        {
            lock (_lock) return _entries.Where(e => e.Sequence >= selection.FromSequence && e.Sequence <= selection.ToSequence).ToList();
        }

        public long SequenceAt(DateTimeOffset at) => throw new NotSupportedException();

        public ClusterState StateAt(long sequence) => throw new NotSupportedException();

        public async Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (LastSequence <= afterSequence && DateTime.UtcNow < deadline) await Task.Delay(20, ct);
        }
    }
}
