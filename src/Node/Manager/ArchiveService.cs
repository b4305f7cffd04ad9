using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Application.Nodes;
using EventSwarm.Infrastructure.Archive;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The archiver (<c>eventswarm agent --archive</c>) runs on the leader only, for as long as it leads, as the control
/// loops do: one writer, and a new leader resumes from what the archive holds. It reads the history files only, so
/// the database being down never touches the Raft log; at start, an unreachable archive is one warning and the node
/// serves as usual.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental("DOTNEXT001")]
public sealed class ArchiveService(MartenEventArchive archive, ArchiveStatus status, Membership membership, RaftLogHost raft, IServiceProvider services, ILogger<ArchiveService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            // Schema created on first connect; a failure here is only a warning: the archiver retries while leading.
            await archive.EnsureSchemaAsync(ct);
            logger.LogInformation("archive {Archive} ready (schema {Schema})", archive.Description, MartenEventArchive.SchemaName);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("archive {Archive} unreachable at start ({Error}); the node serves without it and the archiver retries", archive.Description, e.Message);
        }
        var archiver = new Archiver(archive, status, logger, TimeProvider.System);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (membership.IsWorker || !raft.IsOpen || services.GetService<IEventHistory>() is not { } history)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                    continue;
                }
                using var current = CancellationTokenSource.CreateLinkedTokenSource(ct, raft.Replaced, membership.RoleChanged);
                var leading = await raft.Log.WaitForLeadershipAsync(current.Token);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(current.Token, leading);
                logger.LogInformation("leading: archiving to {Archive}", archive.Description);
                await archiver.RunAsync(history, term.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Not a manager now, no swarm yet, the log being reopened: look again shortly.
                logger.LogDebug(e, "archiver waiting");
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).Quietly();
            }
        }
    }
}
