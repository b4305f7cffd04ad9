using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_ExternalTests
{
    private const string Web = "services:\n  web:\n    image: nginx\n";

    [Fact]
    public void External_with_a_name_becomes_external_true_and_the_name()
    {
        var loaded = LoadYaml("version: '3.4'\n" + Web + "networks:\n  shared:\n    external:\n      name: outside-net\n");

        Assert.Equal("""{"external":true,"name":"outside-net"}""", loaded.Document["networks"]!["shared"]!.ToJsonString());
    }

    [Fact]
    public void External_name_is_warned_about_as_deprecated_from_3_5()
    {
        var loaded = LoadYaml("version: '3.5'\n" + Web + "networks:\n  shared:\n    external:\n      name: outside-net\n");

        Assert.Contains("network shared: network.external.name is deprecated in favor of network.name", loaded.Warnings);
    }

    [Fact]
    public void External_name_beside_name_is_refused_naming_the_object()
    {
        var error = Refused(Web + "secrets:\n  pw:\n    name: a\n    external:\n      name: b\n");

        Assert.Equal("docker-compose.yml: secrets.pw: secret.external.name and secret.name conflict; only use secret.name", error.Message);
    }

    [Theory]
    [InlineData("driver: local", "driver")]
    [InlineData("driver_opts:\n      type: nfs", "driver_opts")]
    [InlineData("labels: [a=b]", "labels")]
    public void An_external_volume_that_says_how_to_create_it_is_refused(string key, string name)
    {
        var error = Refused(Web + $"volumes:\n  data:\n    external: true\n    {key}\n");

        Assert.Equal($"docker-compose.yml: volumes.data: conflicting parameters \"external\" and \"{name}\" specified for volume \"data\"", error.Message);
    }

    [Fact]
    public void A_secret_of_the_stack_without_a_file_is_refused_naming_it()
    {
        var error = Refused(Web + "secrets:\n  pw:\n    labels: {a: b}\n");

        Assert.StartsWith("docker-compose.yml: secrets.pw: file is required", error.Message);
    }

    [Fact]
    public void A_config_of_the_stack_without_a_file_is_refused_naming_it()
    {
        var error = Refused(Web + "configs:\n  app: {}\n");

        Assert.StartsWith("docker-compose.yml: configs.app: file is required", error.Message);
    }

    [Fact]
    public void An_external_volume_written_as_a_boolean_is_kept()
    {
        var loaded = LoadYaml(Web + "volumes:\n  data:\n    external: true\n");

        Assert.Equal("""{"external":true}""", loaded.Document["volumes"]!["data"]!.ToJsonString());
    }
}
