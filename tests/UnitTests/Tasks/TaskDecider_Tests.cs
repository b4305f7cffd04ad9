namespace EventSwarm.UnitTests.Tasks;

public sealed class TaskDecider_Tests
{
    private static readonly ServiceSpec Web = Spec("web", replicas: 2);

    private static TaskStatusReport Report(string taskId, TaskState state, double at, string? message = null) =>
        new(taskId, new TaskObservation(state, At(at), message ?? state.ToWire()));

    private static ClusterState State() =>
        Given(Cluster("n1", "n2")).And(Service(Web)).And(Created("a", Web, 1), Assigned("a", "n1")).And(Running("b", Web, 2, "n2"));

    [Fact]
    public void A_report_that_moves_a_task_forward_is_recorded()
    {
        var decision = TaskDecider.Decide(new ReportTaskStatus("n1", [Report("a", TaskState.Preparing, 1)]), State());

        Assert.Equal([new TaskStatusReported("a", "n1", new TaskObservation(TaskState.Preparing, At(1), "preparing"))], decision.Events);
    }

    [Fact]
    public void A_node_may_report_only_its_own_tasks_and_unknown_tasks_are_dropped()
    {
        var decision = TaskDecider.Decide(new ReportTaskStatus("n1", [Report("b", TaskState.Failed, 1), Report("reaped", TaskState.Running, 1)]), State());

        Assert.True(decision.Succeeded);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_report_that_would_move_a_task_backwards_or_repeats_the_current_state_is_dropped()
    {
        var state = State();
        var running = state.Tasks["b"].Status;

        var decision = TaskDecider.Decide(new ReportTaskStatus("n2", [Report("b", TaskState.Starting, 1), new TaskStatusReport("b", running)]), state);

        Assert.Empty(decision.Events);
    }

    [Fact]
    public void The_same_state_with_a_new_message_is_recorded()
    {
        var decision = TaskDecider.Decide(new ReportTaskStatus("n2", [Report("b", TaskState.Running, 1, "running (healthy)")]), State());

        Assert.Single(decision.Events);
    }

    [Fact]
    public void A_report_from_an_unknown_node_is_not_found()
    {
        var decision = TaskDecider.Decide(new ReportTaskStatus("n9", [Report("a", TaskState.Running, 1)]), State());

        Assert.Equal(ErrorKind.NotFound, decision.Error?.Kind);
    }
}
