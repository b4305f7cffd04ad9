extern alias node;
using System.Collections.Immutable;
using System.Text.Json;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;
using EventSwarm.Infrastructure.Stacks;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;

namespace EventSwarm.UnitTests.Stacks;

/// <summary>The tutorial's file 1 (/work/coord/docker-compose.yml, `version: '3'`), as the loader hands it over.</summary>
public sealed class ComposeConverter_WordpressTests
{
    private const string File1 = """
        {
          "version": "3",
          "services": {
            "web": {
              "image": "wordpress",
              "ports": ["8080:80"],
              "environment": { "WORDPRESS_DB_HOST": "mysql", "WORDPRESS_DB_PASSWORD": "root" },
              "networks": ["my-network"],
              "depends_on": ["mysql"],
              "deploy": {
                "mode": "replicated",
                "replicas": 3,
                "restart_policy": { "condition": "on-failure", "delay": "5s", "max_attempts": 3 },
                "update_config": { "parallelism": 1, "delay": "10s" }
              }
            },
            "mysql": {
              "image": "mysql:5.7",
              "environment": { "MYSQL_ROOT_PASSWORD": "root", "MYSQL_DATABASE": "wordpress" },
              "volumes": ["mysql-data:/var/lib/mysql"],
              "networks": ["my-network"],
              "deploy": { "mode": "global", "placement": { "constraints": ["node.role == manager"] } }
            }
          },
          "volumes": { "mysql-data": null },
          "networks": { "my-network": { "driver": "overlay" } }
        }
        """;

    private static readonly ImmutableDictionary<string, string> Namespace =
        ImmutableDictionary<string, string>.Empty.Add("com.docker.stack.namespace", "wordpress");

    private static ConvertedStack Converted => ComposeGiven.Convert(File1, "wordpress");

