using System.Diagnostics;
using System.Text.Json;
using EventSwarm.IntegrationTests.Cluster;

namespace EventSwarm.Faults.Disk;

/// <summary>
/// A manager whose data directory's filesystem fills up (issue 10: the agent died of SIGBUS at the first write
/// that did not fit). As etcd under its NOSPACE alarm: writes are refused with "no space left on device" and
/// nothing is appended, reads and the node itself go on, the alarm shows in node inspect, info and /metrics, and
/// writes resume by themselves once space is freed. Each case runs on a 30 MB tmpfs mounted as the data directory.
/// </summary>
public sealed class Disk_full_Tests
{
    private const string NoSpace = "no space left on device";

    [Fact]
    public async Task Writes_are_refused_below_the_reserve_reads_go_on_and_writes_resume_once_space_is_freed()
    {
        // The default reserve (4 MiB): the filesystem is filled to 1 MiB short of it, so each write is refused
        // before it is attempted.
        await OnA30MbDataDirectory(reserveBytes: null, leaveFreeBytes: 1024 * 1024, async (agent, filler) =>
        {
            var outcome = await RefusedThenResumedAsync(agent, filler, "kept in reserve");
            FaultTable.Check("disk full (below reserve): write refused", $"error with \"{NoSpace}\", log unchanged",
                outcome.Refusal, outcome.RefusedCleanly);
            FaultTable.Check("disk full (below reserve): reads and alarm", "service ls / node ls / info served; alarm in node inspect, info Warnings, /metrics",
                outcome.Alarm, outcome.AlarmShown);
            FaultTable.Check("disk full (below reserve): space freed", "next write accepted, alarm cleared, agent never died",
                outcome.Resumed, outcome.ResumedCleanly);
        });
    }

    [Fact]
    public async Task A_write_that_fails_for_want_of_space_is_refused_and_the_log_is_reopened_once_space_is_freed()
    {
        // No reserve (no check before appends) and not a byte free: the write reaches the write-ahead log and fails
        // there (ENOSPC), as when another process takes the last space between the check and the write, or as a
        // follower's log, which Raft writes, fails. It used to be SIGBUS.
        await OnA30MbDataDirectory(reserveBytes: 0, leaveFreeBytes: 0, async (agent, filler) =>
        {
            var outcome = await RefusedThenResumedAsync(agent, filler, "the log could not be written");
            FaultTable.Check("disk full (ENOSPC in the WAL): write refused", $"error with \"{NoSpace}\", log unchanged, no SIGBUS",
                outcome.Refusal, outcome.RefusedCleanly);
            FaultTable.Check("disk full (ENOSPC in the WAL): reads and alarm", "service ls / node ls / info served; alarm in node inspect, info Warnings, /metrics",
                outcome.Alarm, outcome.AlarmShown);
            FaultTable.Check("disk full (ENOSPC in the WAL): space freed", "log reopened, next write accepted, alarm cleared, agent never died",
                outcome.Resumed, outcome.ResumedCleanly);
        });
    }

    private sealed record Outcome(string Refusal, bool RefusedCleanly, string Alarm, bool AlarmShown, string Resumed, bool ResumedCleanly);

