using System.Net;
using Docker.DotNet;

/// <summary>
/// A task's own address the host can reach, read in its container's network namespace, not from the engine: a
/// Swarm task publishing through the ingress network lists only its ingress address (10.0.0.x, inside the ingress
/// sandbox, out of the host's reach), while its docker_gwbridge address, which the host routes to, is not listed.
/// </summary>
public static class TaskAddresses
{
    /// <summary>The first address local to the process's network namespace that a route of the host covers.</summary>
    public static string? ReachableOf(long pid) => pid > 0 ? LocalAddresses(pid).FirstOrDefault(HostReaches) : null;

    /// <summary>The IPv4 addresses local to a process's network namespace: the "/32 host LOCAL" leaves of its fib_trie.</summary>
    public static IEnumerable<string> LocalAddresses(long pid)
    {
        var addresses = new List<string>();
        var last = "";
        foreach (var line in File.ReadLines($"/proc/{pid}/net/fib_trie"))
        {
            var text = line.Trim();
            if (text.StartsWith("|-- ", StringComparison.Ordinal)) last = text[4..];
            else if (text == "/32 host LOCAL" && !last.StartsWith("127.", StringComparison.Ordinal) && !addresses.Contains(last)) addresses.Add(last);
        }
        return addresses;
    }

    /// <summary>Whether a route of the host's main table (not the default one) covers the address: /proc/net/route.</summary>
    public static bool HostReaches(string? address)
    {
        if (string.IsNullOrEmpty(address) || !IPAddress.TryParse(address, out var ip)) return false;
        var value = BitConverter.ToUInt32(ip.GetAddressBytes());
        return File.ReadLines("/proc/net/route").Skip(1).Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 7 && f[1] != "00000000")
            .Any(f => (value & Convert.ToUInt32(f[7], 16)) == Convert.ToUInt32(f[1], 16));
    }
}

/// <summary>
/// The running tasks' own addresses the host can reach (<see cref="TaskAddresses"/>), re-listed in the background at
/// most once a second, so that a request loop asking for its targets never waits on the engine.
/// </summary>
public sealed class ReachableTasks(Func<Task<IReadOnlyList<long>>> pids)
{
    private volatile string[] _addresses = [];
    private DateTime _listedAt = DateTime.MinValue;

    public string[] Current()
    {
        if (DateTime.UtcNow - _listedAt > TimeSpan.FromSeconds(1))
        {
            _listedAt = DateTime.UtcNow;
            _ = Task.Run(RefreshAsync);
        }
        return _addresses;
    }

    /// <summary>Lists them now and waits, so that a loop starts with the current tasks.</summary>
    public Task RefreshNowAsync()
    {
        _listedAt = DateTime.UtcNow;
        return RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        try
        {
            var addresses = new List<string>();
            foreach (var pid in await pids())
                if (TaskAddresses.ReachableOf(pid) is { } address) addresses.Add(address);
            _addresses = [.. addresses];
        }
        catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            // Keep the last list; the next second tries again.
        }
    }
}