    /// <summary>
    /// What the stock docker CLI sent for wordpress_web in the smoke run, without the defaults our API adds on the
    /// way out (RollbackConfig, StopGracePeriod, DNSConfig, Isolation): docker's convert.Service sends none of them.
    /// </summary>
    private static ServiceSpec DockerWeb => new()
    {
        Name = "wordpress_web",
        Labels = Namespace.Add("com.docker.stack.image", "wordpress"),
        Mode = ServiceMode.Replicated(3),
        TaskTemplate = new TaskTemplate
        {
            Container = new ContainerSpec
            {
                Image = "wordpress:latest",
                Labels = Namespace,
                Env = ["WORDPRESS_DB_HOST=mysql", "WORDPRESS_DB_PASSWORD=root"],
                Privileges = new Privileges(null, null),
            },
            RestartPolicy = new RestartPolicy(RestartCondition.OnFailure, Duration.FromSeconds(5), 3, null),
            Placement = Placement.None,
            Networks = [new ServiceNetwork("wordpress_my-network", ["web"])],
        },
        UpdateConfig = new UpdateConfig { Parallelism = 1, Delay = Duration.FromSeconds(10) },
        Endpoint = new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, 8080, PublishMode.Ingress)]),
    };

    [Fact]
    public void Web_is_the_spec_the_stock_docker_cli_sent()
    {
        var web = Converted.Spec.Services.Single(s => s.Name == "wordpress_web");

        Assert.Equal(DockerWeb, web);
        Assert.Null(web.RollbackConfig);
        Assert.Null(web.TaskTemplate.Container.StopGracePeriod);
    }

    [Fact]
    public void Web_reads_the_same_as_docker_clis_request_body_through_the_engine_api()
    {
        // The body docker's convert.Service marshals (Go's omitempty), as the moby client posts it to /services/create
        // once it has tagged the image; read by our Engine API as any docker client's request is.
        const string body = """
            {"Name":"wordpress_web","Labels":{"com.docker.stack.image":"wordpress","com.docker.stack.namespace":"wordpress"},
             "TaskTemplate":{"ContainerSpec":{"Image":"wordpress:latest","Labels":{"com.docker.stack.namespace":"wordpress"},
               "Env":["WORDPRESS_DB_HOST=mysql","WORDPRESS_DB_PASSWORD=root"],"Privileges":{"CredentialSpec":null,"SELinuxContext":null}},
               "Resources":{},"RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":3},"Placement":{},
               "Networks":[{"Target":"wordpress_my-network","Aliases":["web"]}],"ForceUpdate":0},
             "Mode":{"Replicated":{"Replicas":3}},
             "UpdateConfig":{"Parallelism":1,"Delay":10000000000,"MaxFailureRatio":0},
             "EndpointSpec":{"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"}]}}
            """;
        var sent = ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(body, DockerJson.Options)!);

        Assert.Equal(sent, Converted.Spec.Services.Single(s => s.Name == "wordpress_web"));
    }

    [Fact]
    public void Mysql_is_global_on_managers_with_its_named_volume()
    {
        var mysql = Converted.Spec.Services.Single(s => s.Name == "wordpress_mysql");

        Assert.Equal(new ServiceSpec
        {
            Name = "wordpress_mysql",
            Labels = Namespace.Add("com.docker.stack.image", "mysql:5.7"),
            Mode = ServiceMode.Global,
            TaskTemplate = new TaskTemplate
            {
                Container = new ContainerSpec
                {
                    Image = "mysql:5.7",
                    Labels = Namespace,
                    Env = ["MYSQL_DATABASE=wordpress", "MYSQL_ROOT_PASSWORD=root"],
                    Privileges = new Privileges(null, null),
                    Mounts = [new Mount(MountType.Volume, "wordpress_mysql-data", "/var/lib/mysql") { VolumeOptions = new VolumeOptions(false) { Labels = Namespace } }],
                },
                Placement = new Placement(["node.role == manager"]),
                Networks = [new ServiceNetwork("wordpress_my-network", ["mysql"])],
            },
            Endpoint = EndpointSpec.Default,
        }, mysql);
    }

    [Fact]
    public void The_stack_creates_its_one_overlay_network_and_nothing_external()
    {
        var spec = Converted.Spec;

        Assert.Equal<NetworkSpec>([new NetworkSpec { Name = "wordpress_my-network", Driver = "overlay", Labels = Namespace }], spec.Networks);
        Assert.Empty(spec.ExternalNetworks);
        Assert.Empty(spec.Secrets);
        Assert.Empty(spec.ExternalSecrets);
        Assert.Empty(Converted.Warnings);
    }

    [Fact]
    public void Services_come_sorted_by_name()
    {
        Assert.Equal<string>(["wordpress_mysql", "wordpress_web"], Converted.Spec.Services.Select(s => s.Name));
    }

    [Fact]
    public void File_2_refers_to_its_external_secret_by_name_with_dockers_defaults()
    {
        var converted = ComposeGiven.Convert("""
            {
              "version": "3.1",
              "services": {
                "web": { "image": "wordpress", "secrets": ["my-pw2"], "environment": { "WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/my-pw2" } },
                "mysql": { "image": "mysql:5.7", "secrets": ["my-pw2"], "environment": { "MYSQL_ROOT_PASSWORD_FILE": "/run/secrets/my-pw2" } }
              },
              "secrets": { "my-pw2": { "external": true } }
            }
            """, "wordpress");

        Assert.Equal<string>(["my-pw2"], converted.Spec.ExternalSecrets);
        Assert.Empty(converted.Spec.Secrets);
        Assert.All(converted.Spec.Services, s => Assert.Equal<EventSwarm.Domain.Secrets.SecretReference>(
            [new EventSwarm.Domain.Secrets.SecretReference("", "my-pw2", new EventSwarm.Domain.Secrets.FileTarget("my-pw2", "0", "0", 0x124))],
            s.TaskTemplate.Container.Secrets));
    }
}
