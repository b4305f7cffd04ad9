using System.Text.Json.Nodes;
using EventSwarm.Infrastructure.Stacks;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_MergeTests
{
    private static LoadedCompose Merge(string first, string second, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var directory = new ComposeDirectory();
        directory.Write("a.yml", first);
        directory.Write("b.yml", second);
        return directory.Load(environment, "a.yml", "b.yml");
    }

    private static JsonObject Web(LoadedCompose loaded) => ComposeDirectory.Service(loaded, "web");

    private static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(n => n!.ToJsonString())];

    [Fact]
    public void Scalars_of_the_later_file_win_and_other_keys_are_kept()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx:1\n    user: www\n", "services:\n  web:\n    image: nginx:2\n");

        Assert.Equal("nginx:2", Web(loaded)["image"]!.GetValue<string>());
        Assert.Equal("www", Web(loaded)["user"]!.GetValue<string>());
    }

    [Fact]
    public void Services_of_either_file_are_all_kept()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n", "services:\n  db:\n    image: mysql\n");

        Assert.Equal(["web", "db"], loaded.Document["services"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Deploy_is_merged_key_by_key()
    {
        var loaded = Merge(
            "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n      restart_policy:\n        condition: on-failure\n        delay: 5s\n",
            "services:\n  web:\n    deploy:\n      replicas: 4\n      restart_policy:\n        delay: 10s\n");

        var deploy = Web(loaded)["deploy"]!;
        Assert.Equal(4, deploy["replicas"]!.GetValue<int>());
        Assert.Equal("on-failure", deploy["restart_policy"]!["condition"]!.GetValue<string>());
        Assert.Equal("10s", deploy["restart_policy"]!["delay"]!.GetValue<string>());
    }

    [Fact]
    public void Environment_mappings_are_merged_by_variable()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    environment:\n      A: '1'\n      B: '2'\n",
            "services:\n  web:\n    environment:\n      B: '3'\n      C: '4'\n");

        Assert.Equal("""{"A":"1","B":"3","C":"4"}""", Web(loaded)["environment"]!.ToJsonString());
    }

    [Fact]
    public void Environment_list_and_mapping_are_merged_into_a_mapping()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n      - B=2\n",
            "services:\n  web:\n    environment:\n      B: '3'\n");

        Assert.Equal("""{"A":"1","B":"3"}""", Web(loaded)["environment"]!.ToJsonString());
    }

    [Fact]
    public void Label_lists_stay_a_list_merged_by_name()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    labels:\n      - a=1\n      - b=2\n",
            "services:\n  web:\n    labels:\n      - b=3\n      - c=4\n");

        Assert.Equal(["\"a=1\"", "\"b=3\"", "\"c=4\""], Strings(Web(loaded)["labels"]));
    }

    [Fact]
    public void Ports_are_merged_by_published_port()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    ports:\n      - 8080:80\n      - 9090:90\n",
            "services:\n  web:\n    ports:\n      - target: 81\n        published: 8080\n      - 7070:70\n");

        var ports = Web(loaded)["ports"]!.AsArray();
        Assert.Equal(3, ports.Count);
        Assert.Equal(81, ports[0]!["target"]!.GetValue<int>());
        Assert.Equal("9090:90", ports[1]!.GetValue<string>());
        Assert.Equal("7070:70", ports[2]!.GetValue<string>());
    }

    [Fact]
    public void Volumes_are_merged_by_target()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    volumes:\n      - data:/data\n      - logs:/logs\n",
            "services:\n  web:\n    volumes:\n      - other:/data\n");

        Assert.Equal(["\"other:/data\"", "\"logs:/logs\""], Strings(Web(loaded)["volumes"]));
    }

    [Fact]
    public void Secrets_are_merged_by_source()
    {
        var loaded = Merge("version: '3.1'\nservices:\n  web:\n    image: nginx\n    secrets:\n      - pw\n      - key\n",
            "version: '3.1'\nservices:\n  web:\n    secrets:\n      - source: pw\n        target: password\n");

        var secrets = Web(loaded)["secrets"]!.AsArray();
        Assert.Equal(2, secrets.Count);
        Assert.Equal("password", secrets[0]!["target"]!.GetValue<string>());
    }

    [Fact]
    public void Networks_are_merged_by_name_with_the_later_aliases()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    networks:\n      - front\n      - back\n",
            "services:\n  web:\n    networks:\n      front:\n        aliases: [www]\n");

        Assert.Equal("""{"front":{"aliases":["www"]},"back":null}""", Web(loaded)["networks"]!.ToJsonString());
    }

    [Fact]
    public void Command_is_replaced_not_appended()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    command: [a, b]\n", "services:\n  web:\n    command: [c]\n");

        Assert.Equal(["\"c\""], Strings(Web(loaded)["command"]));
    }

    [Fact]
    public void Other_lists_are_appended_as_docker_does()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n    dns: 8.8.8.8\n    deploy:\n      placement:\n        constraints: [node.role == worker]\n",
            "services:\n  web:\n    dns: [1.1.1.1]\n    deploy:\n      placement:\n        constraints: [node.labels.zone == a]\n");

        Assert.Equal(["\"8.8.8.8\"", "\"1.1.1.1\""], Strings(Web(loaded)["dns"]));
        Assert.Equal(2, Web(loaded)["deploy"]!["placement"]!["constraints"]!.AsArray().Count);
    }

    [Fact]
    public void Logging_with_another_driver_is_replaced_and_with_the_same_driver_its_options_merged()
    {
        var same = Merge("services:\n  web:\n    image: nginx\n    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n",
            "services:\n  web:\n    logging:\n      options:\n        max-file: '3'\n");
        Assert.Equal("""{"driver":"json-file","options":{"max-size":"10m","max-file":"3"}}""", Web(same)["logging"]!.ToJsonString());

        var other = Merge("services:\n  web:\n    image: nginx\n    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n",
            "services:\n  web:\n    logging:\n      driver: syslog\n");
        Assert.Equal("""{"driver":"syslog"}""", Web(other)["logging"]!.ToJsonString());
    }

    [Fact]
    public void A_top_level_object_named_again_is_replaced_whole()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\nnetworks:\n  front:\n    driver: overlay\n    attachable: true\n",
            "services:\n  web:\n    image: nginx\nnetworks:\n  front:\n    external: true\n  back: {}\n");

        Assert.Equal("""{"front":{"external":true},"back":{}}""", loaded.Document["networks"]!.ToJsonString());
    }

    [Fact]
    public void Each_file_is_validated_and_an_error_names_the_later_file()
    {
        using var directory = new ComposeDirectory();
        directory.Write("a.yml", "services:\n  web:\n    image: nginx\n");
        directory.Write("b.yml", "services:\n  web:\n    deploy:\n      replicas: many\n");

        var error = Assert.Throws<ComposeException>(() => directory.Load(null, "a.yml", "b.yml"));

        Assert.Equal($"{Path.Combine(directory.Root, "b.yml")}: services.web.deploy.replicas must be an integer, got string \"many\"", error.Message);
    }

    [Fact]
    public void The_files_are_listed_in_order()
    {
        var loaded = Merge("services:\n  web:\n    image: nginx\n", "services:\n  web:\n    user: www\n");

        Assert.Equal(["a.yml", "b.yml"], loaded.Files.Select(f => Path.GetFileName(f.Path)));
    }
}
