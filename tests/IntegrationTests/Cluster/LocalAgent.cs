using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;

namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>
/// A real `eventswarm agent` process on the machine's real Docker Engine, with its own data directory, socket and
/// Raft port. Tests drive it through the stock docker CLI, our own CLI and the Docker API, like a user would.
/// Several run at once in the root namespace, so none may take 0.0.0.0:2377 when a swarm is initialised or
/// joined: each agent is started with `--listen-addr 127.0.0.1:&lt;free port&gt;`, which replaces the default listen
/// address of its `swarm init` / `swarm join` (a request that names one still gets it).
/// </summary>
public sealed class LocalAgent : IAsyncDisposable
{
    private static readonly string EventSwarmDll = Path.Combine(AppContext.BaseDirectory, "eventswarm.dll");
    private readonly string _root;
    private readonly int _raftPort;
    private readonly int _listenPort;
    private readonly string[] _extraArgs;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    private LocalAgent(string root, int raftPort, int listenPort, string[] extraArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        _root = root;
        _raftPort = raftPort;
        _listenPort = listenPort;
        _extraArgs = extraArgs;
        _environment = environment ?? new Dictionary<string, string>();
    }

    public string Socket => Path.Combine(_root, "eventswarm.sock");
    public string DataDirectory => Path.Combine(_root, "data");
    public string Host => $"unix://{Socket}";
    public string NodeId => File.ReadAllText(Path.Combine(DataDirectory, "node-id")).Trim();

    /// <summary>Where the agent listens for other nodes while it is in a swarm (its --listen-addr).</summary>
    public string ListenAddress => $"127.0.0.1:{_listenPort}";

    /// <param name="agentArgs">Extra flags for `eventswarm agent`, e.g. a shorter --heartbeat-period.</param>
    public static Task<LocalAgent> StartAsync(params string[] agentArgs) => StartAsync(prepareDataDirectory: null, agentArgs);

    /// <param name="prepareDataDirectory">Runs before the agent starts with the data directory's path (not yet
    /// created), e.g. to mount a small filesystem there.</param>
    public static async Task<LocalAgent> StartAsync(Action<string>? prepareDataDirectory, params string[] agentArgs)
    {
        var root = Directory.CreateTempSubdirectory("eventswarm-test-").FullName;
        var agent = new LocalAgent(root, FreePort(), FreePort(), agentArgs);
        prepareDataDirectory?.Invoke(agent.DataDirectory);
        await agent.StartProcessAsync();
        return agent;
    }

    /// <summary>A fresh agent with the swarm initialised, its process given <paramref name="environment"/> (e.g. $EVENTSWARM_SNAPSHOT_EVERY).</summary>
    public static async Task<LocalAgent> StartSwarmAsync(IReadOnlyDictionary<string, string> environment, params string[] agentArgs)
    {
        var agent = new LocalAgent(Directory.CreateTempSubdirectory("eventswarm-test-").FullName, FreePort(), FreePort(), agentArgs, environment);
        await agent.StartProcessAsync();
        (await agent.Docker("swarm", "init", "--advertise-addr", "127.0.0.1")).ShouldSucceed();
        return agent;
    }

    /// <summary>A fresh agent with the swarm initialised, as after `eventswarm swarm init`.</summary>
    public static Task<LocalAgent> StartSwarmAsync(params string[] agentArgs) => StartSwarmAsync(prepareDataDirectory: null, agentArgs);

    /// <inheritdoc cref="StartAsync(Action{string}?, string[])"/>
    public static async Task<LocalAgent> StartSwarmAsync(Action<string>? prepareDataDirectory, params string[] agentArgs)
    {
        var agent = await StartAsync(prepareDataDirectory, agentArgs);
        (await agent.Docker("swarm", "init", "--advertise-addr", "127.0.0.1")).ShouldSucceed();
        return agent;
    }

    public async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { EventSwarmDll, "agent", "--data-dir", DataDirectory, "--socket", Socket, "--raft-addr", $"127.0.0.1:{_raftPort}", "--listen-addr", ListenAddress },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in _extraArgs) info.ArgumentList.Add(arg);
        // Agents side by side in the root namespace would all want the web view's default 127.0.0.1:2380: none
        // serves it unless its test asks for an address (--web-addr IP:PORT among the agent's flags).
        if (!_extraArgs.Contains("--web-addr")) foreach (var arg in new[] { "--web-addr", "none" }) info.ArgumentList.Add(arg);
        foreach (var (name, value) in _environment) info.Environment[name] = value;
        _process = Process.Start(info)!;
        var log = File.AppendText(Path.Combine(_root, "agent.log"));
        log.AutoFlush = true;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.True(async () => File.Exists(Socket) && (await Docker("version")).ExitCode == 0,
            TimeSpan.FromSeconds(30), "the agent answers on its socket");
    }

    /// <summary>SIGKILL, as `kill -9`: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public Task<CommandResult> Docker(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = Host });

    public Task<CommandResult> EventSwarm(params string[] args) =>
        CommandResult.RunAsync("dotnet", [EventSwarmDll, "--host", Host, .. args], new Dictionary<string, string>());

    public IDockerClient Api() =>
        new DockerClientBuilder().WithEndpoint(new Uri(Host)).WithApiVersion(new System.Version(1, 41)).Build();

    public HttpClient Http() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://eventswarm") };

    /// <summary>How long the log is: committed Raft entries and events applied.</summary>
    public async Task<(long Entries, long Events)> LogLengthAsync()
    {
        using var http = Http();
        using var json = JsonDocument.Parse(await http.GetStringAsync("/eventswarm/v1/log"));
        return (json.RootElement.GetProperty("committedIndex").GetInt64(), json.RootElement.GetProperty("lastSequence").GetInt64());
    }

    /// <summary>False once the agent process has exited (killed, crashed, or stopped by itself).</summary>
    public bool IsRunning => _process is { HasExited: false };

    public string AgentLog => File.Exists(Path.Combine(_root, "agent.log")) ? File.ReadAllText(Path.Combine(_root, "agent.log")) : "";

    public async ValueTask DisposeAsync()
    {
        string? nodeId = File.Exists(Path.Combine(DataDirectory, "node-id")) ? NodeId : null;
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        if (nodeId is not null) await Engine.RemoveContainersOfNodeAsync(nodeId);
        // The agent's tmpfs for its tasks' secrets outlives the process; mounted, it could not be deleted.
        var secrets = Socket + ".secrets";
        if (Directory.Exists(secrets)) await CommandResult.RunAsync("umount", [secrets], new Dictionary<string, string>());
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
