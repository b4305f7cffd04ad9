using System.Text;
using EventSwarm.Application.Workers;

namespace EventSwarm.UnitTests.Workers;

/// <summary>
/// A task's secrets and configs on the worker: asked for when the task is prepared, written where the node keeps
/// them, mounted read-only into the container, and gone from the node when the task ends.
/// </summary>
public sealed class Task_files_Tests
{
    private static readonly ServiceSpec Plain = Spec("plain");

    /// <summary>A service that reads a secret and a config: only such tasks make the worker ask for files.</summary>
    private static readonly ServiceSpec Web = Plain with
    {
        Name = "web",
        TaskTemplate = Plain.TaskTemplate with
        {
            Container = Plain.TaskTemplate.Container with
            {
                Secrets = [new Domain.Secrets.SecretReference("s1", "my-pw2", new Domain.Secrets.FileTarget("my-pw2", "0", "0", 0b100_100_100))],
                Configs = [new Domain.Configs.ConfigReference("c1", "app.conf", new Domain.Secrets.FileTarget("/app.conf", "0", "0", 0b100_100_100))],
            },
        },
    };

    private static readonly TaskFile Password = new(TaskFileKind.Secret, "s1", "my-pw2", 1, "/run/secrets/my-pw2", "0", "0", 0b100_100_100, Encoding.UTF8.GetBytes("adminadmin"));
    private static readonly TaskFile Settings = new(TaskFileKind.Config, "c1", "app.conf", 2, "/app.conf", "0", "0", 0b100_100_100, Encoding.UTF8.GetBytes("x=1"));

    private static ClusterState Assigned(params string[] taskIds) =>
        Given([.. Cluster("n1"), Service(Web), .. taskIds.SelectMany((id, i) => new DomainEvent[] { Created(id, Web, i + 1), Scenario.Assigned(id, "n1") })]);

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WorkerHarness.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"never: {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Secrets_and_configs_are_asked_for_at_prepare_and_mounted_read_only_at_their_targets()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.TaskFiles.Give("t1", Password, Settings);
        worker.Start();

        var running = await worker.Reported("t1", TaskState.Running);

        Assert.Equal(["t1"], worker.TaskFiles.Asked);
        Assert.Equal(
            [new FileMount(FakeTaskFileStore.SourceOf("t1", Password), "/run/secrets/my-pw2"), new FileMount(FakeTaskFileStore.SourceOf("t1", Settings), "/app.conf")],
            worker.Engine.MountsOf(running.ContainerId!));
        Assert.True(worker.FileStore.Holds("t1"));
    }

    [Fact]
    public async Task Task_that_uses_no_secret_or_config_gets_no_file_and_no_mount()
    {
        await using var worker = new WorkerHarness(Given([.. Cluster("n1"), Service(Plain), Created("t1", Plain, 1), Scenario.Assigned("t1", "n1")])).Start();

        var running = await worker.Reported("t1", TaskState.Running);

        Assert.Empty(worker.Engine.MountsOf(running.ContainerId!));
        Assert.Empty(worker.FileStore.Tasks);
        Assert.Empty(worker.TaskFiles.Asked);
    }

    [Fact]
    public async Task Refused_files_reject_the_task_with_the_managers_reason_and_create_no_container()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.TaskFiles.Refuse("t1", new TaskFilesUnavailableException("task t1 is not assigned to node n1"));
        worker.Start();

        var rejected = await worker.Reported("t1", TaskState.Rejected);

        Assert.Equal("unable to get the task's secrets and configs: task t1 is not assigned to node n1", rejected.Error);
        Assert.Empty(worker.Engine.ContainersOf("t1"));
        Assert.DoesNotContain("create t1", worker.Engine.Calls);
        Assert.Empty(worker.FileStore.Tasks);
    }

    [Fact]
    public async Task Unexpected_failure_to_get_the_files_rejects_the_task_without_repeating_what_it_read()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        // Whatever an unforeseen exception says (here, the data it choked on) stays out of the task's error.
        worker.TaskFiles.Refuse("t1", new InvalidDataException("unexpected 'adminadmin'"));
        worker.Start();

        var rejected = await worker.Reported("t1", TaskState.Rejected);

        Assert.Equal("unable to get the task's secrets and configs: the answer could not be used (InvalidDataException)", rejected.Error);
        Assert.DoesNotContain("adminadmin", rejected.Error);
    }

    [Fact]
    public async Task Files_that_cannot_be_written_reject_the_task()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.TaskFiles.Give("t1", Password);
        worker.FileStore.Failure = new IOException("No space left on device");
        worker.Start();

        var rejected = await worker.Reported("t1", TaskState.Rejected);

        Assert.Equal("unable to write the task's secrets and configs on the node: No space left on device", rejected.Error);
        Assert.Empty(worker.Engine.ContainersOf("t1"));
    }

    [Fact]
    public async Task Removing_the_task_removes_its_container_and_its_files()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.TaskFiles.Give("t1", Password);
        worker.Start();
        await worker.Reported("t1", TaskState.Running);

        worker.Commit(Desired("t1", TaskState.Remove));
        await worker.Reported("t1", TaskState.Shutdown);

        Assert.Empty(worker.Engine.ContainersOf("t1"));
        Assert.False(worker.FileStore.Holds("t1"));
    }

    [Fact]
    public async Task Task_shut_down_with_its_container_kept_takes_its_secrets_off_the_node()
    {
        await using var worker = new WorkerHarness(Assigned("t1"));
        worker.TaskFiles.Give("t1", Password);
        worker.Start();
        await worker.Reported("t1", TaskState.Running);

        worker.Commit(Desired("t1", TaskState.Shutdown));
        await worker.Reported("t1", TaskState.Shutdown);

        Assert.Single(worker.Engine.ContainersOf("t1"));
        Assert.False(worker.FileStore.Holds("t1"));
    }

    [Fact]
    public async Task Container_that_exits_takes_its_secrets_off_the_node()
    {
        await using var worker = new WorkerHarness(Assigned("t1", "t2"));
        worker.TaskFiles.Give("t1", Password);
        worker.TaskFiles.Give("t2", Password);
        worker.Start();
        await worker.Reported("t1", TaskState.Running);
        await worker.Reported("t2", TaskState.Running);

        worker.Engine.Exit("t1", 0);
        await worker.Reported("t1", TaskState.Complete);

        await Eventually(() => !worker.FileStore.Holds("t1"), "t1's files removed");
        Assert.True(worker.FileStore.Holds("t2"));
    }

    [Fact]
    public async Task Restarted_worker_keeps_the_files_of_running_containers_and_sweeps_the_rest()
    {
        // Killed and restarted: t1 still runs, t8 ended while the agent was down, t9 is no longer this node's.
        var state = Given([.. Cluster("n1"), Service(Web), .. Running("t1", Web, 1, "n1"), .. Running("t8", Web, 2, "n1")]);
        await using var worker = new WorkerHarness(state);
        worker.Engine.Add("old1", "t1", running: true);
        worker.Engine.Add("old8", "t8", running: false, exitCode: 1);
        worker.FileStore.Leave("t1", Password);
        worker.FileStore.Leave("t8", Password);
        worker.FileStore.Leave("t9", Password);
        worker.Start();

        await worker.Reported("t8", TaskState.Failed);

        await Eventually(() => worker.FileStore.Tasks.SequenceEqual(["t1"]), "only t1's files kept");
        Assert.Empty(worker.TaskFiles.Asked);
    }

    [Fact]
    public void A_task_file_prints_without_its_data()
    {
        Assert.DoesNotContain("adminadmin", Password.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Password.Data), Password.ToString());
    }
}
