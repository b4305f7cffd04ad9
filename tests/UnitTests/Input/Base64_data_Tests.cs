extern alias node;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Input;

/// <summary>The engine answers bad base64 in a secret's or config's Data with Go's CorruptInputError offset.</summary>
public sealed class Base64_data_Tests
{
    [Theory]
    [InlineData("not base64!", 3)]
    [InlineData("abcde", 4)]
    [InlineData("abc", 0)]
    [InlineData("a===", 1)]
    [InlineData("YWRt aW4=", 4)]
    public void Bad_base64_is_located_where_Go_gives_up(string data, int at)
    {
        Assert.Equal(at, FileObjectWire.CorruptAt(data));
    }

    [Theory]
    [InlineData("YWRtaW5hZG1pbgo=")]
    [InlineData("YWRtaW4xMjM=")]
    [InlineData("YWRt\naW4xMjM=")]
    public void Good_base64_is_accepted(string data)
    {
        Assert.Null(FileObjectWire.CorruptAt(data));
    }
}
