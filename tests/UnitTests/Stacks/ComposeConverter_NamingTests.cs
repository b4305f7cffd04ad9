using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_NamingTests
{
    [Fact]
    public void A_service_is_named_stack_underscore_service()
    {
        Assert.Equal("shop_web", Service("""{"image": "nginx"}""", stack: "shop").Name);
    }

    [Fact]
    public void Service_labels_are_the_deploy_labels_plus_the_namespace_and_the_image_as_written()
    {
        var service = Service("""{"image": "nginx", "deploy": {"labels": {"tier": "front"}}}""", stack: "shop");

        Assert.Equal(
            new Dictionary<string, string> { ["tier"] = "front", ["com.docker.stack.namespace"] = "shop", ["com.docker.stack.image"] = "nginx" },
            service.Labels);
    }

    [Fact]
    public void The_stack_labels_win_over_labels_of_the_same_name_in_the_file()
    {
        var service = Service("""{"image": "nginx", "deploy": {"labels": ["com.docker.stack.image=other", "com.docker.stack.namespace=other"]}}""", stack: "shop");

        Assert.Equal("nginx", service.Labels["com.docker.stack.image"]);
        Assert.Equal("shop", service.Labels["com.docker.stack.namespace"]);
    }

    [Fact]
    public void Container_labels_are_the_service_labels_plus_the_namespace_in_list_or_map_form()
    {
        var fromList = Container("""{"image": "nginx", "labels": ["a=1", "b"]}""");
        var fromMap = Container("""{"image": "nginx", "labels": {"a": 1, "b": null}}""");

        var expected = new Dictionary<string, string> { ["a"] = "1", ["b"] = "", ["com.docker.stack.namespace"] = "app" };
        Assert.Equal(expected, fromList.Labels);
        Assert.Equal(expected, fromMap.Labels);
    }

    [Fact]
    public void Mapping_values_are_written_as_go_prints_them()
    {
        var labels = Container("""{"image": "nginx", "labels": {"int": 3, "bool": true, "float": 1.5, "big": 1500000.0, "small": 0.00001}}""").Labels;

        Assert.Equal("3", labels["int"]);
        Assert.Equal("true", labels["bool"]);
        Assert.Equal("1.5", labels["float"]);
        Assert.Equal("1.5e+06", labels["big"]);
        Assert.Equal("1e-05", labels["small"]);
    }

    [Theory]
    [InlineData("wordpress", "wordpress:latest")]
    [InlineData("mysql:5.7", "mysql:5.7")]
    [InlineData("library/nginx", "nginx:latest")]
    [InlineData("docker.io/library/nginx:1.27", "nginx:1.27")]
    [InlineData("index.docker.io/user/app", "user/app:latest")]
    [InlineData("user/app", "user/app:latest")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    [InlineData("registry.example.com/team/app:1.2", "registry.example.com/team/app:1.2")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("ghcr.io/Owner/app", "ghcr.io/Owner/app")]
    [InlineData("not a reference", "not a reference")]
    public void The_image_is_tagged_as_dockers_api_client_sends_it(string written, string sent)
    {
        var service = Service($$"""{"image": "{{written}}"}""");

        Assert.Equal(sent, service.TaskTemplate.Container.Image);
        Assert.Equal(written, service.Labels["com.docker.stack.image"]);
    }

    [Fact]
    public void The_stack_spec_keeps_the_name_and_the_files_read()
    {
        var converted = EventSwarm.Infrastructure.Stacks.ComposeConverter.Convert(
            "shop",
            new EventSwarm.Infrastructure.Stacks.LoadedCompose(
                new System.Text.Json.Nodes.JsonObject { ["services"] = new System.Text.Json.Nodes.JsonObject() },
                [],
                [new EventSwarm.Domain.Stacks.StackFile("docker-compose.yml", "ab12")],
                "/srv"),
            _ => []);

        Assert.Equal("shop", converted.Spec.Name);
        Assert.Equal<EventSwarm.Domain.Stacks.StackFile>([new("docker-compose.yml", "ab12")], converted.Spec.Files);
        Assert.Empty(converted.Spec.Services);
        Assert.Empty(converted.Spec.Networks);
    }

    [Fact]
    public void Errors_in_a_service_name_the_service()
    {
        Assert.Equal("service web: unknown mode: sometimes", Refused("""{"image": "nginx", "deploy": {"mode": "sometimes"}}"""));
    }
}
