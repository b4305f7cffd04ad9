using System.Runtime.InteropServices;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Access;

/// <summary>
/// Local users and the agent's files: the socket is root's (0600) unless `--group NAME` shares it as docker.sock's
/// root:docker 0660, every connection's kernel credentials are checked again, and the data dir (the log holds
/// service specs and their env values) is owner-only from the first file on, whatever umask the agent started under.
/// </summary>
public sealed class Local_users_Tests
{
    private const UnixFileMode GroupAndOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    [Fact]
    public async Task Without_group_only_root_is_served_and_a_socket_loosened_by_hand_still_refuses_others()
    {
        await LocalUser.EnsureUserAsync();
        await using var agent = await LocalAgent.StartSwarmAsync();
        LocalUser.OpenPathTo(agent);
        var socket = await LocalUser.StatAsync(agent.Socket);
        var denied = await LocalUser.CurlAsync(agent.Socket, "/_ping");
        FaultTable.Check("non-root user on the socket, no --group", "socket root:root 0600; connect refused by the kernel (curl exit 7)",
            $"socket {socket}; curl exit {denied.Exit}, status {denied.Status}", socket == "0:0:600" && denied.Exit == 7 && denied.Status == 0);

        // Defence in depth: with the mode opened by hand, the agent's own check of SO_PEERCRED still refuses.
        File.SetUnixFileMode(agent.Socket, (UnixFileMode)0b110_110_110);
        var before = await agent.LogLengthAsync();
        var refused = await LocalUser.CurlAsync(agent.Socket, "/networks/create", postJson: """{"Name":"by-stranger","Driver":"overlay"}""");
        var ping = await LocalUser.CurlAsync(agent.Socket, "/_ping");
        var after = await agent.LogLengthAsync();
        FaultTable.Check("non-root user on a socket chmod 0666 by hand", "403 {\"message\": \"permission denied … only root may …\"}, log length unchanged",
            $"create {refused.Status} {refused.Body}; ping {ping.Status}; log {before} → {after}",
            refused.Status == 403 && refused.Body.Contains("only root may") && ping.Status == 403 && after == before);
    }

    [Fact]
    public async Task With_group_its_members_are_served_and_recorded_by_their_own_uid_and_others_are_refused()
    {
        var user = await LocalUser.EnsureUserAsync();
        var gid = await LocalUser.EnsureGroupAsync();
        await using var agent = await LocalAgent.StartSwarmAsync("--group", LocalUser.GroupName);
        LocalUser.OpenPathTo(agent);
        var socket = await LocalUser.StatAsync(agent.Socket);
        var created = await LocalUser.CurlAsync(agent.Socket, "/v1.41/networks/create", gid, """{"Name":"by-member","Driver":"overlay"}""");
        var actors = await NodeClients.ActorsAsync(agent);
        var expected = $"unix:{user}(uid={LocalUser.Uid},pid=";
        FaultTable.Check($"member of --group {LocalUser.GroupName} (uid {LocalUser.Uid})", $"socket root:{LocalUser.GroupName} 0660; served (201); recorded as {expected}…)",
            $"socket {socket}; {created.Status}; recorded: {actors.Any(a => a.StartsWith(expected))}",
            socket == $"0:{gid}:660" && created.Status == 201 && actors.Any(a => a.StartsWith(expected)));

        var before = await agent.LogLengthAsync();
        var outsider = await LocalUser.CurlAsync(agent.Socket, "/networks/create", postJson: """{"Name":"by-outsider","Driver":"overlay"}""");
        File.SetUnixFileMode(agent.Socket, (UnixFileMode)0b110_110_110);
        var loosened = await LocalUser.CurlAsync(agent.Socket, "/networks/create", postJson: """{"Name":"by-outsider","Driver":"overlay"}""");
        var after = await agent.LogLengthAsync();
        FaultTable.Check("same uid outside the group, with --group (then the socket chmod 0666 by hand)",
            "connect refused (curl exit 7); then 403 naming the group; log length unchanged",
            $"curl exit {outsider.Exit}; then {loosened.Status} {loosened.Body}; log {before} → {after}",
            outsider.Exit == 7 && loosened.Status == 403 && loosened.Body.Contains($"members of group {LocalUser.GroupName}") && after == before);
    }

