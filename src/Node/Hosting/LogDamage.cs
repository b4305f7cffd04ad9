using EventSwarm.Infrastructure.Log;
using EventSwarm.Node.Local;

namespace EventSwarm.Node.Hosting;

/// <summary>
/// The look at the Raft log before the agent opens it (see <see cref="LogRepair"/>). A torn tail is cut back to
/// the last entry that verifies, said in one warning, and the node starts: on a manager with peers the entries cut
/// come back from the leader (they were uncommitted, or are replicated on a majority). Damage before the tail is
/// refused with one line on stderr naming the file, the entry and the remedies, and a non-zero exit, before
/// anything else starts: as etcd refuses a WAL whose CRC fails before its end ("wal: crc mismatch"), and unlike
/// the stack trace DotNext's integrity check left. The remedies are agent flags, because an agent that does not
/// start cannot take `swarm init --force-new-cluster`:
/// <list type="bullet">
/// <item><c>--recover-from-peers</c> (a manager of a swarm whose other managers are healthy): the Raft directory is
/// moved aside, kept, and the manager starts with an empty log and its membership, as a member that lost its disk,
/// and catches up from the leader — etcd's remedy for a member's lost data is the same: an empty data dir that the
/// leader fills.</item>
/// <item><c>--force-new-cluster</c> (a lone manager): the log is cut back before the damage (what is cut is kept),
/// the Raft membership forgotten, and the manager leads a cluster of its own from the snapshot and the entries
/// that verify, as `swarm init --force-new-cluster` does with a whole log (swarmkit's swarmd has the same flag).</item>
/// </list>
/// </summary>
public static class LogDamage
{
    /// <summary>The exit code of an agent that refuses its damaged log (2 is a usage error).</summary>
    public const int ExitCode = 3;

    /// <summary>Returns null when the agent may go on (the log is whole, or was mended), otherwise its exit code.</summary>
    public static int? CheckAtStart(AgentOptions options, ILogger logger, TextWriter stderr)
    {
        var raft = Path.Combine(options.DataDirectory, "raft");
        if (!File.Exists(Path.Combine(LogRepair.WalDirectory(raft), "checkpoint")))
        {
            if (!options.RecoverFromPeers && !options.ForceNewCluster) return null;
            stderr.WriteLine($"eventswarm agent: {Flag(options)} was given, but there is no Raft log under {raft}: this node is not a manager with a log; start it without the flag");
            return 2;
        }
        if (options.RecoverFromPeers) return RecoverFromPeers(raft, logger, stderr);

        LogCheck check;
        try
        {
            check = LogRepair.Check(raft);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"eventswarm agent: the Raft log under {raft} cannot be read ({e.Message}). {Remedies(null)}");
            return ExitCode;
        }

        switch (check.Condition)
        {
            // A tail that is the whole log leaves a lone manager nothing (no swarm at all): that is the operator's
            // call, not a repair; a manager with peers gets it all back from the leader.
            case LogCondition.TornTail when check.LastGood <= check.SnapshotIndex && !options.ForceNewCluster
                                            && LogRepair.MemberCount(Path.Combine(raft, RaftLog.MembersFileName)) < 2:
                stderr.WriteLine($"eventswarm agent: no entry of the Raft log verifies (entries {check.FirstBad} to {check.LastIndex}, first in {check.File}), " +
                                 $"and this lone manager has no peers to get them back from; nothing was changed. Restore the data directory from a backup, " +
                                 $"or restart it with `eventswarm agent --force-new-cluster` to start from {(check.SnapshotIndex > 0 ? $"the snapshot at entry {check.SnapshotIndex}" : "an empty log (the swarm's state is lost)")}.");
                return ExitCode;
            case LogCondition.TornTail:
                {
                    var kept = LogRepair.CutBack(check, check.LastGood);
                    logger.LogWarning(
                        "the Raft log's tail was torn: entries {From} to {To} in {File} did not verify and were cut, the log now ends at entry {LastGood} " +
                        "(commit index {Commit} before); a manager with peers gets them back from the leader. What was cut is kept in {Kept}",
                        check.FirstBad, check.LastIndex, check.File, check.LastGood, check.CommitIndex, kept);
                    break;
                }
            case LogCondition.Damaged when options.ForceNewCluster:
                {
                    var kept = LogRepair.CutBack(check, check.LastGood);
                    logger.LogWarning(
                        "--force-new-cluster: the Raft log was damaged at entry {Index} in {File}; it is cut back to entry {LastGood} (entries {Index} to {Last} " +
                        "dropped, kept in {Kept}) and this manager forms a cluster of its own from there",
                        check.FirstBad, check.File, check.LastGood, check.FirstBad, check.LastIndex, kept);
                    break;
                }
            case LogCondition.Damaged:
                stderr.WriteLine($"eventswarm agent: the Raft log is damaged at entry {check.FirstBad} of {check.LastIndex} in {check.File} " +
                                 $"(entries up to {check.LastVerified} after it verify, so this is not a torn tail; nothing was changed). {Remedies(check)}");
                return ExitCode;
        }

        if (options.ForceNewCluster)
        {
            // As `swarm init --force-new-cluster`: the membership goes, the log stays (up to its verified end).
            RaftLog.ForgetMembers(options.DataDirectory, Math.Max(check.LastGood, 0));
            logger.LogWarning("--force-new-cluster: the Raft membership is forgotten; this manager leads a cluster of its own with the log up to entry {LastGood}",
                check.LastGood);
        }
        return null;
    }

    private static int? RecoverFromPeers(string raft, ILogger logger, TextWriter stderr)
    {
        var members = Path.Combine(raft, RaftLog.MembersFileName);
        var count = LogRepair.MemberCount(members);
        if (count < 2)
        {
            stderr.WriteLine($"eventswarm agent: --recover-from-peers needs other managers to catch up from, but this node's Raft membership ({members}) " +
                             $"lists {count}; on a lone manager restart with `eventswarm agent --force-new-cluster` instead (the log is cut back to its last good entry)");
            return ExitCode;
        }
        var aside = LogRepair.MoveAside(raft);
        Directory.CreateDirectory(raft);
        // The membership stays: the manager comes back as the member it was, with an empty log the leader fills.
        foreach (var file in new[] { RaftLog.MembersFileName, "members.floor" })
            if (File.Exists(Path.Combine(aside, file)))
                File.Copy(Path.Combine(aside, file), Path.Combine(raft, file));
        logger.LogWarning("--recover-from-peers: the Raft log was moved aside to {Aside} (kept); this manager starts with an empty log and catches up from the leader of its {Count} managers",
            aside, count);
        return null;
    }

    private static string Flag(AgentOptions options) => options.RecoverFromPeers ? "--recover-from-peers" : "--force-new-cluster";

    private static string Remedies(LogCheck? check) =>
        "On a manager of a swarm whose other managers are healthy, restart it with `eventswarm agent --recover-from-peers` " +
        "(the log is moved aside and caught up from the leader); on a lone manager, restart it with `eventswarm agent --force-new-cluster` " +
        (check is null
            ? "(it leads a cluster of its own from the log it has)."
            : $"(the log is cut back to entry {check.LastGood}, the last good one, and it leads a cluster of its own from there, as `swarm init --force-new-cluster`).");
}
