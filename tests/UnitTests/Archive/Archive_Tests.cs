extern alias node;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Archive;
using Microsoft.Extensions.Logging.Abstractions;
using AgentCommand = node::EventSwarm.Node.Cli.Agent.AgentCommand;

namespace EventSwarm.UnitTests.Archive;

/// <summary>The archive's pure parts: its flag, what it says of itself, its index, and the archiver's retry.</summary>
public sealed class Archive_Tests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Agent_takes_the_archive_connection_string_as_given()
    {
        const string conn = "Host=127.0.0.1;Port=54329;Database=eventswarm;Username=postgres";
        Assert.Equal(conn, AgentCommand.Parse(["--archive", conn]).Archive);
        Assert.Null(AgentCommand.Parse([]).Archive);
    }

    [Theory]
    [InlineData("Hots=db;Database=x")]
    [InlineData("Database=x")]
    public void Agent_refuses_an_archive_connection_string_it_cannot_read_without_echoing_it(string conn)
    {
        var e = Assert.Throws<ArgumentException>(() => AgentCommand.Parse(["--archive", conn + ";Password=hunter2"]));
        Assert.Contains("invalid --archive connection string", e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void The_archive_names_its_host_port_and_database_never_the_password()
    {
        var description = MartenEventArchive.Describe("Host=db.example;Port=6543;Database=audit;Username=es;Password=hunter2");
        Assert.Equal("host db.example:6543 database audit", description);
        Assert.DoesNotContain("hunter2", description);
    }

    [Fact]
    public void A_tasks_event_is_indexed_under_its_task_service_and_node_and_a_services_under_itself()
    {
        var task = ArchivedEvent.Of(Entry(7, new TaskAssigned("t1", "n1", At), new EventSubject(SubjectKind.Task, "t1", "s1", "n1")), "task-assigned", 3);
        Assert.Equal((7L, "task/t1", 3L, "s1", "t1", "n1"), (task.Id, task.Stream, task.Version, task.ServiceId, task.TaskId, task.NodeId));
        var service = ArchivedEvent.Of(Entry(8, new ServiceScaled("s1", 2, At), new EventSubject(SubjectKind.Service, "s1")), "service-scaled", 1);
        Assert.Equal(("s1", null, null), (service.ServiceId, service.TaskId, service.NodeId));
        Assert.Equal(new EventSubject(SubjectKind.Service, "s1"), service.ToSubject());
    }

    [Fact]
    public async Task The_archiver_retries_a_failed_append_and_resumes_from_what_the_archive_holds()
    {
        var history = new FixedHistory([.. Enumerable.Range(1, 2500).Select(i => Entry(i, new ServiceScaled("s1", i, At), new EventSubject(SubjectKind.Service, "s1")))]);
        var archive = new FlakyArchive(failures: 2);
        var status = new ArchiveStatus("test");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = new Archiver(archive, status, NullLogger.Instance, TimeProvider.System).RunAsync(history, stop.Token);
        while (status.Read(DateTimeOffset.UtcNow).ArchivedThrough < 2500 && !stop.IsCancellationRequested) await Task.Delay(20);
        await stop.CancelAsync();
        await run;

        Assert.Equal(Enumerable.Range(1, 2500).Select(i => (long)i), archive.Archived);
        Assert.All(archive.Chunks, size => Assert.True(size <= Archiver.ChunkSize));
        Assert.Equal(2, status.Read(DateTimeOffset.UtcNow).Errors);
        Assert.Equal("database down", status.Read(DateTimeOffset.UtcNow).LastError);
    }

    private static HistoryEntry Entry(long sequence, DomainEvent e, EventSubject subject) =>
        new(new RecordedEvent(sequence, new EventMetadata(At, "root", "test", "c1"), e), subject);

    /// <summary>An archive that fails its first appends (after committing one of them: the answer was lost).</summary>
    private sealed class FlakyArchive(int failures) : IEventArchive
    {
        public List<long> Archived { get; } = [];
        public List<int> Chunks { get; } = [];

        public string Description => "flaky";

        public Task<long> ArchivedThroughAsync(CancellationToken ct) => Task.FromResult(Archived.Count == 0 ? 0 : Archived[^1]);

        public Task AppendAsync(IReadOnlyList<HistoryEntry> entries, CancellationToken ct)
        {
            var fresh = entries.Where(e => e.Sequence > (Archived.Count == 0 ? 0 : Archived[^1])).ToList();
            if (failures-- > 0)
            {
                if (failures == 0) Archived.AddRange(fresh.Select(e => e.Sequence));   // committed, answer lost
                throw new InvalidOperationException("database down");
            }
            Chunks.Add(entries.Count);
            Archived.AddRange(fresh.Select(e => e.Sequence));
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<HistoryEntry> ReadAsync(EventSelection selection, CancellationToken ct) => throw new NotSupportedException();
    }

    private sealed class FixedHistory(List<HistoryEntry> entries) : IEventHistory
    {
        public long FirstSequence => entries[0].Sequence;
        public long LastSequence => entries[^1].Sequence;
        public DateTimeOffset? FirstAt => entries[0].Recorded.Metadata.At;
        public IEnumerable<HistoryEntry> Read(EventSelection selection) => entries.Where(e => e.Sequence >= selection.FromSequence && e.Sequence <= selection.ToSequence);
        public long SequenceAt(DateTimeOffset at) => throw new NotSupportedException();
        public ClusterState StateAt(long sequence) => throw new NotSupportedException();
        public Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct) => Task.Delay(timeout, ct);
    }
}
