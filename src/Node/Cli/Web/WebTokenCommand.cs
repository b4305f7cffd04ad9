using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSwarm.Domain.Web;
using EventSwarm.Node.Web;

namespace EventSwarm.Node.Cli.Web;

/// <summary>
/// <c>web token [--operator] [--name NAME]</c>: a new token for the web view, printed with its sign-in URL, one per
/// line (a script takes line 1 or 2), shown this once; <c>web token --revoke NAME|TOKEN</c> revokes one on every
/// manager; <c>web token --list</c> lists names, roles and dates, never a token.
/// </summary>
public sealed class WebTokenCommand : Verb
{
    private readonly Option<bool> _list = Flags.Bool("--list", "List the web tokens (names, roles, dates)");
    private readonly Option<string> _name = Flags.String("--name", "Name the token (default web-1, web-2, …)", "NAME");
    private readonly Option<bool> _operator = Flags.Bool("--operator", "Let the token change things (scale, update the image, roll back, node availability), not only look");
    private readonly Option<string> _revoke = Flags.String("--revoke", "Revoke the token of this name, or this token", "NAME|TOKEN");

    public WebTokenCommand() : base("token", "[--operator] [--name NAME] | --revoke NAME|TOKEN | --list", "Issue, revoke or list the web view's sign-in tokens")
    {
        Options.Add(_list);
        Options.Add(_name);
        Options.Add(_operator);
        Options.Add(_revoke);
    }

    /// <summary>
    /// The request this line sends. A token given to --revoke is hashed here and only its hash sent
    /// (<c>DELETE …/tokens/sha256:HEX</c>): the token never travels, and never lands in a log as part of a path.
    /// </summary>
    public (HttpMethod Method, string Path, string? Json) Request(ParseResult result)
    {
        var list = result.Has(_list);
        var revoke = result.Value(_revoke);
        var issuing = result.Has(_operator) || result.Value(_name) is not null;
        if (list && (revoke is not null || issuing) || revoke is not null && issuing)
            throw new UsageException("--list, --revoke and issuing a token (--operator, --name) are exclusive");
        if (list) return (HttpMethod.Get, WebTokenEndpoints.Path, null);
        if (revoke is not null)
        {
            if (revoke.Length == 0) throw new UsageException("--revoke needs a token's name, or the token");
            var target = WebTokens.LooksLikeToken(revoke) ? WebTokenEndpoints.HashPrefix + WebTokens.HashOf(revoke) : revoke;
            return (HttpMethod.Delete, $"{WebTokenEndpoints.Path}/{Uri.EscapeDataString(target)}", null);
        }
        if (result.Value(_name) is { } name && WebTokens.NameProblem(name) is { } problem) throw new UsageException(problem);
        return (HttpMethod.Post, WebTokenEndpoints.Path, JsonSerializer.Serialize(new WebTokenEndpoints.IssueRequest(result.Value(_name), result.Has(_operator))));
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var (method, path, json) = Request(result);
        var body = await context.SendAsync(method, path, json);
        if (method == HttpMethod.Get)
        {
            var tokens = JsonSerializer.Deserialize<List<WebTokenEndpoints.Listed>>(body) ?? [];
            var table = new Table("NAME", "ROLE", "CREATED");
            foreach (var token in tokens.OrderBy(t => t.Name, StringComparer.Ordinal))
                table.Add(token.Name, token.Role, token.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
            table.Print(context.Out);
            return 0;
        }
        if (method == HttpMethod.Delete)
        {
            using var revoked = JsonDocument.Parse(body);
            context.Out.WriteLine($"revoked web token {revoked.RootElement.GetProperty("name").GetString()}");
            return 0;
        }
        var issued = JsonSerializer.Deserialize<WebTokenEndpoints.Issued>(body) ?? throw new InvalidDataException("the manager answered no token");
        context.Out.WriteLine(issued.Token);
        if (issued.Url is { } url) context.Out.WriteLine(url);
        if (issued.Warning is { } warning) context.Err.WriteLine($"warning: {warning}");
        context.Err.WriteLine($"web token {issued.Name} ({issued.Role}): shown this once; revoke it with `eventswarm web token --revoke {issued.Name}`");
        return 0;
    }
}
