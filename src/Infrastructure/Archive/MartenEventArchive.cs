using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;

namespace EventSwarm.Infrastructure.Archive;

/// <summary>
/// The archive on PostgreSQL through Marten (schema <c>eventswarm</c>): each event appended to its object's stream
/// ("service/ID", string identity) under the type name the log gives it, its payload as the log writes it
/// (<see cref="EventJson"/>: secret data stays sealed, nothing here can open it), and beside it, in the same
/// transaction, an <see cref="ArchivedEvent"/> index document keyed by the log index and the
/// <see cref="ArchiveProgress"/>. The index's primary key and the streams' expected versions make a second copy
/// of a sequence impossible even with two writers (an old and a new leader): the loser's transaction fails whole.
/// </summary>
public sealed class MartenEventArchive : IEventArchive, IAsyncDisposable
{
    public const string SchemaName = "eventswarm";
    public const string EventsTable = SchemaName + ".mt_events";
    public const string StreamsTable = SchemaName + ".mt_streams";
    public const string IndexTable = SchemaName + ".mt_doc_archived_event";
    public const string ProgressTable = SchemaName + ".mt_doc_archive_progress";

    private static readonly FrozenDictionary<string, Type> TypesByName = EventJson.Registered.ToFrozenDictionary(t => t.Value, t => t.Key);

    private readonly DocumentStore _store;
    private readonly NpgsqlDataSource _reads;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public MartenEventArchive(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // An archive that is down must fail fast: the archiver backs off and retries, and nothing waits on it.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = 5;
        builder.ApplicationName ??= "eventswarm-archive";
        Description = Describe(builder);
        var cs = builder.ConnectionString;
        _store = DocumentStore.For(o => Configure(o, cs));
        _reads = NpgsqlDataSource.Create(cs);
    }

    public string Description { get; }

    /// <summary>Host, port and database of a connection string, never its password (for messages and logs).</summary>
    public static string Describe(string connectionString) => Describe(new NpgsqlConnectionStringBuilder(connectionString));

    private static string Describe(NpgsqlConnectionStringBuilder b) =>
        $"host {b.Host ?? "localhost"}{(b.Port != NpgsqlConnection.DefaultPort ? $":{b.Port}" : "")} database {b.Database ?? b.Username ?? "(default)"}";

