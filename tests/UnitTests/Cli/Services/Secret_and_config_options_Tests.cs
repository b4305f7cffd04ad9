extern alias node;
using node::EventSwarm.Node.Cli.Services;
using ContainerSpec = Docker.DotNet.Models.ContainerSpec;
using ReplicatedService = Docker.DotNet.Models.ReplicatedService;
using SecretReference = Docker.DotNet.Models.SecretReference;
using SecretReferenceFileTarget = Docker.DotNet.Models.SecretReferenceFileTarget;
using ServiceMode = Docker.DotNet.Models.ServiceMode;
using ServiceSpec = Docker.DotNet.Models.ServiceSpec;
using SwarmConfigReference = Docker.DotNet.Models.SwarmConfigReference;
using TaskSpec = Docker.DotNet.Models.TaskSpec;

namespace EventSwarm.UnitTests.Cli.Services;

/// <summary><c>--secret</c>/<c>--config</c> of service create and their -add/-rm on update, read as docker's SecretOpt/ConfigOpt.</summary>
public sealed class Secret_and_config_options_Tests
{
    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value, node::EventSwarm.Node.Api.DockerJson.Options);

    [Fact]
    public void A_secret_by_name_is_a_file_of_that_name_owned_by_root_mode_0444_resolved_by_the_manager()
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>("service", "create", "--name", "client", "--secret", "my-pw2", "busybox");
        var secret = Assert.Single(verb.Spec(result).TaskTemplate.ContainerSpec.Secrets);
        Assert.Equal("""{"File":{"Name":"my-pw2","UID":"0","GID":"0","Mode":292},"SecretID":"","SecretName":"my-pw2"}""", Json(secret));
    }

    [Fact]
    public void The_long_form_takes_source_target_uid_gid_and_a_mode_as_go_reads_integers()
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>("service", "create",
            "--secret", "source=my-pw2,target=db_password,uid=999,gid=998,mode=0400",
            "--secret", "SRC=tls,Target=/etc/tls.pem,mode=0o440",
            "--secret", "src=hex,mode=0x1ff",
            "--secret", "src=dec,mode=400",
            "--secret", "\"src=a,b\"",
            "busybox");
        var secrets = verb.Spec(result).TaskTemplate.ContainerSpec.Secrets;
        Assert.Equal(("my-pw2", "db_password", "999", "998", 256U), (secrets[0].SecretName, secrets[0].File.Name, secrets[0].File.UID, secrets[0].File.GID, secrets[0].File.Mode));
        Assert.Equal(("tls", "/etc/tls.pem", 288U), (secrets[1].SecretName, secrets[1].File.Name, secrets[1].File.Mode));
        Assert.Equal(511U, secrets[2].File.Mode);
        Assert.Equal(("dec", 400U), (secrets[3].File.Name, secrets[3].File.Mode));
        Assert.Equal(("a,b", "a,b"), (secrets[4].SecretName, secrets[4].File.Name));
    }

    [Fact]
    public void A_config_defaults_as_docker_sends_it_and_the_manager_roots_a_relative_target()
    {
        var (verb, result) = Cli.Parse<ServiceCreateCommand>("service", "create", "--config", "nginx.conf", "--config", "src=site,target=/etc/nginx/site.conf,mode=0440", "nginx");
        var configs = verb.Spec(result).TaskTemplate.ContainerSpec.Configs;
        Assert.Equal("""{"File":{"Name":"nginx.conf","UID":"0","GID":"0","Mode":292},"ConfigID":"","ConfigName":"nginx.conf"}""", Json(configs[0]));
        Assert.Equal(("site", "/etc/nginx/site.conf", 288U), (configs[1].ConfigName, configs[1].File.Name, configs[1].File.Mode));
        Assert.Null(Cli.Parse<ServiceCreateCommand>("service", "create", "nginx") is var (plain, parsed) ? plain.Spec(parsed).TaskTemplate.ContainerSpec.Configs : null);
    }

    [Theory]
    [InlineData("--secret", "foo=bar", "invalid field in secret request: foo")]
    [InlineData("--secret", "source=x,Bogus=1", "invalid field in secret request: Bogus")]
    [InlineData("--config", "source=x,dst=/a", "invalid field in config request: dst")]
    [InlineData("--secret", "mode=abc,source=x", "invalid mode specified: strconv.ParseUint: parsing \"abc\": invalid syntax")]
    [InlineData("--secret", "src=x,mode=0x", "invalid mode specified: strconv.ParseUint: parsing \"0x\": invalid syntax")]
    [InlineData("--secret", "src=x,mode=0800", "invalid mode specified: strconv.ParseUint: parsing \"0800\": invalid syntax")]
    [InlineData("--secret", "src=a,mode=99999999999", "invalid mode specified: strconv.ParseUint: parsing \"99999999999\": value out of range")]
    [InlineData("--secret", "src=a,mode=_44", "invalid mode specified: strconv.ParseUint: parsing \"_44\": invalid syntax")]
    [InlineData("--secret", "target=x", "source is required")]
    [InlineData("--config", "uid=1", "source is required")]
    [InlineData("--secret", "x,y", "invalid field 'x' must be a key=value pair")]
    [InlineData("--secret", "=x", "invalid field '=x' must be a key=value pair")]
    [InlineData("--secret", "", "EOF")]
    [InlineData("--secret", "source=x,tar\"get=a", "parse error on line 1, column 13: bare \" in non-quoted-field")]
    [InlineData("--secret", "source=x,\"target=a\"b", "parse error on line 1, column 19: extraneous or missing \" in quoted-field")]
    [InlineData("--secret", "src=a,\"abc", "parse error on line 1, column 11: extraneous or missing \" in quoted-field")]
    public async Task A_bad_value_is_a_flag_error_in_dockers_words(string flag, string value, string why)
    {
        var error = await Cli.RefusedAsync(125, "service", "create", flag, value, "busybox");
        var quoted = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        Assert.StartsWith($"invalid argument \"{quoted}\" for \"{flag}\" flag: {why}\n\nUsage:  eventswarm service create", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Mode_reads_as_gos_integer_literals()
    {
        Assert.Equal((292U, (string?)null), FileReferences.ParseMode("0444"));
        Assert.Equal((292U, (string?)null), FileReferences.ParseMode("0_444"));
        Assert.Equal((5U, (string?)null), FileReferences.ParseMode("0b101"));
        Assert.Equal((0U, (string?)null), FileReferences.ParseMode("0"));
        Assert.NotNull(FileReferences.ParseMode("4__4").Error);
        Assert.NotNull(FileReferences.ParseMode("+4").Error);
    }

    [Fact]
    public async Task Two_secrets_on_one_target_are_refused_as_docker_does()
    {
        Assert.Equal("duplicate secret target for b not allowed\n",
            await Cli.RefusedAsync(1, "service", "create", "--secret", "source=a,target=pw", "--secret", "source=b,target=pw", "busybox"));
        Assert.Equal("duplicate config target for c not allowed\n", await Cli.RefusedAsync(1, "service", "create", "--config", "c", "--config", "c", "busybox"));
    }

    [Fact]
    public void Update_removes_secrets_and_configs_by_name_and_appends_the_added()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--secret-rm", "my-pw", "--secret-add", "source=my-pw-v2,target=my-pw",
            "--config-rm", "old.conf", "--config-add", "new.conf", "web");
        var spec = new ServiceSpec
        {
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = "nginx",
                    Secrets =
                    [
                        new SecretReference { SecretName = "my-pw", SecretID = "id1", File = new SecretReferenceFileTarget { Name = "my-pw", UID = "0", GID = "0", Mode = 292 } },
                        new SecretReference { SecretName = "tls", SecretID = "id2", File = new SecretReferenceFileTarget { Name = "tls", UID = "0", GID = "0", Mode = 292 } },
                    ],
                    Configs = [new SwarmConfigReference { ConfigName = "old.conf", ConfigID = "c1" }, new SwarmConfigReference { ConfigName = "keep.conf", ConfigID = "c2" }],
                },
            },
        };
        verb.Apply(result, spec);
        var container = spec.TaskTemplate.ContainerSpec;
        Assert.Equal([("tls", "id2", "tls"), ("my-pw-v2", "", "my-pw")], container.Secrets.Select(s => (s.SecretName, s.SecretID, s.File.Name)));
        Assert.Equal(["keep.conf", "new.conf"], container.Configs.Select(c => c.ConfigName));
    }

    [Fact]
    public void Update_without_secret_flags_leaves_the_services_secrets_as_they_are()
    {
        var (verb, result) = Cli.Parse<ServiceUpdateCommand>("service", "update", "--image", "nginx:2", "web");
        var secrets = new List<SecretReference> { new() { SecretName = "tls", SecretID = "id2" } };
        var spec = new ServiceSpec { TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "nginx", Secrets = secrets } } };
        verb.Apply(result, spec);
        Assert.Same(secrets, spec.TaskTemplate.ContainerSpec.Secrets);
    }

    [Fact]
    public async Task Update_refuses_a_bad_secret_add_before_asking_for_the_service()
    {
        Assert.StartsWith("invalid argument \"foo=bar\" for \"--secret-add\" flag: invalid field in secret request: foo\n\nUsage:  eventswarm service update",
            (await Cli.RefusedAsync(125, "service", "update", "--secret-add", "foo=bar", "web")).ReplaceLineEndings("\n"));
        Assert.StartsWith("invalid argument \"mode=9\" for \"--config-add\" flag: source is required\n",
            await Cli.RefusedAsync(125, "service", "update", "--config-add", "mode=9", "web"));
    }
}
