using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>One refusal of the API: the state it needs, what to set up first on each side, and the request.</summary>
public sealed record ErrorCase(string Name, bool InSwarm, Func<Side, Task<Answer>> Act, Func<Side, Task>? Arrange = null)
{
    /// <summary>
    /// Sends the case to Docker Swarm, then EventSwarm, and compares the answers: the status (or the one
    /// <see cref="Differences.ErrorStatuses"/> keeps), and for a refusal the Content-Type and Docker's message within
    /// EventSwarm's, once <paramref name="idsOf"/>'s IDs of each side are replaced by placeholders.
    /// </summary>
    public async Task AssertAnsweredAsDockerAsync(IEnumerable<Side> sides, Func<Side, Task<IReadOnlyDictionary<string, string>>> idsOf)
    {
        var answers = new List<(Answer Answer, IReadOnlyDictionary<string, string> Ids)>();
        foreach (var side in sides)
        {
            if (Arrange is { } arrange) await arrange(side);
            var answer = await Act(side);
            answers.Add((answer, await idsOf(side)));
        }
        var (docker, eventswarm) = (answers[0].Answer, answers[1].Answer);
        var report = $"\n  docker:     {docker}\n  eventswarm: {eventswarm}";

        var expected = Differences.ErrorStatuses.TryGetValue(Name, out var kept) ? kept.EventSwarmStatus : docker.Status;
        Assert.True(expected == eventswarm.Status, $"status: docker={docker.Status} eventswarm={eventswarm.Status} (expected {expected}){report}");
        if (docker.Status < 400) return;
        // The docker CLI decodes an error's message only when its Content-Type is exactly Docker's.
        Assert.True(docker.Headers.GetValueOrDefault("Content-Type") == eventswarm.Headers.GetValueOrDefault("Content-Type"),
            $"Content-Type: docker={docker.Headers.GetValueOrDefault("Content-Type")} eventswarm={eventswarm.Headers.GetValueOrDefault("Content-Type")}{report}");
        if (Differences.ErrorMessages.ContainsKey(Name)) return;

        var dockerMessage = Differences.NormaliseMessage(docker.Message, answers[0].Ids);
        var eventswarmMessage = Differences.NormaliseMessage(eventswarm.Message, answers[1].Ids);
        Assert.True(eventswarmMessage.Contains(dockerMessage, StringComparison.Ordinal),
            $"message: docker=\"{dockerMessage}\" eventswarm=\"{eventswarmMessage}\"{report}");
    }
}

