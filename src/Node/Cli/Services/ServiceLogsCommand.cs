using System.CommandLine;
using System.Net;
using System.Text;
using Docker.DotNet;
using EventSwarm.Node.Logs;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service logs [OPTIONS] SERVICE|TASK</c>, docker's verb (docker/cli cli/command/service/logs.go): the service, or
/// else the task, is looked up; its logs are asked with details (unless --raw), and each line is printed with its
/// <c>service.slot.taskid@node    |</c> prefix, which the CLI builds itself from the task context in the details.
/// </summary>
public sealed class ServiceLogsCommand : Verb
{
    private readonly Option<bool> _details = Flags.Bool("--details", "Show extra details provided to logs");
    private readonly Option<bool> _follow = Flags.Bool("--follow", "Follow log output", "-f");
    private readonly Option<bool> _noResolve = Flags.Bool("--no-resolve", "Do not map IDs to Names in output");
    private readonly Option<bool> _noTaskIds = Flags.Bool("--no-task-ids", "Do not include task IDs in output");
    private readonly Option<bool> _noTrunc = Flags.Bool("--no-trunc", "Do not truncate output");
    private readonly Option<bool> _raw = Flags.Bool("--raw", "Do not neatly format logs");
    private readonly Option<string> _since = Flags.String("--since", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)");
    private readonly Option<string> _tail = Flags.String("--tail", "Number of lines to show from the end of the logs (default \"all\")", shorthand: "-n");
    private readonly Option<bool> _timestamps = Flags.Bool("--timestamps", "Show timestamps", "-t");

    public ServiceLogsCommand() : base("logs", "[OPTIONS] SERVICE|TASK", "Fetch the logs of a service or task")
    {
        (MinArgs, MaxArgs) = (1, 1);
        foreach (var option in new Option[] { _details, _follow, _noResolve, _noTaskIds, _noTrunc, _raw, _since, _tail, _timestamps }) Options.Add(option);
    }

    /// <summary>The query docker's client sends for these flags (client ServiceLogs): since made absolute at <paramref name="now"/>.</summary>
    public string Query(ParseResult result, DateTimeOffset now)
    {
        var query = new StringBuilder("stdout=1&stderr=1");
        if (result.Value(_since) is { Length: > 0 } since)
        {
            var absolute = ServiceLogOptions.SinceArgument(since, now, out var error);
            if (error is not null) throw new UsageException(error);
            query.Append("&since=").Append(Uri.EscapeDataString(absolute));
        }
        if (result.Has(_timestamps)) query.Append("&timestamps=1");
        if (result.Has(_details) || !result.Has(_raw)) query.Append("&details=1");
        if (result.Has(_follow)) query.Append("&follow=1");
        query.Append("&tail=").Append(Uri.EscapeDataString(result.Value(_tail) ?? "all"));
        return query.ToString();
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var target = Args(result)[0];
        var client = context.Client;
        var query = Query(result, DateTimeOffset.Now);
        bool tty;
        var width = 1;
        string path;
        try
        {
            var service = await client.Swarm.InspectServiceAsync(target);
            tty = service.Spec?.TaskTemplate?.ContainerSpec?.TTY ?? false;
            if (service.Spec?.Mode?.Replicated?.Replicas is { } replicas) width = TaskLogPrefix.Width((long)replicas);
            path = $"/v1.41/services/{Uri.EscapeDataString(target)}/logs?{query}";
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            try
            {
                var task = await client.Tasks.InspectAsync(target);
                tty = task.Spec?.ContainerSpec?.TTY ?? false;
                width = TaskLogPrefix.Width(task.Slot ?? 0);
                path = $"/v1.41/tasks/{Uri.EscapeDataString(target)}/logs?{query}";
            }
            catch (DockerApiException t) when (t.StatusCode == HttpStatusCode.NotFound)
            {
                await context.Err.WriteLineAsync($"no such task or service: {target}");
                return 1;
            }
        }
        var raw = result.Has(_raw);
        if (tty && !raw)
        {
            await context.Err.WriteLineAsync("tty service logs only supported with --raw");
            return 1;
        }

        using var http = Http(context.Host);
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw new DockerApiException(response.StatusCode, await response.Content.ReadAsStringAsync());
        await using var body = await response.Content.ReadAsStreamAsync();
        if (tty)
        {
            using var text = new StreamReader(body, Encoding.UTF8);
            var buffer = new char[8192];
            int read;
            while ((read = await text.ReadAsync(buffer)) > 0)
            {
                await context.Out.WriteAsync(buffer.AsMemory(0, read));
                await context.Out.FlushAsync();
            }
            return 0;
        }
        var prefixes = new Prefixes(context, width, result.Has(_noResolve), result.Has(_noTaskIds), result.Has(_noTrunc));
        var (timestamps, details) = (result.Has(_timestamps), result.Has(_details));
        await foreach (var frame in LogWire.ReadFramesAsync(body, CancellationToken.None))
        {
            if (frame.Source == LogSource.System)
            {
                // stdcopy.StdCopy's error for a frame of the daemon's own.
                await context.Err.WriteLineAsync($"error from daemon in stream: {Encoding.UTF8.GetString(frame.Payload)}");
                return 1;
            }
            byte[] output;
            if (raw) output = frame.Payload;
            else
            {
                var contexts = await prefixes.ResolveAsync(frame.Payload, timestamps);
                output = TaskLogPrefix.Line(frame.Payload, timestamps, details, c => contexts[c], out var error) ?? [];
                if (error is not null)
                {
                    await context.Err.WriteLineAsync(error);
                    return 1;
                }
            }
            var writer = frame.Source == LogSource.Stderr ? context.Err : context.Out;
            await writer.WriteAsync(Encoding.UTF8.GetString(output));
            await writer.FlushAsync();
        }
        return 0;
    }

