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
using FluentValidation;
using Mediator;

namespace EventSwarm.Node.Agent;

/// <summary>
/// One node: the Raft log and its projection, the command API on a unix socket, the control loops (this node
/// leads its one-member cluster) and the worker that runs this node's tasks on the local Docker Engine.
/// </summary>
[Experimental("DOTNEXT001")]
public static class AgentHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        AgentOptions options;
        try
        {
            options = AgentOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"eventswarm agent: {e.Message}");
            await Console.Error.WriteLineAsync("usage: eventswarm agent [--data-dir DIR] [--docker-host URI] [--socket PATH] [--heartbeat-period DURATION] [--listen-addr IP:PORT] [--raft-addr IP:PORT]");
            return 2;
        }

        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(options.Socket)!);
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
        });
        // Registered after Kestrel's socket transport, so asked first; it binds only the placeholder.
        builder.Services.AddSingleton<RemoteListener>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(sp => sp.GetRequiredService<RemoteListener>());

        var runtime = DockerContainerRuntime.Connect(options.DockerHost);
        var projection = new ClusterProjection();
        var local = new LocalNode(NodeIdentity.LoadOrCreate(options.DataDirectory), CachedDescription(runtime));
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(projection);
        services.AddSingleton(local);
        services.AddSingleton<IContainerRuntime>(runtime);
        services.AddSingleton<IClock, SystemClock>();
        services.AddSingleton<RaftLogHost>();
        services.AddSingleton<IReplicatedLog>(sp => sp.GetRequiredService<RaftLogHost>());
        services.AddSingleton<ClusterWriter>();
        services.AddSingleton<CommandExecutor>();
        services.AddSingleton<ControlLoopRunner>();
        services.AddSingleton(new Heartbeats(options.HeartbeatPeriod));
        services.AddSingleton(secrets);
        services.AddSingleton(new Membership(options.DataDirectory));
        services.AddSingleton(new SwarmAddressBook(options.DataDirectory));
        services.AddSingleton<SwarmLifecycle>();
        services.AddSingleton<SwarmJoin>();
        services.AddSingleton<SwarmLeave>();
        services.AddSingleton<LeaderLink>();
        services.AddSingleton<RoleChange>();
        services.AddSingleton<Infrastructure.Networking.HostNetwork>();
        services.AddSingleton<Infrastructure.Networking.ServiceDns>();
        services.AddEnginePassThrough(options.DockerHost);
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

        var app = builder.Build();
        app.UseErrorBodies();
        app.UseDockerErrors();
        app.UseDockerHeaders();
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
        app.UseRouting();
        SystemEndpoints.Map(app);
        SwarmEndpoints.Map(app);
        SwarmLockEndpoints.Map(app);
        NodeEndpoints.Map(app);
        ServiceEndpoints.Map(app);
        TaskEndpoints.Map(app);
        NetworkEndpoints.Map(app);
        EventSwarmEndpoints.Map(app);
        JoinEndpoints.Map(app);
        WorkerEndpoints.Map(app);
        ManagerEndpoints.Map(app);
        app.MapEnginePassThrough();

        await app.StartAsync();
        // Only root may drive the node, as with docker.sock's root:docker 0660.
        File.SetUnixFileMode(options.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        app.Logger.LogInformation("eventswarm agent {Node} listening on {Socket}", local.NodeId, options.Socket);
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
