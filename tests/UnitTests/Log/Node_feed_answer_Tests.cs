extern alias node;
using System.Text.Json;
using EventSwarm.Infrastructure.Log;
using Microsoft.AspNetCore.Http;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Log;

/// <summary>A node's feed answer: each event serialized once for every node it goes to, the same JSON as the whole list.</summary>
public sealed class Node_feed_answer_Tests
{
    private static async Task<string> AnswerAsync(IReadOnlyList<RecordedEvent> events)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await new NodeFeedAnswer(events).ExecuteAsync(context);
        return System.Text.Encoding.UTF8.GetString(body.ToArray());
    }

    [Fact]
    public async Task The_answer_is_the_list_as_the_log_writes_it_and_reads_back_the_same_events()
    {
        var metadata = new EventMetadata(T0, "system:node-monitor", "Reconcile", "c");
        var shared = new RecordedEvent(7, metadata, NodeDown("n3", at: 1));
        var events = Enumerable.Range(0, 130).Select(i => new RecordedEvent(8 + i, metadata, Created($"t{i}", Spec("web", 2), 1 + i % 2)))
            .Prepend(shared).ToList();

        var first = await AnswerAsync(events);
        var again = await AnswerAsync([shared]);

        Assert.Equal(JsonSerializer.Serialize(events, EventJson.Options), first);
        Assert.Equal(JsonSerializer.Serialize(new[] { shared }, EventJson.Options), again);
        Assert.Equal(events, JsonSerializer.Deserialize<List<RecordedEvent>>(first, EventJson.Options));
        Assert.Equal("[]", await AnswerAsync([]));
    }
}
