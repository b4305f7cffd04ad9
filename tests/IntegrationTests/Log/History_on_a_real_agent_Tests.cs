using System.Text;
using System.Text.Json;
using EventSwarm.Application.Log;
using EventSwarm.Domain.Nodes;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Log.History;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Log;

/// <summary>
/// A real agent whose log is snapshotted every few entries (so DotNext drops the WAL behind them), killed with
/// SIGKILL and started again: its history on disk still holds every event from index 1, equal to the log.
/// </summary>
public sealed class History_on_a_real_agent_Tests
{
    private static readonly Dictionary<string, string> SmallSnapshots = new()
    {
        ["EVENTSWARM_SNAPSHOT_EVERY"] = "4",
        ["EVENTSWARM_HISTORY_CHECKPOINT_EVERY"] = "10",
    };

    [Fact]
    public async Task After_snapshots_compacted_the_log_and_a_kill_9_the_history_holds_every_event_from_index_1_equal_to_the_log()
    {
        await using var agent = await LocalAgent.StartSwarmAsync(SmallSnapshots);
        const string plaintext = "history-plaintext-marker-5f1c";
        var secretFile = Path.Combine(agent.DataDirectory, "..", "pw.txt");
        await File.WriteAllTextAsync(secretFile, plaintext);
        (await agent.Docker("secret", "create", "pw", secretFile)).ShouldSucceed();
        File.Delete(secretFile);
        for (var i = 0; i < 12; i++)
            (await agent.Docker("node", "update", "--label-add", $"k{i}=v{i}", agent.NodeId)).ShouldSucceed();

        await agent.KillAsync();
        await agent.StartProcessAsync();
        for (var i = 12; i < 24; i++)
            (await agent.Docker("node", "update", "--label-add", $"k{i}=v{i}", agent.NodeId)).ShouldSucceed();
        (await agent.Docker("network", "create", "-d", "overlay", "history-net")).ShouldSucceed();

        var (events, digest) = await SettledLogAsync(agent);
        var tail = await RecentEventsAsync(agent);
        await agent.KillAsync();

        var raft = Path.Combine(agent.DataDirectory, "raft");
        Assert.True(LogRepair.SnapshotIndex(raft) > 20, $"snapshots compacted the log (last snapshot at entry {LogRepair.SnapshotIndex(raft)})");
        using var history = EventHistoryStore.Open(EventHistoryStore.DirectoryOf(raft));
        var held = history.Read(new EventSelection()).ToList();
        Assert.Equal(1, history.FirstSequence);
        Assert.True(history.LastSequence >= events, $"history holds {history.LastSequence} events, the log {events}");
        Assert.Equal(Enumerable.Range(1, (int)history.LastSequence).Select(i => (long)i), held.Select(e => e.Sequence));
        Assert.Equal(digest, StateDigest.Of(history.StateAt(events)));
        // The events the agent applied since its restart, as it reports them: the same, in the same order.
        Assert.Equal(tail, held.Where(e => e.Sequence >= tail[0].Sequence && e.Sequence <= tail[^1].Sequence).Select(e => (e.Sequence, EventJson.NameOf(e.Recorded.Event))));
        // Every label added, in the order the commands ran.
        var labels = held.Select(e => e.Recorded.Event).OfType<NodeLabelsChanged>().Select(e => e.Labels.Count).ToList();
        Assert.Equal(Enumerable.Range(1, 24), labels);
        Assert.Contains(held, e => e.Recorded.Event is Domain.Secrets.SecretCreated);
        // The secret's data is sealed in the history as in the log: its plaintext is in no file.
        foreach (var file in Directory.EnumerateFiles(EventHistoryStore.DirectoryOf(raft), "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            var text = file.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(bytes) : Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain(plaintext, text);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext)), text);
        }
    }

    private static string Gunzip(byte[] bytes)
    {
        using var zip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    /// <summary>The log's length and state digest, read twice the same (no control loop appending in between).</summary>
    private static async Task<(long Events, string Digest)> SettledLogAsync(LocalAgent agent)
    {
        (long, string) previous = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var http = agent.Http();
            using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/log"));
            var now = (json.RootElement.GetProperty("lastSequence").GetInt64(), json.RootElement.GetProperty("stateDigest").GetString()!);
            if (now == previous) return now;
            previous = now;
            await Task.Delay(200);
        }
        throw new TimeoutException("the log kept moving");
    }

    private static async Task<List<(long Sequence, string Type)>> RecentEventsAsync(LocalAgent agent)
    {
        using var http = agent.Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/events"));
        return [.. json.RootElement.EnumerateArray().Select(e => (e.GetProperty("sequence").GetInt64(), e.GetProperty("type").GetString()!))];
    }
}
