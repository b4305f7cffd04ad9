using System.CommandLine;
using System.Net;
using EventSwarm.Application.Nodes;
using EventSwarm.Node.Hosting;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Cli.Agent;

/// <summary>
/// <c>eventswarm agent …</c>: runs a node. Its flags are parsed here, into the <see cref="AgentOptions"/> record the
/// node runs on, so that the agent knows nothing of command lines. Refusals keep the agent's own form, one line
/// <c>eventswarm agent: …</c> and exit 2, as before the CLI moved to System.CommandLine (scripts and the fault
/// suite read them).
/// </summary>
public sealed class AgentCommand : Verb
{
    public const string UsageLine = "[--data-dir DIR] [--docker-host URI] [--socket PATH] [--group NAME] [--heartbeat-period DURATION] [--listen-addr IP:PORT] [--raft-addr IP:PORT] [--recover-from-peers | --force-new-cluster] [--archive CONNECTION-STRING] [--web-addr IP:PORT|none] [--metrics-addr IP:PORT]";

    private readonly Option<string> _archive = Flags.String("--archive", "Copy the log into this PostgreSQL database (Marten), e.g. \"Host=127.0.0.1;Database=eventswarm;Username=eventswarm\"", "CONNECTION-STRING");
    private readonly Option<string> _dataDir = Flags.String("--data-dir", "Where the node keeps its Raft log, snapshots and keys (default \"/var/lib/eventswarm\")", "DIR");
    private readonly Option<string> _dockerHost = Flags.String("--docker-host", "The local Docker Engine the node runs tasks on (default \"unix:///var/run/docker.sock\")", "URI");
    private readonly Option<bool> _forceNewCluster = Flags.Bool("--force-new-cluster", "Cut a damaged log back before the damage and lead alone, as swarmd --force-new-cluster");
    private readonly Option<string> _group = Flags.String("--group", "Let this group use the socket (root:NAME 0660), as dockerd's -G", "NAME");
    private readonly Option<string> _heartbeatPeriod = Flags.String("--heartbeat-period", $"How often workers report to the managers (default {Heartbeats.DefaultPeriod.TotalSeconds:0}s)", "DURATION");
    private readonly Option<string> _webAddr = Flags.String("--web-addr", "Serve the web view here on a manager (default \"127.0.0.1:2380\"; \"none\" turns it off)", "IP:PORT|none");
    private readonly Option<string> _metricsAddr = Flags.String("--metrics-addr", "Also serve /metrics (Prometheus) on this TCP address, as dockerd's --metrics-addr", "IP:PORT");
    private readonly Option<string> _listenAddr = Flags.String("--listen-addr", "Replace a swarm init/join's default listen address (0.0.0.0:2377)", "IP:PORT");
    private readonly Option<string> _raftAddr = Flags.String("--raft-addr", "The Raft endpoint (default the listen IP, port 4377)", "IP:PORT");
    private readonly Option<bool> _recoverFromPeers = Flags.Bool("--recover-from-peers", "Set a damaged log aside and catch up from the leader");
    private readonly Option<string> _socket = Flags.String("--socket", $"The unix socket the node serves the Docker Engine API on (default \"{AgentOptions.DefaultSocket}\")", "PATH");

    public AgentCommand() : base("agent", UsageLine, "Run a node (manager and worker) on the local Docker Engine")
    {
        Option[] flags = [_archive, _dataDir, _dockerHost, _forceNewCluster, _group, _heartbeatPeriod, _listenAddr, _metricsAddr, _raftAddr, _recoverFromPeers, _socket, _webAddr];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>The node's options from a parsed <c>agent</c> line; <see cref="ArgumentException"/> for a value that cannot be.</summary>
    public AgentOptions Build(ParseResult result)
    {
        var heartbeat = result.Value(_heartbeatPeriod) is { } period
            ? Units.TryParseDuration(period) ?? throw new ArgumentException($"invalid argument \"{period}\" for \"--heartbeat-period\" flag: time: invalid duration \"{period}\"")
            : Heartbeats.DefaultPeriod;
        if (heartbeat <= TimeSpan.Zero) throw new ArgumentException("--heartbeat-period must be positive");
        var group = result.Value(_group);
        if (group is { Length: 0 }) throw new ArgumentException("--group needs a group name");
        var (recoverFromPeers, forceNewCluster) = (result.Has(_recoverFromPeers), result.Has(_forceNewCluster));
        if (recoverFromPeers && forceNewCluster) throw new ArgumentException("--recover-from-peers and --force-new-cluster exclude each other");
        var archive = result.Value(_archive);
        if (archive is not null) CheckArchive(archive);
        return new AgentOptions(
            Path.GetFullPath(result.Value(_dataDir) ?? "/var/lib/eventswarm"),
            result.Value(_dockerHost) ?? "unix:///var/run/docker.sock",
            Path.GetFullPath(result.Value(_socket) ?? AgentOptions.DefaultSocket),
            heartbeat,
            Endpoint(result.Value(_listenAddr), "--listen-addr"),
            Endpoint(result.Value(_raftAddr), "--raft-addr"),
            group,
            recoverFromPeers,
            forceNewCluster,
            archive)
        {
            WebEndpoint = result.Value(_webAddr) is { } web
                ? web == "none" ? null : Endpoint(web, "--web-addr")
                : AgentOptions.DefaultWebEndpoint,
            MetricsEndpoint = Endpoint(result.Value(_metricsAddr), "--metrics-addr"),
        };
    }

    /// <summary>The options of <c>eventswarm agent ARGS</c>: parsing alone, no node started (tests, tools).</summary>
    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var result = CliApp.Root().Parse(["agent", .. args], CliApp.Parsing);
        if (Usage.Problem(result) is { } problem) throw new ArgumentException(problem.Bare);
        return ((AgentCommand)result.CommandResult.Command).Build(result);
    }

    /// <summary>The agent's refusal of its command line: one line, the usage, exit 2.</summary>
    public static async Task<int> RefuseAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"eventswarm agent: {message}");
        await error.WriteLineAsync($"usage: eventswarm agent {UsageLine}");
        return 2;
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        AgentOptions options;
        try
        {
            options = Build(result);
        }
        catch (ArgumentException e)
        {
            return await RefuseAsync(context.Err, e.Message);
        }
        return await AgentHost.RunAsync(options);
    }

    /// <summary>A connection string Npgsql cannot read is refused at once; one it can is tried later (a database that is down is not an error).</summary>
    private static void CheckArchive(string archive)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(archive);
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new ArgumentException("no Host");
        }
        catch (ArgumentException e)
        {
            // Npgsql's messages name the keyword, never a value: no password can leak through them.
            throw new ArgumentException($"invalid --archive connection string: {e.Message} (expected \"Host=…;Database=…[;Username=…]\")");
        }
    }

    private static IPEndPoint? Endpoint(string? text, string flag) =>
        text is null ? null
        : IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 ? endpoint
        : throw new ArgumentException($"invalid {flag} '{text}': expected IP:PORT");
}
