using EventSwarm.Application;
using EventSwarm.Domain;
using EventSwarm.Infrastructure.Log;

namespace EventSwarm.UnitTests.Log;

/// <summary>The disk alarm's rules, on the temp directory's real filesystem (statvfs only, nothing written).</summary>
public sealed class Disk_alarm_Tests
{
    [Fact]
    public void Free_space_below_the_reserve_raises_the_alarm_and_refuses_the_write_naming_ENOSPC()
    {
        var alarm = new DiskAlarm(Path.GetTempPath(), reserveBytes: long.MaxValue);

        var refused = Assert.Throws<CommandRejectedException>(alarm.EnsureRoomForWrite);

        Assert.True(alarm.IsRaised);
        Assert.Equal(ErrorKind.Internal, refused.Error.Kind);
        Assert.Contains("no space left on device", refused.Error.Message);
        Assert.Contains("kept in reserve", refused.Error.Message);
        Assert.Equal(1, alarm.WriteErrors);
    }

    [Fact]
    public void The_alarm_clears_by_itself_when_the_space_is_above_the_reserve()
    {
        var alarm = new DiskAlarm(Path.GetTempPath(), reserveBytes: 0);

        alarm.EnsureRoomForWrite();

        Assert.False(alarm.IsRaised);
        Assert.Null(alarm.Message);
    }

    [Fact]
    public void A_failed_write_keeps_the_alarm_raised_until_the_log_is_reopened()
    {
        var alarm = new DiskAlarm(Path.GetTempPath(), reserveBytes: 0);
        var enospc = new InvalidOperationException("flusher failed", new IOException("No space left on device : '/data/raft/wal/data/0'", 28));

        alarm.WriteFailed(enospc);

        Assert.True(alarm.IsRaised);
        Assert.Throws<CommandRejectedException>(alarm.EnsureRoomForWrite);
        alarm.LogRecovered();
        Assert.False(alarm.IsRaised);
    }

    [Fact]
    public void ENOSPC_is_recognised_through_wrapping_exceptions_and_other_IO_errors_are_not()
    {
        Assert.True(DiskAlarm.IsNoSpace(new InvalidOperationException("wrapped", new IOException("disk", 28))));
        Assert.True(DiskAlarm.IsNoSpace(new IOException("No space left on device : '/x'")));
        Assert.False(DiskAlarm.IsNoSpace(new IOException("Permission denied", 13)));
        Assert.False(DiskAlarm.IsNoSpace(null));
    }
}
