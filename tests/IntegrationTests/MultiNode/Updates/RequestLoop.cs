using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.IntegrationTests.MultiNode.Updates;

/// <summary>
/// The tutorial's `while true; do curl 127.0.0.1 & sleep 1; done` left running on a node, made countable: one curl
/// at a time from inside the node's network namespace (as a shell on that node would run it), every
/// <see cref="Period"/>, each answer recorded, bounded in count and in time. An answer is the body of a 200, or
/// "FAILED: …" with curl's exit code and the HTTP status.
/// </summary>
public sealed class RequestLoop : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private readonly List<string> _answers = [];
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    private RequestLoop(int node, string url, int maxRequests, TimeSpan maxDuration)
    {
        _stop = new CancellationTokenSource(maxDuration);
        _loop = Task.Run(async () =>
        {
            for (var i = 0; i < maxRequests && !_stop.IsCancellationRequested; i++)
            {
                var answer = await CurlAsync(node, url);
                lock (_answers) _answers.Add(answer);
                try { await Task.Delay(Period, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    /// <param name="maxRequests">At most this many requests (the loop's bound in count).</param>
    /// <param name="maxDuration">At most this long (its bound in time), whatever the test does meanwhile.</param>
    public static RequestLoop Start(int node, string url, int maxRequests = 800, TimeSpan? maxDuration = null) =>
        new(node, url, maxRequests, maxDuration ?? TimeSpan.FromMinutes(4));

    /// <summary>The answers so far, in order.</summary>
    public IReadOnlyList<string> Answers
    {
        get { lock (_answers) return [.. _answers]; }
    }

    /// <summary>Waits (bounded) until the loop has recorded this many answers, e.g. some before the update begins.</summary>
    public Task AnsweredAsync(int count, TimeSpan within) =>
        Eventually.True(() => Task.FromResult(Answers.Count >= count), within, $"the request loop recorded {count} answers");

    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Answers;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>One HTTP GET from inside node K's network namespace, as `curl URL` typed on that node.</summary>
    public static async Task<string> CurlAsync(int node, string url)
    {
        var result = await CommandResult.RunAsync("nsenter", [$"--net=/var/run/netns/es-n{node}", "curl", "-s", "--max-time", "3", "-w", "\n%{http_code}", url],
            new Dictionary<string, string>());
        var lines = result.Output.TrimEnd('\n').Split('\n');
        var status = lines[^1];
        var body = string.Join('\n', lines[..^1]).Trim();
        return result.ExitCode == 0 && status == "200" ? body : $"FAILED: curl exit {result.ExitCode}, HTTP {status}, {body}";
    }

    /// <summary>Asks (bounded: every 0.5 s within <paramref name="within"/>) until the answer is the wanted one; returns the last answer.</summary>
    public static async Task<string> UntilAsync(int node, string url, Func<string, bool> wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var answer = await CurlAsync(node, url);
            if (wanted(answer) || DateTime.UtcNow > deadline) return answer;
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Asserts the loop's record: enough requests, not one failed, the old version answered first and the new one
    /// last (the loop switched), nothing else answered.
    /// </summary>
    public static void AssertSwitchedWithoutFailure(IReadOnlyList<string> answers, string from, string to, string through)
    {
        Assert.True(answers.Count >= 10, $"only {answers.Count} requests went through {through}");
        var failed = answers.Select((a, i) => (a, i)).Where(x => x.a != from && x.a != to).ToList();
        Assert.True(failed.Count == 0,
            $"{failed.Count} of {answers.Count} requests through {through} failed, e.g. #{string.Join(" | #", failed.Take(5).Select(f => $"{f.i}: {f.a}"))}");
        Assert.True(answers[0] == from, $"the first request through {through} answered \"{answers[0]}\", not \"{from}\"");
        Assert.True(answers[^1] == to, $"the last request through {through} answered \"{answers[^1]}\", not \"{to}\"");
    }

    /// <summary>A short summary for the test output: how many requests, how many of each answer.</summary>
    public static string Summary(IReadOnlyList<string> answers) =>
        $"{answers.Count} requests: " + string.Join(", ", answers.GroupBy(a => a.StartsWith("FAILED", StringComparison.Ordinal) ? "FAILED" : a).Select(g => $"{g.Count()}× {g.Key}"));
}
