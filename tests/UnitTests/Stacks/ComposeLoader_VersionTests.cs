using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_VersionTests
{
    [Theory]
    [InlineData("'3'")]
    [InlineData("'3.0'")]
    [InlineData("'3.1'")]
    [InlineData("'3.8'")]
    [InlineData("'3.9'")]
    [InlineData("3.9")]
    [InlineData("3")]
    public void Version_3_files_are_accepted(string version)
    {
        var loaded = LoadYaml($"version: {version}\nservices:\n  web:\n    image: nginx\n");

        Assert.Equal("nginx", Service(loaded, "web")["image"]!.GetValue<string>());
    }

    [Fact]
    public void A_file_without_a_version_is_read_as_the_compose_specification_with_every_key()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    init: true\n    deploy:\n      resources:\n        limits:\n          pids: 100\n");

        Assert.Equal(100, Service(loaded, "web")["deploy"]!["resources"]!["limits"]!["pids"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("'2.4'", "2.4")]
    [InlineData("'2'", "2")]
    [InlineData("'1'", "1")]
    [InlineData("'4.0'", "4.0")]
    [InlineData("'3.99'", "3.99")]
    public void Other_versions_are_refused_with_dockers_message(string version, string shown)
    {
        var error = Refused($"version: {version}\nservices:\n  web:\n    image: nginx\n");

        Assert.StartsWith($"docker-compose.yml: version: unsupported Compose file version: {shown}", error.Message);
    }

    [Fact]
    public void Top_level_secrets_need_version_3_1()
    {
        var error = Refused("version: '3.0'\nservices:\n  web:\n    image: nginx\nsecrets:\n  pw:\n    external: true\n");

        Assert.StartsWith("docker-compose.yml: secrets: additional property not allowed (secrets needs version 3.1 or later, the file is version 3.0)", error.Message);
    }

    [Fact]
    public void Configs_need_version_3_3()
    {
        var error = Refused("version: '3.2'\nservices:\n  web:\n    image: nginx\n    configs: [app]\n");

        Assert.StartsWith("docker-compose.yml: services.web.configs: additional property not allowed (configs needs version 3.3", error.Message);
    }

    [Fact]
    public void Long_port_syntax_needs_version_3_2()
    {
        var error = Refused("version: '3.1'\nservices:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n");

        Assert.StartsWith("docker-compose.yml: services.web.ports[0].target: additional property not allowed", error.Message);
    }

    [Fact]
    public void Max_replicas_per_node_needs_version_3_8()
    {
        var error = Refused("version: '3.7'\nservices:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        max_replicas_per_node: 1\n");

        Assert.StartsWith("docker-compose.yml: services.web.deploy.placement.max_replicas_per_node: additional property not allowed", error.Message);
    }

    [Fact]
    public void Top_level_extension_keys_need_version_3_4()
    {
        var error = Refused("version: '3.3'\nx-common: 1\nservices:\n  web:\n    image: nginx\n");

        Assert.StartsWith("docker-compose.yml: x-common: additional property not allowed", error.Message);
    }

    [Fact]
    public void Service_extension_keys_need_version_3_7()
    {
        Assert.StartsWith("docker-compose.yml: services.web.x-note: additional property not allowed",
            Refused("version: '3.6'\nservices:\n  web:\n    image: nginx\n    x-note: hi\n").Message);

        var loaded = LoadYaml("version: '3.7'\nservices:\n  web:\n    image: nginx\n    x-note: hi\n");
        Assert.Equal("hi", Service(loaded, "web")["x-note"]!.GetValue<string>());
    }

    [Fact]
    public void Files_of_different_versions_are_refused()
    {
        using var directory = new ComposeDirectory();
        directory.Write("a.yml", "version: '3.1'\nservices:\n  web:\n    image: nginx\n");
        directory.Write("b.yml", "version: '3.4'\nservices:\n  web:\n    image: nginx\n");

        var error = Assert.Throws<EventSwarm.Infrastructure.Stacks.ComposeException>(() => directory.Load(null, "a.yml", "b.yml"));

        Assert.EndsWith("b.yml: version mismatched between two composefiles: 3.1 and 3.4", error.Message);
    }
}