    /// <summary>docker's taskFormatter: node and service names resolved once each (unless --no-resolve), the task's slot asked once.</summary>
    private sealed class Prefixes(CliContext context, int width, bool noResolve, bool noTaskIds, bool noTrunc)
    {
        private readonly Dictionary<TaskLogContext, string> _formatted = [];
        private readonly Dictionary<string, string> _names = [];

        public async Task<Dictionary<TaskLogContext, string>> ResolveAsync(byte[] payload, bool timestamps)
        {
            if (TaskLogPrefix.ContextOf(payload, timestamps) is { } task && !_formatted.ContainsKey(task))
            {
                var node = await NameAsync(task.NodeId, async () =>
                {
                    var n = await context.Client.Swarm.InspectNodeAsync(task.NodeId);
                    return n.Spec?.Name is { Length: > 0 } name ? name : n.Description?.Hostname is { Length: > 0 } host ? host : task.NodeId;
                });
                var service = await NameAsync(task.ServiceId, async () => (await context.Client.Swarm.InspectServiceAsync(task.ServiceId)).Spec?.Name ?? task.ServiceId);
                var inspected = await context.Client.Tasks.InspectAsync(task.TaskId);
                _formatted[task] = TaskLogPrefix.Format(service, inspected.Slot ?? 0, inspected.ID, node, width, noTaskIds, noTrunc);
            }
            return _formatted;
        }

        /// <summary>idresolver: the ID itself with --no-resolve or when the lookup fails (best effort, as docker's).</summary>
        private async Task<string> NameAsync(string id, Func<Task<string>> lookup)
        {
            if (noResolve) return id;
            if (_names.TryGetValue(id, out var name)) return name;
            try
            {
                name = await lookup();
            }
            catch (DockerApiException)
            {
                name = id;
            }
            return _names[id] = name;
        }
    }

    private static HttpClient Http(string host)
    {
        var uri = new Uri(host);
        var handler = new SocketsHttpHandler();
        if (uri.Scheme == "unix")
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(uri.LocalPath), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        // A follow lasts as long as the user wants.
        return new HttpClient(handler) { BaseAddress = new Uri(uri.Scheme == "unix" ? "http://eventswarm" : $"http://{uri.Authority}"), Timeout = Timeout.InfiniteTimeSpan };
    }
}
