using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_WarningsTests
{
    [Fact]
    public void Keys_swarm_ignores_are_warned_about_sorted_and_comma_joined()
    {
        var loaded = LoadYaml("""
            services:
              web:
                image: nginx
                links: [db]
                build: .
                restart: always
              db:
                image: mysql
                privileged: true
                network_mode: host
            """);

        Assert.Equal(["Ignoring unsupported options: build, links, network_mode, privileged, restart"], loaded.Warnings.ToArray());
    }

    [Fact]
    public void Ignored_keys_stay_in_the_document_for_the_converter()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    restart: on-failure:3\n");

        Assert.Equal("on-failure:3", Service(loaded, "web")["restart"]!.GetValue<string>());
    }

    [Fact]
    public void Deprecated_keys_are_warned_about_with_dockers_words()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    expose: [80]\n    container_name: web1\n");

        var warning = Assert.Single(loaded.Warnings);
        Assert.StartsWith("Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\nexpose: ", warning);
    }

    [Theory]
    [InlineData("extends:\n      service: base", "services.web.extends: Support for `extends` is not implemented yet.")]
    [InlineData("volume_driver: flocker", "services.web.volume_driver: Instead of setting the volume driver on the service")]
    [InlineData("mem_limit: 1g", "services.web.mem_limit: Set resource limits using deploy.resources")]
    public void Forbidden_keys_are_refused_naming_the_service_and_key(string key, string expected)
    {
        var error = Refused($"services:\n  web:\n    image: nginx\n    {key}\n");

        Assert.StartsWith("docker-compose.yml: compose file contains unsupported options:\n\n", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Depends_on_is_accepted_silently()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: mysql\n");

        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void Warnings_of_several_files_are_gathered_once()
    {
        using var directory = new ComposeDirectory();
        directory.Write("a.yml", "services:\n  web:\n    image: nginx\n    links: [db]\n");
        directory.Write("b.yml", "services:\n  web:\n    links: [cache]\n    build: .\n");

        var loaded = directory.Load(null, "a.yml", "b.yml");

        Assert.Equal(["Ignoring unsupported options: build, links"], loaded.Warnings.ToArray());
    }
}
