using System.Runtime.CompilerServices;
using EventSwarm.Application.Log;
using EventSwarm.Domain;

namespace EventSwarm.Node.Api.Events;

/// <summary>
/// The history's events from one index on, each with the states before and after it: the state before the first
/// is asked of the history once (nearest checkpoint plus the events after it), then folded forward event by event,
/// so a stream of any length costs one replay. Following waits on the history for the next commit.
/// </summary>
public static class SwarmEventFeed
{
    /// <summary>How long one wait for a commit lasts before the stream checks its deadline and its client again.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public sealed record Step(ClusterState Before, HistoryEntry Entry, ClusterState After);

    /// <summary>
    /// The events from <paramref name="fromSequence"/> (inclusive) to <paramref name="toSequence"/>; when
    /// <paramref name="follow"/>, then every event committed after, until <paramref name="followUntil"/> or the
    /// client leaves.
    /// </summary>
    public static async IAsyncEnumerable<Step> ReadAsync(IEventHistory history, long fromSequence, long toSequence, bool follow,
        Func<bool> followUntil, [EnumeratorCancellation] CancellationToken ct)
    {
        var next = Math.Max(fromSequence, 1);
        ClusterState? state = null;
        while (!ct.IsCancellationRequested && next <= toSequence)
        {
            if (history.LastSequence >= next)
            {
                if (next < history.FirstSequence) next = history.FirstSequence;
                state ??= StateBefore(history, next);
                var progressed = false;
                foreach (var entry in history.Read(new EventSelection(FromSequence: next, ToSequence: toSequence)))
                {
                    if (entry.Sequence < next) continue;
                    // A history of a manager that joined from a snapshot may begin past `next`: the state it holds is the truth.
                    if (entry.Sequence != state.LastSequence + 1) state = StateBefore(history, entry.Sequence);
                    var after = state.Apply(entry.Recorded);
                    yield return new Step(state, entry, after);
                    state = after;
                    next = entry.Sequence + 1;
                    progressed = true;
                    if (ct.IsCancellationRequested) yield break;
                }
                if (progressed && history.LastSequence >= next && next <= toSequence) continue;
            }
            if (!follow || followUntil()) yield break;
            try
            {
                await history.WaitForAsync(next - 1, Poll, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static ClusterState StateBefore(IEventHistory history, long sequence) =>
        sequence <= 1 ? ClusterState.Initial
        : sequence - 1 < history.FirstSequence ? history.StateAt(history.FirstSequence) with { LastSequence = sequence - 1 }
        : history.StateAt(sequence - 1);
}
