using System.Text.Json;
using EventSwarm.Infrastructure.Stacks;
using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_YamlTests
{
    private static JsonValueKind KindOf(string scalar)
    {
        var loaded = LoadYaml($"services:\n  web:\n    image: nginx\nx-value: {scalar}\n");
        return loaded.Document["x-value"]?.GetValueKind() ?? JsonValueKind.Null;
    }

    [Theory]
    [InlineData("3", JsonValueKind.Number)]
    [InlineData("-12", JsonValueKind.Number)]
    [InlineData("0x1F", JsonValueKind.Number)]
    [InlineData("1.5", JsonValueKind.Number)]
    [InlineData("1e3", JsonValueKind.Number)]
    [InlineData("true", JsonValueKind.True)]
    [InlineData("False", JsonValueKind.False)]
    [InlineData("~", JsonValueKind.Null)]
    [InlineData("null", JsonValueKind.Null)]
    [InlineData("yes", JsonValueKind.String)]
    [InlineData("off", JsonValueKind.String)]
    [InlineData("'3'", JsonValueKind.String)]
    [InlineData("\"true\"", JsonValueKind.String)]
    [InlineData("!!str 42", JsonValueKind.String)]
    [InlineData("10s", JsonValueKind.String)]
    [InlineData("8080:80", JsonValueKind.String)]
    public void Plain_scalars_are_typed_as_go_yaml_types_them_and_quoted_ones_stay_strings(string scalar, JsonValueKind kind) =>
        Assert.Equal(kind, KindOf(scalar));

    [Fact]
    public void Numbers_read_as_int_long_or_double()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\nx-a: 0x10\nx-b: 2.5\n");

        Assert.Equal(16, loaded.Document["x-a"]!.GetValue<int>());
        Assert.Equal(16L, loaded.Document["x-a"]!.GetValue<long>());
        Assert.Equal(2.5, loaded.Document["x-b"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("0440", 288)]
    [InlineData("0o17", 15)]
    [InlineData("0b101", 5)]
    [InlineData("0", 0)]
    [InlineData("10", 10)]
    public void Integers_are_read_as_go_yaml_reads_them_a_leading_zero_being_octal(string scalar, int value)
    {
        var loaded = LoadYaml($"services:\n  web:\n    image: nginx\nx-value: {scalar}\n");

        Assert.Equal(value, loaded.Document["x-value"]!.GetValue<int>());
    }

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column()
    {
        var error = Refused("services:\n  web:\n    image: nginx\n   ports: [\n");

        Assert.Matches(@"^docker-compose\.yml: yaml: line \d+, column \d+: ", error.Message);
    }

    [Fact]
    public void A_tab_indentation_error_names_the_line()
    {
        var error = Refused("services:\n  web:\n\timage: nginx\n");

        Assert.StartsWith("docker-compose.yml: yaml: line 3, column", error.Message);
    }

    [Fact]
    public void An_unterminated_flow_list_is_refused_naming_the_line()
    {
        var error = Refused("services:\n  web:\n    image: nginx\n    dns: [1.1.1.1, 8.8.8.8\n    user: root\n");

        Assert.Matches(@"^docker-compose\.yml: yaml: line [45], column \d+: ", error.Message);
    }

    [Fact]
    public void An_alias_to_an_unknown_anchor_is_refused_naming_it()
    {
        var error = Refused("services:\n  web:\n    image: *nope\n");

        Assert.StartsWith("docker-compose.yml: yaml: line 3", error.Message);
        Assert.Contains("nope", error.Message);
    }

    [Fact]
    public void A_duplicate_key_is_refused_naming_the_key_and_line()
    {
        var error = Refused("services:\n  web:\n    image: nginx\n    image: redis\n");

        Assert.StartsWith("docker-compose.yml: yaml: line 4", error.Message);
        Assert.Contains("image", error.Message);
    }

    [Fact]
    public void A_top_level_that_is_not_a_mapping_is_refused()
    {
        var error = Refused("- a\n- b\n");

        Assert.Equal("docker-compose.yml: top-level object must be a mapping", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var error = Refused("");

        Assert.Equal("docker-compose.yml: top-level object must be a mapping", error.Message);
    }

    [Fact]
    public void Anchors_and_aliases_are_resolved()
    {
        var loaded = LoadYaml("""
            version: "3.4"
            x-image: &image nginx:1.27
            services:
              web:
                image: *image
              api:
                image: *image
            """);

        Assert.Equal("nginx:1.27", Service(loaded, "web")["image"]!.GetValue<string>());
        Assert.Equal("nginx:1.27", Service(loaded, "api")["image"]!.GetValue<string>());
    }

    [Fact]
    public void Merge_keys_merge_the_anchored_mapping_and_keys_written_beside_them_win()
    {
        var loaded = LoadYaml("""
            version: "3.7"
            x-deploy: &deploy
              replicas: 2
              mode: replicated
            services:
              web:
                image: nginx
                deploy:
                  <<: *deploy
                  replicas: 5
            """);

        var deploy = Service(loaded, "web")["deploy"]!;
        Assert.Equal(5, deploy["replicas"]!.GetValue<int>());
        Assert.Equal("replicated", deploy["mode"]!.GetValue<string>());
    }

    [Fact]
    public void Merge_keys_accept_a_list_of_mappings_the_first_winning()
    {
        var loaded = LoadYaml("""
            x-a: &a
              hostname: from-a
            x-b: &b
              hostname: from-b
              user: nobody
            services:
              web:
                image: nginx
                <<: [*a, *b]
            """);

        var web = Service(loaded, "web");
        Assert.Equal("from-a", web["hostname"]!.GetValue<string>());
        Assert.Equal("nobody", web["user"]!.GetValue<string>());
    }

    [Fact]
    public void Keys_keep_their_order_and_snake_case()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    stop_grace_period: 1m\n    working_dir: /app\n");

        Assert.Equal(["image", "stop_grace_period", "working_dir"], Service(loaded, "web").Select(p => p.Key));
    }
}
