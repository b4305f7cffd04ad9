using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application;
using EventSwarm.Application.ControlLoops;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Application.Services;
using EventSwarm.Application.Workers;
using EventSwarm.Infrastructure.Docker;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Api;
using EventSwarm.Node.Api.Engine;
using EventSwarm.Node.Api.History;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;
using EventSwarm.Node.Swarm;
using EventSwarm.Node.Worker;
using FluentValidation;
using Mediator;

namespace EventSwarm.Node.Hosting;

/// <summary>
/// One node: the Raft log and its projection, the command API on a unix socket, the control loops (this node
/// leads its one-member cluster) and the worker that runs this node's tasks on the local Docker Engine.
/// </summary>
[Experimental("DOTNEXT001")]
public static class AgentHost
{
    public static async Task<int> RunAsync(AgentOptions options)
    {
        // Before any file or socket exists: everything the agent creates is owner-only from its first instant.
        LocalAccess.RestrictUmask();
        SocketAccess access;
        try
        {
            access = options.Group is { } group ? new SocketAccess(LocalAccess.ResolveGroup(group), group) : new SocketAccess(null, null);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"eventswarm agent: {e.Message}");
            return 2;
        }

        var dataDirectoryFixes = LocalAccess.SecureDataDirectory(options.DataDirectory);
        LocalAccess.CreateSocketDirectory(options.Socket);
        // A damaged log is refused (or a torn tail cut back) before anything starts: one line, no stack trace.
        using (var startLog = LoggerFactory.Create(logging => logging.AddConsole()))
            if (LogDamage.CheckAtStart(options, startLog.CreateLogger(typeof(LogDamage).FullName!), Console.Error) is { } refused)
                return refused;
        // The snapshot writer renames temp files into place; keep them on the data file system so that is atomic.
        Environment.SetEnvironmentVariable("TMPDIR", Directory.CreateDirectory(Path.Combine(options.DataDirectory, "tmp")).FullName);
        if (File.Exists(options.Socket)) File.Delete(options.Socket);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("DotNext", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        var secrets = new ClusterSecrets(options.DataDirectory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(options.Socket, listen => listen.UseDockerHalfClose());
            // Other nodes reach this one over TLS with the node certificate the swarm's CA signed; callers prove
            // who they are with theirs (checked per request: see WorkerEndpoints.UseNodeAuthentication). The
            // socket behind it opens with `swarm init` / `swarm join` and closes with `swarm leave`.
            k.Listen(RemoteListener.Placeholder, listen => listen.UseHttps(https =>
            {
                https.ServerCertificateSelector = (_, _) => secrets.NodeCertificate();
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
            }));
            // --metrics-addr: plain HTTP, /metrics only (MetricsEndpoints.MapListener).
            MetricsEndpoints.Listen(k, options);
        });
        // Registered after Kestrel's socket transport, so asked first; it binds only the placeholder.
        builder.Services.AddSingleton<RemoteListener>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(sp => sp.GetRequiredService<RemoteListener>());

