using System.Diagnostics;
using System.Text;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Log;

/// <summary>
/// An `eventswarm agent` started on a data directory the test prepared (a copy of a real one, damaged), which
/// either comes up on its socket or exits: its exit code, stdout and stderr are kept apart, as an operator sees them.
/// </summary>
public sealed class DataDirAgent : IAsyncDisposable
{
    private static readonly string EventSwarmDll = Path.Combine(AppContext.BaseDirectory, "eventswarm.dll");
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();

    private DataDirAgent(string dataDirectory, string socket, Process process)
    {
        DataDirectory = dataDirectory;
        Socket = socket;
        _process = process;
    }

    public string DataDirectory { get; }
    public string Socket { get; }
    public bool Exited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Stdout { get { lock (_out) return _out.ToString(); } }
    public string Stderr { get { lock (_err) return _err.ToString(); } }

    /// <summary>Starts the agent and waits (bounded) until it answers on its socket or exits.</summary>
    public static async Task<DataDirAgent> StartAsync(string dataDirectory, params string[] flags)
    {
        var socket = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "eventswarm.sock");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { EventSwarmDll, "agent", "--data-dir", dataDirectory, "--socket", socket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var flag in flags) info.ArgumentList.Add(flag);
        // Not the web view's default 127.0.0.1:2380, which another agent of the machine may hold.
        if (!flags.Contains("--web-addr")) foreach (var flag in new[] { "--web-addr", "none" }) info.ArgumentList.Add(flag);
        var agent = new DataDirAgent(dataDirectory, socket, Process.Start(info)!);
        agent._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (agent._out) agent._out.AppendLine(e.Data); };
        agent._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (agent._err) agent._err.AppendLine(e.Data); };
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        await Eventually.True(async () => agent.Exited || (File.Exists(socket) && (await agent.Docker("version")).ExitCode == 0),
            TimeSpan.FromSeconds(60), "the agent answers on its socket or exits");
        if (agent.Exited) await agent._process.WaitForExitAsync(); // drains stdout and stderr
        return agent;
    }

    public Task<CommandResult> Docker(params string[] args) =>
        CommandResult.RunAsync("docker", args, new Dictionary<string, string> { ["DOCKER_HOST"] = $"unix://{Socket}" });

    /// <summary>The services the agent lists, by name.</summary>
    public async Task<IReadOnlyList<string>> ServicesAsync()
    {
        var result = (await Docker("service", "ls", "--format", "{{.Name}}")).ShouldSucceed();
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>SIGTERM, as systemd stops it, bounded; then SIGKILL.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
