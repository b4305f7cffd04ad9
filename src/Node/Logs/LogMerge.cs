namespace EventSwarm.Node.Logs;

/// <summary>
/// Merges the streams of several tasks in time order. Each stream is in order on its own (a container's log is), so a
/// line can go out once every open stream has a line waiting (none of them can bring an earlier one); a stream that
/// has nothing waiting holds the others back for at most <c>patience</c> since the waiting line arrived — then it is
/// taken to be caught up. With no patience limit (a read that ends) the order is exact.
/// </summary>
public sealed class LogMerge<T>(Func<T, long> timeOf)
{
    private sealed class Source
    {
        public readonly Queue<(T Item, long Arrived, long Sequence)> Waiting = new();
        public bool Closed;
    }

    private readonly Dictionary<string, Source> _sources = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>No stream open and nothing waiting.</summary>
    public bool IsEmpty => _sources.Count == 0;

    public bool Has(string key) => _sources.ContainsKey(key);

    /// <summary>A stream that may bring lines: until it has one waiting or is closed, it holds the others back.</summary>
    public void Open(string key) => _sources.TryAdd(key, new Source());

    public void Add(string key, T item, long now)
    {
        if (!_sources.TryGetValue(key, out var source)) _sources[key] = source = new Source();
        source.Waiting.Enqueue((item, now, _sequence++));
    }

    /// <summary>The stream has ended; what it has waiting still goes out in order.</summary>
    public void Close(string key)
    {
        if (!_sources.TryGetValue(key, out var source)) return;
        if (source.Waiting.Count == 0) _sources.Remove(key);
        else source.Closed = true;
    }

    /// <summary>The lines that can go out at <paramref name="now"/>, in time order (ties in arrival order).</summary>
    public List<T> TakeReady(long now, long patience)
    {
        var ready = new List<T>();
        while (true)
        {
            string? first = null;
            (T Item, long Arrived, long Sequence) head = default;
            var everyOpenHasOne = true;
            foreach (var (key, source) in _sources)
            {
                if (source.Waiting.Count == 0)
                {
                    everyOpenHasOne = false;
                    continue;
                }
                var candidate = source.Waiting.Peek();
                if (first is null || IsEarlier(candidate, head))
                {
                    first = key;
                    head = candidate;
                }
            }
            if (first is null) return ready;
            if (!everyOpenHasOne && now - head.Arrived < patience) return ready;
            var from = _sources[first];
            from.Waiting.Dequeue();
            if (from.Closed && from.Waiting.Count == 0) _sources.Remove(first);
            ready.Add(head.Item);
        }
    }

    /// <summary>When the oldest waiting line's patience runs out (long.MaxValue with none waiting).</summary>
    public long NextDeadline(long patience)
    {
        var next = long.MaxValue;
        if (patience == long.MaxValue) return next;
        foreach (var source in _sources.Values)
            if (source.Waiting.Count > 0)
                next = Math.Min(next, source.Waiting.Peek().Arrived + patience);
        return next;
    }

    private bool IsEarlier((T Item, long Arrived, long Sequence) a, (T Item, long Arrived, long Sequence) b)
    {
        var (ta, tb) = (timeOf(a.Item), timeOf(b.Item));
        return ta < tb || ta == tb && a.Sequence < b.Sequence;
    }
}
