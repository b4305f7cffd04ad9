using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.History;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Archive;
using Npgsql;

/// <summary>
/// The archive's figures (ops/bench/archive.sh).
/// <c>archive-query CONN [EVENTS]</c>: fills an empty archive with EVENTS hand-made events (1,000 services with
/// their tasks, a node each event in ten), then times audit-style reads by service and prints bytes per event.
/// <c>archive-agent SOCKET CONN STOP_CMD START_CMD</c>: against an agent started with --archive CONN, the lag commit
/// → queryable at 1,000 commands/s, and the commit latency at a steady rate before and during a 30 s outage of
/// the database (STOP_CMD / START_CMD, run with bash), then how long the archive takes to catch up.
/// </summary>
public static class ArchiveBench
{
    public static Task<int> RunAsync(string[] args) => args switch
    {
        ["query", var conn, .. var rest] => QueryAsync(conn, rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 1_000_000),
        ["agent", var socket, var conn, var stop, var start] => AgentAsync(socket, conn, stop, start),
        _ => Usage(),
    };

    private static Task<int> Usage()
    {
        Console.Error.WriteLine("usage: bench archive query CONN [EVENTS] | bench archive agent SOCKET CONN STOP_CMD START_CMD");
        return Task.FromResult(2);
    }

    private static async Task<int> QueryAsync(string conn, int count)
    {
        await using var archive = new MartenEventArchive(conn);
        var clock = Stopwatch.StartNew();
        var at0 = DateTimeOffset.UtcNow.AddDays(-1);
        for (long first = await archive.ArchivedThroughAsync(CancellationToken.None) + 1; first <= count; first += Archiver.ChunkSize)
            await archive.AppendAsync(Entries(first, (int)Math.Min(Archiver.ChunkSize, count - first + 1), at0), CancellationToken.None);
        Print("archive fill (events/s)", count / clock.Elapsed.TotalSeconds, "0");
        await using (var data = NpgsqlDataSource.Create(conn))
            await data.CreateCommand("vacuum analyze").ExecuteNonQueryAsync();

        var random = new Random(7);
        var times = new List<double>();
        var rows = 0L;
        for (var i = 0; i < 220; i++)
        {
            var service = $"svc{random.Next(1000)}";
            var sw = Stopwatch.StartNew();
            await foreach (var _ in archive.ReadAsync(new EventSelection(ServiceId: service), CancellationToken.None)) rows++;
            if (i >= 20) times.Add(sw.Elapsed.TotalMilliseconds);  // the first reads warm the caches
        }
        times.Sort();
        Print($"audit by service at {count:N0} events, ~{rows / 220} events each: p50 (ms)", times[times.Count / 2], "0.0");
        Print($"audit by service at {count:N0} events, ~{rows / 220} events each: p99 (ms)", times[(int)(times.Count * 0.99)], "0.0");

        await using var source = NpgsqlDataSource.Create(conn);
        long Size(string table) => (long)source.CreateCommand($"select pg_total_relation_size('{table}')").ExecuteScalar()!;
        var (events, index, streams) = (Size(MartenEventArchive.EventsTable), Size(MartenEventArchive.IndexTable), Size(MartenEventArchive.StreamsTable));
        Print("bytes per event: mt_events (payload)", (double)events / count, "0");
        Print("bytes per event: mt_doc_archived_event (index)", (double)index / count, "0");
        Print("bytes per event: total with mt_streams", (double)(events + index + streams) / count, "0");
        return 0;
    }

    private static List<HistoryEntry> Entries(long first, int count, DateTimeOffset at0)
    {
        var entries = new List<HistoryEntry>(count);
        for (var sequence = first; sequence < first + count; sequence++)
        {
            var at = at0.AddMilliseconds(sequence);
            var service = $"svc{sequence % 1000}";
            var task = $"task{sequence % 1000}-{sequence / 20_000}";
            var node = $"node{sequence % 10}";
            var metadata = new EventMetadata(at, sequence % 3 == 0 ? "system:scheduler" : "root", sequence % 3 == 0 ? "reconcile" : "service update", $"c{sequence / 4}", sequence % 3 == 0 ? "scheduler" : null);
            (DomainEvent Event, EventSubject Subject) made = (sequence % 5) switch
            {
                0 => (new ServiceScaled(service, sequence % 7, at), new EventSubject(SubjectKind.Service, service, service)),
                1 => (new TaskAssigned(task, node, at), new EventSubject(SubjectKind.Task, task, service, node)),
                2 => (new TaskDesiredStateChanged(task, TaskState.Running, at), new EventSubject(SubjectKind.Task, task, service, node)),
                3 => (new SecretCreated($"sec{sequence}", new SecretSpec { Name = $"s{sequence}", Labels = ImmutableDictionary<string, string>.Empty }, "sealed:v1:" + new string('A', 44), at),
                    new EventSubject(SubjectKind.Secret, $"sec{sequence}")),
                _ => (new ServiceUpdateStarted(service, at), new EventSubject(SubjectKind.Service, service, service)),
            };
            entries.Add(new HistoryEntry(new RecordedEvent(sequence, metadata, made.Event), made.Subject));
        }
        return entries;
    }

