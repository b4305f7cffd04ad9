using System.Text.RegularExpressions;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>A field (path pattern within one kind of answer) whose comparison is relaxed, and why.</summary>
/// <param name="Scope">The kind of answer: "service", "swarm", "info", "version", "node", "task", "network", "cli", or "*".</param>
/// <param name="Pattern">Dotted path; <c>*</c> is one segment, <c>**</c> any number, <c>[]</c> any index.</param>
/// <param name="PresenceToo">False: both sides must have the field, its value may differ. True: it may be missing on one side.</param>
public sealed record Allowed(string Scope, string Pattern, string Reason, bool PresenceToo = false)
{
    private Regex Regex { get; } = new("^" + Regex.Escape(Pattern)
        .Replace(@"\*\*\.", "(?:[^.]+\\.)*").Replace(@"\*\*", ".*").Replace(@"\*", "[^.\\[]*").Replace(@"\[]", @"\[\d+]") + "$");

    public bool Matches(string scope, string path) => (Scope == "*" || Scope == scope) && Regex.IsMatch(path);
}

/// <summary>
/// THE one place naming every difference between Docker Swarm's answers and EventSwarm's that must remain, each
/// with its reason. Everything not named here is compared exactly: a new difference fails the suite.
/// </summary>
public static class Differences
{
    public static readonly IReadOnlyList<Allowed> Fields =
    [
        // Identity and time: each side makes its own.
        new("*", "**.ID", "object IDs are random per swarm"),
        new("*", "**.CreatedAt", "creation times are each side's clock"),
        new("*", "**.UpdatedAt", "update times are each side's clock"),
        new("*", "**.Version.Index", "absolute version numbers depend on each store's write count; tests check that they moved, not where to"),
        new("*", "**.NodeID", "node IDs are random per swarm"),
        new("*", "**.ServiceID", "service IDs are random per swarm"),
        new("*", "**.Status.Timestamp", "each side's clock"),

        // Addresses: the oracle lives at 10.201.0.2 in its namespace, EventSwarm's agent on loopback.
        new("*", "**.Addr", "each side's own advertise address"),
        new("*", "**.NodeAddr", "each side's own advertise address"),

        // The swarm's secrets and certificates.
        new("swarm", "JoinTokens.Worker", "tokens carry each swarm's own CA digest and secret"),
        new("swarm", "JoinTokens.Manager", "tokens carry each swarm's own CA digest and secret"),
        new("swarm", "TLSInfo.**", "each swarm's own root CA certificate and public key", PresenceToo: true),
        new("info", "Swarm.Cluster.TLSInfo.**", "each swarm's own root CA certificate and public key", PresenceToo: true),

        // The engine underneath: another build, kernel, machine and daemon.
        new("version", "**", "version strings, commits, build times and components describe each program; ApiVersion/MinAPIVersion are checked by name in SystemTests"),
        new("node", "Description.Hostname", "each engine's host name (oracle: its UTS namespace)"),
        new("node", "Description.Resources.**", "each machine's CPUs and memory as its engine reports them"),
        new("node", "Description.Engine.**", "engine version, plugins and labels of each engine", PresenceToo: true),
        new("node", "Description.TLSInfo.**", "each swarm's own root CA", PresenceToo: true),
        new("node", "ManagerStatus.Addr", "each side's own listen address"),
        new("info", "**", "/info describes each daemon (kernel, drivers, counts); only its Swarm section is compared, see info-swarm"),
        new("info-swarm", "Nodes", "each swarm's node count is compared by the tests that add nodes"),
        new("info-swarm", "Cluster.TLSInfo.**", "each swarm's own root CA", PresenceToo: true),
        new("task", "Status.ContainerStatus.**", "container IDs and PIDs of each engine", PresenceToo: true),
        new("service", "**.VirtualIPs[].Addr", "VIPs come from each side's allocator order"),
        new("service", "**.VirtualIPs[].NetworkID", "network IDs are random per swarm"),
        new("service", "Endpoint.VirtualIPs[1]", "Swarm gives a service that publishes through the routing mesh a VIP on the ingress network too (listed first, so its "
            + "own network's VIP is second); EventSwarm's mesh sends published ports straight to the tasks by DNAT and needs no ingress VIP", PresenceToo: true),
        new("service", "**.Networks[].Target", "a network attachment reads back by network ID, random per swarm"),
        new("service", "**.Secrets[].SecretID", "secret IDs are random per swarm (the stack tests' external secret, created on each side)"),
        new("service", "**.Configs[].ConfigID", "config IDs are random per swarm"),
        new("network", "IPAM.Config[].Subnet", "the default pool hands out subnets in each side's allocation order"),
        new("network", "IPAM.Config[].Gateway", "follows the subnet"),
        new("network", "Options.com.docker.network.driver.overlay.vxlanid_list", "VXLAN IDs: EventSwarm routes, it has no VXLAN", PresenceToo: true),
        new("network", "Id", "network IDs are random per swarm"),
        new("network", "Created", "creation times are each side's clock"),

        // Secrets and configs: what EventSwarm's rotation in place adds to inspect and ls (issue 12).
        new("secret", "**.DataVersion", "the version of the data, which EventSwarm rotates in place (Docker's secrets are immutable)", PresenceToo: true),
        new("secret", "**.Tasks", "the tasks that read the secret and the version each reads, for rotation (none in Docker)", PresenceToo: true),
        new("config", "**.DataVersion", "the version of the data, which EventSwarm rotates in place (Docker's configs are immutable)", PresenceToo: true),
        new("config", "**.Tasks", "the tasks that read the config and the version each reads, for rotation (none in Docker)", PresenceToo: true),

        // The docker CLI's renderings of the above.
        new("cli", "**.ID", "object IDs are random per swarm"),
        new("cli", "**.Hostname", "each engine's host name"),
        new("cli", "**.EngineVersion", "each engine's version"),
        new("cli", "**.Node", "the host name of the node a task is on"),
    ];

