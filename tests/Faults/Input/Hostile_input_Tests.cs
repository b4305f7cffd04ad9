using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Input;

/// <summary>
/// One agent in a swarm for every hostile-input case: an overlay network a crossed route could remove, a service
/// whose 37 tasks stay pending (37 IDs over a 36-character alphabet: two share a first character), and services
/// until two of their IDs share a first character too.
/// </summary>
public sealed class HostileInputAgent : IAsyncLifetime
{
    private const string Service = """{"Name":"x","Mode":{"Replicated":{"Replicas":0}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}}""";

    public LocalAgent Agent { get; private set; } = null!;

    /// <summary>A first character that several task IDs share, and how many.</summary>
    public (string Prefix, int Count) SharedTaskPrefix { get; private set; }

    /// <summary>A first character that several service IDs share, and how many.</summary>
    public (string Prefix, int Count) SharedServicePrefix { get; private set; }

    public async Task InitializeAsync()
    {
        Agent = await LocalAgent.StartSwarmAsync();
        using var http = Agent.Http();
        (await Raw.SendAsync(Agent, "POST", "/v1.41/networks/create", """{"Name":"victim","Driver":"overlay"}""")).ShouldBe(201);
        // No node has the label: the tasks are created and stay pending, no container runs.
        (await Raw.SendAsync(Agent, "POST", "/v1.41/services/create", """
            {"Name":"pending","Mode":{"Replicated":{"Replicas":37}},
             "TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Placement":{"Constraints":["node.labels.never==1"]}}}
            """)).ShouldBe(201);
        await Eventually.True(async () => (await Ids(http, "/v1.41/tasks")).Count >= 37, TimeSpan.FromSeconds(30), "37 pending tasks exist");
        SharedTaskPrefix = MostShared(await Ids(http, "/v1.41/tasks"));
        // 37 services at most, by the same pigeonhole.
        for (var i = 0; MostShared(await Ids(http, "/v1.41/services")).Count < 2 && i < 37; i++)
            (await Raw.SendAsync(Agent, "POST", "/v1.41/services/create",
                Service.Replace("\"x\"", $"\"idle{i}\""))).ShouldBe(201);
        SharedServicePrefix = MostShared(await Ids(http, "/v1.41/services"));
    }

    public async Task DisposeAsync() => await Agent.DisposeAsync();

    private static async Task<List<string>> Ids(HttpClient http, string path)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(path));
        return [.. json.RootElement.EnumerateArray().Select(e => e.GetProperty("ID").GetString()!)];
    }

    private static (string Prefix, int Count) MostShared(List<string> ids) =>
        ids.GroupBy(id => id[..1]).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).FirstOrDefault(("", 0));
}

/// <summary>
/// Hostile or careless HTTP input on the Docker API (issue 10): each is refused with a 4xx and Docker's
/// <c>{"message": …}</c> naming the problem, and the log does not grow by a single entry. Requests are written
/// byte for byte on the socket, so paths reach the agent exactly as an attacker writes them.
/// </summary>
public sealed class Hostile_input_Tests(HostileInputAgent fixture) : IClassFixture<HostileInputAgent>
{
    private const string Service = """{"Name":"x","Mode":{"Replicated":{"Replicas":0}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox"}}}""";

    /// <summary>A case: the request, and the status and the words of the message it must be answered with.</summary>
    private sealed record Case(string Name, string Method, Func<HostileInputAgent, string> Target, string? Body, int Status, Func<HostileInputAgent, string> Message,
        string ContentType = "application/json");

    private static string Filters(string json) => Uri.EscapeDataString(json);

