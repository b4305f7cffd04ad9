using EventSwarm.Domain.Services;
using EventSwarm.Domain.Tasks;

namespace EventSwarm.Application.Tasks;

/// <summary>
/// The back-off of a crash loop. Swarm restarts a task that ended after exactly its policy's delay, which may be 0:
/// a task that exits at once then restarts as fast as the engine can create containers, forever, and every attempt
/// costs log entries (issue 10 measured ~570 a minute). Docker's own engine bounds the same loop for
/// `docker run --restart always` (moby's restartmanager: 100 ms, doubled after each quick exit, at most 1 min,
/// back to nothing once the container ran 10 s), and Kubernetes does the same with CrashLoopBackOff (10 s … 5 min).
/// We use the engine's figures, so a Swarm user sees what their engine would do for a bare container.
/// <para>
/// It only engages below <see cref="EngagesBelow"/>: a policy delay of a second or more already bounds the loop
/// and is kept exactly as Swarm keeps it. The restart then waits the longer of the policy's delay and the back-off.
/// A service opts out with the label <c>com.eventswarm.restart-backoff=false</c> (a service label, because the
/// choice belongs to the service: the stock CLI sets it with `docker service create --label`, it is kept in the
/// log with the spec, and nothing else in the swarm changes).
/// </para>
/// </summary>
public static class RestartBackoff
{
    public const string OptOutLabel = "com.eventswarm.restart-backoff";
    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan EngagesBelow = TimeSpan.FromSeconds(1);

    public static bool OptedOut(ServiceSpec spec) =>
        spec.Labels.TryGetValue(OptOutLabel, out var value) && value.Trim().ToLowerInvariant() is "false" or "0" or "off" or "no";

    /// <summary>
    /// The delay before the replacement of <paramref name="ended"/> starts. The back-off is carried by the tasks
    /// themselves (the delay the ended task waited is its NotBefore − CreatedAt), so it survives a leader change and
    /// the task reaper, and needs no counter outside the log. A task of an older spec gets only the policy delay.
    /// </summary>
    public static TimeSpan Delay(SwarmTask ended, Service service, TimeSpan policyDelay)
    {
        if (policyDelay >= EngagesBelow || OptedOut(service.Spec) || !ended.Status.State.IsTerminal()) return policyDelay;
        // A new spec (the user's fix, most likely) starts from nothing: the loop was the old spec's.
        if (ended.SpecVersion != service.SpecVersion) return policyDelay;
        var started = ended.NotBefore ?? ended.CreatedAt;
        if (ended.Status.Timestamp - started >= ResetAfter) return policyDelay;
        var waited = ended.NotBefore is { } due ? due - ended.CreatedAt : TimeSpan.Zero;
        var next = waited < Initial ? Initial : waited * 2;
        if (next > Cap) next = Cap;
        return next > policyDelay ? next : policyDelay;
    }
}