    /// <summary>
    /// /_ping headers EventSwarm may send that the oracle does not, and why. (Absent on EventSwarm's side, or a
    /// different value, is still a difference.)
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ExtraPingHeaders = new Dictionary<string, string>
    {
        ["Swarm"] = "Docker Engine 23+ (API 1.42) sends the node's swarm state and role here and the issue asks for it; the 20.10 oracle predates it",
    };

    /// <summary>Error paths whose status must differ from Docker's, with the code EventSwarm answers and why.</summary>
    public static readonly IReadOnlyDictionary<string, (int EventSwarmStatus, string Reason)> ErrorStatuses = new Dictionary<string, (int, string)>
    {
        ["tasks list: filters not JSON"] = (400, FiltersAre400),
        ["node ls: filters not JSON"] = (400, FiltersAre400),
        ["network ls: filters not JSON"] = (400, FiltersAre400),
        ["task ls: a filter's values a string"] = (400, FiltersAre400),
        ["node ls: filters not an object"] = (400, FiltersAre400),
        ["network ls: a filter's values neither a set nor strings"] = (400, FiltersAre400),
        ["service create: Content-Type text/plain"] = (400,
            "Docker 23+ refuses a body not declared application/json on every JSON route (httputils.ReadJSON, moby 0c9ff0b); the 20.10 oracle checks "
            + "it on its network, container and volume routes only and reads any body on its swarm routes. Issue 10 asks for the refusal"),
        ["network create: subnet overlapping another network's"] = (409,
            "EventSwarm routes every task address on every node (no VXLAN), so two networks sharing addresses would be ambiguous; Swarm's overlays are isolated and allow it"),
    };

    private const string FiltersAre400 =
        "malformed filters are the client's mistake: Docker 25+ answers 400 \"invalid filter\" on every list (daemon/internal/filters FromJSON); "
        + "20.10 passes Go's JSON error on as 500 on the task, node and network lists (400 on the service list). Issue 10 asks for a 4xx";

    /// <summary>Error paths whose message is not compared (the status is), and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> ErrorMessages = new Dictionary<string, string>
    {
        ["service create: malformed JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["service create: negative replicas"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["service create: negative update parallelism"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["service update: malformed JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["swarm init: malformed JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["tasks list: filters not JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["service ls: filters not JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["node ls: filters not JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["network ls: filters not JSON"] = "the JSON parser's own wording (Go encoding/json vs System.Text.Json)",
        ["service ls: a filter's values neither a set nor strings"] = "Go's JSON error (\"json: cannot unmarshal …\") against one naming the filter and its value",
        ["service ls: filters not an object"] = "Go's JSON error (\"json: cannot unmarshal …\") against one naming what filters must be",
        ["task ls: a filter's values a string"] = "Go's JSON error (\"json: cannot unmarshal …\") against one naming the filter and its value",
        ["node ls: filters not an object"] = "Go's JSON error (\"json: cannot unmarshal …\") against one naming what filters must be",
        ["network ls: a filter's values neither a set nor strings"] = "Go's JSON error (\"json: cannot unmarshal …\") against one naming the filter and its value",
        ["task inspect: a prefix several tasks share"] = "the prefix and the number of matches come from each side's random IDs (the words, \"task P is ambiguous (N matches found)\", are checked by the fault suite)",
        ["service inspect: a prefix several services share"] = "the prefix and the number of matches come from each side's random IDs (the words are checked by the fault suite)",
        ["service rm: a prefix several services share"] = "the prefix and the number of matches come from each side's random IDs (the words are checked by the fault suite)",
    };

    /// <summary>
    /// A message as both sides should word it: without swarmkit's gRPC envelope ("rpc error: code = X desc = "),
    /// which is transport, with "docker" for the CLI's name, and with each side's own IDs and names replaced by
    /// placeholders. EventSwarm's message may add detail around Docker's: Docker's must appear in it.
    /// </summary>
    public static string NormaliseMessage(string message, IReadOnlyDictionary<string, string> substitutions)
    {
        var m = Regex.Replace(message, @"rpc error: code = \w+ desc = ", "");
        m = m.Replace("eventswarm", "docker").Replace("EventSwarm", "Docker");
        foreach (var (value, placeholder) in substitutions.OrderByDescending(s => s.Key.Length))
            if (value.Length > 0) m = m.Replace(value, placeholder);
        return m.Trim().TrimEnd('.');
    }

    public static Allowed? FieldRule(string scope, string path) => Fields.FirstOrDefault(f => f.Matches(scope, path));
}
