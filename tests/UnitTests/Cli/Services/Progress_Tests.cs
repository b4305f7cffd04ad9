extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli.Services;
using ContainerSpec = Docker.DotNet.Models.ContainerSpec;
using GlobalService = Docker.DotNet.Models.GlobalService;
using ReplicatedService = Docker.DotNet.Models.ReplicatedService;
using ServiceMode = Docker.DotNet.Models.ServiceMode;
using ServiceSpec = Docker.DotNet.Models.ServiceSpec;
using TaskSpec = Docker.DotNet.Models.TaskSpec;
using TaskState = Docker.DotNet.Models.TaskState;
using TaskStatus = Docker.DotNet.Models.TaskStatus;
using UpdateStatus = Docker.DotNet.Models.UpdateStatus;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary>The convergence display as docker's progress.go: UpdateStatus, the monitor wait, the bars.</summary>
public sealed class Progress_Tests
{
    private static readonly DateTime T0 = new(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
    private static readonly HashSet<string> Nodes = ["n1", "n2"];

    private static SwarmService Service(int replicas, string? state = null, string? message = null, TimeSpan? monitor = null) => new()
    {
        ID = "svc1",
        Spec = new ServiceSpec
        {
            Name = "web",
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)replicas } },
            TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx" } },
            UpdateConfig = monitor is { } m ? new SwarmUpdateConfig { Monitor = m } : null,
        },
        UpdateStatus = state is null ? null : new UpdateStatus { State = state, Message = message },
    };

    private static TaskResponse Task(int slot, TaskState state, TaskState desired = TaskState.Running, string node = "n1", string? err = null) =>
        new() { ID = $"t{slot}{state}", Slot = slot, NodeID = node, DesiredState = desired, Status = new TaskStatus { State = state, Err = err } };

    [Fact]
    public void An_update_counts_running_tasks_then_waits_the_update_monitor_before_converged()
    {
        var progress = new ServiceProgress("web");
        var service = Service(2, "updating", "update in progress", monitor: TimeSpan.FromSeconds(3));
        Assert.Null(progress.Observe(service, T0));
        progress.Update(service, [Task(1, TaskState.Running), Task(2, TaskState.Preparing)], Nodes, T0);
        Assert.Equal("overall progress: 1 out of 2 tasks", progress.Lines[0]);
        Assert.StartsWith("1/2: running   [=", progress.Lines[1]);
        Assert.StartsWith("2/2: preparing [=", progress.Lines[2]);
        Assert.Equal(3, progress.Lines.Count);

        Assert.Null(progress.Observe(service, T0.AddSeconds(1)));
        progress.Update(service, [Task(1, TaskState.Running), Task(2, TaskState.Running)], Nodes, T0.AddSeconds(1));
        Assert.Equal("overall progress: 2 out of 2 tasks", progress.Lines[0]);
        Assert.Equal("verify: Waiting 3 seconds to verify that tasks are stable...", progress.Lines[^1]);

        Assert.Null(progress.Observe(service, T0.AddSeconds(2.5)));
        progress.Update(service, [Task(1, TaskState.Running), Task(2, TaskState.Running)], Nodes, T0.AddSeconds(2.5));
        Assert.Equal("verify: Waiting 2 seconds to verify that tasks are stable...", progress.Lines[^1]);

        Assert.IsType<ProgressOutcome.Converged>(progress.Observe(service, T0.AddSeconds(4)));
        Assert.Equal("verify: Service web converged", progress.Lines[^1]);
    }

    [Fact]
    public void The_monitor_is_five_seconds_when_the_spec_has_none()
    {
        var progress = new ServiceProgress("web");
        var service = Service(1);
        progress.Observe(service, T0);
        progress.Update(service, [Task(1, TaskState.Running)], Nodes, T0);
        Assert.Equal("verify: Waiting 5 seconds to verify that tasks are stable...", progress.Lines[^1]);
        Assert.Null(progress.Observe(service, T0.AddSeconds(4.9)));
        Assert.NotNull(progress.Observe(service, T0.AddSeconds(5)));
    }

    [Fact]
    public void A_paused_update_ends_the_wait_with_dockers_error()
    {
        var outcome = new ServiceProgress("web").Observe(Service(2, "paused", "update paused due to failure or early termination of task abc"), T0);
        Assert.Equal("service update paused: update paused due to failure or early termination of task abc", Assert.IsType<ProgressOutcome.Failed>(outcome).Message);
    }

    [Fact]
    public void A_paused_rollback_ends_the_wait_with_dockers_error()
    {
        var outcome = new ServiceProgress("web").Observe(Service(2, "rollback_paused", "rollback paused due to failure or early termination of task abc"), T0);
        Assert.Equal("service rollback paused: rollback paused due to failure or early termination of task abc", Assert.IsType<ProgressOutcome.Failed>(outcome).Message);
    }

    [Fact]
    public void A_completed_update_seen_first_ends_the_wait_as_docker_does()
    {
        Assert.IsType<ProgressOutcome.Converged>(new ServiceProgress("web").Observe(Service(1, "completed", "update completed"), T0));
    }

    [Fact]
    public void A_rollback_is_announced_once_and_counted_as_rolling_back()
    {
        var progress = new ServiceProgress("web");
        var service = Service(2, "rollback_started", "manually requested rollback", TimeSpan.FromSeconds(1));
        progress.Observe(service, T0);
        progress.Update(service, [Task(1, TaskState.Running), Task(2, TaskState.Starting)], Nodes, T0);
        Assert.Equal("rollback: manually requested rollback", progress.Lines[0]);
        Assert.Equal("overall progress: rolling back update: 1 out of 2 tasks", progress.Lines[1]);

        var completed = Service(2, "rollback_completed", "rollback completed", TimeSpan.FromSeconds(1));
        progress.Observe(completed, T0.AddSeconds(1));
        progress.Update(completed, [Task(1, TaskState.Running), Task(2, TaskState.Running)], Nodes, T0.AddSeconds(1));
        Assert.Equal("overall progress: rolling back update: 2 out of 2 tasks", progress.Lines[1]);
        Assert.IsType<ProgressOutcome.Converged>(progress.Observe(completed, T0.AddSeconds(2)));
        Assert.Equal("verify: Service web converged", progress.Lines[^1]);
        // The rollback's message comes after "converged": docker writes it to the same "rollback" line.
        Assert.Equal("rollback: rollback completed", progress.Lines[0]);
    }

    [Fact]
    public void A_task_that_fails_while_verifying_is_reported_and_the_wait_starts_again()
    {
        var progress = new ServiceProgress("web");
        var service = Service(1, monitor: TimeSpan.FromSeconds(2));
        progress.Observe(service, T0);
        progress.Update(service, [Task(1, TaskState.Running)], Nodes, T0);
        progress.Observe(service, T0.AddSeconds(1));
        progress.Update(service, [Task(1, TaskState.Failed, err: "task: non-zero exit (1)")], Nodes, T0.AddSeconds(1));
        Assert.Equal("verify: Detected task failure", progress.Lines[^1]);
        Assert.Equal("overall progress: 0 out of 1 tasks", progress.Lines[0]);
        Assert.Equal("1/1: task: non-zero exit (1)", progress.Lines[1]);
        Assert.Null(progress.Observe(service, T0.AddSeconds(5)));
    }

    [Fact]
    public void Per_slot_the_task_meant_to_run_is_shown_and_tasks_on_down_nodes_are_not()
    {
        var progress = new ServiceProgress("web");
        var service = Service(1);
        progress.Observe(service, T0);
        // Start-first: the old task still running and shutting down, the new one starting; the new one is the slot's.
        progress.Update(service, [Task(1, TaskState.Running, TaskState.Shutdown), Task(1, TaskState.Starting), Task(1, TaskState.Running, node: "gone")], Nodes, T0);
        Assert.StartsWith("1/1: starting  [", progress.Lines[1]);
        Assert.Equal("overall progress: 0 out of 1 tasks", progress.Lines[0]);
    }

    [Fact]
    public void A_long_task_error_is_cut_to_one_line_of_75_characters()
    {
        var progress = new ServiceProgress("web");
        var service = Service(1);
        progress.Observe(service, T0);
        progress.Update(service, [Task(1, TaskState.Rejected, err: "no such image:\n" + new string('x', 100))], Nodes, T0);
        Assert.Equal("1/1: no such image: " + new string('x', 74 - 15) + "…", progress.Lines[1]);
    }

    [Fact]
    public void A_global_service_waits_for_its_tasks_then_counts_them_by_node()
    {
        var progress = new ServiceProgress("agent");
        var service = Service(0);
        service.Spec.Mode = new ServiceMode { Global = new GlobalService() };
        progress.Observe(service, T0);
        progress.Update(service, [], Nodes, T0);
        Assert.Equal(["overall progress: waiting for new tasks"], progress.Lines);
        progress.Update(service, [Task(0, TaskState.Running, node: "n1"), Task(0, TaskState.Pending, node: "n2")], Nodes, T0);
        Assert.Equal("overall progress: 1 out of 2 tasks", progress.Lines[0]);
        Assert.Contains(progress.Lines, l => l.StartsWith("n2: pending   [", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_terminal_each_line_is_printed_when_its_text_changes()
    {
        using var output = new StringWriter();
        var screen = new ProgressScreen(output, tty: false, quiet: false);
        screen.Show(["overall progress: 0 out of 1 tasks", "1/1:  "]);
        screen.Show(["overall progress: 0 out of 1 tasks", "1/1: running"]);
        screen.Show(["overall progress: 1 out of 1 tasks", "1/1: running", "verify: Service web converged"]);
        Assert.Equal("overall progress: 0 out of 1 tasks\n1/1:  \n1/1: running\noverall progress: 1 out of 1 tasks\nverify: Service web converged\n",
            output.ToString().ReplaceLineEndings("\n"));
    }
}