        var runtime = DockerContainerRuntime.Connect(options.DockerHost);
        var projection = new ClusterProjection();
        var local = new LocalNode(NodeIdentity.LoadOrCreate(options.DataDirectory), CachedDescription(runtime));
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(access);
        services.AddSingleton(projection);
        services.AddSingleton(new NodeFeed(projection));
        services.AddSingleton(local);
        services.AddSingleton<IContainerRuntime>(runtime);
        services.AddSingleton<IClock, SystemClock>();
        services.AddSingleton(new Infrastructure.Log.DiskAlarm(options.DataDirectory, Infrastructure.Log.DiskAlarm.ReserveFromEnvironment()));
        services.AddSingleton<RaftLogHost>();
        services.AddSingleton<IReplicatedLog>(sp => sp.GetRequiredService<RaftLogHost>());
        services.AddSingleton<IEventHistory, ClusterHistory>();
        services.AddSingleton<ClusterWriter>();
        services.AddSingleton<CommandExecutor>();
        services.AddSingleton<ControlLoopRunner>();
        services.AddSingleton(new Heartbeats(options.HeartbeatPeriod, projection));
        services.AddSingleton(secrets);
        services.AddSingleton<Application.Secrets.ISecretCipher, Infrastructure.Security.SecretCipher>();
        services.AddSingleton(new Membership(options.DataDirectory));
        services.AddSingleton(new SwarmAddressBook(options.DataDirectory));
        // The use cases the endpoints call: the node's place in a swarm (Swarm/) and what managers do (Manager/).
        services.AddSingleton<SwarmLifecycle>();
        services.AddSingleton<SwarmInit>();
        services.AddSingleton<SwarmJoin>();
        services.AddSingleton<SwarmLeave>();
        services.AddSingleton<SwarmUnlock>();
        services.AddSingleton<ManagerKeyWrapping>();
        services.AddSingleton<RoleChange>();
        services.AddSingleton<LeaderLink>();
        services.AddSingleton<ForwardedCommands>();
        services.AddSingleton<SwarmUpdate>();
        services.AddSingleton<NodeAdmission>();
        services.AddSingleton<PromotionGrant>();
        services.AddSingleton<TaskFileIssuer>();
        services.AddSingleton<ITaskFileStore>(Infrastructure.Workers.TaskFileStore.ForAgent(options.Socket, options.DataDirectory));
        services.AddSingleton<Infrastructure.Networking.HostNetwork>();
        services.AddSingleton<Infrastructure.Networking.ServiceDns>();
        services.AddEnginePassThrough(options.DockerHost);
        // Service and task logs: a manager gathers them from the tasks' nodes; every node serves its own.
        services.AddSingleton<Logs.NodeTaskLogs>();
        services.AddSingleton<Logs.NodeLogLink>();
        services.AddSingleton<Logs.ServiceLogs>();
        Web.WebView.AddServices(services, options);
        MetricsEndpoints.AddServices(services, options);
        services.ConfigureHttpJsonOptions(json => DockerJson.ApplyTo(json.SerializerOptions));
        // A query value a route cannot bind ("since=abc") is thrown as BadHttpRequestException naming the parameter
        // (answered 400 with Docker's body by UseDockerErrors) instead of an empty 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddValidatorsFromAssemblyContaining<ServiceSpecValidator>(ServiceLifetime.Singleton);
        services.AddMediator((MediatorOptions o) =>
        {
            o.Namespace = "EventSwarm.Node.Mediator";
            o.ServiceLifetime = ServiceLifetime.Singleton;
            // Validation first, so that a follower refuses malformed input itself; then, on a follower, the leader decides.
            o.PipelineBehaviors = [typeof(ValidationBehavior<,>), typeof(ForwardToLeaderBehavior<,>)];
        });
        // Order matters: the log is open (and replayed) before the loops and the worker look at the projection.
        services.AddHostedService(sp => sp.GetRequiredService<RaftLogHost>());
        services.AddHostedService(sp => sp.GetRequiredService<SwarmLifecycle>());
        services.AddHostedService<ControlLoopService>();
        services.AddHostedService<WorkerService>();
        services.AddHostedService<NetworkService>();
        services.AddHostedService<RemoteFeedService>();
        services.AddHostedService<RoleService>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagerKeyWrapping>());
        if (options.Archive is { } archive)
        {
            // The archive (Marten on PostgreSQL): the readers' IEventArchive, and the leader's archiver filling it.
            var marten = new Infrastructure.Archive.MartenEventArchive(archive);
            services.AddSingleton(marten);
            services.AddSingleton<IEventArchive>(marten);
            services.AddSingleton(new Infrastructure.Archive.ArchiveStatus(marten.Description));
            services.AddHostedService<ArchiveService>();
        }

        var app = builder.Build();
        // The web view has a pipeline of its own (its port, its sign-in), ahead of everything the API needs.
        Web.WebView.Map(app, options);
        // Likewise the --metrics-addr listener (/metrics only, no node certificate); then every API request is timed.
        MetricsEndpoints.MapListener(app, options);
        app.UseRequestMetrics();
        app.UseErrorBodies();
        app.UseDockerErrors();
        app.UseDockerHeaders();
        app.UseLocalUserAccess();
        app.UseDotSegmentRefusal();
        app.UseNodeAuthentication();
        app.Use((context, next) =>
        {
            // Docker clients prefix every path with the API version they speak (/v1.41/services). It becomes the
            // PathBase: routes match without it, and the pass-through to the engine puts it back.
            var path = context.Request.Path.Value ?? "";
            if (path.Length > 3 && path.StartsWith("/v") && path.IndexOf('/', 1) is var slash and > 2 && char.IsDigit(path[2]))
            {
                context.Request.PathBase = path[..slash];
                context.Request.Path = path[slash..];
            }
            return next(context);
        });
        app.UseReadsOnlyInThePast();
        app.UseRouting();
        app.UseNodeToNodeRoutesOnlyFromNodes();
        app.UseSwarmLockGate();
        SystemEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        SwarmEndpoints.Map(app);
        SwarmLockEndpoints.Map(app);
        NodeEndpoints.Map(app);
        ServiceEndpoints.Map(app);
        Api.Services.ServiceHistory.Map(app);
        TaskEndpoints.Map(app);
        Logs.LogEndpoints.Map(app);
        NetworkEndpoints.Map(app);
        SecretEndpoints.Map(app);
        Api.Stacks.StackEndpoints.Map(app);
        EventSwarmEndpoints.Map(app);
        TimeTravelEndpoints.Map(app);
        Api.History.AuditEndpoints.Map(app);
        JoinEndpoints.Map(app);
        WorkerEndpoints.Map(app);
        ManagerEndpoints.Map(app);
        app.MapEnginePassThrough();

        foreach (var fix in dataDirectoryFixes) app.Logger.LogWarning("check file permission: {Fix}", fix);
        try
        {
            await app.StartAsync();
        }
        catch (DotNext.IO.Log.IntegrityException e)
        {
            // What the check before the start did not see, DotNext's own check at open did: still one line.
            await Console.Error.WriteLineAsync($"eventswarm agent: the Raft log under {Path.Combine(options.DataDirectory, "raft")} failed its integrity check ({e.Message}). " +
                "On a manager of a swarm whose other managers are healthy, restart it with `eventswarm agent --recover-from-peers`; on a lone manager, with `eventswarm agent --force-new-cluster`.");
            return LogDamage.ExitCode;
        }
        // Born 0700 under the umask; narrowed to its final owner and mode, never widened beyond it.
        LocalAccess.SecureSocket(options.Socket, access.GroupId);
        if (access.GroupName is { } name && !LocalAccess.GroupCanReach(options.Socket))
            app.Logger.LogWarning("members of group {Group} may not reach {Socket}: a directory above it does not let them through", name, options.Socket);
        app.Logger.LogInformation("eventswarm agent {Node} listening on {Socket} ({Access})", local.NodeId, options.Socket,
            access.GroupName is { } g ? $"root and group {g}" : "root only");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static Func<CancellationToken, Task<Domain.Nodes.NodeDescription>> CachedDescription(IContainerRuntime runtime)
    {
        Task<Domain.Nodes.NodeDescription>? cached = null;
        return ct => (cached is { IsCompletedSuccessfully: true } ? cached : cached = runtime.DescribeAsync(ct));
    }
}

internal static class NodeIdentity
{
    public static string LoadOrCreate(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "node-id");
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        var id = Ids.NewId();
        File.WriteAllText(file, id);
        return id;
    }
}
