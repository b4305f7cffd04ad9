using EventSwarm.Application.Log;
using EventSwarm.Infrastructure.Log.History;

namespace EventSwarm.UnitTests.History;

/// <summary>
/// events.sdx, the per-object index of the history: a read by service, task or node gives exactly what a scan of
/// every event gives, whatever became of the index file (lost, torn, behind the data, full of hash collisions).
/// </summary>
public sealed class Subject_index_Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventswarm-history-sdx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string IndexPath => Path.Combine(_dir, HistorySubjectIndex.FileName);

    private EventHistoryStore Open() => EventHistoryStore.Open(_dir);

    private static void Write(EventHistoryStore store, SyntheticHistory history, int batches)
    {
        foreach (var batch in history.Batches(batches)) store.Append(batch);
    }

    /// <summary>Every selection by object the history can answer, each with what a scan of all events selects.</summary>
    private static List<(EventSelection Selection, List<long> Expected)> Selections(EventHistoryStore store)
    {
        var all = store.Read(new EventSelection()).ToList();
        var services = all.Select(e => e.Subject.ServiceId).OfType<string>().Distinct().ToList();
        var tasks = all.Where(e => e.Subject.Kind == Domain.History.SubjectKind.Task).Select(e => e.Subject.Id).Distinct().ToList();
        var nodes = all.Select(e => e.Subject.NodeId).OfType<string>().Distinct().ToList();
        var mid = all[all.Count / 2].Sequence;
        return
        [
            .. services.Select(s => (new EventSelection(ServiceId: s), all.Where(e => e.Subject.ServiceId == s).Select(e => e.Sequence).ToList())),
            .. tasks.Select(t => (new EventSelection(TaskId: t), all.Where(e => e.Subject.Kind == Domain.History.SubjectKind.Task && e.Subject.Id == t).Select(e => e.Sequence).ToList())),
            .. nodes.Select(n => (new EventSelection(NodeId: n), all.Where(e => e.Subject.NodeId == n).Select(e => e.Sequence).ToList())),
            .. services.Take(3).Select(s => (new EventSelection(FromSequence: mid, ServiceId: s), all.Where(e => e.Sequence >= mid && e.Subject.ServiceId == s).Select(e => e.Sequence).ToList())),
            .. nodes.Take(2).Select(n => (new EventSelection(ToSequence: mid, NodeId: n), all.Where(e => e.Sequence <= mid && e.Subject.NodeId == n).Select(e => e.Sequence).ToList())),
            (new EventSelection(ServiceId: "no-such-service"), []),
        ];
    }

    private static void AssertSameAsAScan(EventHistoryStore store, List<(EventSelection Selection, List<long> Expected)> selections)
    {
        foreach (var (selection, expected) in selections)
            Assert.Equal(expected, store.Read(selection).Select(e => e.Sequence).ToList());
    }

    [Fact]
    public void Reading_one_objects_events_through_the_index_gives_what_a_scan_of_every_event_gives()
    {
        var history = new SyntheticHistory(21);
        using var store = Open();
        Write(store, history, 300);

        var selections = Selections(store);

        Assert.True(selections.Count > 20);
        AssertSameAsAScan(store, selections);
        Assert.True(new FileInfo(IndexPath).Length > 0);
    }

    [Fact]
    public void A_lost_subject_index_is_rebuilt_from_the_records()
    {
        var history = new SyntheticHistory(22);
        List<(EventSelection, List<long>)> selections;
        long length;
        using (var store = Open())
        {
            Write(store, history, 200);
            selections = Selections(store);
        }
        length = new FileInfo(IndexPath).Length;
        File.Delete(IndexPath);

        using var reopened = Open();

        Assert.Equal(length, new FileInfo(IndexPath).Length);
        AssertSameAsAScan(reopened, selections);
    }

    [Fact]
    public void A_torn_subject_index_is_cut_back_and_the_records_after_it_indexed_again()
    {
        var history = new SyntheticHistory(23);
        List<(EventSelection, List<long>)> selections;
        using (var store = Open())
        {
            Write(store, history, 200);
            selections = Selections(store);
        }
        var length = new FileInfo(IndexPath).Length;
        // Cut in the middle of an entry, then a zero-filled tail (a crash after the file grew, before its bytes landed).
        using (var file = new FileStream(IndexPath, FileMode.Open))
        {
            file.SetLength(length * 2 / 3 + 5);
            file.SetLength(file.Length + 64);
        }

        using var reopened = Open();

        Assert.Equal(length, new FileInfo(IndexPath).Length);
        AssertSameAsAScan(reopened, selections);
    }

    [Fact]
    public void Index_entries_of_records_a_torn_tail_took_are_dropped_and_the_replayed_records_indexed_once()
    {
        var history = new SyntheticHistory(24);
        var written = history.Batches(100).ToList();
        using (var store = Open()) foreach (var batch in written) store.Append(batch);
        var data = Path.Combine(_dir, EventHistoryStore.DataFileName);
        using (var file = new FileStream(data, FileMode.Open)) file.SetLength(file.Length - 3);

        using var reopened = Open();
        var lost = written[^1].Entries[0];
        Assert.DoesNotContain(lost.Sequence, reopened.Read(new EventSelection(ServiceId: lost.Subject.ServiceId, NodeId: lost.Subject.NodeId)).Select(e => e.Sequence));
        reopened.Append(written[^1]);

        AssertSameAsAScan(reopened, Selections(reopened));
    }

    [Fact]
    public void A_hash_collision_costs_a_record_read_but_never_gives_another_objects_events()
    {
        var history = new SyntheticHistory(25);
        List<(EventSelection Selection, List<long> Expected)> selections;
        using (var store = Open())
        {
            Write(store, history, 150);
            selections = Selections(store);
        }
        var service = selections.First(s => s.Selection.ServiceId is not null && s.Expected.Count > 0).Selection.ServiceId!;
        // Every record claims to concern the service: as if every other object's key hashed like it.
        var records = new FileInfo(Path.Combine(_dir, EventHistoryStore.IndexFileName)).Length / EventHistoryStore.IndexEntrySize;
        using (var file = new FileStream(IndexPath, FileMode.Create))
            for (var r = 0L; r < records; r++) file.Write(HistorySubjectIndex.Entry(HistorySubjectIndex.ServiceKey(service), r));

        using var reopened = Open();

        var (_, expected) = selections.First(s => s.Selection == new EventSelection(ServiceId: service));
        Assert.Equal(expected, reopened.Read(new EventSelection(ServiceId: service)).Select(e => e.Sequence).ToList());
        Assert.All(reopened.Read(new EventSelection(ServiceId: service)), e => Assert.Equal(service, e.Subject.ServiceId));
    }
}
