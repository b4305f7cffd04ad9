using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Archive;
using EventSwarm.Infrastructure.Log;
using Npgsql;

namespace EventSwarm.IntegrationTests.Archive;

/// <summary>The Marten archive on a real PostgreSQL, fed hand-made history entries as the archiver would.</summary>
public sealed class Archive_round_trip_Tests(ArchiveDatabase database) : IClassFixture<ArchiveDatabase>
{
    [Fact]
    public async Task Archived_events_read_back_equal_to_the_log_in_order()
    {
        var (archive, _) = await database.NewArchiveAsync();
        await using var owned = archive;
        var log = SampleHistory.Entries(1, 250);
        await archive.AppendAsync(log[..100], CancellationToken.None);
        await archive.AppendAsync(log[100..], CancellationToken.None);

        var archived = await archive.ReadAllAsync();

        Assert.Equal(log.Select(SampleHistory.Json), archived.Select(SampleHistory.Json));
        Assert.Equal(250, await archive.ArchivedThroughAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Appending_events_again_archives_none_of_them_twice()
    {
        var (archive, connection) = await database.NewArchiveAsync();
        await using var owned = archive;
        var log = SampleHistory.Entries(1, 300);
        await archive.AppendAsync(log[..200], CancellationToken.None);

        await archive.AppendAsync(log[..200], CancellationToken.None);     // the same chunk, as after a crash before the answer
        await archive.AppendAsync(log[150..], CancellationToken.None);     // overlapping the archived part

        var archived = await archive.ReadAllAsync();
        Assert.Equal(SampleHistory.Digest(log), SampleHistory.Digest(archived));
        Assert.Equal(300, await CountAsync(connection, MartenEventArchive.EventsTable + " where type <> 'tombstone'"));
        Assert.Equal(300, await archive.ArchivedThroughAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_writers_at_once_archive_each_event_once()
    {
        // An old and a new leader for a moment: the loser's transaction fails whole, and its retry skips what is there.
        var (one, connection) = await database.NewArchiveAsync();
        await using var owned = one;
        var log = SampleHistory.Entries(1, 400);
        await using var other = new MartenEventArchive(connection);
        await one.EnsureSchemaAsync(CancellationToken.None);

        async Task Write(MartenEventArchive archive)
        {
            for (var from = 0; from < log.Count; from += 50)
                for (var attempt = 0; ; attempt++)
                    try
                    {
                        await archive.AppendAsync(log[from..Math.Min(log.Count, from + 50)], CancellationToken.None);
                        break;
                    }
                    catch (Exception) when (attempt < 20)
                    {
                    }
        }
        await Task.WhenAll(Write(one), Write(other));

        Assert.Equal(SampleHistory.Digest(log), SampleHistory.Digest(await one.ReadAllAsync()));
        Assert.Equal(400, await CountAsync(connection, MartenEventArchive.EventsTable + " where type <> 'tombstone'"));
    }

    [Fact]
    public async Task A_selection_by_service_task_node_time_or_index_reads_just_those_events_in_order()
    {
        var (archive, _) = await database.NewArchiveAsync();
        await using var owned = archive;
        var log = SampleHistory.Entries(1, 200);
        await archive.AppendAsync(log, CancellationToken.None);

        async Task Same(EventSelection selection, Func<HistoryEntry, bool> expected)
        {
            var want = log.Where(expected).Select(SampleHistory.Json).ToList();
            Assert.NotEmpty(want);
            Assert.Equal(want, (await archive.ReadAllAsync(selection)).Select(SampleHistory.Json));
        }
        static bool Concerns(HistoryEntry e, string service) => e.Subject.ServiceId == service || e.Subject is { Kind: Domain.History.SubjectKind.Service } s && s.Id == service;
        await Same(new EventSelection(ServiceId: "svc1"), e => Concerns(e, "svc1"));
        await Same(new EventSelection(TaskId: "task3"), e => e.Subject is { Kind: Domain.History.SubjectKind.Task, Id: "task3" });
        await Same(new EventSelection(NodeId: "node0"), e => e.Subject.NodeId == "node0" || e.Subject is { Kind: Domain.History.SubjectKind.Node, Id: "node0" });
        await Same(new EventSelection(FromSequence: 20, ToSequence: 40), e => e.Sequence is >= 20 and <= 40);
        var (since, until) = (log[49].Recorded.Metadata.At, log[99].Recorded.Metadata.At);
        await Same(new EventSelection(Since: since, Until: until, ServiceId: "svc2"), e => e.Recorded.Metadata.At >= since && e.Recorded.Metadata.At <= until && Concerns(e, "svc2"));
    }

    [Fact]
    public async Task Events_are_stored_under_the_logs_type_names_one_stream_per_object_with_secret_data_still_sealed()
    {
        var (archive, connection) = await database.NewArchiveAsync();
        await using var owned = archive;
        var log = SampleHistory.Entries(1, 30);
        await archive.AppendAsync(log, CancellationToken.None);

        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select e.stream_id, e.type, e.data::text from {MartenEventArchive.IndexTable} d join {MartenEventArchive.EventsTable} e " +
            "on e.stream_id = d.data->>'stream' and e.version = (d.data->>'version')::bigint order by d.id", db);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string Stream, string Type, string Data)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));

        Assert.Equal(log.Select(e => e.Subject.StreamKey), rows.Select(r => r.Stream));
        Assert.Equal(log.Select(e => EventJson.NameOf(e.Recorded.Event)), rows.Select(r => r.Type));
        var secrets = rows.Where(r => r.Type == "secret-created").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, r => Assert.Contains(SampleHistory.Sealed, r.Data));
    }

    private static async Task<long> CountAsync(string connection, string from)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {from}", db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
