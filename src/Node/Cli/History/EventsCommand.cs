using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.History;

/// <summary>
/// <c>eventswarm events</c>: every event of the log, tasks' too (where <c>docker events</c> shows the swarm's objects
/// only), one line each: time, index, type, the object, who and through which command. Resumable: <c>--since</c> with
/// an index starts at that index itself, so a consumer that passes the last index it printed plus one loses nothing.
/// </summary>
public sealed class EventsCommand : Verb
{
    private readonly Option<string> _since = Flags.String("--since", "Show events from this log index on (inclusive), or from a time (2026-11-27T10:02:00Z, unix seconds, or 10m ago)");
    private readonly Option<string> _until = Flags.String("--until", "Stop at this log index (inclusive) or time");
    private readonly Option<string[]> _filter = Flags.List("--filter", "Filter output: type=TYPE|KIND, service=NAME|ID, task=ID, node=NAME|ID", "filter", "f");
    private readonly Option<bool> _follow = Flags.Bool("--follow", "Keep printing events as they are committed");
    private readonly Option<string> _format = Flags.String("--format", "Format output using a Go template ({{.Index}}, {{.Type}}, {{.Actor}}, {{json .Event}}…)");

    public EventsCommand() : base("events", "[OPTIONS]", "Show every event of the cluster's log, resumable by index")
    {
        Options.Add(_since);
        Options.Add(_until);
        Options.Add(_filter);
        Options.Add(_follow);
        Options.Add(_format);
    }

    /// <summary>The request for the options: an index in --since is from-index (inclusive), anything else is the server's to read.</summary>
    public static string PathFor(string? since, string? until, IReadOnlyList<string> filters, bool follow)
    {
        var query = new List<string>();
        if (since is { Length: > 0 })
            query.Add(long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? $"from-index={Math.Max(index, 1)}" : $"since={Uri.EscapeDataString(since)}");
        else query.Add("from-index=1");
        if (until is { Length: > 0 }) query.Add($"until={Uri.EscapeDataString(until)}");
        foreach (var filter in filters)
        {
            if (!filter.Contains('=', StringComparison.Ordinal)) throw new UsageException($"bad format of filter (expected name=value): '{filter}'", 125);
            query.Add($"filter={Uri.EscapeDataString(filter)}");
        }
        if (follow) query.Add("follow=1");
        return "/eventswarm/v1/events?" + string.Join("&", query);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var template = result.Value(_format) is { Length: > 0 } format ? ParseTemplate(format) : null;
        var path = PathFor(result.Value(_since), result.Value(_until), result.Values(_filter), result.Has(_follow));
        await foreach (var line in StreamAsync(context.Host, path, CancellationToken.None))
        {
            await context.Out.WriteLineAsync(Format(line, template));
            await context.Out.FlushAsync();
        }
        return 0;
    }

    private static GoTemplate ParseTemplate(string format)
    {
        try
        {
            return GoTemplate.Parse(format);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>One event's line: the template over its fields (first letter capital, as docker's are), or the default line.</summary>
    public static string Format(string json, GoTemplate? template)
    {
        var node = JsonNode.Parse(json);
        if (template is not null) return template.Render(Capitalized(node));
        var e = node!.AsObject();
        var line = new StringBuilder();
        line.Append(e["time"]?.GetValue<string>()).Append("  #").Append(e["index"]?.ToString()).Append("  ").Append(e["type"]?.GetValue<string>());
        if (e["subject"] is JsonObject { } subject && subject["stream"]?.GetValue<string>() is { Length: > 0 } stream) line.Append("  ").Append(stream);
        line.Append("  by ").Append(e["actor"]?.GetValue<string>());
        if (e["command"]?.GetValue<string>() is { Length: > 0 } command) line.Append(" (").Append(command).Append(')');
        if (e["loop"]?.GetValue<string>() is { Length: > 0 } loop) line.Append(" loop=").Append(loop);
        if (e["correlationId"]?.GetValue<string>() is { Length: > 0 } correlation) line.Append(" correlation=").Append(correlation);
        return line.ToString();
    }

    private static JsonNode? Capitalized(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key.Length == 0 ? p.Key : char.ToUpperInvariant(p.Key[0]) + p.Key[1..], Capitalized(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Capitalized)]),
        _ => node?.DeepClone(),
    };

    /// <summary>The endpoint's NDJSON, line by line as it arrives (the answer of a follow never ends).</summary>
    private static async IAsyncEnumerable<string> StreamAsync(string host, string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var uri = new Uri(host);
        using var handler = new SocketsHttpHandler();
        if (uri.Scheme == "unix")
            handler.ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(uri.LocalPath), token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        using var http = new HttpClient(handler)
        {
            BaseAddress = new Uri(uri.Scheme == "unix" ? "http://eventswarm" : $"http://{uri.Authority}"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.Length > 0) yield return line;
    }
}