    private static async Task<int> AgentAsync(string socket, string conn, string stopCommand, string startCommand)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
            MaxConnectionsPerServer = 64,
        })
        { BaseAddress = new Uri("http://eventswarm") };
        var next = 0;
        async Task<double> Command()
        {
            var n = Interlocked.Increment(ref next);
            var sw = Stopwatch.StartNew();
            using var response = await http.PostAsJsonAsync("/v1.41/secrets/create", new { Name = $"bench-{n}", Data = "YmVuY2g=" });
            response.EnsureSuccessStatusCode();
            return sw.Elapsed.TotalMilliseconds;
        }
        async Task<List<double>> Steady(int perSecond, TimeSpan length)
        {
            var latencies = new List<double>();
            var running = new List<Task>();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
            var end = Stopwatch.StartNew();
            while (end.Elapsed < length && await timer.WaitForNextTickAsync())
                running.Add(Task.Run(async () => { var ms = await Command(); lock (latencies) latencies.Add(ms); }));
            await Task.WhenAll(running);
            latencies.Sort();
            return latencies;
        }
        static double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];

        await Command();
        // Lag commit → queryable: a reader polls the index table as a SQL user would; each new row's lag is the
        // time it became visible minus its batch time (set by the leader as it decides, just before the commit).
        await using var source = NpgsqlDataSource.Create(conn);
        using var watching = new CancellationTokenSource();
        var lags = new List<double>();
        var watcher = Task.Run(async () =>
        {
            long seen = 0;
            while (!watching.IsCancellationRequested)
            {
                try
                {
                    await using var cmd = source.CreateCommand($"select id, at from {MartenEventArchive.IndexTable} where id > $1 order by id");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = seen });
                    await using var reader = await cmd.ExecuteReaderAsync();
                    var now = DateTimeOffset.UtcNow;
                    while (await reader.ReadAsync())
                    {
                        seen = reader.GetInt64(0);
                        var at = reader.GetFieldValue<DateTimeOffset>(1);
                        lags.Add((now - at).TotalMilliseconds);
                    }
                }
                catch (NpgsqlException)
                {
                }
                await Task.Delay(2);
            }
        });
        await Task.Delay(1000);
        lags.Clear();
        var rateClock = Stopwatch.StartNew();
        var atRate = await Steady(1000, TimeSpan.FromSeconds(20));
        Print("commands/s achieved in the lag phase (target 1,000)", atRate.Count / rateClock.Elapsed.TotalSeconds, "0");
        await Task.Delay(2000);
        await watching.CancelAsync();
        await watcher;
        lags.Sort();
        Print("archive lag commit -> queryable p50 (ms)", P(lags, 0.5), "0.0");
        Print("archive lag commit -> queryable p99 (ms)", P(lags, 0.99), "0.0");

        var normal = await Steady(100, TimeSpan.FromSeconds(30));
        await Run(stopCommand);
        var outage = await Steady(100, TimeSpan.FromSeconds(30));
        var back = Stopwatch.StartNew();
        await Run(startCommand);
        Print("commit latency, archive up: p50 (ms)", P(normal, 0.5), "0.0");
        Print("commit latency, archive up: p99 (ms)", P(normal, 0.99), "0.0");
        Print("commit latency, archive down 30 s: p50 (ms)", P(outage, 0.5), "0.0");
        Print("commit latency, archive down 30 s: p99 (ms)", P(outage, 0.99), "0.0");
        Print("commit latency ratio down/up p50", P(outage, 0.5) / P(normal, 0.5), "0.00");
        Print("commit latency ratio down/up p99", P(outage, 0.99) / P(normal, 0.99), "0.00");
        var log = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/eventswarm/v1/log");
        var last = log.GetProperty("lastSequence").GetInt64();
        while (back.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                if ((long)(await source.CreateCommand($"select coalesce(max(id), 0) from {MartenEventArchive.IndexTable}").ExecuteScalarAsync())! >= last) break;
            }
            catch (NpgsqlException)
            {
            }
            await Task.Delay(50);
        }
        Print("catch-up after the outage (s, from the database's start)", back.Elapsed.TotalSeconds, "0.0");
        return 0;
    }

    private static async Task Run(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]))!;
        await process.WaitForExitAsync();
    }

    private static void Print(string figure, double value, string format) =>
        Console.WriteLine($"archive\t{figure}\t{value.ToString(format, CultureInfo.InvariantCulture)}");
}