    [Fact]
    public async Task The_socket_and_the_data_dir_are_owner_only_from_their_first_instant_even_under_umask_000()
    {
        var saved = Umask(0);
        try
        {
            await using var agent = await LocalAgent.StartSwarmAsync();
            (await agent.Docker("service", "create", "--detach", "--name", "secret-env", "--replicas", "0", "--env", "PASSWORD=hunter2", "busybox", "true")).ShouldSucceed();
            var open = OpenEntries(agent.DataDirectory, out var checkedEntries);
            var dataDir = File.GetUnixFileMode(agent.DataDirectory);
            FaultTable.Check("data dir of an agent started under umask 000", "data dir 0700, every file and directory in it owner-only",
                $"data dir {Octal(dataDir)}; {checkedEntries} entries, open to others: {(open.Count == 0 ? "none" : string.Join(", ", open))}",
                dataDir == (UnixFileMode)0b111_000_000 && open.Count == 0 && checkedEntries > 5);

            // Restarted under umask 000, with the socket watched from before it exists to after it answers: every
            // mode it ever shows must keep group and others out (the old agent's socket was 0777 for ~8 ms).
            await agent.KillAsync();
            File.Delete(agent.Socket);
            var seen = new HashSet<UnixFileMode>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var watcher = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var mode = File.GetUnixFileMode(agent.Socket);
                        lock (seen) seen.Add(mode);
                    }
                    catch (IOException)
                    {
                    }
                }
            })
            { IsBackground = true };
            watcher.Start();
            await agent.StartProcessAsync();
            await stop.CancelAsync();
            watcher.Join();
            var final = await LocalUser.StatAsync(agent.Socket);
            FaultTable.Check("socket modes seen from its bind() on, agent started under umask 000", "never open to group or others; finally root:root 0600",
                $"{string.Join(", ", seen.Select(Octal))}; finally {final}",
                seen.Count > 0 && seen.All(m => (m & GroupAndOther) == 0) && final == "0:0:600");
        }
        finally
        {
            _ = Umask(saved);
        }
    }

    [Fact]
    public async Task A_data_dir_left_open_is_narrowed_at_start_with_a_warning()
    {
        await using var agent = await LocalAgent.StartSwarmAsync();
        await agent.KillAsync();
        const UnixFileMode worldReadableDirectory = (UnixFileMode)0b111_101_101, worldReadableFile = (UnixFileMode)0b110_100_100;
        File.SetUnixFileMode(agent.DataDirectory, worldReadableDirectory);
        File.SetUnixFileMode(Path.Combine(agent.DataDirectory, "node-id"), worldReadableFile);
        File.SetUnixFileMode(Path.Combine(agent.DataDirectory, "certificates"), worldReadableDirectory);
        File.SetUnixFileMode(Path.Combine(agent.DataDirectory, "certificates", "ca.key"), worldReadableFile);
        var opened = OpenEntries(agent.DataDirectory, out _).Count;

        await agent.StartProcessAsync();
        var open = OpenEntries(agent.DataDirectory, out _);
        var dataDir = File.GetUnixFileMode(agent.DataDirectory);
        var warned = agent.AgentLog.Contains("check file permission: data dir") && agent.AgentLog.Contains("the recommended permission is 0700")
            && agent.AgentLog.Contains("ca.key (0644)");
        var serves = (await agent.Docker("node", "ls")).ExitCode == 0;
        FaultTable.Check("data dir 0755 with a 0644 CA key, at start", "narrowed to 0700 / owner-only, warned in the log (as etcd's check), the node starts",
            $"{opened} entries open before, {open.Count} after; data dir {Octal(dataDir)}; warned: {warned}; serves: {serves}",
            opened == 3 && open.Count == 0 && dataDir == (UnixFileMode)0b111_000_000 && warned && serves);
    }

    [Fact]
    public async Task An_unknown_group_stops_the_agent_at_start_with_one_clear_line()
    {
        var root = Directory.CreateTempSubdirectory("eventswarm-group-").FullName;
        try
        {
            var socket = Path.Combine(root, "eventswarm.sock");
            var result = await CommandResult.RunAsync("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "eventswarm.dll"), "agent", "--data-dir", Path.Combine(root, "data"), "--socket", socket, "--group", "no-such-group-here"],
                new Dictionary<string, string>());
            var first = result.Error.Split('\n')[0];
            FaultTable.Check("agent --group NAME with no such group", "exit 2, \"eventswarm agent: group no-such-group-here not found\", no socket",
                $"exit {result.ExitCode}, \"{first}\", socket: {File.Exists(socket)}",
                result.ExitCode == 2 && first == "eventswarm agent: group no-such-group-here not found" && !File.Exists(socket));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Entries of the data dir that group or others may use (symbolic links are not followed).</summary>
    private static List<string> OpenEntries(string dataDirectory, out int count)
    {
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var entries = Directory.EnumerateFileSystemEntries(dataDirectory, "*", walk).ToList();
        count = entries.Count;
        return entries.Where(e => (File.GetUnixFileMode(e) & GroupAndOther) != 0)
            .Select(e => $"{Path.GetRelativePath(dataDirectory, e)} {Octal(File.GetUnixFileMode(e))}").ToList();
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111_111, 8);
}
