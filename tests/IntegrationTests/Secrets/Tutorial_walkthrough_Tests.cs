namespace EventSwarm.IntegrationTests.Secrets;

/// <summary>
/// The tutorial's section "Docker Secret 的管理和使用" on three real nodes, once with the stock docker CLI and once
/// with EventSwarm's (<see cref="TutorialWalkthrough"/> tells it; each test names one step's behaviour).
/// </summary>
[Collection(WalkthroughCollection.Name)]
public sealed class Tutorial_walkthrough_Tests(TutorialWalkthrough fixture)
{
    public static TheoryData<string> Clis => TutorialWalkthrough.Clis;

    [Theory]
    [MemberData(nameof(Clis))]
    public void Secret_create_reads_the_data_from_a_file(string cli) => fixture.StoryOf(cli).AssertHeld("secret create reads the data from a file");

    [Theory]
    [MemberData(nameof(Clis))]
    public void Secret_create_reads_the_data_from_stdin(string cli) => fixture.StoryOf(cli).AssertHeld("secret create reads the data from stdin");

    [Theory]
    [MemberData(nameof(Clis))]
    public void Secret_ls_lists_the_secrets_in_docker_s_table(string cli) => fixture.StoryOf(cli).AssertHeld("secret ls lists both in docker's table");

    [Theory]
    [MemberData(nameof(Clis))]
    public void Secret_rm_removes_a_secret_no_service_uses(string cli) => fixture.StoryOf(cli).AssertHeld("secret rm removes the secret");

    [Theory]
    [MemberData(nameof(Clis))]
    public void A_task_reads_its_secret_under_run_secrets(string cli) => fixture.StoryOf(cli).AssertHeld("a task reads the secret under /run/secrets");

    [Theory]
    [MemberData(nameof(Clis))]
    public void A_secret_is_a_read_only_file_on_a_tmpfs_in_the_container(string cli) => fixture.StoryOf(cli).AssertHeld("the secret is a read-only file in memory");

    [Theory]
    [MemberData(nameof(Clis))]
    public void Mysql_takes_its_root_password_from_the_secret_file(string cli) =>
        fixture.StoryOf(cli).AssertHeld("mysql starts with the secret as root password and logs in with it");
}

/// <summary>Swarm's rule: a node receives a secret only while it runs a task that uses it.</summary>
[Collection(WalkthroughCollection.Name)]
public sealed class Secret_placement_Tests(TutorialWalkthrough fixture)
{
    public static TheoryData<string> Clis => TutorialWalkthrough.Clis;

    [Theory]
    [MemberData(nameof(Clis))]
    public void A_secret_reaches_only_the_node_running_a_task_that_uses_it(string cli) =>
        fixture.StoryOf(cli).AssertHeld("only the node running the task holds the secret");

    /// <summary>docker: `service rm`; eventswarm: `service scale x=0`.</summary>
    [Theory]
    [MemberData(nameof(Clis))]
    public void A_secret_leaves_the_node_when_its_task_ends(string cli) => fixture.StoryOf(cli).AssertHeld("the secret leaves the node when its task ends");
}

/// <summary>
/// The check "the hard way": after both walkthroughs and a manager restart, neither password nor its
/// base64 is anywhere but in the tmpfs of the node running a task that reads it.
/// </summary>
[Collection(WalkthroughCollection.Name)]
public sealed class Plaintext_search_Tests(TutorialWalkthrough fixture)
{
    [Fact]
    public void A_restarted_manager_serves_the_secrets_again() => fixture.HardWay.AssertHeld("a restarted manager serves the secrets again");

    [Fact]
    public void No_plaintext_is_on_any_node_s_disk() => fixture.HardWay.AssertHeld("no plaintext on any node's disk");

    [Fact]
    public void No_plaintext_is_in_the_agents_logs() => fixture.HardWay.AssertHeld("no plaintext in the agents' logs");

    [Fact]
    public void No_plaintext_is_in_the_API_s_answers() => fixture.HardWay.AssertHeld("no plaintext in the API's answers");

    [Fact]
    public void The_audit_trail_records_every_secret_event_with_its_author_and_never_the_data() =>
        fixture.HardWay.AssertHeld("no plaintext in the audit trail, which records every secret event");
}
