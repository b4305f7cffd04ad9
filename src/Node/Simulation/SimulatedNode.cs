using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Workers;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Tasks;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Worker;

namespace EventSwarm.Node.Simulation;

/// <summary>
/// One simulated node: a real worker in everything but the engine. It joins through the real
/// /eventswarm/v1/swarm/join with its own key and CSR, and from then on speaks as itself over mutual TLS with the
/// certificate it was given: it follows its per-node feed into a scoped projection, runs a real
/// <see cref="WorkerAgent"/> over a <see cref="SimulatedRuntime"/>, reports through /worker/report and beats at
/// the period the manager answers. When the process dies its connections drop and the manager marks it Down.
/// </summary>
public sealed class SimulatedNode : IDisposable
{
    private static readonly JsonSerializerOptions NodeJson = JsonSerializerOptions.Web;

    private readonly ManagerClient _manager;
    private readonly SimulationStats _stats;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly X509Certificate2 _certificate;

    private SimulatedNode(string nodeId, string hostname, X509Certificate2 certificate, X509Certificate2 ca, SimulatedRuntime runtime,
        SimulationOptions options, SimulationStats stats, ILoggerFactory loggers)
    {
        NodeId = nodeId;
        Hostname = hostname;
        Runtime = runtime;
        _certificate = certificate;
        _stats = stats;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SimulatedNode>();
        _manager = new ManagerClient(options.Manager, certificate, ca, scoped: true) { Received = stats.Received };
    }

    public string NodeId { get; }
    public string Hostname { get; }
    public SimulatedRuntime Runtime { get; }

    /// <summary>The node's share of the state: its tasks and what they need (the manager's per-node feed).</summary>
    public ClusterProjection Projection { get; } = new() { Scoped = true };

    /// <summary>
    /// Joins as a worker: a new P-256 key, a CSR for it, the token; the manager's TLS certificate is checked against
    /// the swarm's CA (already matched with the token's digest by the caller, as SwarmJoin does).
    /// </summary>
    public static async Task<SimulatedNode> JoinAsync(HttpClient pinned, X509Certificate2 ca, string hostname, SimulationOptions options,
        SimulationStats stats, ILoggerFactory loggers, CancellationToken ct)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var description = Describe(hostname, options);
        using var response = await pinned.PostAsJsonAsync("/eventswarm/v1/swarm/join", new JoinRequest
        {
            Token = options.Token,
            Role = "worker",
            // The manager names the node: its CN is then the ID its certificate is issued for.
            CertificateSigningRequest = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
            Description = description,
        }, NodeJson, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"join of {hostname} refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        var joined = (await response.Content.ReadFromJsonAsync<JoinResponse>(NodeJson, ct))!;
        using var issued = X509Certificate2.CreateFromPem(joined.Certificate);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Exported and re-imported, as ClusterSecrets does: Linux TLS wants a key that is not an ephemeral import.
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new SimulatedNode(joined.NodeId, hostname, certificate, ca, new SimulatedRuntime(description, options.StartLatency, options.FailureRate),
            options, stats, loggers);
    }

    /// <summary>What the node says it is: the flags' CPUs and memory, this machine's OS and architecture.</summary>
    public static NodeDescription Describe(string hostname, SimulationOptions options) =>
        new(hostname, "simulated", "linux", System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            _ => "x86_64",
        }, options.Cpus * 1_000_000_000L, options.MemoryBytes);

    /// <summary>Follows the feed, runs the worker and beats, until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = FollowAsync(first, ct);
        var beats = BeatAsync(ct);
        await Task.WhenAny(first.Task, feed);
        var worker = new WorkerAgent(NodeId, Runtime, Projection, ReportAsync, new SimulatedTaskFiles(_manager), new SimulatedTaskFileStore(),
            new SystemClock(), _loggers.CreateLogger<WorkerAgent>(), new EnginePool(EnginePool.DefaultSize));
        await Task.WhenAll(feed, beats, worker.RunAsync(ct)).Quietly();
    }

    private Task ReportAsync(ReportTaskStatus report, CancellationToken ct)
    {
        _stats.Reported(report.Reports.Count);
        return _manager.ReportAsync(report, ct);
    }

    /// <summary>The node's state once, then its events (long polling), as RemoteFeedService follows a manager; again from the state when told.</summary>
    private async Task FollowAsync(TaskCompletionSource first, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Projection.Restore(await _manager.StateAsync(ct));
                first.TrySetResult();
                while (await _manager.EventsAsync(Projection.Current.LastSequence, ct) is { } events)
                {
                    Projection.ApplyRecorded(events);
                    _stats.Applied(events, DateTimeOffset.UtcNow);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("{Node}: following the manager failed ({Error}); reading its state again", Hostname, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).Quietly();
            }
        }
    }

    /// <summary>Heartbeats at the period the manager answers, each bounded as the real worker's (two periods, at least 2 s).</summary>
    private async Task BeatAsync(CancellationToken ct)
    {
        var period = Application.Nodes.Heartbeats.DefaultPeriod;
        while (!ct.IsCancellationRequested)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(TimeSpan.FromTicks(Math.Max(2 * period.Ticks, TimeSpan.FromSeconds(2).Ticks)));
            try
            {
                period = await _manager.HeartbeatAsync(bounded.Token) ?? period;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A missed beat is what the manager's node monitor is there to notice; keep beating.
            }
            await Task.Delay(period, ct).Quietly();
        }
    }

    public void Dispose()
    {
        _manager.Dispose();
        _certificate.Dispose();
    }

    /// <summary>A task's secrets and configs, asked of the manager over the node's own link, as the real worker does.</summary>
    private sealed class SimulatedTaskFiles(ManagerClient manager) : ITaskFiles
    {
        public async Task<IReadOnlyList<TaskFile>> ForTaskAsync(string taskId, CancellationToken ct)
        {
            try
            {
                return await manager.TaskFilesAsync(taskId, ct);
            }
            catch (HttpRequestException e)
            {
                throw new TaskFilesUnavailableException($"no manager answered for the task's secrets and configs: {e.Message}", e);
            }
        }
    }

    /// <summary>Files kept by name only: a simulated container mounts nothing.</summary>
    private sealed class SimulatedTaskFileStore : ITaskFileStore
    {
        public IReadOnlyList<FileMount> Write(string taskId, IReadOnlyList<TaskFile> files) =>
            [.. files.Select(f => new FileMount($"/simulated/{taskId}/{f.ObjectId}", f.Target))];

        public void Remove(string taskId)
        {
        }

        public void RemoveAllBut(IReadOnlySet<string> taskIds)
        {
        }
    }
}
