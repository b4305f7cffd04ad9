using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EventSwarm.Application;
using EventSwarm.Domain.Swarm;
using EventSwarm.Domain.Tasks;
using EventSwarm.Infrastructure.Security;

namespace EventSwarm.Node.Simulation;

/// <summary>
/// `eventswarm simulate`: N simulated nodes in one process, joined to a real swarm (bounded concurrency), each a
/// <see cref="SimulatedNode"/>, and a figure line every second. Runs until cancelled; killing the process drops every
/// node's connections, and the manager marks them Down as it does real ones.
/// </summary>
public sealed class Simulation(SimulationOptions options, TextWriter status, ILoggerFactory loggers)
{
    private readonly SimulationStats _stats = new();
    private readonly List<SimulatedNode> _nodes = [];

    public SimulationStats Stats => _stats;

    /// <summary>The nodes joined so far.</summary>
    public IReadOnlyList<SimulatedNode> Nodes
    {
        get { lock (_nodes) return [.. _nodes]; }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        if (!JoinToken.TryParse(options.Token, out var token, out var error)) throw new ArgumentException($"invalid join token: {error}");
        var ca = await FetchCaAsync(token!, ct);
        using var pinned = Pinned(ca);
        var running = new List<Task>();
        var reporting = ReportAsync(ct);
        using var slots = new SemaphoreSlim(options.JoinConcurrency);
        var joins = Enumerable.Range(1, options.Nodes).Select(async i =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var node = await JoinWithRetriesAsync(pinned, ca, options.Hostname(i), ct);
                lock (_nodes)
                {
                    _nodes.Add(node);
                    running.Add(node.RunAsync(ct));
                }
                _stats.NodeJoined();
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(joins);
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        Task[] all;
        lock (_nodes) all = [.. running, reporting];
        await Task.WhenAll(all).Quietly();
        foreach (var node in Nodes) node.Dispose();
    }

    /// <summary>A manager busy with other joins may refuse or time out one; it is tried again a few times, spaced.</summary>
    private async Task<SimulatedNode> JoinWithRetriesAsync(HttpClient pinned, X509Certificate2 ca, string hostname, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SimulatedNode.JoinAsync(pinned, ca, hostname, options, _stats, loggers, ct);
            }
            catch (Exception e) when (attempt < 10 && !ct.IsCancellationRequested)
            {
                loggers.CreateLogger<Simulation>().LogWarning("join of {Node} failed ({Error}); trying again", hostname, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), ct);
            }
        }
    }

    /// <summary>The swarm's root CA, trusted only if its digest is the token's (Docker's join, as SwarmJoin does it).</summary>
    private async Task<X509Certificate2> FetchCaAsync(JoinToken token, CancellationToken ct)
    {
#pragma warning disable CA5359 // Not trusted until its digest matches the token's, just below.
        using var untrusted = Client((_, _, _, _) => true);
#pragma warning restore CA5359
        var ca = X509Certificate2.CreateFromPem(await untrusted.GetStringAsync("/eventswarm/v1/swarm/ca", ct));
        if (Domain.Swarm.JoinToken.DigestOf(ca.RawData) != token.CaDigest)
            throw new InvalidOperationException($"the manager at {options.Manager} presented a root CA that does not match the join token's digest; refusing to join");
        return ca;
    }

    private HttpClient Pinned(X509Certificate2 ca) =>
        Client((_, certificate, _, _) => certificate is not null && ClusterSecrets.IsSignedBy(new X509Certificate2(certificate), ca));

    private HttpClient Client(RemoteCertificateValidationCallback validate) =>
        new(new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validate }, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri($"https://{options.Manager}"),
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Every second: one JSON line to the stats file, one short line to the status writer.</summary>
    private async Task ReportAsync(CancellationToken ct)
    {
        StreamWriter? file = options.StatsFile is { } path ? new StreamWriter(path, append: true) { AutoFlush = true } : null;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                var sample = Sample();
                if (file is not null) await file.WriteLineAsync(sample.ToJsonLine());
                await status.WriteLineAsync(sample.ToStatusLine(options.Nodes));
            }
        }
        finally
        {
            if (file is not null) await file.DisposeAsync();
        }
    }

    /// <summary>Tasks the nodes' feeds give them to run, and containers running, over every node.</summary>
    public SimulationSample Sample()
    {
        var (tasks, running) = (0, 0);
        foreach (var node in Nodes)
        {
            tasks += node.Projection.Current.TasksOn(node.NodeId).Count(t => t.DesiredState == TaskState.Running);
            running += node.Runtime.Running;
        }
        return _stats.Take(DateTimeOffset.UtcNow, tasks, running);
    }
}
