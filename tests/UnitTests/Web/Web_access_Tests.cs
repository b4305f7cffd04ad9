extern alias node;
using EventSwarm.Domain.Web;
using node::EventSwarm.Node.Web;

namespace EventSwarm.UnitTests.Web;

/// <summary>Tokens (their shape, their hash) and the checks the web view makes on each request.</summary>
public sealed class Web_access_Tests
{
    [Fact]
    public void A_new_token_is_256_random_bits_url_safe_behind_its_prefix()
    {
        var tokens = Enumerable.Range(0, 50).Select(_ => WebTokens.NewToken()).ToList();

        Assert.All(tokens, t =>
        {
            Assert.StartsWith(WebTokens.Prefix, t);
            Assert.Equal(43, t.Length - WebTokens.Prefix.Length);
            Assert.Equal(t, Uri.EscapeDataString(t));
        });
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public void The_hash_is_the_lowercase_hex_SHA256_of_the_token_and_never_the_token()
    {
        var token = WebTokens.NewToken();

        var hash = WebTokens.HashOf(token);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), hash);
        Assert.DoesNotContain(token[WebTokens.Prefix.Length..], hash);
        Assert.Equal(hash, WebTokens.HashOf(token));
    }

    [Fact]
    public void An_issued_token_signs_in_with_its_role_and_a_revoked_one_does_not()
    {
        var token = WebTokens.NewToken();
        var issued = Given(Cluster("n1")).And(new WebTokenIssued("ops", WebRole.Operator, WebTokens.HashOf(token), At(1)));

        Assert.Equal(new WebUser("ops", true), WebAccess.Find(token, issued));
        Assert.Null(WebAccess.Find(WebTokens.NewToken(), issued));
        Assert.Null(WebAccess.Find(WebTokens.HashOf(token), issued));
        Assert.Null(WebAccess.Find(token, issued.And(new WebTokenRevoked("ops", At(2)))));
    }

    [Fact]
    public void A_workers_copy_of_the_tokens_signs_no_one_in()
    {
        var token = WebTokens.NewToken();
        var state = Given(Cluster("n1")).And(new WebTokenIssued("ops", WebRole.Operator, WebTokens.HashOf(token), At(1)));

        var workers = Application.Secrets.WorkerView.Of(state);

        Assert.Equal("", workers.WebTokens["ops"].Sha256);
        Assert.Null(WebAccess.Find(token, workers));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/services/web", true)]
    [InlineData("/nodes?x=1", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("/\\evil.example/", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("services", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("/a\r\nLocation: x", false)]
    public void Only_a_path_of_this_site_is_a_place_to_return_to(string? path, bool local)
    {
        Assert.Equal(local, WebAccess.IsLocalPath(path));
    }
}
