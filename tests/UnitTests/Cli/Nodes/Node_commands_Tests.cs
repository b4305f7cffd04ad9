extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Nodes;
using NodeDescription = Docker.DotNet.Models.NodeDescription;
using NodeStatus = Docker.DotNet.Models.NodeStatus;

namespace EventSwarm.UnitTests.Cli.Nodes;

/// <summary><c>node ls|inspect|update|promote|demote|rm</c>.</summary>
public sealed class Node_commands_Tests
{
    [Fact]
    public void Node_ls_sends_dockers_filter_keys_to_the_manager()
    {
        var (verb, result) = Cli.Parse<NodeLsCommand>("node", "list", "-f", "role=manager", "--filter", "membership=accepted", "--filter", "node.label=zone=a");
        var filters = verb.Filters(result);
        Assert.Equal(["manager"], filters["role"].Keys);
        Assert.Equal(["accepted"], filters["membership"].Keys);
        Assert.Equal(["zone=a"], filters["node.label"].Keys);
    }

    [Fact]
    public void Node_ls_rows_carry_dockers_field_names_and_the_disk_alarm()
    {
        var node = new NodeListResponse
        {
            ID = "n1id",
            Description = new NodeDescription { Hostname = "n1", Engine = new EngineDescription { EngineVersion = "28.2.2" } },
            Spec = new NodeUpdateParameters { Availability = "active" },
            Status = new NodeStatus { State = "ready", Message = "write: no space left on device" },
            ManagerStatus = new ManagerStatus { Leader = true, Reachability = "reachable" },
        };
        var row = NodeLsCommand.Row(node, self: "n1id");
        Assert.Equal(("n1id", "n1", "Ready (disk full)", "Active", "Leader", "28.2.2", true),
            (row["ID"]!.GetValue<string>(), row["Hostname"]!.GetValue<string>(), row["Status"]!.GetValue<string>(), row["Availability"]!.GetValue<string>(),
                row["ManagerStatus"]!.GetValue<string>(), row["EngineVersion"]!.GetValue<string>(), row["Self"]!.GetValue<bool>()));
    }

    [Fact]
    public void Node_update_changes_availability_role_and_labels_of_the_current_spec()
    {
        var (verb, result) = Cli.Parse<NodeUpdateCommand>("node", "update", "--availability", "drain", "--role", "manager", "--label-add", "zone=a", "--label-add", "ssd", "--label-rm", "old", "n1");
        var spec = new NodeUpdateParameters { Availability = "active", Role = "worker", Labels = new Dictionary<string, string> { ["old"] = "x" } };
        verb.Apply(result, spec);
        Assert.Equal(("drain", "manager"), (spec.Availability, spec.Role));
        Assert.Equal(new Dictionary<string, string> { ["zone"] = "a", ["ssd"] = "" }, spec.Labels);
        Assert.Throws<UsageException>(() => verb.Apply(result, new NodeUpdateParameters()));
    }

    [Fact]
    public void Promote_and_demote_set_the_role_of_each_node()
    {
        var (promote, promoted) = Cli.Parse<NodePromoteCommand>("node", "promote", "n2", "n3");
        Assert.Equal("manager", promote.Role);
        Assert.Equal(["n2", "n3"], promote.Args(promoted));
        Assert.Equal("worker", Cli.Parse<NodeDemoteCommand>("node", "demote", "n1").Verb.Role);
    }

    [Fact]
    public async Task Node_rm_takes_force_and_at_least_one_node()
    {
        var (verb, result) = Cli.Parse<NodeRmCommand>("node", "rm", "-f", "n3");
        Assert.True(verb.Force(result));
        Assert.StartsWith("eventswarm: 'eventswarm node rm' requires at least 1 argument", await Cli.RefusedAsync(1, "node", "rm", "--force"));
    }

    [Fact]
    public void Node_inspect_pretty_lays_the_node_out_as_docker()
    {
        var node = new NodeListResponse
        {
            ID = "n1id",
            Description = new NodeDescription { Hostname = "n1", Platform = new SwarmPlatform { OS = "linux", Architecture = "x86_64" }, Resources = new SwarmResources { NanoCPUs = 2_000_000_000, MemoryBytes = 2L << 30 } },
            Spec = new NodeUpdateParameters { Availability = "active" },
            Status = new NodeStatus { State = "ready", Addr = "10.0.0.1" },
            ManagerStatus = new ManagerStatus { Leader = true, Reachability = "reachable", Addr = "10.0.0.1:2377" },
        };
        var text = NodeInspectCommand.Pretty(node);
        Assert.Contains("ID:\t\t\tn1id\n", text);
        Assert.Contains("Status:\n State:\t\t\tReady\n Availability:\t\tActive\n Address:\t\t10.0.0.1\n", text);
        Assert.Contains(" Leader:\t\tYes\n", text);
        Assert.Contains(" CPUs:\t\t\t2\n Memory:\t\t2GiB\n", text);
    }
}
