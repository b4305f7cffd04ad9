using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>
/// Looks at where a namespace cluster keeps secrets: each node's secret tmpfs (the worker's, beside its socket:
/// <c>/run/eventswarm-cluster/nK/eventswarm.secrets/&lt;task&gt;/&lt;secret&gt;-v&lt;version&gt;</c>), the containers that
/// read them, the API, and everything on the nodes' disks where a plaintext must never be.
/// </summary>
public sealed class SecretsProbe(NamespaceCluster cluster)
{
    private static readonly string EventSwarmDll = Path.Combine(AppContext.BaseDirectory, "eventswarm.dll");

    public static string Socket(int node) => $"/run/eventswarm-cluster/n{node}/eventswarm.sock";

    /// <summary>The tmpfs the node's agent keeps its tasks' secrets in.</summary>
    public static string SecretsTmpfs(int node) => $"/run/eventswarm-cluster/n{node}/eventswarm.secrets";

    /// <summary>The node's agent output (ops/cluster.sh writes it anew each time the agent starts).</summary>
    public static string AgentLog(int node) => $"/run/eventswarm-cluster/n{node}/agent.log";

    /// <summary>The secret files the node holds now, by path, with their content (none when the tmpfs is not there).</summary>
    public static IReadOnlyDictionary<string, string> SecretFiles(int node) =>
        Directory.Exists(SecretsTmpfs(node))
            ? Directory.EnumerateFiles(SecretsTmpfs(node), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText)
            : new Dictionary<string, string>();

    /// <summary>True when the node's tmpfs holds a file of the task (its directory is named for the task).</summary>
    public static bool HoldsFilesOf(int node, string taskId) =>
        Directory.Exists(Path.Combine(SecretsTmpfs(node), taskId)) && Directory.EnumerateFiles(Path.Combine(SecretsTmpfs(node), taskId)).Any();

    /// <summary>A running container of the service on whichever node runs one, once one runs (bounded).</summary>
    public async Task<(int Node, string Container, string TaskId)> RunningTaskAsync(string service, TimeSpan within)
    {
        (int, string, string) found = default;
        await Eventually.True(async () =>
        {
            foreach (var node in Enumerable.Range(1, cluster.Nodes))
            {
                var ids = (await cluster.Engine(node, "ps", "-q", "--filter", $"label=eventswarm.service.name={service}")).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (ids.Length == 0) continue;
                var task = (await cluster.Engine(node, "inspect", "-f", "{{index .Config.Labels \"eventswarm.task.id\"}}", ids[0])).Output.Trim();
                found = (node, ids[0], task);
                return true;
            }
            return false;
        }, within, $"a task of {service} runs");
        return found;
    }

    /// <summary>Every running container of the service, with its node.</summary>
    public async Task<IReadOnlyList<(int Node, string Container)>> RunningContainersAsync(string service)
    {
        var all = new List<(int, string)>();
        foreach (var node in Enumerable.Range(1, cluster.Nodes))
            all.AddRange((await cluster.Engine(node, "ps", "-q", "--filter", $"label=eventswarm.service.name={service}")).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(id => (node, id)));
        return all;
    }

    /// <summary>The body of a GET on the node's API (curl over its socket), "" when it does not answer.</summary>
    public static async Task<string> GetAsync(int node, string path) =>
        (await CommandResult.RunAsync("curl", ["-s", "--max-time", "10", "--unix-socket", Socket(node), $"http://node{path}"], new Dictionary<string, string>())).Output;

    public static async Task<JsonElement> GetJsonAsync(int node, string path)
    {
        using var json = JsonDocument.Parse(await GetAsync(node, path));
        return json.RootElement.Clone();
    }

    /// <summary>Runs a command line with what <paramref name="stdin"/> prints piped in, as a user types `echo x | docker secret create y -`.</summary>
    public static Task<CommandResult> Piped(string stdin, string host, string cli, params string[] args)
    {
        var command = cli == "docker" ? "docker" : $"dotnet {Quote(EventSwarmDll)} --host {Quote(host)}";
        return CommandResult.RunAsync("bash", ["-c", $"printf '%s' {Quote(stdin)} | {command} {string.Join(' ', args.Select(Quote))}"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = host });
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Where a needle occurs in the files under a directory, binary files included; <paramref name="skip"/> leaves subtrees out.</summary>
    public static IEnumerable<string> FilesContaining(string directory, IReadOnlyList<string> needles, Func<string, bool>? skip = null)
    {
        if (!Directory.Exists(directory)) yield break;
        var patterns = needles.Select(n => (Text: n, Bytes: Encoding.UTF8.GetBytes(n))).ToList();
        var pending = new Stack<string>([directory]);
        while (pending.TryPop(out var dir))
        {
            if (skip?.Invoke(dir) == true) continue;
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (!new DirectoryInfo(sub).Attributes.HasFlag(FileAttributes.ReparsePoint)) pending.Push(sub);
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                byte[] bytes;
                try
                {
                    var info = new FileInfo(file);
                    // FIFOs, sockets and devices have no size (and reading a FIFO would wait forever); an empty file holds nothing.
                    if (info.Attributes.HasFlag(FileAttributes.ReparsePoint) || info.Length == 0) continue;
                    bytes = File.ReadAllBytes(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    continue; // sockets and other special files: no content of their own
                }
                foreach (var (text, pattern) in patterns)
                    if (bytes.AsSpan().IndexOf(pattern) >= 0) yield return $"{file} holds \"{text}\"";
            }
        }
    }

    /// <summary>A plaintext and the forms it travels in over the API: its base64 with and without the newline echo adds.</summary>
    public static IReadOnlyList<string> FormsOf(string plaintext) =>
    [
        plaintext,
        Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext)).TrimEnd('='),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext + "\n")).TrimEnd('='),
    ];
}
