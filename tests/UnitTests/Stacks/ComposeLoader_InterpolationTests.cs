using System.Text.Json;
using static EventSwarm.UnitTests.Stacks.ComposeDirectory;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeLoader_InterpolationTests
{
    private static string Hostname(string template, Dictionary<string, string>? environment = null)
    {
        var loaded = LoadYaml($"services:\n  web:\n    image: nginx\n    hostname: \"{template}\"\n", environment ?? []);
        return Service(loaded, "web")["hostname"]!.GetValue<string>();
    }

    private static readonly Dictionary<string, string> Set = new() { ["NAME"] = "web", ["EMPTY"] = "" };

    [Theory]
    [InlineData("${NAME}", "web")]
    [InlineData("$NAME", "web")]
    [InlineData("$NAME-1", "web-1")]
    [InlineData("a${NAME}b", "awebb")]
    [InlineData("${NAME:-other}", "web")]
    [InlineData("${EMPTY:-other}", "other")]
    [InlineData("${UNSET:-other}", "other")]
    [InlineData("${EMPTY-other}", "")]
    [InlineData("${UNSET-other}", "other")]
    [InlineData("${NAME:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET+alt}", "")]
    [InlineData("$$NAME", "$NAME")]
    [InlineData("$${NAME}", "${NAME}")]
    [InlineData("${UNSET:-${NAME}}", "web")]
    [InlineData("${NAME:?must be set}", "web")]
    public void Variables_are_substituted_as_compose_does(string template, string expected) =>
        Assert.Equal(expected, Hostname(template, Set));

    [Fact]
    public void An_unset_variable_is_blank_with_dockers_warning_once()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    hostname: \"a${UNSET}b\"\n    user: $UNSET\n");

        Assert.Equal("ab", Service(loaded, "web")["hostname"]!.GetValue<string>());
        Assert.Equal(["The UNSET variable is not set. Defaulting to a blank string."], loaded.Warnings.ToArray());
    }

    [Fact]
    public void A_required_variable_that_is_unset_is_refused_naming_it_its_message_and_the_place()
    {
        var error = Refused("services:\n  db:\n    image: mysql\n    environment:\n      MYSQL_ROOT_PASSWORD: ${DB_PASSWORD:?set it}\n");

        Assert.Equal("docker-compose.yml: services.db.environment.MYSQL_ROOT_PASSWORD: required variable DB_PASSWORD is missing a value: set it", error.Message);
    }

    [Fact]
    public void A_required_variable_that_is_empty_is_refused_with_colon_question_but_not_with_question()
    {
        var environment = new Dictionary<string, string> { ["DB_PASSWORD"] = "" };

        var error = Refused("services:\n  db:\n    image: mysql\n    environment:\n      - P=${DB_PASSWORD:?}\n", environment);
        Assert.Equal("docker-compose.yml: services.db.environment[0]: required variable DB_PASSWORD is missing a value", error.Message);

        var loaded = LoadYaml("services:\n  db:\n    image: mysql\n    environment:\n      - P=${DB_PASSWORD?}\n", environment);
        Assert.Equal("P=", Service(loaded, "db")["environment"]![0]!.GetValue<string>());
    }

    [Fact]
    public void An_unset_required_variable_with_question_is_refused()
    {
        var error = Refused("services:\n  db:\n    image: \"${IMAGE?which image}\"\n");

        Assert.Equal("docker-compose.yml: services.db.image: required variable IMAGE is missing a value: which image", error.Message);
    }

    [Theory]
    [InlineData("${}")]
    [InlineData("${NAME")]
    [InlineData("$1")]
    [InlineData("cost: 5$")]
    [InlineData("${NAME:x}")]
    public void A_malformed_template_is_refused_naming_the_place(string template)
    {
        var error = Refused($"services:\n  web:\n    image: nginx\n    hostname: \"{template}\"\n");

        Assert.Equal($"docker-compose.yml: services.web.hostname: invalid interpolation format \"{template}\"; you may need to escape any $ with another $", error.Message);
    }

    [Fact]
    public void Keys_are_not_interpolated()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    labels:\n      $KEY: value\n", new Dictionary<string, string> { ["KEY"] = "x" });

        Assert.True(Service(loaded, "web")["labels"]!.AsObject().ContainsKey("$KEY"));
    }

    [Fact]
    public void Interpolated_integers_and_booleans_are_cast_back_before_validation()
    {
        var environment = new Dictionary<string, string> { ["N"] = "4", ["PORT"] = "8080", ["RO"] = "yes" };
        var loaded = LoadYaml("""
            services:
              web:
                image: nginx
                read_only: ${RO}
                ports:
                  - target: 80
                    published: ${PORT}
                deploy:
                  replicas: ${N}
            """, environment);

        var web = Service(loaded, "web");
        Assert.Equal(4, web["deploy"]!["replicas"]!.GetValue<int>());
        Assert.Equal(8080, web["ports"]![0]!["published"]!.GetValue<int>());
        Assert.Equal(JsonValueKind.True, web["read_only"]!.GetValueKind());
    }

    [Fact]
    public void An_interpolated_value_that_is_not_the_places_type_is_refused_naming_the_place()
    {
        var error = Refused("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n", new Dictionary<string, string> { ["N"] = "three" });

        Assert.Equal("docker-compose.yml: services.web.deploy.replicas: failed to cast to expected type: \"three\" is not an integer", error.Message);
    }

    [Fact]
    public void Interpolated_strings_elsewhere_stay_strings()
    {
        var loaded = LoadYaml("services:\n  web:\n    image: nginx\n    environment:\n      COUNT: ${N}\n", new Dictionary<string, string> { ["N"] = "3" });

        Assert.Equal(JsonValueKind.String, Service(loaded, "web")["environment"]!["COUNT"]!.GetValueKind());
    }

    [Fact]
    public void The_dot_env_file_of_the_working_directory_fills_variables_the_environment_does_not_set()
    {
        using var directory = new ComposeDirectory();
        directory.Write(".env", "# defaults\nTAG=1.25\nexport USER_NAME='nobody'\nHOST=from-dotenv\n");
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx:${TAG}\n    user: ${USER_NAME}\n    hostname: ${HOST}\n");

        var loaded = directory.Load(new Dictionary<string, string> { ["HOST"] = "from-environment" }, "docker-compose.yml");

        var web = Service(loaded, "web");
        Assert.Equal("nginx:1.25", web["image"]!.GetValue<string>());
        Assert.Equal("nobody", web["user"]!.GetValue<string>());
        Assert.Equal("from-environment", web["hostname"]!.GetValue<string>());
    }

    [Fact]
    public void A_malformed_dot_env_line_is_refused_naming_the_file_and_line()
    {
        using var directory = new ComposeDirectory();
        directory.Write(".env", "OK=1\nBAD NAME=2\n");
        directory.Write("docker-compose.yml", "services:\n  web:\n    image: nginx\n");

        var error = Assert.Throws<EventSwarm.Infrastructure.Stacks.ComposeException>(() => directory.Load(null, "docker-compose.yml"));

        Assert.Equal(".env line 2: variable 'BAD NAME' contains whitespaces", error.Message);
    }
}
