using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Archive;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.IntegrationTests.Archive;

/// <summary>The PostgreSQL the archive tests share (ops/test.sh's, or one of their own): one fresh database per archive.</summary>
public sealed class ArchiveDatabase : IAsyncLifetime
{
    public ThrowawayPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ThrowawayPostgres.SharedOrOwnAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>An archive on a new database, and that database's connection string (for the tests' own SQL).</summary>
    public async Task<(MartenEventArchive Archive, string Connection)> NewArchiveAsync()
    {
        var connection = await Server.CreateDatabaseAsync();
        return (new MartenEventArchive(connection), connection);
    }
}

/// <summary>Hand-made history entries (the log as the history would hand it to the archiver) and how to compare them.</summary>
public static class SampleHistory
{
    public const string Sealed = "sealed:v1:AAAAbm90LXRoZS1wbGFpbnRleHQ=";

    /// <summary><paramref name="count"/> entries from <paramref name="first"/>, over a few services, tasks, nodes and a secret.</summary>
    public static List<HistoryEntry> Entries(long first, int count, DateTimeOffset? start = null)
    {
        var at0 = start ?? new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var entries = new List<HistoryEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var sequence = first + i;
            var at = at0.AddMilliseconds(sequence * 10);
            var service = $"svc{sequence % 3}";
            var node = $"node{sequence % 2}";
            var task = $"task{sequence % 7}";
            var loop = sequence % 4 == 0;
            var metadata = new EventMetadata(at, loop ? "system:scheduler" : $"user{sequence % 2}", loop ? "reconcile" : "service scale", $"corr-{sequence / 3}", loop ? "scheduler" : null);
            (DomainEvent Event, EventSubject Subject) made = (sequence % 9) switch
            {
                0 => (new ServiceScaled(service, sequence, at), new EventSubject(SubjectKind.Service, service)),
                1 => (new TaskAssigned(task, node, at), new EventSubject(SubjectKind.Task, task, service, node)),
                2 => (new TaskDesiredStateChanged(task, TaskState.Shutdown, at), new EventSubject(SubjectKind.Task, task, service, node)),
                3 => (new SecretCreated($"sec{sequence}", new SecretSpec { Name = $"s{sequence}", Labels = ImmutableDictionary<string, string>.Empty.Add("a", "b") }, Sealed, at),
                    new EventSubject(SubjectKind.Secret, $"sec{sequence}")),
                4 => (new NodeLabelsChanged(node, ImmutableDictionary<string, string>.Empty.Add("zone", $"z{sequence}"), at), new EventSubject(SubjectKind.Node, node)),
                5 => (new NodeAvailabilityChanged(node, NodeAvailability.Drain, at), new EventSubject(SubjectKind.Node, node)),
                6 => (new ServiceUpdateStarted(service, at), new EventSubject(SubjectKind.Service, service)),
                7 => (new TaskRemoved(task, at), new EventSubject(SubjectKind.Task, task, service, node)),
                _ => (new ServiceRolledBack(service, "update paused", true, at), new EventSubject(SubjectKind.Service, service)),
            };
            entries.Add(new HistoryEntry(new RecordedEvent(sequence, metadata, made.Event), made.Subject));
        }
        return entries;
    }

    /// <summary>An entry as the log writes it: sequence, metadata, the event under its log name, and the subject.</summary>
    public static string Json(HistoryEntry entry) =>
        JsonSerializer.Serialize(new { entry.Recorded.Sequence, entry.Recorded.Metadata, entry.Recorded.Event, entry.Subject }, EventJson.Options);

    /// <summary>A digest of (sequence, type, payload) in order, as the archive test of the issue compares them.</summary>
    public static string Digest(IEnumerable<HistoryEntry> entries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in entries)
            sha.AppendData(Encoding.UTF8.GetBytes($"{entry.Sequence}|{EventJson.NameOf(entry.Recorded.Event)}|{JsonSerializer.Serialize(entry.Recorded.Event, EventJson.Options)}\n"));
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    public static async Task<List<HistoryEntry>> ReadAllAsync(this Application.Log.IEventArchive archive, EventSelection? selection = null)
    {
        var all = new List<HistoryEntry>();
        await foreach (var entry in archive.ReadAsync(selection ?? new EventSelection(), CancellationToken.None)) all.Add(entry);
        return all;
    }
}
