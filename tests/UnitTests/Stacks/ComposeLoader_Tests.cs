using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EventSwarm.Infrastructure.Stacks;

namespace EventSwarm.UnitTests.Stacks;

/// <summary>A directory of compose files (and .env, env files, secrets) for one test, removed afterwards.</summary>
internal sealed class ComposeDirectory : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("es-compose-").FullName;

    public string Write(string name, string text)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public LoadedCompose Load(IReadOnlyDictionary<string, string>? environment = null, params string[] names) =>
        ComposeLoader.Load([.. names.Select(n => Path.Combine(Root, n))], environment ?? new Dictionary<string, string>());

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Loads one docker-compose.yml holding <paramref name="yaml"/>.</summary>
    public static LoadedCompose LoadYaml(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var directory = new ComposeDirectory();
        directory.Write("docker-compose.yml", yaml);
        return directory.Load(environment, "docker-compose.yml");
    }

    /// <summary>The error loading <paramref name="yaml"/> as docker-compose.yml, its message with the temporary directory left out.</summary>
    public static ComposeException Refused(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var directory = new ComposeDirectory();
        directory.Write("docker-compose.yml", yaml);
        var error = Assert.Throws<ComposeException>(() => directory.Load(environment, "docker-compose.yml"));
        return new ComposeException(error.Message.Replace(directory.Root + "/", "", StringComparison.Ordinal));
    }

    public static JsonObject Service(LoadedCompose loaded, string name) => loaded.Document["services"]![name]!.AsObject();
}

public sealed class ComposeLoader_Tests
{
    private static string Tutorial(string name) => Path.Combine(AppContext.BaseDirectory, "Stacks", "Files", name);

    [Fact]
    public void The_tutorial_v3_file_loads_without_error_or_warning()
    {
        var loaded = ComposeLoader.Load([Tutorial("tutorial-v3.yml")], new Dictionary<string, string>());

        Assert.Empty(loaded.Warnings);
        var web = ComposeDirectory.Service(loaded, "web");
        Assert.Equal("wordpress", web["image"]!.GetValue<string>());
        Assert.Equal(3, web["deploy"]!["replicas"]!.GetValue<int>());
        Assert.Equal("5s", web["deploy"]!["restart_policy"]!["delay"]!.GetValue<string>());
        Assert.Equal("8080:80", web["ports"]![0]!.GetValue<string>());
        Assert.Equal("node.role == manager", loaded.Document["services"]!["mysql"]!["deploy"]!["placement"]!["constraints"]![0]!.GetValue<string>());
        Assert.True(loaded.Document["volumes"]!.AsObject().ContainsKey("mysql-data"));
        Assert.Equal("overlay", loaded.Document["networks"]!["my-network"]!["driver"]!.GetValue<string>());
    }

    [Fact]
    public void The_tutorial_v3_1_file_with_an_external_secret_loads()
    {
        var loaded = ComposeLoader.Load([Tutorial("tutorial-v3.1.yml")], new Dictionary<string, string>());

        Assert.Empty(loaded.Warnings);
        Assert.True(loaded.Document["secrets"]!["my-pw2"]!["external"]!.GetValue<bool>());
        Assert.Equal("my-pw2", ComposeDirectory.Service(loaded, "web")["secrets"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Each_file_is_listed_with_the_sha256_of_its_bytes()
    {
        using var directory = new ComposeDirectory();
        var text = "services:\n  web:\n    image: nginx\n";
        var path = directory.Write("a.yml", text);

        var loaded = directory.Load(null, "a.yml");

        var file = Assert.Single(loaded.Files);
        Assert.Equal(path, file.Path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), file.Digest);
    }

    [Fact]
    public void Standard_input_is_read_for_a_dash_and_listed_as_a_dash()
    {
        var loaded = ComposeLoader.Load(["-"], new Dictionary<string, string>(), "services:\n  web:\n    image: nginx\n");

        Assert.Equal("-", Assert.Single(loaded.Files).Path);
        Assert.Equal(Directory.GetCurrentDirectory(), loaded.WorkingDirectory);
        Assert.Equal("nginx", ComposeDirectory.Service(loaded, "web")["image"]!.GetValue<string>());
    }

    [Fact]
    public void A_dash_without_standard_input_is_refused()
    {
        var error = Assert.Throws<ComposeException>(() => ComposeLoader.Load(["-"], new Dictionary<string, string>()));

        Assert.StartsWith("-: ", error.Message);
    }

    [Fact]
    public void The_working_directory_is_the_first_files_directory()
    {
        using var directory = new ComposeDirectory();
        directory.Write("sub/a.yml", "services:\n  web:\n    image: nginx\n");

        var loaded = directory.Load(null, "sub/a.yml");

        Assert.Equal(Path.Combine(directory.Root, "sub"), loaded.WorkingDirectory);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        var error = Assert.Throws<ComposeException>(() => ComposeLoader.Load(["/nonexistent/stack.yml"], new Dictionary<string, string>()));

        Assert.StartsWith("/nonexistent/stack.yml: cannot read the compose file", error.Message);
    }

    [Fact]
    public void No_file_at_all_is_refused()
    {
        var error = Assert.Throws<ComposeException>(() => ComposeLoader.Load([], new Dictionary<string, string>()));

        Assert.Contains("specify a Compose file", error.Message);
    }

    [Fact]
    public void A_service_without_an_image_is_refused_naming_the_service()
    {
        var error = ComposeDirectory.Refused("services:\n  web:\n    build: .\n");

        Assert.Equal("services.web.image: invalid image reference for service web: no image specified", error.Message);
    }

    [Fact]
    public void An_uppercase_image_name_is_refused_naming_the_service()
    {
        var error = ComposeDirectory.Refused("services:\n  web:\n    image: Nginx:latest\n");

        Assert.Contains("services.web.image: invalid image reference for service web: invalid reference format: repository name (Nginx) must be lowercase", error.Message);
    }

    [Theory]
    [InlineData("nginx")]
    [InlineData("nginx:1.27-alpine")]
    [InlineData("registry.example.com:5000/team/app:v1")]
    [InlineData("localhost/app")]
    [InlineData("mysql@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Valid_image_references_are_accepted(string image)
    {
        var loaded = ComposeDirectory.LoadYaml($"services:\n  web:\n    image: \"{image}\"\n");

        Assert.Equal(image, ComposeDirectory.Service(loaded, "web")["image"]!.GetValue<string>());
    }
}
