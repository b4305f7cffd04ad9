using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>The tutorial's "Service 更新" on three real nodes (<see cref="TutorialUpdateWalkthrough"/>), one test per behaviour.</summary>
public abstract class Tutorial_update_walkthrough_Tests(TutorialUpdateWalkthrough story, ITestOutputHelper output)
{
    [Fact]
    public void The_overlay_network_demo_is_created() => Held(nameof(The_overlay_network_demo_is_created));

    [Fact]
    public void Web_is_created_on_demo_with_port_80_published_and_runs_version_1_0() => Held(nameof(Web_is_created_on_demo_with_port_80_published_and_runs_version_1_0));

    [Fact]
    public void Web_scales_to_two_replicas() => Held(nameof(Web_scales_to_two_replicas));

    [Fact]
    public void Curl_127_0_0_1_on_a_worker_answers_Hello_Docker_Version_1_0() => Held(nameof(Curl_127_0_0_1_on_a_worker_answers_Hello_Docker_Version_1_0));

    [Fact]
    public void The_update_to_2_0_switches_the_worker_s_curl_loop_with_no_failed_request() => Held(nameof(The_update_to_2_0_switches_the_worker_s_curl_loop_with_no_failed_request));

    [Fact]
    public void Service_ps_shows_the_history_each_slot_s_old_task_Shutdown_under_its_new_Running_one() => Held(nameof(Service_ps_shows_the_history_each_slot_s_old_task_Shutdown_under_its_new_Running_one));

    [Fact]
    public void Publish_rm_80_and_publish_add_8080_move_web_to_port_8080() => Held(nameof(Publish_rm_80_and_publish_add_8080_move_web_to_port_8080));

    private void Held(string behaviour)
    {
        foreach (var note in story.Notes) output.WriteLine(note);
        story.Story.AssertHeld(behaviour);
    }
}

/// <summary>The walkthrough typed with the stock docker CLI.</summary>
public sealed class Tutorial_update_with_the_docker_CLI_Tests(DockerCliUpdateWalkthrough story, ITestOutputHelper output)
    : Tutorial_update_walkthrough_Tests(story, output), IClassFixture<DockerCliUpdateWalkthrough>;

/// <summary>The walkthrough typed with `eventswarm`.</summary>
public sealed class Tutorial_update_with_the_eventswarm_CLI_Tests(EventSwarmCliUpdateWalkthrough story, ITestOutputHelper output)
    : Tutorial_update_walkthrough_Tests(story, output), IClassFixture<EventSwarmCliUpdateWalkthrough>;
