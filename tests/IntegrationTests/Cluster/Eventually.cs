namespace EventSwarm.IntegrationTests.Cluster;

/// <summary>Polls a condition of the real system, bounded in time; convergence is asynchronous by design.</summary>
public static class Eventually
{
    public static async Task True(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {within.TotalSeconds:0} s waiting until {what}");
            await Task.Delay(200);
        }
    }
}
