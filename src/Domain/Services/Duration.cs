namespace EventSwarm.Domain.Services;

/// <summary>
/// A span of time to the nanosecond, as Go's time.Duration and therefore every duration in Docker's API: TimeSpan
/// counts 100 ns ticks, so a spec with a 5 ns restart delay would read back as 0.
/// </summary>
public readonly record struct Duration(long Nanoseconds) : IComparable<Duration>
{
    public static Duration Zero { get; } = new(0);

    public static Duration FromSeconds(long seconds) => new(checked(seconds * 1_000_000_000L));

    public static Duration FromSeconds(double seconds) => new(checked((long)Math.Round(seconds * 1e9)));

    public static Duration FromTimeSpan(TimeSpan span) => new(checked(span.Ticks * 100));

    /// <summary>Rounded up to whole ticks, so a positive duration never becomes "no wait".</summary>
    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100 + (Nanoseconds % 100 > 0 ? 1 : 0));

    public int CompareTo(Duration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public static bool operator <(Duration a, Duration b) => a.Nanoseconds < b.Nanoseconds;
    public static bool operator >(Duration a, Duration b) => a.Nanoseconds > b.Nanoseconds;
    public static bool operator <=(Duration a, Duration b) => a.Nanoseconds <= b.Nanoseconds;
    public static bool operator >=(Duration a, Duration b) => a.Nanoseconds >= b.Nanoseconds;

    public override string ToString() => $"{Nanoseconds}ns";
}
