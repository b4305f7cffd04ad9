extern alias node;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Metrics;

namespace EventSwarm.UnitTests.Metrics;

/// <summary>The node's metrics where no engine is needed: bounded labels, what the worker's observations count, one registry per agent.</summary>
public sealed class Node_metrics_Tests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TaskStatusReport Seen(string task, TaskState state, double atSeconds, string message = "", string? error = null, long? exitCode = null) =>
        new(task, new TaskObservation(state, T0.AddSeconds(atSeconds), message, error, "c1", exitCode));

    [Theory]
    [InlineData(TaskState.Rejected, "rejected", "image not found", null, "rejected")]
    [InlineData(TaskState.Failed, "started", "task: non-zero exit (137): dockerexec: unhealthy container", 137L, "unhealthy")]
    [InlineData(TaskState.Failed, "started", "task: non-zero exit (1)", 1L, "nonzero_exit")]
    [InlineData(TaskState.Failed, "failed", TaskStep.ContainerGone, null, "container_gone")]
    [InlineData(TaskState.Failed, "starting", "task: no such image", null, "start_error")]
    [InlineData(TaskState.Complete, "finished", null, 0L, null)]
    [InlineData(TaskState.Running, "started", null, null, null)]
    public void Task_failures_are_counted_by_a_reason_from_a_fixed_set(TaskState state, string message, string? error, long? exitCode, string? reason) =>
        Assert.Equal(reason, TaskMetrics.FailureReason(new TaskObservation(state, T0, message, error, "c1", exitCode)));

    [Fact]
    public void Container_start_is_timed_from_created_to_running_and_an_adopted_container_is_not()
    {
        var metrics = new NodeMetrics();
        var tasks = new TaskMetrics(metrics);
        tasks.Observe(Seen("t1", TaskState.Preparing, 0));
        tasks.Observe(Seen("t1", TaskState.Ready, 1));
        tasks.Observe(Seen("t1", TaskState.Starting, 1.5));
        tasks.Observe(Seen("t1", TaskState.Running, 3.5));
        // Adopted after an agent restart: started again with no Ready seen by this agent.
        tasks.Observe(Seen("t2", TaskState.Starting, 0));
        tasks.Observe(Seen("t2", TaskState.Running, 9));
        tasks.Observe(Seen("t1", TaskState.Failed, 10, "started", "task: non-zero exit (2)", 2));

        Assert.Equal(1, metrics.ContainerStart.Count);
        Assert.Equal(2.5, metrics.ContainerStart.Sum, 6);
        Assert.Equal(1, metrics.TaskFailures.WithLabels("nonzero_exit").Value);
    }

    [Fact]
    public async Task Two_agents_in_one_process_do_not_share_figures()
    {
        var first = new NodeMetrics();
        var second = new NodeMetrics();
        first.EventsAppended.WithLabels("ServiceCreated").Inc(3);

        Assert.Contains("eventswarm_events_appended_total{type=\"ServiceCreated\"} 3", await ScrapeAsync(first));
        Assert.DoesNotContain("ServiceCreated", await ScrapeAsync(second));
    }

    [Fact]
    public void Requests_are_labelled_by_route_pattern_never_by_raw_path()
    {
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/services/{id}"), 0, null, null);
        Assert.Equal("/services/{id}", MetricsEndpoints.RouteOf(endpoint));
        Assert.Equal(MetricsEndpoints.Unmatched, MetricsEndpoints.RouteOf(null));
        Assert.Equal(MetricsEndpoints.Unmatched, MetricsEndpoints.RouteOf(new Endpoint(_ => Task.CompletedTask, null, "not routed")));
    }

    [Theory]
    [InlineData("get", "GET")]
    [InlineData("DELETE", "DELETE")]
    [InlineData("BREW", "other")]
    public void Request_methods_outside_http_are_one_label(string method, string label) => Assert.Equal(label, MetricsEndpoints.MethodLabel(method));

    private static async Task<string> ScrapeAsync(NodeMetrics metrics)
    {
        using var output = new MemoryStream();
        await metrics.WriteAsync(output, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }
}