    private static readonly Case[] Cases =
    [
        .. new[] { "services", "tasks", "nodes", "networks" }.SelectMany(list => new Case[]
        {
            new($"{list} ls: filters={{\"id\":[1]}}", "GET", _ => $"/v1.41/{list}?filters={Filters("""{"id":[1]}""")}", null, 400, _ => "invalid filter 'id'"),
            new($"{list} ls: filters=[1]", "GET", _ => $"/v1.41/{list}?filters={Filters("[1]")}", null, 400, _ => "invalid filter: filters must be a JSON object"),
            new($"{list} ls: filters={{\"id\":\"x\"}}", "GET", _ => $"/v1.41/{list}?filters={Filters("""{"id":"x"}""")}", null, 400, _ => "invalid filter 'id'"),
        }),
        new("task inspect: a prefix several tasks share", "GET", f => $"/v1.41/tasks/{f.SharedTaskPrefix.Prefix}", null, 400,
            f => $"task {f.SharedTaskPrefix.Prefix} is ambiguous ({f.SharedTaskPrefix.Count} matches found)"),
        new("service inspect: a prefix several services share", "GET", f => $"/v1.41/services/{f.SharedServicePrefix.Prefix}", null, 400,
            f => $"service {f.SharedServicePrefix.Prefix} is ambiguous ({f.SharedServicePrefix.Count} matches found)"),
        new("service rm: a prefix several services share removes none", "DELETE", f => $"/v1.41/services/{f.SharedServicePrefix.Prefix}", null, 400,
            f => $"service {f.SharedServicePrefix.Prefix} is ambiguous ({f.SharedServicePrefix.Count} matches found)"),
        new("task ls: service filter on a prefix several services share", "GET",
            f => $"/v1.41/tasks?filters={Filters($$$"""{"service":{"{{{f.SharedServicePrefix.Prefix}}}":true}}""")}", null, 400,
            f => $"service {f.SharedServicePrefix.Prefix} is ambiguous"),
        new("service create: negative RestartPolicy.Delay", "POST", _ => "/v1.41/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Delay":-1000000000}}}""", 400, _ => "TaskSpec: restart-delay cannot be negative"),
        new("service update: negative RestartPolicy.Delay", "POST", _ => "/v1.41/services/pending/update?version=1000000",
            """{"Name":"pending","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Delay":-1}}}""", 400, _ => "TaskSpec: restart-delay cannot be negative"),
        // Go reads a null element as its zero value; a null went on to a NullReferenceException (500).
        new("service create: a null mount", "POST", _ => "/v1.41/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox","Mounts":[null]}}}""", 400, _ => "invalid mount target ''"),
        new("service create: a null published port", "POST", _ => "/v1.41/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"EndpointSpec":{"Ports":[null]}}""", 400, _ => "invalid target port 0"),
        new("service create: a null network", "POST", _ => "/v1.41/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Networks":[null]}}""", 400, _ => "a network attachment needs a network name or ID"),
        new("service create: Content-Type text/plain", "POST", _ => "/v1.41/services/create", Service, 400,
            _ => "Content-Type specified (text/plain) must be 'application/json'", ContentType: "text/plain"),
        new("service create: a body with no Content-Type", "POST", _ => "/v1.41/services/create", Service, 400,
            _ => "Content-Type specified () must be 'application/json'", ContentType: ""),
        new("network create: Content-Type text/plain", "POST", _ => "/v1.41/networks/create", """{"Name":"y","Driver":"overlay"}""", 400,
            _ => "Content-Type specified (text/plain) must be 'application/json'", ContentType: "text/plain"),
        new("audit trail: since=abc", "GET", _ => "/eventswarm/v1/events?since=abc", null, 400, _ => "invalid since 'abc'"),
        new("dot segments: DELETE /services/%2e%2e/networks/victim", "DELETE", _ => "/v1.41/services/%2e%2e/networks/victim", null, 400,
            _ => "invalid path \"/v1.41/services/%2e%2e/networks/victim\": \".\" and \"..\" segments are not allowed"),
        new("dot segments: GET /services/%2e%2e/nodes", "GET", _ => "/v1.41/services/%2e%2e/nodes", null, 400, _ => "invalid path \"/v1.41/services/%2e%2e/nodes\""),
        new("dot segments: POST /services/x/%2E%2E/create", "POST", _ => "/v1.41/services/x/%2E%2E/create", Service, 400, _ => "\"..\" segments are not allowed"),
        new("dot segments: GET /services/../nodes", "GET", _ => "/v1.41/services/../nodes", null, 400, _ => "invalid path \"/v1.41/services/../nodes\""),
        new("dot segments to the engine: GET /containers/%2e%2e/info", "GET", _ => "/v1.41/containers/%2e%2e/info", null, 400, _ => "invalid path \"/v1.41/containers/%2e%2e/info\""),
        new("unknown route of a swarm family: PUT /services", "PUT", _ => "/v1.41/services", null, 404, _ => "page not found"),
        new("unknown EventSwarm route", "GET", _ => "/eventswarm/v1/nosuch", null, 404, _ => "page not found"),
    ];

    public static IEnumerable<object[]> Names => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Hostile_input_is_refused_by_name_and_appends_nothing(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        var agent = fixture.Agent;
        var before = await agent.LogLengthAsync();
        var answer = await Raw.SendAsync(agent, @case.Method, @case.Target(fixture), @case.Body, @case.ContentType);
        var after = await agent.LogLengthAsync();
        var expected = $"{@case.Status} \"{@case.Message(fixture)}\", log {before.Entries}";
        var observed = $"{answer.Status} \"{answer.Message}\", log {after.Entries}";
        FaultTable.Check($"input: {name}", expected, observed,
            answer.Status == @case.Status && answer.Message.Contains(@case.Message(fixture), StringComparison.Ordinal) && answer.IsDockerError && after == before);
    }

    [Fact]
    public async Task Crossed_routes_leave_the_network_and_the_services_in_place()
    {
        var agent = fixture.Agent;
        // Counted before, not derived from the shared prefix: the fixture stops creating services as soon as two share
        // a first character, which may be the very first one it creates (then there are just those two).
        var before = JsonDocument.Parse((await Raw.SendAsync(agent, "GET", "/v1.41/services")).Body).RootElement.GetArrayLength();
        await Raw.SendAsync(agent, "DELETE", "/v1.41/services/%2e%2e/networks/victim");
        await Raw.SendAsync(agent, "DELETE", $"/v1.41/services/{fixture.SharedServicePrefix.Prefix}");
        var network = await Raw.SendAsync(agent, "GET", "/v1.41/networks/victim");
        var services = await Raw.SendAsync(agent, "GET", "/v1.41/services");
        var count = JsonDocument.Parse(services.Body).RootElement.GetArrayLength();
        var ok = network.Status == 200 && count == before && count >= fixture.SharedServicePrefix.Count;
        FaultTable.Check("input: crossed routes remove nothing", $"network victim and every service still there ({before})",
            $"network {network.Status}, {count} services", ok);
    }

    [Fact]
    public async Task Worker_routes_on_the_unix_socket_are_refused_by_name_never_a_500()
    {
        var agent = fixture.Agent;
        var before = await agent.LogLengthAsync();
        var report = $$"""{"TaskId":"x","NodeId":"{{agent.NodeId}}","State":"Running"}""";
        foreach (var (method, path, body) in new[]
                 {
                     ("POST", "/eventswarm/v1/worker/report", report),
                     ("POST", "/eventswarm/v1/worker/heartbeat", "{}"),
                     ("POST", "/eventswarm/v1/worker/promotion", """{"CertificateSigningRequest":"x"}"""),
                 })
        {
            var answer = await Raw.SendAsync(agent, method, path, body);
            // The access package moves these routes off the unix socket altogether; whichever 4xx answers, it
            // says why in Docker's shape.
            FaultTable.Check($"input: worker route {path} on the unix socket", "4xx with a message, log unchanged",
                $"{answer.Status} \"{answer.Message}\"", answer.Status is >= 400 and < 500 && answer.IsDockerError && answer.Message.Length > 0);
        }
        Assert.Equal(before, await agent.LogLengthAsync());
    }
}

/// <summary>An HTTP/1.0 exchange written byte for byte on the agent's socket: no client library rewrites the path.</summary>
public static class Raw
{
    public sealed record Answer(int Status, string Body, string Headers)
    {
        public string Message
        {
            get
            {
                try { return JsonDocument.Parse(Body).RootElement.GetProperty("message").GetString() ?? ""; }
                catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException) { return ""; }
            }
        }

        /// <summary>Docker's error shape: a JSON body with a message, declared exactly application/json.</summary>
        public bool IsDockerError => Message.Length > 0 && Headers.Contains("Content-Type: application/json\r\n", StringComparison.OrdinalIgnoreCase);

        public Answer ShouldBe(int status)
        {
            Assert.True(Status == status, $"expected {status}, got {Status}: {Body}");
            return this;
        }
    }

    public static async Task<Answer> SendAsync(LocalAgent agent, string method, string target, string? body = null, string contentType = "application/json")
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.Socket));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"{method} {target} HTTP/1.0\r\nHost: docker\r\n");
        if (body is not null && contentType.Length > 0) head.Append($"Content-Type: {contentType}\r\n");
        // HTTP/1.0 has no chunked bodies: Kestrel itself refuses a POST or PUT without a length (411, before any middleware).
        if (body is not null || method is "POST" or "PUT") head.Append($"Content-Length: {bytes.Length}\r\n");
        head.Append("\r\n");
        try
        {
            await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(head.ToString()), .. bytes]);
        }
        catch (IOException)
        {
            // The agent may answer (a refused path) and close before it reads the body: its answer is still there.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(timeout.Token);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split < 0 ? text : text[..(split + 2)];
        var status = int.Parse(headers.Split(' ', 3)[1]);
        return new Answer(status, split < 0 ? "" : text[(split + 4)..], headers);
    }
}
