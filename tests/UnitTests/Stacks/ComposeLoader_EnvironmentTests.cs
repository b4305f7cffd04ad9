using EventSwarm.Infrastructure.Stacks;
using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_EnvironmentTests
{
    [Fact]
    public void Env_file_is_read_into_environment_and_environment_entries_win()
    {
        using var directory = new ComposeDirectory();
        directory.Write("web.env", "# comment\nA=from-file\nB=from-file\n\nC= spaced value\n");
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx\n    env_file: web.env\n    environment:\n      - B=written\n");

        var web = Service(directory.Load(null, "docker-compose.yml"), "web");

        Assert.False(web.ContainsKey("env_file"));
        Assert.Equal("""{"A":"from-file","B":"written","C":" spaced value"}""", web["environment"]!.ToJsonString());
    }

    [Fact]
    public void Several_env_files_are_read_in_order_the_later_winning()
    {
        using var directory = new ComposeDirectory();
        directory.Write("env/one.env", "A=1\nB=1\n");
        directory.Write("env/two.env", "B=2\n");
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx\n    env_file: [env/one.env, ./env/two.env]\n");

        var web = Service(directory.Load(null, "docker-compose.yml"), "web");

        Assert.Equal("""{"A":"1","B":"2"}""", web["environment"]!.ToJsonString());
    }

    [Fact]
    public void A_missing_env_file_is_refused_naming_the_service_and_file()
    {
        using var directory = new ComposeDirectory();
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx\n    env_file: missing.env\n");

        var error = Assert.Throws<ComposeException>(() => directory.Load(null, "docker-compose.yml"));

        Assert.StartsWith($"{Path.Combine(directory.Root, "docker-compose.yml")}: services.web.env_file: cannot read {Path.Combine(directory.Root, "missing.env")}", error.Message);
    }

    [Fact]
    public void A_malformed_env_file_line_is_refused_naming_the_file_and_line()
    {
        using var directory = new ComposeDirectory();
        directory.Write("web.env", "OK=1\nNOT OK=2\n");
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx\n    env_file: web.env\n");

        var error = Assert.Throws<ComposeException>(() => directory.Load(null, "docker-compose.yml"));

        Assert.EndsWith($"services.web.env_file: {Path.Combine(directory.Root, "web.env")} line 2: variable 'NOT OK' contains whitespaces", error.Message);
    }

    [Fact]
    public void A_variable_without_a_value_takes_the_deploying_environments()
    {
        var environment = new Dictionary<string, string> { ["TOKEN"] = "abc", ["EMPTY"] = "x" };

        var list = Service(LoadYaml("services:\n  web:\n    image: nginx\n    environment:\n      - TOKEN\n      - OTHER\n      - EMPTY=\n", environment), "web");
        Assert.Equal(["TOKEN=abc", "OTHER", "EMPTY=x"], list["environment"]!.AsArray().Select(n => n!.GetValue<string>()));

        var map = Service(LoadYaml("services:\n  web:\n    image: nginx\n    environment:\n      TOKEN:\n      OTHER:\n", environment), "web");
        Assert.Equal("""{"TOKEN":"abc","OTHER":null}""", map["environment"]!.ToJsonString());
    }

    [Fact]
    public void Relative_bind_sources_become_absolute_and_named_volumes_stay()
    {
        using var directory = new ComposeDirectory();
        directory.Write("docker-compose.yml", """
            services:
              web:
                image: nginx
                volumes:
                  - ./conf:/etc/nginx:ro
                  - data:/data
                  - /abs:/abs
                  - /only-target
                  - type: bind
                    source: ../shared
                    target: /shared
            """);

        var volumes = Service(directory.Load(null, "docker-compose.yml"), "web")["volumes"]!.AsArray();

        Assert.Equal($"{directory.Root}/conf:/etc/nginx:ro", volumes[0]!.GetValue<string>());
        Assert.Equal("data:/data", volumes[1]!.GetValue<string>());
        Assert.Equal("/abs:/abs", volumes[2]!.GetValue<string>());
        Assert.Equal("/only-target", volumes[3]!.GetValue<string>());
        Assert.Equal(Path.GetFullPath(Path.Combine(directory.Root, "../shared")), volumes[4]!["source"]!.GetValue<string>());
    }

    [Fact]
    public void A_tilde_is_expanded_with_home()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    volumes:\n      - ~/data:/data\n", new Dictionary<string, string> { ["HOME"] = "/home/ann" });

        Assert.Equal("/home/ann/data:/data", Service(loaded, "web")["volumes"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_bind_mount_without_source_is_refused_naming_the_place()
    {
        var error = Refused("services:\n  web:\n    image: nginx\n    volumes:\n      - type: bind\n        target: /x\n");

        Assert.Equal("docker-compose.yml: services.web.volumes[0].source: invalid mount config for type \"bind\": field Source must not be empty", error.Message);
    }

    [Fact]
    public void Secret_and_config_files_become_absolute_and_external_ones_are_untouched()
    {
        using var directory = new ComposeDirectory();
        directory.Write("docker-compose.yml", """
            services:
              web:
                image: nginx
            secrets:
              pw:
                file: ./secrets/pw.txt
              ext:
                external: true
            configs:
              app:
                file: app.conf
            """);

        var document = directory.Load(null, "docker-compose.yml").Document;

        Assert.Equal(Path.Combine(directory.Root, "secrets/pw.txt"), document["secrets"]!["pw"]!["file"]!.GetValue<string>());
        Assert.Equal(Path.Combine(directory.Root, "app.conf"), document["configs"]!["app"]!["file"]!.GetValue<string>());
        Assert.Equal("""{"external":true}""", document["secrets"]!["ext"]!.ToJsonString());
    }
}
