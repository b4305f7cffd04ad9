using System.Globalization;
using System.Net.Http.Json;
using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Archive;
using EventSwarm.Infrastructure.Log.History;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Archive;

/// <summary>
/// `eventswarm agent --archive` for real: the leader copies its log into a PostgreSQL of the test's own, which the
/// test stops and starts. The archive is compared with the log the agent kept on disk (its history files).
/// </summary>
public sealed class Archive_agent_Tests
{
    private const string Password = "not-to-be-printed-7f3a";

    [Fact]
    public async Task After_10000_commands_with_the_database_stopped_30_s_in_the_middle_the_archive_equals_the_log()
    {
        await using var server = await ThrowawayPostgres.OwnAsync();
        var connection = await server.CreateDatabaseAsync();
        await using var agent = await LocalAgent.StartSwarmAsync("--archive", connection);
        using var http = agent.Http();

        var sent = 0;
        var failures = new List<string>();
        async Task Client()
        {
            // Cheap commands, each its own decision in the log: secret creates (their data sealed before the log).
            while (Interlocked.Increment(ref sent) is var n && n <= 10_000)
            {
                using var response = await http.PostAsJsonAsync("/v1.41/secrets/create",
                    new { Name = $"archive-{n}", Data = Convert.ToBase64String(BitConverter.GetBytes(n)) });
                if (response.IsSuccessStatusCode) continue;
                var body = await response.Content.ReadAsStringAsync();
                lock (failures) failures.Add($"{n}: {(int)response.StatusCode} {body}");
            }
        }
        var load = Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Client)));
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref sent) >= 3000 || load.IsCompleted), TimeSpan.FromSeconds(120), "3,000 commands sent");
        await server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(30));
        Assert.False(load.IsFaulted, load.Exception?.ToString());
        await server.StartAsync();
        await load.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.Empty(failures);

        var (_, last) = await agent.LogLengthAsync();
        Assert.True(last >= 10_000, $"the log holds {last} events");
        await Eventually.True(async () => await MetricAsync(agent, "eventswarm_archive_archived_sequence") >= last, TimeSpan.FromMinutes(2), $"the archive holds the log through {last}");
        Assert.Equal(1, await MetricAsync(agent, "eventswarm_archive_up"));
        Assert.True(await MetricAsync(agent, "eventswarm_archive_errors_total") > 0, "the outage was seen");

        await AssertArchiveEqualsLogAsync(agent, connection);
    }

    [Fact]
    public async Task An_unreachable_archive_at_start_is_a_warning_the_node_serves_and_the_archive_catches_up_when_the_database_appears()
    {
        await using var server = await ThrowawayPostgres.OwnAsync();
        var connection = await server.CreateDatabaseAsync() + $";Password={Password}";
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;
        await server.StopAsync();
        await using var agent = await LocalAgent.StartSwarmAsync("--archive", connection);

        (await agent.Docker("node", "ls")).ShouldSucceed();
        using (var http = agent.Http())
            for (var i = 0; i < 5; i++)
                (await http.PostAsJsonAsync("/v1.41/secrets/create", new { Name = $"early-{i}", Data = Convert.ToBase64String([(byte)i]) })).EnsureSuccessStatusCode();
        await Eventually.True(() => Task.FromResult(agent.AgentLog.Contains("unreachable at start")), TimeSpan.FromSeconds(30), "the agent warns of the archive");
        var warning = agent.AgentLog.Split('\n').SkipWhile(l => !l.Contains("unreachable at start")).Take(2);
        Assert.Contains($"127.0.0.1:{server.Port}", string.Join(' ', warning));
        Assert.Contains(database, string.Join(' ', warning));
        Assert.DoesNotContain(Password, agent.AgentLog);
        Assert.Equal(0, await MetricAsync(agent, "eventswarm_archive_up"));

        await server.StartAsync();
        var (_, last) = await agent.LogLengthAsync();
        await Eventually.True(async () => await MetricAsync(agent, "eventswarm_archive_archived_sequence") >= last, TimeSpan.FromSeconds(60), $"the archive holds the log through {last}");
        (await agent.Docker("service", "ls")).ShouldSucceed();

        await AssertArchiveEqualsLogAsync(agent, connection);
    }

    /// <summary>Stops the agent and compares, in order, the archive with the history the agent kept on disk.</summary>
    private static async Task AssertArchiveEqualsLogAsync(LocalAgent agent, string connection)
    {
        await agent.KillAsync();
        List<HistoryEntry> log;
        using (var history = EventHistoryStore.Open(EventHistoryStore.DirectoryOf(Path.Combine(agent.DataDirectory, "raft"))))
            log = history.Read(new EventSelection()).ToList();
        await using var archive = new MartenEventArchive(connection);
        var archived = await archive.ReadAllAsync();
        Assert.Equal(log.Count, archived.Count);
        Assert.Equal(SampleHistory.Digest(log), SampleHistory.Digest(archived));
        Assert.Equal(log.Select(SampleHistory.Json), archived.Select(SampleHistory.Json));
    }

    private static async Task<double> MetricAsync(LocalAgent agent, string name)
    {
        using var http = agent.Http();
        var text = await http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
