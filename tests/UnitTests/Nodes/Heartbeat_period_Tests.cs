extern alias node;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Domain.Swarm;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Nodes;

/// <summary>
/// The heartbeat period has one source, the swarm spec's Dispatcher.HeartbeatPeriod: what GET /swarm reports is
/// what the nodes beat and the node monitor allows; the agent's --heartbeat-period is the default a new swarm records.
/// </summary>
public sealed class Heartbeat_period_Tests
{
    private static readonly TimeSpan AgentFlag = TimeSpan.FromSeconds(1);

    private static ClusterProjection InSwarmWith(SwarmSpec spec)
    {
        var projection = new ClusterProjection();
        projection.Restore(Given(SwarmInit(), new SwarmSpecUpdated(spec, At(1))));
        return projection;
    }

    [Fact]
    public void Nodes_beat_at_the_period_the_swarm_spec_records()
    {
        var heartbeats = new Heartbeats(AgentFlag, InSwarmWith(SwarmSpec.Default with { HeartbeatPeriod = 7 * SwarmSpec.NanosecondsPerSecond }));

        Assert.Equal(TimeSpan.FromSeconds(7), heartbeats.Period);
    }

    [Fact]
    public void A_swarm_update_of_the_dispatcher_heartbeat_changes_the_period_at_once()
    {
        var projection = InSwarmWith(SwarmSpec.Default);
        var heartbeats = new Heartbeats(AgentFlag, projection);
        Assert.Equal(TimeSpan.FromSeconds(5), heartbeats.Period);

        projection.Restore(projection.Current.And(new SwarmSpecUpdated(SwarmSpec.Default with { HeartbeatPeriod = 2_500_000_000 }, At(2))));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), heartbeats.Period);
    }

    [Fact]
    public void Outside_a_swarm_and_for_a_zero_spec_period_the_agent_default_holds()
    {
        Assert.Equal(AgentFlag, new Heartbeats(AgentFlag, new ClusterProjection()).Period);
        Assert.Equal(AgentFlag, new Heartbeats(AgentFlag, InSwarmWith(SwarmSpec.Default with { HeartbeatPeriod = 0 })).Period);
        Assert.Equal(AgentFlag, new Heartbeats(AgentFlag).Period);
    }

    [Fact]
    public void Init_records_the_agent_period_unless_the_request_sets_the_dispatcher_heartbeat()
    {
        var defaults = SwarmSpec.Default with { HeartbeatPeriod = SwarmSpec.NanosecondsPerSecond };

        Assert.Equal(SwarmSpec.NanosecondsPerSecond, SwarmWire.ForInit(null, false, defaults).HeartbeatPeriod);
        Assert.Equal(SwarmSpec.NanosecondsPerSecond, SwarmWire.ForInit(new SwarmSpecBody { Dispatcher = new DispatcherBody(null) }, false, defaults).HeartbeatPeriod);
        Assert.Equal(7_000_000_005, SwarmWire.ForInit(new SwarmSpecBody { Dispatcher = new DispatcherBody(7_000_000_005) }, false, defaults).HeartbeatPeriod);
        // Without the agent's defaults, swarmkit's: 5 s.
        Assert.Equal(5 * SwarmSpec.NanosecondsPerSecond, SwarmWire.ForInit(null, false).HeartbeatPeriod);
    }

    [Fact]
    public void What_the_swarm_reports_is_the_period_the_nodes_use()
    {
        var spec = SwarmWire.ForInit(null, false, SwarmSpec.Default with { HeartbeatPeriod = SwarmSpec.NanosecondsPerSecond });
        var projection = InSwarmWith(spec);

        var reported = SwarmWire.ToWire(projection.Current.Swarm!).Spec.Dispatcher!.HeartbeatPeriod;

        Assert.Equal(new Heartbeats(Heartbeats.DefaultPeriod, projection).Period, TimeSpan.FromTicks(reported!.Value / 100));
    }
}