    private static void Configure(StoreOptions o, string connectionString)
    {
        o.Connection(connectionString);
        o.DatabaseSchemaName = SchemaName;
        o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        o.Events.StreamIdentity = StreamIdentity.AsString;
        // The log's names, pinned: the archive outlives class names as the log does ("service-scaled").
        foreach (var (type, name) in EventJson.Registered) o.Events.MapEventType(type, name);
        // The log's JSON: camel case, kebab-case enums, durations in nanoseconds, nulls left out. Marten resets the
        // enum converters when it sets casing, so the log's is put back first in line afterwards.
        o.UseSystemTextJsonForSerialization(new JsonSerializerOptions(EventJson.Options), EnumStorage.AsInteger, Casing.CamelCase,
            json => json.Converters.Insert(0, new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
        o.Schema.For<ArchivedEvent>().DocumentAlias("archived_event")
            .Duplicate(e => e.At, pgType: "timestamptz")
            .Duplicate(e => e.ServiceId)
            .Duplicate(e => e.TaskId)
            .Duplicate(e => e.NodeId);
        o.Schema.For<ArchiveProgress>().DocumentAlias("archive_progress");
    }

    /// <summary>Creates the schema on first use (idempotent; retried on the next call after a failure).</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (_schemaReady) return;
        await _schemaLock.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate).WaitAsync(ct);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    public async Task<long> ArchivedThroughAsync(CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var session = _store.QuerySession();
        return (await session.LoadAsync<ArchiveProgress>(ArchiveProgress.TheId, ct))?.ArchivedThrough ?? 0;
    }

    public async Task AppendAsync(IReadOnlyList<HistoryEntry> entries, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var session = _store.LightweightSession();
        var progress = await session.LoadAsync<ArchiveProgress>(ArchiveProgress.TheId, ct) ?? new ArchiveProgress();
        var fresh = entries.Where(e => e.Sequence > progress.ArchivedThrough).ToList();
        if (fresh.Count == 0) return;
        for (var i = 1; i < fresh.Count; i++)
            if (fresh[i].Sequence <= fresh[i - 1].Sequence)
                throw new ArgumentException($"events to archive must be in log order: {fresh[i].Sequence} after {fresh[i - 1].Sequence}", nameof(entries));

        var versions = await StreamVersionsAsync(fresh.Select(e => e.Subject.StreamKey).Distinct().ToArray(), ct);
        var byStream = new Dictionary<string, List<object>>();
        foreach (var entry in fresh)
        {
            var stream = entry.Subject.StreamKey;
            if (!byStream.TryGetValue(stream, out var events)) byStream[stream] = events = [];
            events.Add(entry.Recorded.Event);
            var version = versions.GetValueOrDefault(stream) + events.Count;
            session.Insert(ArchivedEvent.Of(entry, EventJson.NameOf(entry.Recorded.Event), version));
        }
        foreach (var (stream, events) in byStream)
        {
            var before = versions.GetValueOrDefault(stream);
            // Expected versions: a stream another writer appended to meanwhile fails the whole transaction.
            if (before == 0) session.Events.StartStream(stream, events);
            else session.Events.Append(stream, before + events.Count, events);
        }
        progress.ArchivedThrough = fresh[^1].Sequence;
        progress.ArchivedAt = fresh[^1].Recorded.Metadata.At;
        session.Store(progress);
        await session.SaveChangesAsync(ct);
    }

    private async Task<Dictionary<string, long>> StreamVersionsAsync(string[] streams, CancellationToken ct)
    {
        await using var command = _reads.CreateCommand($"select id, version from {StreamsTable} where id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = streams });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new Dictionary<string, long>(streams.Length);
        while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }

    public async IAsyncEnumerable<HistoryEntry> ReadAsync(EventSelection selection, [EnumeratorCancellation] CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var (sql, parameters) = Query(selection);
        await using var command = _reads.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(p);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var index = JsonSerializer.Deserialize<ArchivedEvent>(reader.GetString(0), EventJson.Options)
                ?? throw new InvalidDataException($"empty archive index document at {reader.GetInt64(3)}");
            var type = reader.GetString(1);
            var @event = (DomainEvent)(JsonSerializer.Deserialize(reader.GetString(2), TypesByName.TryGetValue(type, out var t)
                ? t : throw new InvalidDataException($"the archive holds an event type this node does not know: {type}"), EventJson.Options)
                ?? throw new InvalidDataException($"empty archived event at {index.Id}"));
            var metadata = new EventMetadata(index.At, index.Actor, index.Command, index.CorrelationId, index.Loop);
            yield return new HistoryEntry(new RecordedEvent(index.Id, metadata, @event), index.ToSubject());
        }
    }

    /// <summary>
    /// One query, only the conditions asked for (so the planner picks the index of the one given): the index
    /// documents selected in log order, each joined to its event by the (stream_id, version) unique key.
    /// </summary>
    internal static (string Sql, List<NpgsqlParameter> Parameters) Query(EventSelection s)
    {
        var where = new StringBuilder("d.id between $1 and $2");
        var parameters = new List<NpgsqlParameter> { new() { Value = s.FromSequence }, new() { Value = s.ToSequence } };
        void Add(string condition, object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            where.Append(" and ").Append(condition).Append(" $").Append(parameters.Count);
        }
        if (s.Since is { } since) Add("d.at >=", since.ToUniversalTime());
        if (s.Until is { } until) Add("d.at <=", until.ToUniversalTime());
        if (s.ServiceId is { } service) Add("d.service_id =", service);
        if (s.TaskId is { } task) Add("d.task_id =", task);
        if (s.NodeId is { } node) Add("d.node_id =", node);
        var sql = $"select d.data::text, e.type, e.data::text, d.id from {IndexTable} d " +
                  $"join {EventsTable} e on e.stream_id = d.data->>'stream' and e.version = (d.data->>'version')::bigint " +
                  $"where {where} order by d.id";
        return (sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _store.DisposeAsync();
        _schemaLock.Dispose();
    }
}
