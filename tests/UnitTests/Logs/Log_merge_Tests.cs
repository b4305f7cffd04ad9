extern alias node;
using node::EventSwarm.Node.Logs;

namespace EventSwarm.UnitTests.Logs;

/// <summary>The merge of several tasks' streams in time order.</summary>
public sealed class Log_merge_Tests
{
    private static LogMerge<(string Task, long At)> Merge() => new(l => l.At);

    [Fact]
    public void Lines_of_streams_that_end_go_out_in_time_order()
    {
        var merge = Merge();
        merge.Open("a");
        merge.Open("b");
        merge.Add("a", ("a", 1), 0);
        merge.Add("a", ("a", 5), 0);
        Assert.Empty(merge.TakeReady(now: 1000, patience: long.MaxValue));
        merge.Add("b", ("b", 3), 0);
        merge.Close("b");
        merge.Close("a");
        Assert.Equal([("a", 1), ("b", 3), ("a", 5)], merge.TakeReady(1000, long.MaxValue));
        Assert.True(merge.IsEmpty);
    }

    [Fact]
    public void A_quiet_stream_holds_the_others_back_only_for_the_patience()
    {
        var merge = Merge();
        merge.Open("quiet");
        merge.Add("chatty", ("chatty", 10), now: 100);
        Assert.Empty(merge.TakeReady(now: 150, patience: 100));
        Assert.Equal(200, merge.NextDeadline(100));
        Assert.Equal([("chatty", 10)], merge.TakeReady(now: 200, patience: 100));
    }

    [Fact]
    public void Equal_timestamps_keep_their_arrival_order()
    {
        var merge = Merge();
        merge.Add("b", ("b", 7), 0);
        merge.Add("a", ("a", 7), 0);
        merge.Close("a");
        merge.Close("b");
        Assert.Equal([("b", 7), ("a", 7)], merge.TakeReady(0, long.MaxValue));
    }
}
