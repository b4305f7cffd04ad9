using System.Text;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using EventSwarm.Infrastructure.Stacks;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

public sealed class ComposeConverter_SecretTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["/srv/app/db_password.txt"] = "s3cret",
        ["/etc/app/nginx.conf"] = "server {}",
    };

    private static byte[] Read(string path) => Encoding.UTF8.GetBytes(Files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException($"Could not find file '{path}'."));

    private static ConvertedStack WithSecrets(string service, string topLevel) => ConvertService(service, topLevel, readFile: Read);

    [Fact]
    public void A_file_secret_is_created_with_its_data_scoped_and_labelled()
    {
        var spec = WithSecrets("""{"image": "db", "secrets": ["db_password"]}""", """ "secrets": {"db_password": {"file": "./db_password.txt", "labels": {"k": "v"}}} """).Spec;

        var secret = Assert.Single(spec.Secrets);
        Assert.Equal("app_db_password", secret.Name);
        Assert.Equal("s3cret", Encoding.UTF8.GetString(secret.Data.AsSpan()));
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v", ["com.docker.stack.namespace"] = "app" }, secret.Labels);
        Assert.Equal<SecretReference>([new SecretReference("", "app_db_password", new FileTarget("db_password", "0", "0", FileTarget.DefaultMode))],
            spec.Services[0].TaskTemplate.Container.Secrets);
    }

    [Fact]
    public void Every_declared_secret_is_created_even_one_no_service_uses()
    {
        var spec = WithSecrets("""{"image": "db"}""", """ "secrets": {"db_password": {"file": "db_password.txt"}} """).Spec;

        Assert.Equal("app_db_password", Assert.Single(spec.Secrets).Name);
    }

    [Fact]
    public void A_secret_with_a_name_is_created_and_referred_to_by_that_name()
    {
        var spec = WithSecrets("""{"image": "db", "secrets": ["pw"]}""", """ "secrets": {"pw": {"file": "/srv/app/db_password.txt", "name": "prod_pw"}} """).Spec;

        Assert.Equal("prod_pw", Assert.Single(spec.Secrets).Name);
        Assert.Equal("prod_pw", spec.Services[0].TaskTemplate.Container.Secrets[0].SecretName);
    }

    [Fact]
    public void The_long_form_sets_target_uid_gid_and_mode()
    {
        var spec = WithSecrets("""{"image": "db", "secrets": [{"source": "pw", "target": "password", "uid": "999", "gid": "998", "mode": 256}]}""",
            """ "secrets": {"pw": {"external": true}} """).Spec;

        Assert.Equal(new FileTarget("password", "999", "998", 256), spec.Services[0].TaskTemplate.Container.Secrets[0].File);
    }

    [Fact]
    public void An_external_secret_is_referred_to_by_its_name_and_listed_as_external()
    {
        var spec = WithSecrets("""{"image": "db", "secrets": ["pw", "api"]}""",
            """ "secrets": {"pw": {"external": true}, "api": {"external": true, "name": "shared_api_key"}, "unused": {"external": true}} """).Spec;

        Assert.Empty(spec.Secrets);
        Assert.Equal<string>(["pw", "shared_api_key"], spec.ExternalSecrets);
        Assert.Equal<string>(["pw", "shared_api_key"], spec.Services[0].TaskTemplate.Container.Secrets.Select(s => s.SecretName));
    }

    [Fact]
    public void An_undeclared_secret_is_refused_as_docker_says()
    {
        Assert.Equal("service web: undefined secret \"x\"", Refused("""{"image": "db", "secrets": ["x"]}"""));
    }

    [Fact]
    public void Two_secrets_on_one_target_are_refused()
    {
        Assert.Equal("service web: duplicate secret target for b not allowed",
            Refused("""{"image": "db", "secrets": [{"source": "a", "target": "pw"}, {"source": "b", "target": "pw"}]}""",
                """ "secrets": {"a": {"external": true}, "b": {"external": true}} """));
    }

    [Fact]
    public void An_unreadable_secret_file_is_refused_naming_the_file()
    {
        var error = Assert.Throws<ComposeException>(() => WithSecrets("""{"image": "db"}""", """ "secrets": {"pw": {"file": "/nowhere/pw.txt"}} """));

        Assert.StartsWith("secret pw: cannot read /nowhere/pw.txt", error.Message);
    }

    [Fact]
    public void A_secret_template_driver_is_refused()
    {
        Assert.Equal("secret pw: template driver 'golang' is not supported",
            Assert.Throws<ComposeException>(() => WithSecrets("""{"image": "db"}""", """ "secrets": {"pw": {"file": "db_password.txt", "template_driver": "golang"}} """)).Message);
    }

    [Fact]
    public void A_config_is_created_and_referred_to_like_a_secret()
    {
        var spec = WithSecrets("""{"image": "web", "configs": [{"source": "nginx", "target": "/etc/nginx/nginx.conf"}]}""",
            """ "configs": {"nginx": {"file": "/etc/app/nginx.conf"}} """).Spec;

        var config = Assert.Single(spec.Configs);
        Assert.Equal("app_nginx", config.Name);
        Assert.Equal("server {}", Encoding.UTF8.GetString(config.Data.AsSpan()));
        Assert.Equal<ConfigReference>([new ConfigReference("", "app_nginx", new FileTarget("/etc/nginx/nginx.conf", "0", "0", FileTarget.DefaultMode))],
            spec.Services[0].TaskTemplate.Container.Configs);
    }

    [Fact]
    public void An_undeclared_config_is_refused_as_docker_says()
    {
        Assert.Equal("service web: undefined config \"nginx\"", Refused("""{"image": "web", "configs": ["nginx"]}"""));
    }

    [Fact]
    public void References_are_sorted_by_name()
    {
        var spec = WithSecrets("""{"image": "db", "configs": ["zz", "aa"]}""", """ "configs": {"zz": {"external": true}, "aa": {"external": true}} """).Spec;

        Assert.Equal<string>(["aa", "zz"], spec.Services[0].TaskTemplate.Container.Configs.Select(c => c.ConfigName));
        Assert.Equal<string>(["aa", "zz"], spec.ExternalConfigs);
    }
}
