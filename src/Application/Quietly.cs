namespace EventSwarm.Application;

public static class QuietlyExtensions
{
    /// <summary>
    /// Awaits a pause (a delay, a wait for the next change) whatever its outcome: the loops that pause check their own
    /// cancellation token right after, so a cancelled pause must end the wait, not throw out of the loop.
    /// </summary>
    public static Task Quietly(this Task pause) =>
        pause.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
