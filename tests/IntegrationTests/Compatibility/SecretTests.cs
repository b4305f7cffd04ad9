using System.Text;
using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// Secrets and configs against Docker Swarm: the same calls to both sides, the JSON of inspect and ls compared field
/// by field (EventSwarm's additions named in <see cref="Differences"/>), and every refusal of the issue compared by
/// status code, Content-Type and Docker's message. Each test brings objects of its own names.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class SecretTests(OracleFixture fixture)
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Secret(string name, string data = "czNjcjN0", string labels = "") =>
        $$"""{"Name":"{{name}}","Data":"{{data}}"{{(labels == "" ? "" : $",\"Labels\":{labels}")}}}""";

    private static string Service(string name, string secret) =>
        "{\"Name\":\"" + name + "\",\"Mode\":{\"Replicated\":{\"Replicas\":0}},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox:latest\",\"Command\":[\"sleep\",\"3600\"],"
        + "\"Secrets\":[{\"SecretName\":\"" + secret + "\",\"SecretID\":\"" + secret + "\",\"File\":{\"Name\":\"" + secret + "\",\"UID\":\"0\",\"GID\":\"0\",\"Mode\":292}}]}}}";

    /// <summary>A service whose secret reference names the secret by its real ID, as the docker CLI sends it.</summary>
    private static async Task<Answer> ServiceUsingAsync(Side side, string name, string secret)
    {
        var id = (await side.GetAsync($"/secrets/{secret}")).ShouldSucceed().Json!["ID"]!.ToString();
        return await side.PostAsync("/services/create", Service(name, secret).Replace($"\"SecretID\":\"{secret}\"", $"\"SecretID\":\"{id}\""));
    }

    private static readonly ErrorCase[] Cases =
    [
        new("secret create: duplicate name", true, s => s.PostAsync("/secrets/create", Secret("cmp-dup")), s => s.PostAsync("/secrets/create", Secret("cmp-dup"))),
        new("secret create: data of 500 KiB", true, s => s.PostAsync("/secrets/create", Secret("cmp-big", Convert.ToBase64String(new byte[500 * 1024])))),
        new("secret create: no data", true, s => s.PostAsync("/secrets/create", """{"Name":"cmp-empty"}""")),
        new("secret create: invalid name", true, s => s.PostAsync("/secrets/create", Secret("-bad name-"))),
        new("secret create: data not base64", true, s => s.PostAsync("/secrets/create", Secret("cmp-garbled", "not base64!"))),
        new("secret update: the data", true, async s => await s.PostAsync($"/secrets/cmp-upd/update?version={await s.VersionOfAsync("/secrets/cmp-upd")}",
            Secret("cmp-upd", Base64("changed"))), s => s.PostAsync("/secrets/create", Secret("cmp-upd"))),
        new("secret update: the name", true, async s => await s.PostAsync($"/secrets/cmp-ren/update?version={await s.VersionOfAsync("/secrets/cmp-ren")}",
            """{"Name":"cmp-renamed"}"""), s => s.PostAsync("/secrets/create", Secret("cmp-ren"))),
        new("secret update: stale version", true, s => s.PostAsync("/secrets/cmp-stale/update?version=1", """{"Name":"cmp-stale"}"""),
            s => s.PostAsync("/secrets/create", Secret("cmp-stale"))),
        new("secret update: unknown", true, s => s.PostAsync("/secrets/nope/update?version=1", """{"Name":"nope"}""")),
        new("secret update: version not a number", true, s => s.PostAsync("/secrets/cmp-badver/update?version=x", """{"Name":"cmp-badver"}"""),
            s => s.PostAsync("/secrets/create", Secret("cmp-badver"))),
        new("secret inspect: unknown", true, s => s.GetAsync("/secrets/nope")),
        new("secret rm: unknown", true, s => s.DeleteAsync("/secrets/nope")),
        new("secret rm: in use by a service", true, s => s.DeleteAsync("/secrets/cmp-used"), async s =>
        {
            await s.PostAsync("/secrets/create", Secret("cmp-used"));
            (await ServiceUsingAsync(s, "cmp-user", "cmp-used")).ShouldSucceed();
        }),
        new("service create: unknown secret", true, s => s.PostAsync("/services/create", Service("cmp-lost", "nope"))),
        new("config create: duplicate name", true, s => s.PostAsync("/configs/create", Secret("cmp-cfg-dup")), s => s.PostAsync("/configs/create", Secret("cmp-cfg-dup"))),
        new("config update: the data", true, async s => await s.PostAsync($"/configs/cmp-cfg-upd/update?version={await s.VersionOfAsync("/configs/cmp-cfg-upd")}",
            Secret("cmp-cfg-upd", Base64("changed"))), s => s.PostAsync("/configs/create", Secret("cmp-cfg-upd"))),
        new("config inspect: unknown", true, s => s.GetAsync("/configs/nope")),
    ];

    public static IEnumerable<object[]> Names => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Secret_refusal_answers_as_Docker_Swarm(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        await fixture.InSwarmAsync();
        await @case.AssertAnsweredAsDockerAsync(fixture.Sides, IdsAsync);
    }

    [Fact]
    public async Task Secret_inspect_reads_as_in_Docker_Swarm_and_never_returns_the_data()
    {
        await fixture.InSwarmAsync();
        var inspected = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            var id = (await side.PostAsync("/secrets/create", Secret("cmp-inspect", Base64("plaintext-cmp"), """{"team":"blue"}"""))).ShouldSucceed().Json!["ID"]!.ToString();
            var answer = (await side.GetAsync($"/secrets/{id}")).ShouldSucceed();
            Assert.DoesNotContain(Base64("plaintext-cmp").TrimEnd('='), answer.Body);
            inspected.Add(answer.Json!);
        }
        JsonComparison.AssertSame("secret", inspected[0], inspected[1], "GET /secrets/{id}");
    }

    [Fact]
    public async Task Secret_ls_reads_as_in_Docker_Swarm_with_a_name_filter()
    {
        await fixture.InSwarmAsync();
        var lists = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            foreach (var name in new[] { "cmp-ls-a", "cmp-ls-b", "other-ls" }) (await side.PostAsync("/secrets/create", Secret(name))).ShouldSucceed();
            lists.Add((await side.GetAsync("/secrets?filters=" + Uri.EscapeDataString("""{"name":{"cmp-ls":true}}"""))).ShouldSucceed().Json!);
        }
        Assert.Equal(2, lists[0].AsArray().Count);
        JsonComparison.AssertSame("secret", lists[0], lists[1], "GET /secrets?filters={name:cmp-ls}");
    }

    [Fact]
    public async Task Config_inspect_reads_as_in_Docker_Swarm_with_its_data()
    {
        await fixture.InSwarmAsync();
        var inspected = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            var id = (await side.PostAsync("/configs/create", Secret("cmp-config", Base64("listen 80;"), """{"team":"blue"}"""))).ShouldSucceed().Json!["ID"]!.ToString();
            inspected.Add((await side.GetAsync($"/configs/{id}")).ShouldSucceed().Json!);
        }
        JsonComparison.AssertSame("config", inspected[0], inspected[1], "GET /configs/{id}");
    }

    [Fact]
    public async Task Docker_CLI_secret_ls_shows_the_same_columns()
    {
        await fixture.InSwarmAsync();
        var outputs = new List<string>();
        foreach (var side in fixture.Sides)
        {
            (await side.PostAsync("/secrets/create", Secret("cmp-cli"))).ShouldSucceed();
            outputs.Add((await side.Cli("secret", "ls", "--filter", "name=cmp-cli", "--format", "{{.Name}}|{{.Driver}}")).ShouldSucceed().Output.Trim());
        }
        Assert.Equal("cmp-cli|", outputs[0]);
        Assert.Equal(outputs[0], outputs[1]);
        var header = new List<string>();
        foreach (var side in fixture.Sides) header.Add((await side.Cli("secret", "ls")).ShouldSucceed().Output.Split('\n')[0]);
        Assert.Equal(header[0], header[1]);
    }

    /// <summary>Every ID of a side, by placeholder, so messages that name objects compare.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> IdsAsync(Side side)
    {
        var ids = new Dictionary<string, string>();
        foreach (var (path, placeholder) in new[] { ("/nodes", "<node>"), ("/services", "<service>"), ("/secrets", "<secret>"), ("/configs", "<config>") })
            if ((await side.GetAsync(path)).Json is JsonArray items)
                foreach (var item in items)
                    if (item?["ID"] is { } id) ids[id.ToString()] = placeholder;
        return ids;
    }
}
