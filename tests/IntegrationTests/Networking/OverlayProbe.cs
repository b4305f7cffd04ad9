using System.Text.Json;
using System.Text.RegularExpressions;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.Networking;

/// <summary>Looks at a namespace cluster's networking from inside its containers and from its API.</summary>
public sealed class OverlayProbe(NamespaceCluster cluster)
{
    private NamespaceCluster Cluster => cluster;

    /// <summary>The one container of the service on the node's engine, once it runs.</summary>
    public async Task<string> ContainerOfAsync(int node, string service)
    {
        string id = "";
        await Eventually.True(async () =>
        {
            id = (await Cluster.Engine(node, "ps", "-q", "--filter", $"label=eventswarm.service.name={service}")).Output.Trim();
            return id.Length > 0 && !id.Contains('\n');
        }, TimeSpan.FromSeconds(60), $"{service} runs on n{node}");
        return id;
    }

    public Task<CommandResult> Exec(int node, string container, params string[] command) =>
        Cluster.Engine(node, ["exec", container, .. command]);

    /// <summary>
    /// The body of an HTTP GET from inside a container, or "" when nothing answered (within 3 s). busybox nc, not
    /// wget: the static busybox's wget crashes in its libc.
    /// </summary>
    public async Task<string> HttpAsync(int node, string container, string host, int port)
    {
        var response = (await Exec(node, container, "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}")).Output;
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return response.StartsWith("HTTP/1.", StringComparison.Ordinal) && body > 0 ? response[(body + 4)..].Trim() : "";
    }

    /// <summary>The A records a container gets for a name (busybox nslookup), the DNS server's own address left out.</summary>
    public async Task<HashSet<string>> LookupAsync(int node, string container, string name)
    {
        var output = (await Exec(node, container, "nslookup", "-type=a", name)).Output;
        var answers = output[(output.IndexOf("Name:", StringComparison.Ordinal) is var i and >= 0 ? i : output.Length)..];
        return Regex.Matches(answers, @"Address:\s*(\d+\.\d+\.\d+\.\d+)").Select(m => m.Groups[1].Value).ToHashSet();
    }

    public async Task<string> VipAsync(string service)
    {
        using var json = JsonDocument.Parse((await Cluster.EventSwarm(1, "service", "inspect", service)).ShouldSucceed().Output);
        var addr = json.RootElement[0].GetProperty("Endpoint").GetProperty("VirtualIPs")[0].GetProperty("Addr").GetString()!;
        return addr.Split('/')[0];
    }

    /// <summary>The addresses of the service's running tasks on its (first) network, from the API.</summary>
    public async Task<HashSet<string>> TaskAddressesAsync(string service)
    {
        var result = await CommandResult.RunAsync("curl", ["-sf", "--max-time", "5", "--unix-socket", "/run/eventswarm-cluster/n1/eventswarm.sock",
            $"http://node/tasks?filters={Uri.EscapeDataString($"{{\"service\":{{\"{service}\":true}},\"desired-state\":{{\"running\":true}}}}")}"], new Dictionary<string, string>());
        using var json = JsonDocument.Parse(result.ShouldSucceed().Output);
        return json.RootElement.EnumerateArray()
            .Where(t => t.GetProperty("Status").GetProperty("State").GetString() == "running")
            .SelectMany(t => t.TryGetProperty("NetworksAttachments", out var attachments) && attachments.ValueKind == JsonValueKind.Array
                ? attachments.EnumerateArray().Where(a => a.GetProperty("Network").GetProperty("Spec").GetProperty("Name").GetString() != "ingress")
                    .Select(a => a.GetProperty("Addresses")[0].GetString()!.Split('/')[0])
                : [])
            .ToHashSet();
    }

    public static async Task<string> CurlAsync(int node, int port) =>
        (await CommandResult.RunAsync("curl", ["-s", "--max-time", "3", $"http://{NamespaceCluster.Address(node)}:{port}/"], new Dictionary<string, string>())).Output.Trim();
}
