using System.Runtime.CompilerServices;
using EventSwarm.Application.History;
using EventSwarm.Application.Log;

namespace EventSwarm.UnitTests.History;

public sealed class HistoryReader_Tests
{
    /// <summary>An archive that has copied the history's first <paramref name="through"/> events, or whose database is down.</summary>
    private sealed class FakeArchive(InMemoryHistory history, long through, bool down = false) : IEventArchive
    {
        public string Description => "postgresql://localhost/eventswarm";

        public Task<long> ArchivedThroughAsync(CancellationToken ct) =>
            down ? Task.FromException<long>(new InvalidOperationException("connection refused")) : Task.FromResult(through);

        public Task AppendAsync(IReadOnlyList<HistoryEntry> entries, CancellationToken ct) => Task.CompletedTask;

        public async IAsyncEnumerable<HistoryEntry> ReadAsync(EventSelection selection, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            foreach (var entry in history.Read(selection with { ToSequence = Math.Min(selection.ToSequence, through) })) yield return entry;
        }
    }

    [Fact]
    public async Task An_archive_that_holds_the_whole_range_answers()
    {
        var history = Walkthrough.Build();
        var reader = new HistoryReader(history, new FakeArchive(history, history.LastSequence));

        var read = await reader.ReadAllAsync(new EventSelection(ServiceId: "web"), CancellationToken.None);

        Assert.Equal(history.Read(new EventSelection(ServiceId: "web")).Select(e => e.Sequence), read.Select(e => e.Sequence));
        Assert.Equal("postgresql://localhost/eventswarm", reader.Source);
    }

    [Fact]
    public async Task An_archive_behind_the_log_leaves_the_read_to_the_log()
    {
        var history = Walkthrough.Build();
        var reader = new HistoryReader(history, new FakeArchive(history, history.LastSequence - 3));

        var read = await reader.ReadAllAsync(new EventSelection(), CancellationToken.None);

        Assert.Equal(history.LastSequence, read.Count);
        Assert.Equal("log", reader.Source);
    }

    [Fact]
    public async Task An_archive_behind_the_log_still_answers_a_range_it_holds()
    {
        var history = Walkthrough.Build();
        var reader = new HistoryReader(history, new FakeArchive(history, 10));

        var read = await reader.ReadAllAsync(new EventSelection(ToSequence: 10), CancellationToken.None);

        Assert.Equal(10, read.Count);
        Assert.NotEqual("log", reader.Source);
    }

    [Fact]
    public async Task An_unreachable_archive_is_not_an_error_the_log_answers()
    {
        var history = Walkthrough.Build();
        var reader = new HistoryReader(history, new FakeArchive(history, 0, down: true));

        var read = await reader.ReadAllAsync(new EventSelection(), CancellationToken.None);

        Assert.Equal(history.LastSequence, read.Count);
        Assert.Equal("log", reader.Source);
    }
}
