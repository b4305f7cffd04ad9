using System.Collections.Immutable;
using System.Text;
using EventSwarm.Application;
using EventSwarm.Application.Log;
using EventSwarm.Domain.History;
using EventSwarm.Infrastructure.Log;
using EventSwarm.Infrastructure.Log.History;

namespace EventSwarm.UnitTests.History;

/// <summary>The history on real files in a temporary directory: appended, reopened, torn, and asked about the past.</summary>
public sealed class Event_history_store_Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventswarm-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EventHistoryStore Open(long checkpointEvery = 10_000) => EventHistoryStore.Open(_dir, checkpointEvery);

    private static List<AppliedBatch> Write(EventHistoryStore store, SyntheticHistory history, int batches)
    {
        var written = history.Batches(batches).ToList();
        foreach (var batch in written) store.Append(batch);
        return written;
    }

    [Fact]
    public void Every_event_appended_is_read_back_in_order_with_its_metadata_and_subject()
    {
        var history = new SyntheticHistory(1);
        using var store = Open();
        var written = Write(store, history, 300).SelectMany(b => b.Entries).ToList();

        var read = store.Read(new EventSelection()).ToList();

        Assert.Equal(1, store.FirstSequence);
        Assert.Equal(history.Projection.Current.LastSequence, store.LastSequence);
        Assert.Equal(written.Select(e => e.Sequence), read.Select(e => e.Sequence));
        Assert.Equal(written.Select(e => e.Subject), read.Select(e => e.Subject));
        Assert.Equal(written.Select(e => e.Recorded.Metadata), read.Select(e => e.Recorded.Metadata));
        Assert.Equal(written.Select(e => EventJson.NameOf(e.Recorded.Event)), read.Select(e => EventJson.NameOf(e.Recorded.Event)));
        Assert.Equal(At(0), store.FirstAt);
    }

    [Fact]
    public void A_range_reads_only_the_events_in_it()
    {
        var history = new SyntheticHistory(2);
        using var store = Open();
        Write(store, history, 200);

        var read = store.Read(new EventSelection(FromSequence: 57, ToSequence: 101)).Select(e => e.Sequence).ToList();

        Assert.Equal(Enumerable.Range(57, 45).Select(i => (long)i), read);
    }

    [Fact]
    public void Events_are_selected_by_service_task_and_node()
    {
        var history = new SyntheticHistory(3);
        using var store = Open();
        var all = Write(store, history, 400).SelectMany(b => b.Entries).ToList();
        var task = all.First(e => e.Recorded.Event is TaskAssigned).Subject;

        var ofService = store.Read(new EventSelection(ServiceId: task.ServiceId)).ToList();
        var ofTask = store.Read(new EventSelection(TaskId: task.Id)).ToList();
        var onNode = store.Read(new EventSelection(NodeId: "n2")).ToList();

        Assert.Equal(all.Where(e => e.Subject.ServiceId == task.ServiceId).Select(e => e.Sequence), ofService.Select(e => e.Sequence));
        Assert.Contains(ofService, e => e.Recorded.Event is ServiceCreated);
        Assert.Contains(ofService, e => e.Recorded.Event is TaskCreated);
        Assert.All(ofTask, e => Assert.Equal(task.Id, e.Subject.Id));
        Assert.Contains(ofTask, e => e.Recorded.Event is TaskCreated);
        Assert.Contains(ofTask, e => e.Recorded.Event is TaskAssigned);
        Assert.NotEmpty(onNode);
        Assert.All(onNode, e => Assert.Equal("n2", e.Subject.NodeId));
    }

    [Fact]
    public void Reopened_history_skips_the_batches_the_log_replays_after_its_snapshot()
    {
        var history = new SyntheticHistory(4);
        List<AppliedBatch> written;
        using (var store = Open()) written = Write(store, history, 100);

        using var reopened = Open();
        // The log restores a snapshot at batch 60 and replays what follows it: all of it held already.
        foreach (var batch in written.Skip(60)) reopened.Append(batch);
        Write(reopened, history, 10);

        var sequences = reopened.Read(new EventSelection()).Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, (int)history.Projection.Current.LastSequence).Select(i => (long)i), sequences);
    }

    [Fact]
    public void A_torn_tail_is_cut_back_to_the_last_whole_record_and_the_log_replays_it()
    {
        var history = new SyntheticHistory(5);
        List<AppliedBatch> written;
        using (var store = Open()) written = Write(store, history, 50);
        var data = Path.Combine(_dir, EventHistoryStore.DataFileName);
        var length = new FileInfo(data).Length;
        // The last record half written when the power went.
        using (var file = new FileStream(data, FileMode.Open)) file.SetLength(length - 7);

        using var reopened = Open();

        var lastWhole = written[^2].Entries[^1].Sequence;
        Assert.Equal(lastWhole, reopened.LastSequence);
        Assert.True(new FileInfo(data).Length < length - 7);
        reopened.Append(written[^1]);
        Assert.Equal(written[^1].Entries[^1].Sequence, reopened.LastSequence);
        Assert.Equal(Enumerable.Range(1, (int)reopened.LastSequence).Select(i => (long)i), reopened.Read(new EventSelection()).Select(e => e.Sequence));
    }

    [Fact]
    public void A_replayed_entry_that_differs_from_the_one_held_cuts_the_history_back_and_it_follows_the_log()
    {
        var history = new SyntheticHistory(17);
        var written = new List<(AppliedBatch Batch, byte[] Payload)>();
        using (var store = Open())
        {
            for (var i = 0; i < 30; i++)
            {
                written.Add((history.Next(), history.LastPayload));
                store.Append(written[^1].Batch, written[^1].Payload);
            }
        }
        // The log lost its last 5 entries (a torn tail cut back) and a new leader term wrote another batch there.
        var other = new SyntheticHistory(99);
        other.Projection.Restore(written[24].Batch.After);
        using var reopened = Open();
        foreach (var (batch, payload) in written.Skip(20).Take(5)) reopened.Append(batch, payload);
        Assert.Equal(written[^1].Batch.After.LastSequence, reopened.LastSequence);
        var replaced = other.Next();
        reopened.Append(replaced, other.LastPayload);

        Assert.Equal(replaced.Entries[^1].Sequence, reopened.LastSequence);
        Assert.Equal(StateDigest.Of(replaced.After), StateDigest.Of(reopened.StateAt(reopened.LastSequence)));
        Assert.Equal(Enumerable.Range(1, (int)reopened.LastSequence).Select(i => (long)i), reopened.Read(new EventSelection()).Select(e => e.Sequence));
        Assert.Equal(StateDigest.Of(written[24].Batch.After), StateDigest.Of(reopened.StateAt(written[24].Batch.After.LastSequence)));
    }

    [Fact]
    public void Garbage_after_the_last_record_is_cut()
    {
        var history = new SyntheticHistory(6);
        using (var store = Open()) Write(store, history, 20);
        var last = history.Projection.Current.LastSequence;
        File.AppendAllText(Path.Combine(_dir, EventHistoryStore.DataFileName), "\0\0\u0001garbage that is no record");

        using var reopened = Open();

        Assert.Equal(last, reopened.LastSequence);
        Assert.Equal(last, reopened.Read(new EventSelection()).Count());
    }

    [Fact]
    public void A_lost_index_is_rebuilt_from_the_data()
    {
        var history = new SyntheticHistory(7);
        using (var store = Open()) Write(store, history, 120);
        var index = Path.Combine(_dir, EventHistoryStore.IndexFileName);
        using (var file = new FileStream(index, FileMode.Open)) file.SetLength(file.Length / 3 + 5);

        using var reopened = Open();

        Assert.Equal(history.Projection.Current.LastSequence, reopened.LastSequence);
        Assert.Equal(120 * EventHistoryStore.IndexEntrySize, new FileInfo(index).Length);
        Assert.Equal(StateDigest.Of(history.Projection.Current), StateDigest.Of(reopened.StateAt(reopened.LastSequence)));
    }

    [Fact]
    public async Task The_state_at_any_event_is_the_fold_of_the_events_up_to_it()
    {
        var history = new SyntheticHistory(8);
        var states = new Dictionary<long, ClusterState>();
        using var store = Open(checkpointEvery: 40);
        foreach (var batch in history.Batches(500))
        {
            store.Append(batch);
            states[batch.After.LastSequence] = batch.After;
            await store.CheckpointsWrittenAsync();
        }
        Assert.True(store.Checkpoints.Count > 5, $"checkpoints written: {store.Checkpoints.Count}");

        var random = new Random(8);
        var last = store.LastSequence;
        foreach (var sequence in Enumerable.Range(0, 25).Select(_ => random.NextInt64(1, last + 1)).Append(last).Append(1))
        {
            var expected = Fold(store, sequence);
            Assert.Equal(StateDigest.Of(expected), StateDigest.Of(store.StateAt(sequence)));
            if (states.TryGetValue(sequence, out var atBatch)) Assert.Equal(StateDigest.Of(atBatch), StateDigest.Of(store.StateAt(sequence)));
        }
    }

    private static ClusterState Fold(EventHistoryStore store, long sequence) =>
        store.Read(new EventSelection(ToSequence: sequence)).Aggregate(ClusterState.Initial, (s, e) => s.Apply(e.Recorded));

    [Fact]
    public async Task A_past_state_starts_from_the_nearest_checkpoint_at_or_before_it()
    {
        var history = new SyntheticHistory(9);
        using (var store = Open(checkpointEvery: 50))
        {
            foreach (var batch in history.Batches(400))
            {
                store.Append(batch);
                await store.CheckpointsWrittenAsync();
            }
        }
        long checkpoint, older;
        ClusterState planted;
        using (var reopened = Open(checkpointEvery: 50))
        {
            (checkpoint, older) = (reopened.Checkpoints[^2], reopened.Checkpoints[^3]);
            // A node that never joined, planted in the checkpoint: it shows only if the checkpoint is what StateAt starts from.
            var state = reopened.StateAt(checkpoint);
            planted = state with { Nodes = state.Nodes.Add("planted", state.Nodes.Values.First() with { Id = "planted" }) };
        }
        WriteCheckpoint(planted);

        using var again = Open(checkpointEvery: 50);

        Assert.Contains("planted", again.StateAt(checkpoint + 3).Nodes.Keys);
        Assert.DoesNotContain("planted", again.StateAt(older + 1).Nodes.Keys);
    }

    [Fact]
    public async Task Checkpoints_are_never_further_apart_than_the_spacing_even_when_appends_outrun_the_writer()
    {
        var history = new SyntheticHistory(11);
        using var store = Open(checkpointEvery: 20);
        // Appended as fast as the loop goes, never waiting for the writer.
        var written = Write(store, history, 1_500);
        await store.CheckpointsWrittenAsync();

        var largestBatch = written.Max(b => b.Entries.Count);
        var boundaries = store.Checkpoints.Prepend(0L).Append(store.LastSequence).ToList();
        Assert.True(store.Checkpoints.Count >= store.LastSequence / (20 + largestBatch));
        Assert.All(boundaries.Zip(boundaries.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, 0, 20 + largestBatch - 1));
        Assert.Equal(StateDigest.Of(Fold(store, store.Checkpoints[^1])), StateDigest.Of(store.StateAt(store.Checkpoints[^1])));
    }

    private void WriteCheckpoint(ClusterState state)
    {
        var path = Path.Combine(_dir, EventHistoryStore.CheckpointDirectoryName, state.LastSequence.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + ".json.gz");
        using var file = File.Create(path);
        using var zip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        System.Text.Json.JsonSerializer.Serialize(zip, state, EventJson.Options);
    }

    [Fact]
    public async Task A_checkpoint_that_does_not_read_back_is_dropped_and_an_older_one_serves()
    {
        var history = new SyntheticHistory(10);
        using (var store = Open(checkpointEvery: 50))
        {
            foreach (var batch in history.Batches(300))
            {
                store.Append(batch);
                await store.CheckpointsWrittenAsync();
            }
        }
        using var reopened = Open(checkpointEvery: 50);
        var newest = reopened.Checkpoints[^1];
        var path = Directory.GetFiles(Path.Combine(_dir, EventHistoryStore.CheckpointDirectoryName)).Max()!;
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("torn"));

        var state = reopened.StateAt(newest + 1);

        Assert.Equal(StateDigest.Of(Fold(reopened, newest + 1)), StateDigest.Of(state));
        Assert.DoesNotContain(newest, reopened.Checkpoints);
    }

    [Fact]
    public void The_sequence_at_a_time_is_the_last_event_before_the_clock_first_passed_it_even_when_the_clock_steps_back()
    {
        // Batch i at i seconds, except that the clock steps back by 30 s at batch 100 and catches up at 130.
        var history = new SyntheticHistory(11, i => At(i is >= 100 and < 130 ? i - 30 : i));
        using var store = Open();
        var written = Write(store, history, 200);
        long LastOfBatch(int i) => written[i].Entries[^1].Sequence;

        Assert.Equal(0, store.SequenceAt(At(-1)));
        Assert.Equal(LastOfBatch(0), store.SequenceAt(At(0)));
        Assert.Equal(LastOfBatch(50), store.SequenceAt(At(50.5)));
        // 80 s: the clock passed it at batch 80; the stepped-back batches 100–109 (70–79 s) come after it in the log.
        Assert.Equal(LastOfBatch(80), store.SequenceAt(At(80)));
        Assert.Equal(LastOfBatch(129), store.SequenceAt(At(99.5)));
        Assert.Equal(LastOfBatch(199), store.SequenceAt(At(10_000)));
        Assert.Equal(written[81].Entries[0].Sequence, store.Read(new EventSelection(Since: At(80.5))).First().Sequence);
        Assert.Equal(LastOfBatch(80), store.Read(new EventSelection(Until: At(80.5))).Last().Sequence);
    }

    [Fact]
    public void A_history_that_starts_after_a_snapshot_holds_the_events_from_there_and_the_state_before_them()
    {
        var history = new SyntheticHistory(12);
        var before = history.Batches(80).ToList();
        using var store = Open();
        // A manager that joined when the leader had compacted its log: it installed a snapshot at batch 80's state.
        var after = Write(store, history, 40);

        var first = after[0].Entries[0].Sequence;
        Assert.Equal(first, store.FirstSequence);
        Assert.Equal(StateDigest.Of(history.Projection.Current), StateDigest.Of(store.StateAt(store.LastSequence)));
        Assert.Equal(StateDigest.Of(after[4].After), StateDigest.Of(store.StateAt(after[4].After.LastSequence)));
        var refused = Assert.Throws<BadRequestException>(() => store.StateAt(before[10].After.LastSequence));
        Assert.Contains("before the first event held", refused.Message);
    }

    [Fact]
    public void A_gap_left_by_a_snapshot_from_the_leader_stays_explicit()
    {
        var history = new SyntheticHistory(13);
        using var store = Open();
        var early = Write(store, history, 30);
        var missed = history.Batches(30).ToList();
        var late = Write(store, history, 30);

        var held = store.Read(new EventSelection()).Select(e => e.Sequence).ToList();
        Assert.Equal(early.Concat(late).SelectMany(b => b.Entries).Select(e => e.Sequence), held);
        Assert.Equal(StateDigest.Of(late[9].After), StateDigest.Of(store.StateAt(late[9].After.LastSequence)));
        Assert.Equal(StateDigest.Of(early[9].After), StateDigest.Of(store.StateAt(early[9].After.LastSequence)));
        var refused = Assert.Throws<BadRequestException>(() => store.StateAt(missed[5].After.LastSequence));
        Assert.Contains("lacks events", refused.Message);
    }

    [Fact]
    public void A_state_after_the_last_event_is_refused()
    {
        using var store = Open();
        Write(store, new SyntheticHistory(14), 5);

        Assert.Throws<BadRequestException>(() => store.StateAt(store.LastSequence + 1));
    }

    [Fact]
    public async Task A_follower_waiting_for_events_wakes_when_one_is_appended()
    {
        var history = new SyntheticHistory(15);
        using var store = Open();
        Write(store, history, 3);
        var last = store.LastSequence;

        var waiting = store.WaitForAsync(last, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        store.Append(history.Next());

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(store.LastSequence > last);
    }

    [Fact]
    public void Secret_data_is_stored_as_the_log_holds_it_sealed()
    {
        var history = new SyntheticHistory(16);
        using var store = Open();
        Write(store, history, 2);
        var sealedData = "aes256gcm:" + Convert.ToBase64String(Encoding.UTF8.GetBytes("sealed bytes"));
        store.Append(history.Projection.Apply(new EventBatch("s", new EventMetadata(At(5), "user:alice", "CreateSecret", "c"),
            [new Domain.Secrets.SecretCreated("sec", new Domain.Secrets.SecretSpec { Name = "pw" }, sealedData, At(5))])));

        var stored = store.Read(new EventSelection()).Select(e => e.Recorded.Event).OfType<Domain.Secrets.SecretCreated>().Single();

        Assert.Equal(sealedData, stored.SealedData);
        Assert.Equal(new EventSubject(SubjectKind.Secret, "sec"), store.Read(new EventSelection(FromSequence: store.LastSequence)).Single().Subject);
    }
}
