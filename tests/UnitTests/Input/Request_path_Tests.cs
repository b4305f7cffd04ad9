extern alias node;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Input;

/// <summary>Dot segments are found in the raw request target however they are written, and only there.</summary>
public sealed class Request_path_Tests
{
    [Theory]
    [InlineData("/v1.41/services/%2e%2e/nodes")]
    [InlineData("/v1.41/services/%2E%2E/networks/x")]
    [InlineData("/v1.41/services/../nodes")]
    [InlineData("/v1.41/services/./x")]
    [InlineData("/v1.41/services/.%2e/nodes")]
    [InlineData("/v1.41/services/%2e")]
    [InlineData("/v1.41/containers/x%2f..%2f..%2finfo/json")]
    [InlineData("http://docker/v1.41/services/%2e%2e/nodes?x=1")]
    [InlineData("/..")]
    public void A_dot_segment_is_found(string target) => Assert.True(RequestHygiene.HasDotSegment(target));

    [Theory]
    [InlineData("/v1.41/services/web.1/x")]
    [InlineData("/v1.41/services/...")]
    [InlineData("/v1.41/services/..a")]
    [InlineData("/v1.41/containers/json?filters=%7B%22name%22%3A%5B%22..%22%5D%7D")]
    [InlineData("/v1.41/images/busybox:1.36/json")]
    [InlineData("/_ping")]
    [InlineData("/")]
    [InlineData("*")]
    public void Other_paths_pass(string target) => Assert.False(RequestHygiene.HasDotSegment(target));

    [Theory]
    [InlineData("/a/b?c=d", "/a/b")]
    [InlineData("http://host:80/a/b?c", "/a/b")]
    [InlineData("http://host", "/")]
    public void The_path_of_a_target_is_without_its_query(string target, string path) => Assert.Equal(path, RequestHygiene.PathOf(target));
}
