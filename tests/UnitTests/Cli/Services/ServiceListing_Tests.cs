extern alias node;
using Docker.DotNet.Models;
using node::EventSwarm.Node.Cli.Services;
using ContainerSpec = Docker.DotNet.Models.ContainerSpec;
using EndpointSpec = Docker.DotNet.Models.EndpointSpec;
using GlobalService = Docker.DotNet.Models.GlobalService;
using NetworkAttachmentConfig = Docker.DotNet.Models.NetworkAttachmentConfig;
using PortConfig = Docker.DotNet.Models.PortConfig;
using ReplicatedService = Docker.DotNet.Models.ReplicatedService;
using ServiceMode = Docker.DotNet.Models.ServiceMode;
using ServiceSpec = Docker.DotNet.Models.ServiceSpec;
using TaskSpec = Docker.DotNet.Models.TaskSpec;
using TaskState = Docker.DotNet.Models.TaskState;
using TaskStatus = Docker.DotNet.Models.TaskStatus;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary><c>service ls</c> and <c>service ps</c>: filters as the API's query, rows with docker's field names.</summary>
public sealed class ServiceListing_Tests
{
    [Fact]
    public void Service_ls_filters_go_to_the_manager_as_dockers_filters_query()
    {
        var (verb, result) = Cli.Parse<ServiceLsCommand>("service", "ls", "-f", "name=web", "--filter", "name=api", "--filter", "mode=global", "-q");
        var filters = verb.Request(result).Filters;
        Assert.Equal(["api", "web"], filters["name"].Keys.Order());
        Assert.Equal(["global"], filters["mode"].Keys);
    }

    [Fact]
    public async Task A_filter_without_a_value_is_a_flag_error()
    {
        Assert.StartsWith("invalid argument \"name\" for \"-f, --filter\" flag: bad format of filter (expected name=value)",
            await Cli.RefusedAsync(125, "service", "ls", "--filter", "name"));
    }

    [Fact]
    public void Service_ls_rows_carry_dockers_field_names()
    {
        var service = new SwarmService
        {
            ID = "abcdefabcdefabcdef",
            Spec = new ServiceSpec { Name = "web", Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 2 } }, TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx@sha256:00" } } },
        };
        var running = new TaskResponse { ServiceID = service.ID, DesiredState = TaskState.Running, Status = new TaskStatus { State = TaskState.Running } };
        var row = ServiceLsCommand.Row(service, [running]);
        Assert.Equal("""{"ID":"abcdefabcdef","Image":"nginx","Mode":"replicated","Name":"web","Ports":"","Replicas":"1/2"}""", row.ToJsonString());
    }

    [Fact]
    public void Service_ps_sends_the_users_filters_with_the_services_own()
    {
        var (verb, result) = Cli.Parse<ServicePsCommand>("service", "ps", "web", "--filter", "desired-state=running", "-f", "node=n1", "--no-trunc");
        var filters = verb.Request(result, "svc-id").Filters;
        Assert.Equal(["desired-state", "node", "service"], filters.Keys.Order());
        Assert.Equal(["svc-id"], filters["service"].Keys);
        Assert.Equal(["web"], verb.Args(result));
    }

    [Fact]
    public void Service_ps_rows_truncate_ids_and_errors_unless_asked_not_to()
    {
        var task = new TaskResponse
        {
            ID = "0123456789abcdef0123",
            DesiredState = TaskState.Shutdown,
            Status = new TaskStatus { State = TaskState.Failed, Err = new string('x', 40), Timestamp = DateTime.UtcNow.AddSeconds(-17) },
        };
        var row = ServicePsCommand.Row(task, "web.1", "n1", noTrunc: false, DateTime.UtcNow);
        Assert.Equal(("0123456789ab", "Shutdown", "Failed 17 seconds ago"), (row["ID"]!.GetValue<string>(), row["DesiredState"]!.GetValue<string>(), row["CurrentState"]!.GetValue<string>()));
        Assert.Equal(32, row["Error"]!.GetValue<string>().Length);
        Assert.Equal(task.ID, ServicePsCommand.Row(task, "web.1", "n1", noTrunc: true, DateTime.UtcNow)["ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task Service_ps_needs_a_service()
    {
        Assert.StartsWith("eventswarm: 'eventswarm service ps' requires at least 1 argument", await Cli.RefusedAsync(1, "service", "ps"));
    }
}
