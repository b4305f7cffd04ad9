/// <summary>
/// The benches' request loop: a fixed rate of requests, each on its own connection (<see cref="HttpProbe"/>) with a
/// 1 s timeout, round robin over the targets of the moment, until cancelled (bounded by the caller). A request
/// with no target at all counts as failed: a client would have had nowhere to go.
/// </summary>
public static class RequestLoop
{
    public sealed record Failure(DateTime Sent, string Target, string Why);

    public sealed record Result(int Total, List<Failure> Failures)
    {
        public override string ToString() => $"{Failures.Count}/{Total}";
    }

    public static async Task<Result> RunAsync(Func<string[]> targets, int port, int requestsPerSecond, CancellationToken stop)
    {
        var failures = new List<Failure>();
        var requests = new List<Task>();
        var next = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / requestsPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = targets();
                var target = now.Length == 0 ? "" : now[next++ % now.Length];
                var sent = DateTime.UtcNow;
                requests.Add(Task.Run(async () =>
                {
                    var (body, why) = target.Length == 0 ? (null, "no running task") : await HttpProbe.GetAsync(target, port, TimeSpan.FromSeconds(1));
                    if (body is null) lock (failures) failures.Add(new Failure(sent, target, why));
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(requests);
        return new Result(requests.Count, failures);
    }
}
