using EventSwarm.IntegrationTests.Cluster;
using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>
/// Zero downtime through the routing mesh from a node that runs no task of the service (issue 13): web, 2 replicas
/// kept off n3, published on 8080; a counted request loop on n3 to its own address while web goes 1.0 → 2.0
/// stop-first, parallelism 1 (one replica always serves: the stopping one must leave the mesh's rotation before it
/// gets SIGTERM, and busybox httpd ignores SIGTERM, so it is SIGKILLed after the default 10 s grace period), then
/// 2.0 → 1.0 start-first. Told once (<see cref="Zero_downtime_through_the_mesh_Story"/>); each behaviour one test.
/// </summary>
public sealed class Zero_downtime_through_the_mesh_Tests(Zero_downtime_through_the_mesh_Story story, ITestOutputHelper output)
    : IClassFixture<Zero_downtime_through_the_mesh_Story>
{
    [Fact]
    public void The_mesh_answers_on_a_node_that_runs_no_task_of_the_service() => Held(nameof(The_mesh_answers_on_a_node_that_runs_no_task_of_the_service));

    [Fact]
    public void A_stop_first_update_with_parallelism_1_fails_no_request_through_the_mesh() => Held(nameof(A_stop_first_update_with_parallelism_1_fails_no_request_through_the_mesh));

    [Fact]
    public void A_start_first_update_fails_no_request_through_the_mesh() => Held(nameof(A_start_first_update_fails_no_request_through_the_mesh));

    private void Held(string behaviour)
    {
        foreach (var note in story.Notes) output.WriteLine(note);
        story.Story.AssertHeld(behaviour);
    }
}

/// <summary>The zero-downtime story on three joined nodes, told once for <see cref="Zero_downtime_through_the_mesh_Tests"/>.</summary>
public sealed class Zero_downtime_through_the_mesh_Story : IAsyncLifetime
{
    private const string V1 = TutorialUpdateWalkthrough.V1;
    private const string V2 = TutorialUpdateWalkthrough.V2;
    private static readonly TimeSpan Converges = TimeSpan.FromSeconds(120);

    /// <summary>The node the requests come from: it runs no task of web, so every answer crosses the mesh to another node.</summary>
    private const int Client = 3;

    private static readonly string Url = $"http://{NamespaceCluster.Address(Client)}:8080";

    private NamespaceCluster _cluster = null!;

    public Scenario Story { get; } = new();

    public List<string> Notes { get; } = [];

    public async Task InitializeAsync()
    {
        _cluster = await NamespaceCluster.StartJoinedAsync(3);
        var cluster = _cluster;
        foreach (var node in new[] { 1, 2 })
            await cluster.LoadImagesAsync(node, "python-hello-world:1.0", "python-hello-world:2.0");

        await Story.StepAsync(nameof(Zero_downtime_through_the_mesh_Tests.The_mesh_answers_on_a_node_that_runs_no_task_of_the_service), async () =>
        {
            (await cluster.Docker(1, "service", "create", "-d", "--name", "web", "--replicas", "2", "--constraint", $"node.hostname!=n{Client}",
                "--publish", "8080:5000", "--update-parallelism", "1", "--update-order", "stop-first", "python-hello-world:1.0")).ShouldSucceed();
            await RunningAsync("python-hello-world:1.0");
            Assert.Equal(0, await cluster.RunningContainersAsync(Client, "web"));
            var answer = "";
            await Eventually.True(async () => (answer = await RequestLoop.CurlAsync(Client, Url)) == V1, TimeSpan.FromSeconds(30),
                $"{Url} answers from n{Client} (last answer: {answer})");
        });
        await Story.StepAsync(nameof(Zero_downtime_through_the_mesh_Tests.A_stop_first_update_with_parallelism_1_fails_no_request_through_the_mesh), () =>
            UpdateUnderLoadAsync("stop-first", "python-hello-world:2.0", V1, V2));
        await Story.StepAsync(nameof(Zero_downtime_through_the_mesh_Tests.A_start_first_update_fails_no_request_through_the_mesh), () =>
            UpdateUnderLoadAsync("start-first", "python-hello-world:1.0", V2, V1));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Updates web to the image in the given order while the loop runs from n3; asserts every request answered.</summary>
    private async Task UpdateUnderLoadAsync(string order, string image, string from, string to)
    {
        var loop = RequestLoop.Start(Client, Url);
        IReadOnlyList<string> answers;
        try
        {
            await loop.AnsweredAsync(8, TimeSpan.FromSeconds(30));
            var started = DateTime.UtcNow;
            // The stock CLI waits for the update to converge, as the tutorial's `docker service update` does.
            (await _cluster.Docker(1, "service", "update", "--update-order", order, "--image", image, "web")).ShouldSucceed();
            await RunningAsync(image);
            Notes.Add($"{order} update to {image}: {(DateTime.UtcNow - started).TotalSeconds:0.0} s until both tasks ran it");
            var before = loop.Answers.Count;
            await loop.AnsweredAsync(before + 8, TimeSpan.FromSeconds(30));
        }
        finally
        {
            answers = await loop.StopAsync();
        }
        Notes.Add($"{order}: mesh loop from n{Client}: {RequestLoop.Summary(answers)}");
        RequestLoop.AssertSwitchedWithoutFailure(answers, from, to, $"the mesh on n{Client} ({order})");
    }

    private async Task RunningAsync(string image)
    {
        IReadOnlyList<ServiceTask>? tasks = null;
        await Eventually.True(async () =>
        {
            tasks = await ServiceTask.ListAsync(1, "web");
            var running = tasks?.Where(t => t.IsRunning).ToList() ?? [];
            return running.Count == 2 && running.All(t => t.Image == image);
        }, Converges, $"web runs 2 tasks of {image} ({(tasks is null ? "no answer" : ServiceTask.Describe(tasks))})");
    }
}
