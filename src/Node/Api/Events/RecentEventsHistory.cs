using EventSwarm.Application.Log;
using EventSwarm.Domain;
using EventSwarm.Domain.History;

namespace EventSwarm.Node.Api.Events;

/// <summary>
/// The history as the projection alone knows it (the events applied since this process started, at most the last
/// 10,000), for a node whose host registers no durable <see cref="IEventHistory"/>: the event endpoints still answer,
/// over what is in memory. The state before an event is exact when the whole log is held, and the current state
/// otherwise.
/// </summary>
public sealed class RecentEventsHistory(ClusterProjection projection) : IEventHistory
{
    public long FirstSequence => projection.RecentEvents() is [var first, ..] ? first.Sequence : 0;

    public long LastSequence => projection.RecentEvents() is [.., var last] ? last.Sequence : 0;

    public DateTimeOffset? FirstAt => projection.RecentEvents() is [var first, ..] ? first.Metadata.At : null;

    public IEnumerable<HistoryEntry> Read(EventSelection selection)
    {
        foreach (var recorded in projection.RecentEvents(selection.FromSequence - 1))
        {
            if (recorded.Sequence > selection.ToSequence) yield break;
            if (selection.Since is { } since && recorded.Metadata.At < since) continue;
            if (selection.Until is { } until && recorded.Metadata.At > until) continue;
            yield return new HistoryEntry(recorded, new EventSubject(SubjectKind.Swarm, ""));
        }
    }

    public long SequenceAt(DateTimeOffset at) => projection.RecentEvents().LastOrDefault(e => e.Metadata.At <= at)?.Sequence ?? 0;

    public ClusterState StateAt(long sequence)
    {
        var recent = projection.RecentEvents();
        if (recent is not [{ Sequence: 1 }, ..]) return projection.Current;
        var state = ClusterState.Initial;
        foreach (var recorded in recent.TakeWhile(e => e.Sequence <= sequence)) state = state.Apply(recorded);
        return state;
    }

    public Task WaitForAsync(long afterSequence, TimeSpan timeout, CancellationToken ct) =>
        projection.WaitForChangeAsync(afterSequence, timeout, ct);
}
