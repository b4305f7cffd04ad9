using System.Text.Json.Nodes;

namespace EventSwarm.IntegrationTests.Compatibility;

/// <summary>
/// Rolling updates against Docker Swarm: the refusals of update and rollback settings and of a rollback with
/// nothing to go back to (and what Docker accepts: a rollback config it does not check), compared by status code, Content-Type and Docker's message; the UpdateStatus a completed
/// update leaves; and the PreviousSpec a scale leaves (Swarm's scale is an update of the spec). Each case brings
/// services of its own names.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class UpdateTests(OracleFixture fixture)
{
    private static string Service(string name, string extra = "", long replicas = 0) =>
        "{\"Name\":\"" + name + "\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox:latest\",\"Command\":[\"sleep\",\"3600\"],\"StopGracePeriod\":1000000000}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":" + replicas + "}}" + (extra == "" ? "" : "," + extra) + "}";

    /// <summary>An update of <paramref name="name"/> (created by the case's arrangement) with its current version.</summary>
    private static Func<Side, Task<Answer>> Update(string name, string extra, string query = "") => async s =>
        await s.PostAsync($"/services/{name}/update?version={await s.VersionOfAsync($"/services/{name}")}{query}", Service(name, extra));

    private static Func<Side, Task> Created(string name) => s => s.PostAsync("/services/create", Service(name));

    private static readonly ErrorCase[] Cases =
    [
        new("service create: unknown update failure action", true, s => s.PostAsync("/services/create", Service("upd-fa", """ "UpdateConfig":{"FailureAction":"explode"}"""))),
        new("service create: unknown rollback failure action", true, s => s.PostAsync("/services/create", Service("upd-rfa", """ "RollbackConfig":{"FailureAction":"explode"}"""))),
        new("service create: update order typo", true, s => s.PostAsync("/services/create", Service("upd-order", """ "UpdateConfig":{"Order":"start-frist"}"""))),
        new("service create: rollback order typo", true, s => s.PostAsync("/services/create", Service("upd-rorder", """ "RollbackConfig":{"Order":"stopfirst"}"""))),
        new("service create: negative update parallelism", true, s => s.PostAsync("/services/create", Service("upd-par", """ "UpdateConfig":{"Parallelism":-1}"""))),
        new("service create: update max failure ratio above 1", true, s => s.PostAsync("/services/create", Service("upd-ratio", """ "UpdateConfig":{"MaxFailureRatio":1.5}"""))),
        new("service create: negative update max failure ratio", true, s => s.PostAsync("/services/create", Service("upd-nratio", """ "UpdateConfig":{"MaxFailureRatio":-0.5}"""))),
        new("service create: negative rollback monitor (Docker accepts it)", true, s => s.PostAsync("/services/create", Service("upd-rmon", """ "RollbackConfig":{"Monitor":-1000000000}"""))),
        new("service create: negative rollback delay (Docker accepts it)", true, s => s.PostAsync("/services/create", Service("upd-rdelay", """ "RollbackConfig":{"Delay":-1}"""))),
        new("service update: unknown update failure action", true, Update("upd-u-fa", """ "UpdateConfig":{"FailureAction":"explode"}"""), Created("upd-u-fa")),
        new("service update: update order typo", true, Update("upd-u-order", """ "UpdateConfig":{"Order":"start-frist"}"""), Created("upd-u-order")),
        new("service update: negative update monitor", true, Update("upd-u-mon", """ "UpdateConfig":{"Monitor":-1}"""), Created("upd-u-mon")),
        new("service update: negative update delay", true, Update("upd-u-delay", """ "UpdateConfig":{"Delay":-1}"""), Created("upd-u-delay")),
        new("service update: update max failure ratio above 1", true, Update("upd-u-ratio", """ "UpdateConfig":{"MaxFailureRatio":2}"""), Created("upd-u-ratio")),
        new("service update: rollback with no previous spec", true, Update("upd-u-noprev", "", "&rollback=previous"), Created("upd-u-noprev")),
        new("service update: unknown rollback option", true, Update("upd-u-rbopt", "", "&rollback=bogus"), Created("upd-u-rbopt")),
    ];

    public static IEnumerable<object[]> Names => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Update_refusal_answers_as_Docker_Swarm(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        await fixture.InSwarmAsync();
        await @case.AssertAnsweredAsDockerAsync(fixture.Sides, IdsAsync);
    }

    [Fact]
    public async Task UpdateStatus_of_a_completed_update_reads_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var statuses = new List<JsonObject>();
        foreach (var side in fixture.Sides)
        {
            const string name = "upd-status";
            const string watched = """ "UpdateConfig":{"Parallelism":1,"Monitor":1000000000}""";
            (await side.PostAsync("/services/create", Service(name, watched, replicas: 1))).ShouldSucceed();
            await UntilAsync(side, async () => await RunningTasksAsync(side, name) == 1, $"{name} runs one task on {side}");
            (await side.PostAsync($"/services/{name}/update?version={await side.VersionOfAsync($"/services/{name}")}",
                Service(name, watched, replicas: 1).Replace("\"Command\"", "\"Env\":[\"A=1\"],\"Command\""))).ShouldSucceed();
            JsonObject? status = null;
            await UntilAsync(side, async () =>
            {
                status = (await side.GetAsync($"/services/{name}")).ShouldSucceed().Json!["UpdateStatus"] as JsonObject;
                return status?["State"]?.ToString() == "completed";
            }, $"{name}'s update completes on {side}");
            statuses.Add(status!);
        }

        var (docker, eventswarm) = (statuses[0], statuses[1]);
        Assert.Equal(docker["State"]?.ToString(), eventswarm["State"]?.ToString());
        Assert.Equal(docker["Message"]?.ToString(), eventswarm["Message"]?.ToString());
        Assert.Equal(docker.Select(p => p.Key).Order(), eventswarm.Select(p => p.Key).Order());
        foreach (var time in new[] { "StartedAt", "CompletedAt" })
            Assert.True(DateTimeOffset.TryParse(eventswarm[time]?.ToString(), System.Globalization.CultureInfo.InvariantCulture, out _),
                $"{time}: docker={docker[time]} eventswarm={eventswarm[time]}");
    }

    [Fact]
    public async Task PreviousSpec_after_a_scale_is_the_spec_before_it_as_in_Docker_Swarm()
    {
        await fixture.InSwarmAsync();
        var services = new List<JsonNode>();
        foreach (var side in fixture.Sides)
        {
            const string name = "upd-prev-scale";
            // No node has the label: the scale changes the spec, no task runs.
            const string nowhere = """ "Labels":{"team":"blue"}""";
            var spec = Service(name, nowhere, replicas: 1).Replace("\"StopGracePeriod\":1000000000}", "\"StopGracePeriod\":1000000000},\"Placement\":{\"Constraints\":[\"node.labels.never==1\"]}");
            (await side.PostAsync("/services/create", spec)).ShouldSucceed();
            var current = (await side.GetAsync($"/services/{name}")).ShouldSucceed().Json!;
            var scaled = current["Spec"]!.DeepClone();
            scaled["Mode"]!["Replicated"]!["Replicas"] = 3;
            (await side.PostAsync($"/services/{name}/update?version={current["Version"]!["Index"]}", scaled.ToJsonString())).ShouldSucceed();
            services.Add((await side.GetAsync($"/services/{name}")).ShouldSucceed().Json!);
        }

        Assert.Equal(1, services[0]["PreviousSpec"]?["Mode"]?["Replicated"]?["Replicas"]?.GetValue<long>());
        JsonComparison.AssertSame("service", services[0]["PreviousSpec"], services[1]["PreviousSpec"], "PreviousSpec after a scale");
        JsonComparison.AssertSame("service", services[0]["Spec"], services[1]["Spec"], "Spec after a scale");
    }

    private static async Task<int> RunningTasksAsync(Side side, string service) =>
        ((await side.GetAsync("/tasks?filters=" + Uri.EscapeDataString("{\"service\":{\"" + service + "\":true},\"desired-state\":{\"running\":true}}")))
            .Json as JsonArray ?? []).Count(t => t?["Status"]?["State"]?.ToString() == "running");

    private static async Task UntilAsync(Side side, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(300);
        }
    }

    /// <summary>Every ID of a side, by placeholder, so messages that name objects compare.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> IdsAsync(Side side)
    {
        var ids = new Dictionary<string, string>();
        foreach (var (path, placeholder) in new[] { ("/nodes", "<node>"), ("/services", "<service>"), ("/tasks", "<task>") })
            if ((await side.GetAsync(path)).Json is JsonArray items)
                foreach (var item in items)
                    if (item?["ID"] is { } id) ids[id.ToString()] = placeholder;
        return ids;
    }
}
