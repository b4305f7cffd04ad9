extern alias node;
using EventSwarm.Domain.Web;
using node::EventSwarm.Node.Cli;
using node::EventSwarm.Node.Cli.Web;

namespace EventSwarm.UnitTests.Cli.Web;

/// <summary><c>web token [--operator] [--name NAME] | --revoke NAME|TOKEN | --list</c>.</summary>
public sealed class Web_token_command_Tests
{
    [Fact]
    public void Issuing_posts_the_name_and_the_role()
    {
        var (verb, result) = Cli.Parse<WebTokenCommand>("web", "token", "--operator", "--name", "ci");

        var (method, path, json) = verb.Request(result);

        Assert.Equal((HttpMethod.Post, "/eventswarm/v1/web/tokens"), (method, path));
        Assert.Equal("""{"name":"ci","operator":true}""", json);
    }

    [Fact]
    public void A_token_given_to_revoke_is_sent_as_its_hash_only()
    {
        var token = WebTokens.NewToken();
        var (verb, result) = Cli.Parse<WebTokenCommand>("web", "token", "--revoke", token);

        var (method, path, _) = verb.Request(result);

        Assert.Equal((HttpMethod.Delete, $"/eventswarm/v1/web/tokens/sha256%3A{WebTokens.HashOf(token)}"), (method, path));
        Assert.DoesNotContain(token, path);
    }

    [Fact]
    public void A_name_given_to_revoke_is_sent_as_it_is()
    {
        var (verb, result) = Cli.Parse<WebTokenCommand>("web", "token", "--revoke", "web-2");

        Assert.Equal((HttpMethod.Delete, "/eventswarm/v1/web/tokens/web-2", (string?)null), verb.Request(result));
    }

    [Fact]
    public void Listing_issuing_and_revoking_are_exclusive()
    {
        var (verb, result) = Cli.Parse<WebTokenCommand>("web", "token", "--list", "--operator");

        Assert.Throws<UsageException>(() => verb.Request(result));
    }

    [Fact]
    public async Task The_token_is_line_one_and_the_sign_in_url_line_two()
    {
        using var manager = new FakeManager().On("POST", "/eventswarm/v1/web/tokens", 200,
            """{"name":"web-1","token":"eswt_abc","role":"read-only","url":"http://127.0.0.1:2380/login?token=eswt_abc"}""");

        var (code, output, error) = await manager.RunAsync(null, "web", "token");

        Assert.Equal(0, code);
        Assert.Equal(["eswt_abc", "http://127.0.0.1:2380/login?token=eswt_abc"], output.TrimEnd('\n').Split('\n'));
        Assert.Contains("web-1 (read-only)", error);
    }

    [Fact]
    public async Task The_list_shows_names_roles_and_dates_never_a_token()
    {
        using var manager = new FakeManager().On("GET", "/eventswarm/v1/web/tokens", 200,
            """[{"name":"web-1","role":"operator","createdAt":"2026-11-28T16:00:00+00:00"}]""");

        var (code, output, _) = await manager.RunAsync(null, "web", "token", "--list");

        Assert.Equal(0, code);
        Assert.Equal(["NAME      ROLE       CREATED", "web-1     operator   2026-11-28 16:00:00 UTC"], output.TrimEnd('\n').Split('\n'));
    }
}
