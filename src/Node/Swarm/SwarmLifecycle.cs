using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;
using EventSwarm.Node.Manager;

namespace EventSwarm.Node.Swarm;

/// <summary>
/// Entering and leaving a swarm, one step at a time (dockerd's controlMutex): `swarm init`, `swarm join` and
/// `swarm leave` wait for each other, so however fast they follow one another each finds the node as the last
/// one left it. A step opens, or closes, everything a node in a swarm has: the listener for other nodes, the Raft
/// log (a manager's), the membership and certificates, and the projection the background services act on.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class SwarmLifecycle(SwarmAddressBook addresses, RemoteListener listener, RaftLogHost raft, Membership membership, ClusterSecrets secrets,
    ClusterProjection projection, ILogger<SwarmLifecycle> logger) : IHostedService
{
    private readonly SemaphoreSlim _step = new(1, 1);

    /// <summary>Docker's errSwarmExists (503): init or join on a node already in a swarm.</summary>
    public static CommandRejectedException AlreadyInSwarm() => new(new DomainError(ErrorKind.Unavailable,
        "This node is already part of a swarm. Use \"eventswarm swarm leave\" to leave this swarm and join another one."));

    /// <summary>Docker's errNoSwarm (503): leave on a node in no swarm.</summary>
    public static CommandRejectedException NotPartOfSwarm() => new(new DomainError(ErrorKind.Unavailable, "This node is not part of a swarm"));

    /// <summary>A locked manager is in its swarm, though it shows none of it until unlocked.</summary>
    public bool InSwarm => projection.Current.Swarm is not null || membership.IsWorker || raft.IsOpen || secrets.IsLocked;

    public async Task<IDisposable> BeginStepAsync(CancellationToken ct)
    {
        await _step.WaitAsync(ct);
        return new Step(_step);
    }

    /// <summary>
    /// A restarted agent listens where it did (the log was opened before, by <see cref="RaftLogHost"/>); a locked
    /// manager does not until `swarm unlock` (its TLS key is wrapped: it could not show its certificate).
    /// </summary>
    public Task StartAsync(CancellationToken ct)
    {
        if (!secrets.IsLocked) ListenAgain();
        return Task.CompletedTask;
    }

    /// <summary>Listens where the node did before it restarted: at start, or once `swarm unlock` opened its keys.</summary>
    public void ListenAgain()
    {
        if (addresses.Current is { } at && listener.Endpoint is null)
        {
            try
            {
                listener.Open(at.ListenEndpoint);
                logger.LogInformation("listening for other nodes on {Listen}, advertised as {Advertise}", at.Listen, at.Advertise);
            }
            catch (SocketException e)
            {
                // Not fatal: the node still runs its tasks and answers on its socket; the cause is in the log.
                logger.LogError("cannot listen for other nodes on {Listen}: {Error}", at.Listen, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken ct)
    {
        listener.Close();
        return Task.CompletedTask;
    }

    /// <summary>Keeps the addresses and opens the listener on them; the caller then opens the log or follows a manager.</summary>
    public void Listen(SwarmAddresses at)
    {
        addresses.Save(at);
        try
        {
            listener.Open(at.ListenEndpoint);
        }
        catch (SocketException e)
        {
            addresses.Clear();
            throw new CommandRejectedException(new DomainError(ErrorKind.Invalid, $"cannot listen on {at.Listen}: {e.Message}"));
        }
        logger.LogInformation("listening for other nodes on {Listen}, advertised as {Advertise}; Raft on {RaftListen} as {RaftAdvertise}; data path {DataPath}",
            at.Listen, at.Advertise, at.RaftListen, at.RaftAdvertise, at.DataPath ?? at.AdvertiseIp);
    }

    /// <summary>
    /// Out of the swarm: no listener, no log, no membership, no certificates, and an empty projection, which is
    /// what tells the worker (its containers go), the network service (its networks, routes and rules go), the
    /// control loops and the feed from a manager that there is nothing left to do.
    /// </summary>
    public async Task ForgetSwarmAsync()
    {
        listener.Close();
        membership.Leave();
        await raft.CloseAndDropAsync();
        secrets.Forget();
        addresses.Clear();
        projection.IsCatchingUp = false;
        projection.Restore(ClusterState.Initial);
    }

    private sealed class Step(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