/// <summary>
/// Every error path of the swarm, node, service, task and network endpoints, sent to Docker Swarm and EventSwarm:
/// the status codes must be equal and Docker's message must appear in EventSwarm's (after the normalisation of
/// <see cref="Differences.NormaliseMessage"/>). One theory case per path, named for it. What Docker accepts (a service
/// with no name, which the engine names) EventSwarm must accept too.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class ErrorPathTests(OracleFixture fixture)
{
    private const string Busybox = """{"ContainerSpec":{"Image":"busybox:latest","Command":["sleep","3600"]}}""";
    private static string Service(string name, string extra = "") =>
        "{\"Name\":\"" + name + "\",\"TaskTemplate\":" + Busybox + ",\"Mode\":{\"Replicated\":{\"Replicas\":0}}" + (extra == "" ? "" : "," + extra) + "}";

    private static readonly ErrorCase[] Cases =
    [
        // Outside a swarm: Swarm's "not a swarm manager" (503) on every swarm endpoint.
        new("swarm leave: not in a swarm", false, s => s.PostAsync("/swarm/leave")),
        new("swarm leave --force: not in a swarm", false, s => s.PostAsync("/swarm/leave?force=1")),
        new("swarm inspect: not in a swarm", false, s => s.GetAsync("/swarm")),
        new("swarm update: not in a swarm", false, s => s.PostAsync("/swarm/update?version=1", "{}")),
        new("swarm unlockkey: not in a swarm", false, s => s.GetAsync("/swarm/unlockkey")),
        new("node ls: not in a swarm", false, s => s.GetAsync("/nodes")),
        new("node inspect: not in a swarm", false, s => s.GetAsync("/nodes/x")),
        new("service ls: not in a swarm", false, s => s.GetAsync("/services")),
        new("service inspect: not in a swarm", false, s => s.GetAsync("/services/x")),
        new("service create: not in a swarm", false, s => s.PostAsync("/services/create", Service("outside"))),
        new("task ls: not in a swarm", false, s => s.GetAsync("/tasks")),
        new("task inspect: not in a swarm", false, s => s.GetAsync("/tasks/x")),
        new("network create overlay: not in a swarm", false, s => s.PostAsync("/networks/create", """{"Name":"outside","Driver":"overlay"}""")),
        new("swarm join: malformed token", false, s => s.PostAsync("/swarm/join",
            $$"""{"ListenAddr":"{{s.ListenAddress}}","AdvertiseAddr":"{{s.AdvertiseAddress}}","RemoteAddrs":["10.201.0.9:2377"],"JoinToken":"bad"}""")),
        new("swarm join: no manager address", false, s => s.PostAsync("/swarm/join",
            $$"""{"ListenAddr":"{{s.ListenAddress}}","AdvertiseAddr":"{{s.AdvertiseAddress}}","RemoteAddrs":[],"JoinToken":"SWMTKN-1-1zd5uvqylcyxftdg0f0fbbdolpf6yhdaqv30zt6vt8n9ho8v3p-3fk29dqu9phgfadverl6izt70"}""")),
        new("swarm init: malformed JSON", false, s => s.PostAsync("/swarm/init", "garbage")),
        new("swarm init: advertise address neither an address nor an interface", false, s => s.PostAsync("/swarm/init",
            $$"""{"ListenAddr":"{{s.ListenAddress}}","AdvertiseAddr":"nonsense-if"}""")),
        new("swarm init: default address pool not a CIDR", false, s => s.PostAsync("/swarm/init", s.InitBody("\"DefaultAddrPool\":[\"bogus\"]"))),
        new("swarm init: data path port out of range", false, s => s.PostAsync("/swarm/init", s.InitBody("\"DataPathPort\":80"))),

        // Swarm, in a swarm.
        new("swarm init: already in a swarm", true, s => s.PostAsync("/swarm/init", s.InitBody())),
        new("swarm join: already in a swarm", true, s => s.PostAsync("/swarm/join",
            $$"""{"ListenAddr":"{{s.ListenAddress}}","RemoteAddrs":["10.201.0.9:2377"],"JoinToken":"SWMTKN-1-xxx"}""")),
        new("swarm leave: last manager without force", true, s => s.PostAsync("/swarm/leave")),
        new("swarm update: stale version", true, s => s.PostAsync("/swarm/update?version=1", "{}")),
        new("swarm update: version not a number", true, s => s.PostAsync("/swarm/update?version=abc", "{}")),
        new("swarm unlock: swarm not locked", true, s => s.PostAsync("/swarm/unlock", """{"UnlockKey":"x"}""")),

        // Nodes.
        new("node inspect: unknown", true, s => s.GetAsync("/nodes/nope")),
        new("node update: unknown", true, s => s.PostAsync("/nodes/nope/update?version=1", """{"Role":"manager","Availability":"active"}""")),
        new("node update: version not a number", true, s => s.PostAsync("/nodes/nope/update?version=abc", """{"Role":"manager","Availability":"active"}""")),
        new("node update: stale version", true, async s => await s.PostAsync($"/nodes/{await s.NodeIdAsync()}/update?version=1", """{"Role":"manager","Availability":"active"}""")),
        new("node update: invalid role", true, async s => await s.PostAsync($"/nodes/{await s.NodeIdAsync()}/update?version={await s.VersionOfAsync($"/nodes/{await s.NodeIdAsync()}")}",
            """{"Role":"boss","Availability":"active"}""")),
        new("node update: invalid availability", true, async s => await s.PostAsync($"/nodes/{await s.NodeIdAsync()}/update?version={await s.VersionOfAsync($"/nodes/{await s.NodeIdAsync()}")}",
            """{"Role":"manager","Availability":"sleepy"}""")),
        new("node update: demote the last manager", true, async s => await s.PostAsync($"/nodes/{await s.NodeIdAsync()}/update?version={await s.VersionOfAsync($"/nodes/{await s.NodeIdAsync()}")}",
            """{"Role":"worker","Availability":"active"}""")),
        new("node rm: a manager (itself)", true, async s => await s.DeleteAsync($"/nodes/{await s.NodeIdAsync()}")),
        new("node rm --force: a manager (itself)", true, async s => await s.DeleteAsync($"/nodes/{await s.NodeIdAsync()}?force=1")),
        new("node rm: unknown", true, s => s.DeleteAsync("/nodes/nope")),
        new("node ls: filters not JSON", true, s => s.GetAsync("/nodes?filters=notjson")),
        new("node ls: unknown filter", true, s => s.GetAsync("/nodes?filters=" + Uri.EscapeDataString("""{"bogus":{"x":true}}"""))),

        // Services.
        new("service inspect: unknown", true, s => s.GetAsync("/services/nope")),
        new("service update: unknown", true, s => s.PostAsync("/services/nope/update?version=1", Service("nope"))),
        new("service rm: unknown", true, s => s.DeleteAsync("/services/nope")),
        new("service create: no task template", true, s => s.PostAsync("/services/create", """{"Name":"a"}""")),
        new("service create: missing image", true, s => s.PostAsync("/services/create", """{"Name":"a","TaskTemplate":{"ContainerSpec":{}}}""")),
        new("service create: no name (the engine names it)", true, s => s.PostAsync("/services/create", Service(""))),
        new("service create: invalid name", true, s => s.PostAsync("/services/create", Service("a b"))),
        new("service create: name longer than 63 characters", true, s => s.PostAsync("/services/create", Service(new string('a', 70)))),
        new("service create: duplicate name", true, s => s.PostAsync("/services/create", Service("err-dup")),
            s => s.PostAsync("/services/create", Service("err-dup"))),
        new("service create: unknown network", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Networks":[{"Target":"nonet"}]}}""")),
        new("service create: attached to the ingress network", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Networks":[{"Target":"ingress"}]}}""")),
        new("service create: two modes", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"Replicated":{},"Global":{}}}""")),
        new("service create: negative replicas", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"Replicated":{"Replicas":-1}}}""")),
        new("service create: malformed JSON", true, s => s.PostAsync("/services/create", """{"Name":"x",""")),
        new("service create: invalid endpoint mode", true, s => s.PostAsync("/services/create", Service("x", """ "EndpointSpec":{"Mode":"bogus"}"""))),
        new("service create: invalid restart condition", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Condition":"sometimes"}}}""")),
        new("service create: invalid mount type", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox","Mounts":[{"Type":"weird","Target":"/x"}]}}}""")),
        new("service create: constraint without operator", true, s => s.PostAsync("/services/create",
            """{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Placement":{"Constraints":["nonsense"]}}}""")),
        new("service create: duplicate published ports", true, s => s.PostAsync("/services/create",
            Service("x", """ "EndpointSpec":{"Ports":[{"TargetPort":80,"PublishedPort":8080},{"TargetPort":81,"PublishedPort":8080}]}"""))),
        new("service create: ingress port with dnsrr", true, s => s.PostAsync("/services/create",
            Service("x", """ "EndpointSpec":{"Mode":"dnsrr","Ports":[{"TargetPort":80,"PublishedPort":8080}]}"""))),
        new("service update: stale version", true, s => s.PostAsync("/services/err-upd/update?version=1", Service("err-upd")),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: no version", true, s => s.PostAsync("/services/err-upd/update", Service("err-upd")),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: version not a number", true, s => s.PostAsync("/services/err-upd/update?version=abc", Service("err-upd")),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: rename", true, async s => await s.PostAsync($"/services/err-upd/update?version={await s.VersionOfAsync("/services/err-upd")}", Service("err-renamed")),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: mode change", true, async s => await s.PostAsync($"/services/err-upd/update?version={await s.VersionOfAsync("/services/err-upd")}",
                """{"Name":"err-upd","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"Global":{}}}"""),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: missing image", true, async s => await s.PostAsync($"/services/err-upd/update?version={await s.VersionOfAsync("/services/err-upd")}",
                """{"Name":"err-upd","TaskTemplate":{"ContainerSpec":{"Image":""}}}"""),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service update: malformed JSON", true, async s => await s.PostAsync($"/services/err-upd/update?version={await s.VersionOfAsync("/services/err-upd")}", "garbage"),
            s => s.PostAsync("/services/create", Service("err-upd"))),
        new("service ls: unknown filter", true, s => s.GetAsync("/services?filters=" + Uri.EscapeDataString("""{"bogus":{"x":true}}"""))),
        new("service ls: filters not JSON", true, s => s.GetAsync("/services?filters=notjson")),
        new("service ls: a filter's values neither a set nor strings", true, s => s.GetAsync("/services?filters=" + Uri.EscapeDataString("""{"id":[1]}"""))),
        new("service ls: filters not an object", true, s => s.GetAsync("/services?filters=" + Uri.EscapeDataString("[1]"))),
        new("service ls: filters null", true, s => s.GetAsync("/services?filters=null")),
        new("service create: negative restart delay", true, s => s.PostAsync("/services/create",
            """{"Name":"err-neg","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Delay":-1000000000}}}""")),
        new("service create: negative restart window", true, s => s.PostAsync("/services/create",
            """{"Name":"err-neg","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Window":-1}}}""")),
        new("service create: negative update delay", true, s => s.PostAsync("/services/create",
            """{"Name":"err-neg","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"UpdateConfig":{"Delay":-1}}""")),
        new("service create: negative update monitor", true, s => s.PostAsync("/services/create",
            """{"Name":"err-neg","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"UpdateConfig":{"Monitor":-1}}""")),
        new("service create: an unknown mode key (Docker makes it replicated, 1 replica)", true, s => s.PostAsync("/services/create",
            """{"Name":"err-mode-bogus","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Placement":{"Constraints":["node.labels.never==1"]}},"Mode":{"Bogus":{}}}""")),
        new("service create: Content-Type text/plain", true, s => s.SendAsync(HttpMethod.Post, "/services/create", Service("err-ct-plain"), "text/plain")),
        new("service inspect: a prefix several services share", true, AmbiguousPrefixAsync("/services"), async s =>
        {
            for (var i = 0; i < 37; i++) await s.PostAsync("/services/create", Service($"err-prefix-{i}"));
        }),
        new("service rm: a prefix several services share", true, AmbiguousPrefixAsync("/services", HttpMethod.Delete), async s =>
        {
            for (var i = 0; i < 37; i++) await s.PostAsync("/services/create", Service($"err-prefix-{i}"));
        }),
        new("unknown route of a swarm family: PUT /services", true, s => s.SendAsync(HttpMethod.Put, "/services")),
        new("unknown route", true, s => s.GetAsync("/nosuch")),

        // Tasks.
        new("task inspect: unknown", true, s => s.GetAsync("/tasks/nope")),
        new("task ls: unknown filter", true, s => s.GetAsync("/tasks?filters=" + Uri.EscapeDataString("""{"bogus":{"x":true}}"""))),
        new("tasks list: filters not JSON", true, s => s.GetAsync("/tasks?filters=notjson")),
        new("task ls: filter on an unknown service", true, s => s.GetAsync("/tasks?filters=" + Uri.EscapeDataString("""{"service":{"nope":true}}"""))),
        new("task ls: a filter's values a string", true, s => s.GetAsync("/tasks?filters=" + Uri.EscapeDataString("""{"id":"x"}"""))),
        new("node ls: filters not an object", true, s => s.GetAsync("/nodes?filters=" + Uri.EscapeDataString("[1]"))),
        new("network ls: a filter's values neither a set nor strings", true, s => s.GetAsync("/networks?filters=" + Uri.EscapeDataString("""{"id":[1]}"""))),
        // 37 tasks over IDs of 36 characters: two share a first character. No node has the label: none runs.
        new("task inspect: a prefix several tasks share", true, AmbiguousPrefixAsync("/tasks"), s => s.PostAsync("/services/create",
            """{"Name":"err-pending","Mode":{"Replicated":{"Replicas":37}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Placement":{"Constraints":["node.labels.never==1"]}}}""")),

        // Networks.
        new("network inspect: unknown", true, s => s.GetAsync("/networks/nope")),
        new("network rm: unknown", true, s => s.DeleteAsync("/networks/nope")),
        new("network ls: filters not JSON", true, s => s.GetAsync("/networks?filters=notjson")),
        new("network ls: unknown filter", true, s => s.GetAsync("/networks?filters=" + Uri.EscapeDataString("""{"bogus":{"x":true}}"""))),
        new("network create: duplicate name", true, s => s.PostAsync("/networks/create", """{"Name":"err-net","Driver":"overlay"}"""),
            s => s.PostAsync("/networks/create", """{"Name":"err-net","Driver":"overlay"}""")),
        new("network create: name of a predefined network", true, s => s.PostAsync("/networks/create", """{"Name":"bridge","Driver":"overlay"}""")),
        new("network create: invalid name", true, s => s.PostAsync("/networks/create", """{"Name":"bad name!","Driver":"overlay"}""")),
        new("network create: no name", true, s => s.PostAsync("/networks/create", """{"Driver":"overlay"}""")),
        new("network create: unknown driver", true, s => s.PostAsync("/networks/create", """{"Name":"err-drv","Driver":"nosuchdriver"}""")),
        new("network create: subnet not a CIDR", true, s => s.PostAsync("/networks/create",
            """{"Name":"err-sub","Driver":"overlay","IPAM":{"Config":[{"Subnet":"bogus"}]}}""")),
        new("network create: gateway outside the subnet", true, s => s.PostAsync("/networks/create",
            """{"Name":"err-gw","Driver":"overlay","IPAM":{"Config":[{"Subnet":"10.0.209.0/24","Gateway":"10.1.0.1"}]}}""")),
        new("network create: gateway not an address", true, s => s.PostAsync("/networks/create",
            """{"Name":"err-gw","Driver":"overlay","IPAM":{"Config":[{"Subnet":"10.0.210.0/24","Gateway":"bogus"}]}}""")),
        new("network create: subnet overlapping another network's", true, s => s.PostAsync("/networks/create",
                """{"Name":"err-overlap-b","Driver":"overlay","IPAM":{"Config":[{"Subnet":"10.0.211.0/25"}]}}"""),
            s => s.PostAsync("/networks/create", """{"Name":"err-overlap-a","Driver":"overlay","IPAM":{"Config":[{"Subnet":"10.0.211.0/24"}]}}""")),
        new("network create: Content-Type text/plain", true, s => s.SendAsync(HttpMethod.Post, "/networks/create", """{"Name":"err-ct","Driver":"overlay"}""", "text/plain")),
        new("network create: a second ingress network", true, s => s.PostAsync("/networks/create", """{"Name":"err-ingress","Driver":"overlay","Ingress":true}""")),
        new("network rm: in use by a service", true, s => s.DeleteAsync("/networks/err-used"), async s =>
        {
            await s.PostAsync("/networks/create", """{"Name":"err-used","Driver":"overlay"}""");
            await s.PostAsync("/services/create", """{"Name":"err-user","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"Networks":[{"Target":"err-used"}]},"Mode":{"Replicated":{"Replicas":0}}}""");
        }),
    ];

    public static IEnumerable<object[]> Names => Cases.Select(c => new object[] { c.Name });

    /// <summary>The objects of a list whose IDs share the most common first character, asked for by that character.</summary>
    private static Func<Side, Task<Answer>> AmbiguousPrefixAsync(string list, HttpMethod? method = null) => async side =>
    {
        // Tasks appear as the orchestrator creates them: wait (bounded) until all 37 are there.
        for (var i = 0; i < 50 && ((await side.GetAsync(list)).Json as JsonArray)?.Count < 37; i++) await Task.Delay(200);
        var ids = ((await side.GetAsync(list)).Json as JsonArray ?? []).Select(item => item?["ID"]?.ToString() ?? "").Where(id => id.Length > 0);
        var prefix = ids.GroupBy(id => id[..1]).OrderByDescending(g => g.Count()).First().Key;
        return await side.SendAsync(method ?? HttpMethod.Get, $"{list}/{prefix}");
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Error_path_answers_as_Docker_Swarm(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        if (@case.InSwarm) await fixture.InSwarmAsync(); else await fixture.OutOfSwarmAsync();

        await @case.AssertAnsweredAsDockerAsync(fixture.Sides, IdsAsync);
    }

    /// <summary>Every ID and host name of a side, by placeholder, so messages that name objects compare.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> IdsAsync(Side side)
    {
        var ids = new Dictionary<string, string>();
        if (await side.LocalNodeStateAsync() != "active") return ids;
        foreach (var (path, placeholder) in new[] { ("/nodes", "<node>"), ("/services", "<service>"), ("/networks", "<network>"), ("/tasks", "<task>") })
            if ((await side.GetAsync(path)).Json is JsonArray items)
                foreach (var item in items)
                    if ((item?["ID"] ?? item?["Id"]) is { } id) ids[id.ToString()] = placeholder;
        return ids;
    }
}