    /// <param name="cause">Words of the refusal that tell which guard refused it (the reserve, or the failed write).</param>
    private static async Task<Outcome> RefusedThenResumedAsync(LocalAgent agent, string filler, string cause)
    {
        // Refused: the CLI's error names the cause; the log is as long as before. A write that still fits in the
        // blocks the log already holds goes through (with no space left, until one needs a new block).
        var before = await agent.LogLengthAsync();
        var refusedName = "";
        CommandResult refused = null!;
        for (var attempt = 0; attempt < 50 && refused?.ExitCode is null or 0; attempt++)
        {
            refusedName = $"w{attempt}";
            before = await agent.LogLengthAsync();
            refused = await agent.Docker("service", "create", "--detach", "--replicas", "0", "--name", refusedName, "busybox", "true");
        }
        var after = await agent.LogLengthAsync();
        var refusedCleanly = refused.ExitCode != 0 && refused.Error.Contains(NoSpace, StringComparison.Ordinal)
            && refused.Error.Contains(cause, StringComparison.Ordinal) && before == after && agent.IsRunning;
        var refusal = $"{refusedName} exit {refused.ExitCode}: {FirstLine(refused.Error)}; log {before} -> {after}; agent {(agent.IsRunning ? "alive" : "DEAD")}";

        // Reads and the alarm, from the stock docker CLI and the metrics route.
        var services = await agent.Docker("service", "ls", "--format", "{{.Name}}");
        var nodes = await agent.Docker("node", "ls");
        var inspect = await agent.Docker("node", "inspect", "--pretty", "self");
        var info = await agent.Docker("info");
        var metrics = await MetricsAsync(agent);
        var alarmShown = services.ExitCode == 0 && services.Output.Contains("before", StringComparison.Ordinal)
            && nodes.ExitCode == 0 && inspect.Output.Contains(NoSpace, StringComparison.OrdinalIgnoreCase)
            && (info.Output + info.Error).Contains("WARNING: disk alarm: write", StringComparison.Ordinal)
            && metrics.GetValueOrDefault("eventswarm_disk_full_alarm") == 1 && metrics.GetValueOrDefault("eventswarm_log_write_errors_total") >= 1;
        var alarm = $"service ls {services.ExitCode}, node ls {nodes.ExitCode}; inspect message: {inspect.Output.Contains(NoSpace, StringComparison.OrdinalIgnoreCase)}; "
            + $"info warning: {(info.Output + info.Error).Contains(NoSpace, StringComparison.OrdinalIgnoreCase)}; "
            + $"alarm {metrics.GetValueOrDefault("eventswarm_disk_full_alarm")}, write errors {metrics.GetValueOrDefault("eventswarm_log_write_errors_total")}";

        // Freed: the next write goes through with no restart, and the alarm clears.
        File.Delete(filler);
        var freed = Stopwatch.StartNew();
        CommandResult accepted = refused;
        for (var attempt = 0; attempt < 100 && accepted.ExitCode != 0; attempt++)
        {
            accepted = await agent.Docker("service", "create", "--detach", "--replicas", "0", "--name", "after", "busybox", "true");
            if (accepted.ExitCode != 0) await Task.Delay(100);
        }
        var firstAccepted = freed.Elapsed;
        var cleared = false;
        for (var attempt = 0; attempt < 50 && !cleared; attempt++)
        {
            cleared = (await MetricsAsync(agent)).GetValueOrDefault("eventswarm_disk_full_alarm") == 0
                && !(await agent.Docker("node", "inspect", "--pretty", "self")).Output.Contains(NoSpace, StringComparison.OrdinalIgnoreCase);
            if (!cleared) await Task.Delay(200);
        }
        var final = await agent.LogLengthAsync();
        var listed = await agent.Docker("service", "ls", "--format", "{{.Name}}");
        var resumedCleanly = accepted.ExitCode == 0 && cleared && agent.IsRunning
            && listed.Output.Contains("after", StringComparison.Ordinal)
            && !listed.Output.Split('\n').Contains(refusedName);
        var resumed = $"first write accepted {firstAccepted.TotalMilliseconds:0} ms after freeing; alarm cleared: {cleared}; log {final}; "
            + $"services: {string.Join(',', listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))}; agent {(agent.IsRunning ? "alive" : "DEAD")}";
        return new Outcome(refusal, refusedCleanly, alarm, alarmShown, resumed, resumedCleanly);
    }

    /// <summary>
    /// A swarm of one on a 30 MB tmpfs data directory holding one service ("before"); then the filesystem is filled
    /// with one preallocated file to leave <paramref name="leaveFreeBytes"/> free.
    /// </summary>
    private static async Task OnA30MbDataDirectory(long? reserveBytes, long leaveFreeBytes, Func<LocalAgent, string, Task> test)
    {
        string? mounted = null;
        LocalAgent? agent = null;
        var reserve = Environment.GetEnvironmentVariable("EVENTSWARM_DATA_RESERVE_BYTES");
        try
        {
            // Read by the agent at start (inherited by its process): the suite runs one case at a time.
            Environment.SetEnvironmentVariable("EVENTSWARM_DATA_RESERVE_BYTES", reserveBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            agent = await LocalAgent.StartSwarmAsync(dataDirectory =>
            {
                Directory.CreateDirectory(dataDirectory);
                Run("mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", dataDirectory);
                mounted = dataDirectory;
            });
            (await agent.Docker("service", "create", "--detach", "--replicas", "0", "--name", "before", "busybox", "true")).ShouldSucceed();
            var filler = Path.Combine(agent.DataDirectory, "filler");
            var size = new DriveInfo(agent.DataDirectory).AvailableFreeSpace - leaveFreeBytes;
            using (File.OpenHandle(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: size)) { }
            Assert.True(new DriveInfo(agent.DataDirectory).AvailableFreeSpace <= leaveFreeBytes, "the filesystem is full");
            await test(agent, filler);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EVENTSWARM_DATA_RESERVE_BYTES", reserve);
            if (agent is not null) await agent.DisposeAsync();
            if (mounted is not null)
            {
                Run("umount", "--lazy", mounted);
                try { Directory.Delete(Path.GetDirectoryName(mounted)!, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static async Task<Dictionary<string, long>> MetricsAsync(LocalAgent agent)
    {
        using var http = agent.Http();
        var text = await http.GetStringAsync("/metrics");
        // The whole-number samples (the alarm's gauges and counters), by series: histograms' sums are fractions.
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => (Series: line[..line.LastIndexOf(' ')], Value: line[(line.LastIndexOf(' ') + 1)..]))
            .Where(sample => long.TryParse(sample.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
            .ToDictionary(sample => sample.Series, sample => long.Parse(sample.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000)) process.Kill();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
    }
}
