using Xunit.Abstractions;

namespace EventSwarm.IntegrationTests.Stacks;

/// <summary>
/// The tutorial's WordPress stack on three real nodes, the "Must hold", once with the stock docker CLI and
/// once with EventSwarm's (<see cref="WordpressWalkthrough"/> tells it; each test names one step's behaviour).
/// </summary>
[Collection(WordpressWalkthroughCollection.Name)]
public sealed class Wordpress_walkthrough_Tests(WordpressWalkthrough fixture, ITestOutputHelper output)
{
    public static TheoryData<string> Clis => WordpressWalkthrough.Clis;

    [Theory]
    [MemberData(nameof(Clis))]
    public void File_1_deploys_verbatim(string cli) => Held(cli, WordpressWalkthrough.Deployed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Stack_ls_lists_the_stack_with_its_two_services(string cli) => Held(cli, WordpressWalkthrough.Listed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Stack_services_shows_web_3_of_3_and_mysql_1_of_1(string cli) => Held(cli, WordpressWalkthrough.Services);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Web_is_spread_over_the_three_nodes_and_global_mysql_runs_on_the_manager_only(string cli) => Held(cli, WordpressWalkthrough.Placed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Every_node_s_port_8080_answers_the_WordPress_install_redirect(string cli) => Held(cli, WordpressWalkthrough.Answers);

    [Theory]
    [MemberData(nameof(Clis))]
    public void The_install_completes_and_a_new_post_is_served_through_every_node(string cli) => Held(cli, WordpressWalkthrough.Installed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Mysql_s_volume_is_the_stack_s_named_volume_with_its_label(string cli) => Held(cli, WordpressWalkthrough.VolumeLabelled);

    [Theory]
    [MemberData(nameof(Clis))]
    public void The_post_survives_the_mysql_container_s_removal_as_the_volume_keeps_it(string cli) => Held(cli, WordpressWalkthrough.PostSurvives);

    [Theory]
    [MemberData(nameof(Clis))]
    public void A_redeploy_with_wordpress_6_rolls_web_one_task_at_a_time_10_s_apart_with_no_failed_request(string cli) =>
        Held(cli, WordpressWalkthrough.Rolled);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Stack_rm_leaves_no_service_network_or_task_container(string cli) => Held(cli, WordpressWalkthrough.Removed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Stack_rm_keeps_the_named_volume(string cli) => Held(cli, WordpressWalkthrough.VolumeKept);

    /// <summary>docker's own CLI leaves the network it created first (its client-side sequence); ours creates nothing and appends nothing.</summary>
    [Theory]
    [MemberData(nameof(Clis))]
    public void File_2_is_refused_naming_the_missing_external_secret_and_no_service_is_created(string cli) =>
        Held(cli, WordpressWalkthrough.RefusedWithoutSecret);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Printf_adminadmin_piped_to_secret_create_creates_my_pw2(string cli) => Held(cli, WordpressWalkthrough.SecretCreated);

    [Theory]
    [MemberData(nameof(Clis))]
    public void File_2_deploys_verbatim_and_WordPress_installs_with_the_DB_password_from_the_secret(string cli) =>
        Held(cli, WordpressWalkthrough.SecretDeployed);

    [Theory]
    [MemberData(nameof(Clis))]
    public void Stack_rm_keeps_the_external_secret(string cli) => Held(cli, WordpressWalkthrough.SecretKept);

    [Theory]
    [MemberData(nameof(Clis))]
    public void A_redeploy_leaves_a_service_whose_spec_did_not_change_running(string cli) => Aside(cli, WordpressWalkthrough.MysqlKept);

    [Fact]
    public void Stack_history_lists_each_deploy_with_its_files_digests() => Aside("eventswarm", WordpressWalkthrough.History);

    private void Held(string cli, string behaviour)
    {
        foreach (var note in fixture.Notes) output.WriteLine(note);
        fixture.StoryOf(cli).AssertHeld(behaviour);
    }

    private void Aside(string cli, string behaviour)
    {
        foreach (var note in fixture.Notes) output.WriteLine(note);
        fixture.AsidesOf(cli).AssertHeld(behaviour);
    }
}
