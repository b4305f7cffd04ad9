using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Access;

/// <summary>
/// A real non-root user of this machine (uid 4242, created with useradd when absent) and a group for
/// `eventswarm agent --group`, and curl run as that user through setpriv — with the group among its supplementary
/// groups or with none — against an agent's unix socket.
/// </summary>
internal static class LocalUser
{
    public const int Uid = 4242;
    public const string GroupName = "eventswarm-faults";

    public static async Task<string> EnsureUserAsync()
    {
        var existing = await CommandResult.RunAsync("getent", ["passwd", Uid.ToString()], new Dictionary<string, string>());
        if (existing.ExitCode != 0)
            (await CommandResult.RunAsync("useradd", ["--uid", Uid.ToString(), "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin", "eventswarm-fault"],
                new Dictionary<string, string>())).ShouldSucceed();
        return (await CommandResult.RunAsync("getent", ["passwd", Uid.ToString()], new Dictionary<string, string>())).ShouldSucceed().Output.Split(':')[0];
    }

    public static async Task<int> EnsureGroupAsync()
    {
        if ((await CommandResult.RunAsync("getent", ["group", GroupName], new Dictionary<string, string>())).ExitCode != 0)
            (await CommandResult.RunAsync("groupadd", [GroupName], new Dictionary<string, string>())).ShouldSucceed();
        return int.Parse((await CommandResult.RunAsync("getent", ["group", GroupName], new Dictionary<string, string>())).ShouldSucceed().Output.Split(':')[2]);
    }

    /// <summary>curl as uid 4242; the answer's status code is the last line ("000" when it could not connect).</summary>
    public static async Task<(int Exit, int Status, string Body)> CurlAsync(string socket, string path, int? group = null, string? postJson = null)
    {
        List<string> args = [$"--reuid={Uid}", $"--regid={Uid}", group is { } g ? $"--groups={g}" : "--clear-groups",
            "curl", "-s", "-w", "\n%{http_code}", "--unix-socket", socket];
        if (postJson is not null) args.AddRange(["-X", "POST", "-H", "Content-Type: application/json", "-d", postJson]);
        args.Add($"http://localhost{path}");
        var result = await CommandResult.RunAsync("setpriv", args, new Dictionary<string, string>());
        var lines = result.Output.TrimEnd('\n').Split('\n');
        return (result.ExitCode, int.TryParse(lines[^1], out var status) ? status : -1, string.Join('\n', lines[..^1]));
    }

    /// <summary>
    /// LocalAgent keeps its socket in a private temp dir (0700): let others through it (not read it), as /run is,
    /// so that the socket's own mode and the agent's check are what decide.
    /// </summary>
    public static void OpenPathTo(LocalAgent agent) =>
        File.SetUnixFileMode(Path.GetDirectoryName(agent.Socket)!,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    /// <summary>Owner uid, group gid and octal mode, as stat prints them.</summary>
    public static async Task<string> StatAsync(string path) =>
        (await CommandResult.RunAsync("stat", ["-c", "%u:%g:%a", path], new Dictionary<string, string>())).ShouldSucceed().Output.Trim();
}
