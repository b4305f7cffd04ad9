using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using EventSwarm.Domain;
using Microsoft.Extensions.Logging;

namespace EventSwarm.Infrastructure.Log.History;

/// <summary>
/// States of the cluster at some events of the history (<c>checkpoints/SEQUENCE.json.gz</c>: the projection as
/// snapshots write it, gzipped), so that a past state is the nearest checkpoint plus at most a checkpoint interval
/// of events. A checkpoint is a cache of the fold of the events, except the one where the history starts after a
/// gap: that one is written durably, before the events after it.
/// </summary>
internal sealed class HistoryCheckpoints(string directory, ILogger logger)
{
    private const string Suffix = ".json.gz";
    private readonly List<long> _sequences = [];

    public void Load(long lastSequence)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A checkpoint being written when the process stopped.
                File.Delete(file);
                continue;
            }
            if (!name.EndsWith(Suffix, StringComparison.Ordinal) || !long.TryParse(name[..^Suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                continue;
            if (sequence > lastSequence)
            {
                // The state of events the history lost with a torn tail: they come back from the log, and so will it.
                File.Delete(file);
                continue;
            }
            _sequences.Add(sequence);
        }
        _sequences.Sort();
    }

    public IReadOnlyList<long> All()
    {
        lock (_sequences) return [.. _sequences];
    }

    public long Bytes()
    {
        lock (_sequences) return _sequences.Sum(s => new FileInfo(PathOf(s)) is { Exists: true } f ? f.Length : 0);
    }

    /// <summary>The newest checkpoint at or before <paramref name="sequence"/>, or null.</summary>
    public long? Floor(long sequence)
    {
        lock (_sequences)
        {
            var i = _sequences.BinarySearch(sequence);
            if (i >= 0) return _sequences[i];
            i = ~i - 1;
            return i >= 0 ? _sequences[i] : null;
        }
    }

    public void Write(ClusterState state)
    {
        var path = PathOf(state.LastSequence);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            using (var zip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
                JsonSerializer.Serialize(zip, state, EventJson.Options);
            // Periodic checkpoints are a cache (a torn one is dropped when read), but syncing costs the apply path nothing.
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        lock (_sequences)
        {
            var i = _sequences.BinarySearch(state.LastSequence);
            if (i < 0) _sequences.Insert(~i, state.LastSequence);
        }
    }

    /// <summary>The state at <paramref name="sequence"/>, or null (and the file dropped) when it does not read back whole.</summary>
    public ClusterState? TryLoad(long sequence)
    {
        var path = PathOf(sequence);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            using var zip = new GZipStream(file, CompressionMode.Decompress);
            var state = JsonSerializer.Deserialize<ClusterState>(zip, EventJson.Options);
            if (state?.LastSequence == sequence) return state;
            throw new InvalidDataException($"holds the state at {state?.LastSequence}");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException)
        {
            logger.LogWarning("history: checkpoint {File} does not read back ({Error}); dropped, an older one serves", path, e.Message);
            lock (_sequences) _sequences.Remove(sequence);
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            return null;
        }
    }

    private string PathOf(long sequence) => Path.Combine(directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + Suffix);
}
