using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Security;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Worker;

/// <summary>
/// On a worker, the projection follows a manager's: its state once, then the events after it (long polling).
/// When the manager no longer holds the events it needs, or the line breaks, it starts over from the state of
/// the next manager the log knows. It stops when the node is promoted (its own log takes over).
/// </summary>
public sealed class RemoteFeedService(Membership membership, ClusterSecrets secrets, ClusterProjection projection, ILogger<RemoteFeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var manager = new ManagerClient(membership, secrets);
        while (!ct.IsCancellationRequested)
        {
            if (!membership.IsWorker)
            {
                // Joining as a worker wakes this at once: `swarm join` waits for the state it brings.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.RoleChanged);
                await Task.Delay(TimeSpan.FromMilliseconds(500), idle.Token).Quietly();
                continue;
            }
            using var following = CancellationTokenSource.CreateLinkedTokenSource(ct, membership.RoleChanged);
            try
            {
                var state = await manager.StateAsync(following.Token);
                // A leave may have happened while the call was out: what comes back belongs to the swarm left.
                if (following.IsCancellationRequested || !membership.IsWorker) continue;
                projection.Restore(state);
                projection.IsCatchingUp = false;
                while (await manager.EventsAsync(projection.Current.LastSequence, following.Token) is { } events && !following.IsCancellationRequested)
                    projection.ApplyRecorded(events);
            }
            catch (OperationCanceledException) when (following.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                var failed = membership.ManagerAddress;
                manager.FailOver(projection.Current);
                logger.LogWarning("following manager {Manager} failed ({Error}); now following {Next}", failed, e.Message, membership.ManagerAddress);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).Quietly();
            }
        }
    }
}
