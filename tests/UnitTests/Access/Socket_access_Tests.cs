extern alias node;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Cli.Agent;
using node::EventSwarm.Node.Local;

namespace EventSwarm.UnitTests.Access;

/// <summary>Who may use the unix socket, and how a forwarded command's caller is recorded.</summary>
public sealed class Socket_access_Tests
{
    private static PeerCredentials Peer(int uid, int gid, params int[] groups) => new(4711, uid, gid, groups);

    [Fact]
    public void Without_a_group_only_root_is_allowed()
    {
        var access = new SocketAccess(null, null);
        Assert.True(access.Allows(Peer(0, 0)));
        Assert.False(access.Allows(Peer(4242, 4242)));
        Assert.False(access.Allows(Peer(4242, 0)));
        Assert.Contains("only root may", access.Refusal(Peer(4242, 4242)));
    }

    [Fact]
    public void With_a_group_its_members_by_primary_or_supplementary_gid_are_allowed_and_no_one_else()
    {
        var access = new SocketAccess(1001, "eventswarm");
        Assert.True(access.Allows(Peer(4242, 1001)));
        Assert.True(access.Allows(Peer(4242, 4242, 27, 1001)));
        Assert.False(access.Allows(Peer(4242, 4242, 27)));
        Assert.Contains("only root and members of group eventswarm may", access.Refusal(Peer(4242, 4242)));
    }

    [Fact]
    public void The_agent_takes_group_as_a_name_and_refuses_an_empty_one()
    {
        Assert.Equal("docker", AgentCommand.Parse(["--group", "docker"]).Group);
        Assert.Null(AgentCommand.Parse([]).Group);
        Assert.Throws<ArgumentException>(() => AgentCommand.Parse(["--group="]));
        Assert.Contains("--group NAME", AgentCommand.UsageLine);
    }

    [Fact]
    public void A_group_is_resolved_by_name_or_number_as_dockerd_does_and_an_unknown_name_is_refused()
    {
        Assert.Equal(0, LocalAccess.ResolveGroup("root"));
        Assert.Equal(4242, LocalAccess.ResolveGroup("4242"));
        Assert.Equal("group no-such-group-here not found", Assert.Throws<ArgumentException>(() => LocalAccess.ResolveGroup("no-such-group-here")).Message);
    }

#pragma warning disable DOTNEXT001
    [Fact]
    public void A_forwarded_caller_is_recorded_with_the_manager_that_vouched_for_it_unless_it_is_that_manager_itself()
    {
        Assert.Equal("unix:alice(uid=1000,pid=7) via manager m1", node::EventSwarm.Node.Manager.ForwardedCommands.Vouched("unix:alice(uid=1000,pid=7)", "c", "m1").Identity);
        Assert.Equal("node:w1 via manager m1", node::EventSwarm.Node.Manager.ForwardedCommands.Vouched("node:w1", "c", "m1").Identity);
        Assert.Equal("node:m1", node::EventSwarm.Node.Manager.ForwardedCommands.Vouched("node:m1", "c", "m1").Identity);
    }
#pragma warning restore DOTNEXT001
}
