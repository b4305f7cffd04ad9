using System.Diagnostics.CodeAnalysis;
using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Node.Manager;

/// <summary>
/// The history of the log this manager has open, whichever it is now (the log is opened, reopened and dropped as
/// the node inits, joins, is promoted or leaves). A worker or a node in no swarm answers as Docker does to any
/// cluster read there: not a manager / not in a swarm.
/// </summary>
[Experimental("DOTNEXT001")]
public sealed class ClusterHistory(RaftLogHost log) : IEventHistory
{
    public long FirstSequence => log.History.FirstSequence;

    public long LastSequence => log.History.LastSequence;

    public DateTimeOffset? FirstAt => log.History.FirstAt;

    public IEnumerable<HistoryEntry> Read(EventSelection selection) => log.History.Read(selection);

    public long SequenceAt(DateTimeOffset at) => log.History.SequenceAt(at);

    public ClusterState StateAt(long sequence) => log.History.StateAt(sequence);

    public Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct) => log.History.WaitForAsync(afterSequence, timeout, ct);
}
