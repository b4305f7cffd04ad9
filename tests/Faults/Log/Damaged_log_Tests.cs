using System.Net.Http.Json;
using EventSwarm.Infrastructure.Log;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Log;

/// <summary>
/// A real data directory: a swarm initialised by a real agent, services created through the API, the agent
/// killed. Each service carries a large env value so that the log spans two 4 MiB chunks (the damage hits a
/// "last chunk" that is not the whole log) and each create is one entry recognisable by its size.
/// </summary>
public sealed class RealDataDir : IAsyncLifetime
{
    public const int ServiceCount = 13;
    private const int EnvBytes = 460_000;

    private LocalAgent _agent = null!;
    private int _copies;
    private readonly string _root = Directory.CreateTempSubdirectory("eventswarm-logdamage-").FullName;

    public string Pristine => Path.Combine(_root, "pristine");

    /// <summary>The entries holding the service creates, in order (s1 first).</summary>
    public IReadOnlyList<long> ServiceEntries { get; private set; } = [];

    public long LastIndex { get; private set; }

    public async Task InitializeAsync()
    {
        _agent = await LocalAgent.StartSwarmAsync();
        using var http = _agent.Http();
        for (var i = 1; i <= ServiceCount; i++)
        {
            var response = await http.PostAsJsonAsync("/v1.41/services/create", new
            {
                Name = $"s{i}",
                TaskTemplate = new { ContainerSpec = new { Image = "busybox", Command = new[] { "sleep", "3600" }, Env = new[] { $"BULK={new string((char)('a' + i), EnvBytes)}" } } },
                Mode = new { Replicated = new { Replicas = 0 } },
            });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        var committed = (await _agent.LogLengthAsync()).Entries;
        var raft = Path.Combine(_agent.DataDirectory, "raft");
        // Killed once the checkpoint on disk has every committed entry: what the machine holds after a crash.
        await Eventually.True(() => Task.FromResult(LogRepair.Check(raft).CommitIndex >= committed), TimeSpan.FromSeconds(20), "the checkpoint holds the committed entries");
        await _agent.KillAsync();
        CopyDirectory(_agent.DataDirectory, Pristine);

        var check = LogRepair.Check(Path.Combine(Pristine, "raft"));
        Assert.Equal(LogCondition.Intact, check.Condition);
        LastIndex = check.LastIndex;
        var wal = LogRepair.WalDirectory(Path.Combine(Pristine, "raft"));
        ServiceEntries = Enumerable.Range(1, (int)LastIndex).Select(i => (long)i).Where(i => LogRepair.Locate(wal, i).Length > EnvBytes).ToList();
        Assert.Equal(ServiceCount, ServiceEntries.Count);
        Assert.True(File.Exists(Path.Combine(wal, "data", "1")), "the log spans two chunks");
    }

    /// <summary>A fresh copy of the real data directory; returns its data dir.</summary>
    public string Copy()
    {
        var at = Directory.CreateDirectory(Path.Combine(_root, $"copy-{Interlocked.Increment(ref _copies)}")).FullName;
        CopyDirectory(Pristine, Path.Combine(at, "data"));
        return Path.Combine(at, "data");
    }

    public static string Wal(string dataDirectory) => LogRepair.WalDirectory(Path.Combine(dataDirectory, "raft"));

    /// <summary>The byte address (over all chunks) where an entry's payload ends.</summary>
    public string EndOf(long index, string dataDirectory, out long end)
    {
        var (address, length) = LogRepair.Locate(Wal(dataDirectory), index);
        end = address + length;
        return Path.Combine(Wal(dataDirectory), "data", ((end - 1) / LogRepair.ChunkSize).ToString());
    }

    /// <summary>The services whose create entry lies wholly before a byte address of the log, by name.</summary>
    public IReadOnlyList<string> ServicesBefore(string dataDirectory, long address) =>
        ServiceEntries.Select((entry, i) => (entry, name: $"s{i + 1}"))
            .Where(s => LogRepair.Locate(Wal(dataDirectory), s.entry) is var (at, length) && at + length <= address)
            .Select(s => s.name).ToList();

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>
/// Issue 10: a damaged log stopped the node with a DotNext stack trace (exit -6). Each kind of damage, on a copy of
/// a real data directory: a torn tail is cut back to the last entry that verifies and the node starts with the
/// services up to there; damage before the tail is refused with one line naming the file, the entry and the remedies.
/// </summary>
public sealed class Damaged_log_Tests(RealDataDir real) : IClassFixture<RealDataDir>
{
    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(",", names) : "none";

    private async Task TornTailIsCutBackAsync(string @case, string data, IReadOnlyList<string> expected)
    {
        await using var agent = await DataDirAgent.StartAsync(data);
        var services = agent.Exited ? [] : (await agent.ServicesAsync()).Order(StringComparer.Ordinal).ToList();
        var cut = agent.Stdout.Split('\n').FirstOrDefault(l => l.Contains("tail was torn"))?.Trim();
        var observed = agent.Exited
            ? $"exited {agent.ExitCode}: {agent.Stderr.Split('\n')[0]}"
            : $"started; services {Names(services)}; {cut ?? "no cut logged"}";
        FaultTable.Check(@case, $"cut back and logged, node starts with services {Names(expected)}", observed,
            !agent.Exited && cut is not null && services.SequenceEqual(expected.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task Torn_tail_a_last_chunk_short_of_its_last_100_bytes_is_cut_back_and_the_node_starts()
    {
        var data = real.Copy();
        var chunk = real.EndOf(real.LastIndex, data, out var end);
        var cutAt = end - 100;
        using (var file = File.Open(chunk, FileMode.Open)) file.SetLength(cutAt % LogRepair.ChunkSize);
        await TornTailIsCutBackAsync("log: last chunk short of its last 100 written bytes", data, real.ServicesBefore(data, cutAt));

        // The log cut back is sound: it takes a write after the cut and opens again with nothing to mend.
        await using var again = await DataDirAgent.StartAsync(data);
        var created = await again.Docker("service", "create", "-d", "--name", "after-cut", "--replicas", "0", "busybox", "sleep", "1");
        await again.StopAsync();
        await using var third = await DataDirAgent.StartAsync(data);
        var listed = third.Exited ? [] : await third.ServicesAsync();
        FaultTable.Check("log: cut-back log takes a write and restarts", "service created after the cut, listed after a restart, nothing cut",
            $"create exit {created.ExitCode}; restart {(third.Exited ? $"exited {third.ExitCode}" : "started")}; after-cut {(listed.Contains("after-cut") ? "listed" : "missing")}",
            created.ExitCode == 0 && !third.Exited && listed.Contains("after-cut") && !third.Stdout.Contains("tail was torn"));
    }

    [Fact]
    public async Task Torn_tail_a_last_chunk_truncated_to_half_is_cut_back_and_the_node_starts()
    {
        var data = real.Copy();
        var chunk = real.EndOf(real.LastIndex, data, out var end);
        var written = end % LogRepair.ChunkSize;
        using (var file = File.Open(chunk, FileMode.Open)) file.SetLength(written / 2);
        await TornTailIsCutBackAsync("log: last chunk truncated to half its written bytes", data, real.ServicesBefore(data, end - written + written / 2));
    }

    [Fact]
    public async Task Torn_tail_a_last_chunk_truncated_to_zero_is_cut_back_and_the_node_starts()
    {
        var data = real.Copy();
        var chunk = real.EndOf(real.LastIndex, data, out var end);
        using (var file = File.Open(chunk, FileMode.Open)) file.SetLength(0);
        await TornTailIsCutBackAsync("log: last chunk truncated to zero", data, real.ServicesBefore(data, end - end % LogRepair.ChunkSize));
    }

    [Fact]
    public async Task Torn_tail_bytes_flipped_in_the_last_entry_are_cut_back_and_the_node_starts()
    {
        var data = real.Copy();
        Flip(data, real.LastIndex);
        await TornTailIsCutBackAsync("log: bytes flipped in the last entry", data,
            real.ServiceEntries.Select((e, i) => (e, $"s{i + 1}")).Where(s => s.e < real.LastIndex).Select(s => s.Item2).ToList());
    }

    [Fact]
    public async Task A_last_chunk_file_100_bytes_short_loses_nothing()
    {
        // `truncate -s -100` of the chunk file itself: DotNext preallocates the 4 MiB chunk and maps it, so the
        // bytes cut were never written; the map extends the file again and every entry verifies.
        var data = real.Copy();
        var chunk = real.EndOf(real.LastIndex, data, out _);
        using (var file = File.Open(chunk, FileMode.Open)) file.SetLength(file.Length - 100);
        await using var agent = await DataDirAgent.StartAsync(data);
        var services = agent.Exited ? [] : await agent.ServicesAsync();
        FaultTable.Check("log: last chunk file 100 bytes short (truncate -s -100)", $"starts, all {RealDataDir.ServiceCount} services, nothing cut",
            agent.Exited ? $"exited {agent.ExitCode}" : $"started, {services.Count} services{(agent.Stdout.Contains("tail was torn") ? ", cut" : "")}",
            !agent.Exited && services.Count == RealDataDir.ServiceCount && !agent.Stdout.Contains("tail was torn"));
    }

    [Fact]
    public async Task Bytes_flipped_in_an_old_entry_are_refused_with_one_line_naming_the_file_the_entry_and_the_remedies()
    {
        var data = real.Copy();
        var damaged = real.ServiceEntries[2];
        var file = Flip(data, damaged);
        await using var agent = await DataDirAgent.StartAsync(data);
        var lines = agent.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = lines.FirstOrDefault() ?? "";
        var ok = agent.Exited && agent.ExitCode == 3 && lines.Length == 1 && line.Contains(file) && line.Contains($"entry {damaged} ")
                 && line.Contains("eventswarm agent --recover-from-peers") && line.Contains("eventswarm agent --force-new-cluster")
                 && !(agent.Stdout + agent.Stderr).Contains("   at ") && !(agent.Stdout + agent.Stderr).Contains("Unhandled exception");
        FaultTable.Check("log: bytes flipped in an old entry", $"refused: exit 3, one stderr line naming data/{Path.GetFileName(file)} and entry {damaged} and both remedies, no stack trace",
            agent.Exited ? $"exit {agent.ExitCode}, {lines.Length} stderr line(s): {line}" : "started", ok);
    }

    [Fact]
    public async Task Force_new_cluster_on_a_lone_manager_with_an_old_entry_damaged_starts_from_the_entries_before_it()
    {
        var data = real.Copy();
        Flip(data, real.ServiceEntries[2]);
        await using (var agent = await DataDirAgent.StartAsync(data, "--force-new-cluster"))
        {
            var services = agent.Exited ? [] : (await agent.ServicesAsync()).Order(StringComparer.Ordinal).ToList();
            var created = agent.Exited ? null : await agent.Docker("service", "create", "-d", "--name", "after-force", "--replicas", "0", "busybox", "sleep", "1");
            FaultTable.Check("log: --force-new-cluster after old-entry damage", "starts as a lone leader with the services before the damage (s1,s2), takes writes",
                agent.Exited ? $"exited {agent.ExitCode}: {agent.Stderr.Split('\n')[0]}" : $"started; services {Names(services)}; create exit {created!.ExitCode}",
                !agent.Exited && services.SequenceEqual(["s1", "s2"]) && created!.ExitCode == 0);
            await agent.StopAsync();
        }
        await using var restarted = await DataDirAgent.StartAsync(data);
        FaultTable.Check("log: restart after --force-new-cluster", "starts without the flag, nothing to mend",
            restarted.Exited ? $"exited {restarted.ExitCode}: {restarted.Stderr.Split('\n')[0]}" : "started",
            !restarted.Exited && !restarted.Stdout.Contains("tail was torn"));
    }

    /// <summary>Flips 16 bytes in the middle of an entry's payload; returns the chunk file.</summary>
    private static string Flip(string data, long index)
    {
        var (address, length) = LogRepair.Locate(RealDataDir.Wal(data), index);
        var at = address + length / 2;
        var path = Path.Combine(RealDataDir.Wal(data), "data", (at / LogRepair.ChunkSize).ToString());
        using var file = File.Open(path, FileMode.Open);
        var bytes = new byte[16];
        file.Position = at % LogRepair.ChunkSize;
        file.ReadExactly(bytes);
        for (var i = 0; i < bytes.Length; i++) bytes[i] ^= 0x5A;
        file.Position = at % LogRepair.ChunkSize;
        file.Write(bytes);
        return path;
    }
}
