using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode;

/// <summary>
/// On three real nodes: a worker's agent dies, its tasks are rescheduled, and `explain task` of a replacement names
/// the node failure (the node monitor's batch that marked it down) and the scheduler's reason for its new node.
/// </summary>
[Collection(WorkersJoinedWithTokensCollection.Name)]
public sealed class Explain_rescheduled_task_Tests(WorkersJoinedWithTokens fixture)
{
    private NamespaceCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Audit_explain_task_of_a_task_rescheduled_after_its_node_died_names_the_failure_and_the_new_placement()
    {
        await fixture.AllReadyAsync();
        await fixture.CreateSixReplicasAsync("explained");
        await fixture.TasksRunOnlyOnAsync("explained", [1, 2, 3]);

        await Cluster.KillAgentAsync(3);
        try
        {
            await fixture.NodeIsAsync(3, "Down");
            await fixture.TasksRunOnlyOnAsync("explained", [1, 2]);

            var ids = (await Cluster.EventSwarm(1, "service", "ps", "--no-trunc", "--format", "{{.ID}}", "explained")).ShouldSucceed()
                .Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            JsonElement? replacement = null;
            foreach (var id in ids)
            {
                var json = JsonDocument.Parse((await Cluster.EventSwarm(1, "explain", "task", id, "--format", "json")).ShouldSucceed().Output).RootElement;
                if (json.TryGetProperty("predecessor", out var before) && before.TryGetProperty("nodeFailure", out _)) replacement = json.Clone();
            }
            Assert.True(replacement is not null, $"one of {ids.Length} tasks replaced a task of the failed node");
            var task = replacement.Value;
            var failure = task.GetProperty("predecessor").GetProperty("nodeFailure");
            Assert.Contains("down", failure.GetProperty("changes")[0].GetString());
            Assert.StartsWith("system:node-monitor", failure.GetProperty("who").GetString());
            var placement = task.GetProperty("placement");
            Assert.Contains("1 removed: not available (n3)", placement.GetProperty("why").GetString());
            Assert.NotEqual("n3", placement.GetProperty("node").GetString());

            var text = (await Cluster.EventSwarm(1, "explain", "task", task.GetProperty("taskId").GetString()!)).ShouldSucceed().Output;
            Assert.Contains("its node failed:", text);
            Assert.Contains("placed on", text);
            Assert.Contains("not available (n3)", text);
        }
        finally
        {
            await Cluster.RestartMissingAgentsAsync();
        }
        await fixture.NodeIsAsync(3, "Ready");
        (await Cluster.EventSwarm(1, "service", "rm", "explained")).ShouldSucceed();
    }
}
