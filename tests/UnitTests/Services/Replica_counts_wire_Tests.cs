extern alias node;
using System.Text.Json;
using EventSwarm.Application;
using node::EventSwarm.Node.Api;
using node::EventSwarm.Node.Api.Services;

namespace EventSwarm.UnitTests.Services;

/// <summary>Docker's counts are uint64: any that fits the log's signed 64-bit is kept, the rest refused by field name (not a 500).</summary>
public sealed class Replica_counts_wire_Tests
{
    private static ServiceSpec Parse(string json) =>
        ServiceWire.ToDomain(JsonSerializer.Deserialize<ServiceSpecJson>(json, DockerJson.Options)!);

    private static string WithReplicas(string replicas) =>
        """{"Name":"huge","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"Replicated":{"Replicas":""" + replicas + "}}}";

    private static string WithMaxAttempts(string attempts) =>
        """{"Name":"huge","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},"RestartPolicy":{"Condition":"any","MaxAttempts":""" + attempts + "}}}";

    [Theory]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("1000000000000", 1_000_000_000_000L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void A_huge_replica_count_that_fits_is_kept_as_sent(string json, long expected)
    {
        Assert.Equal(expected, Parse(WithReplicas(json)).Mode.Replicas);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551615")]
    public void A_replica_count_beyond_2_pow_63_is_refused_naming_the_field(string json)
    {
        var refused = Assert.Throws<BadRequestException>(() => Parse(WithReplicas(json)));

        Assert.Contains("Mode.Replicated.Replicas", refused.Message);
    }

    [Fact]
    public void Max_attempts_of_2_pow_64_minus_1_is_refused_naming_the_field()
    {
        var refused = Assert.Throws<BadRequestException>(() => Parse(WithMaxAttempts("18446744073709551615")));

        Assert.Contains("RestartPolicy.MaxAttempts", refused.Message);
        Assert.Equal(long.MaxValue, Parse(WithMaxAttempts("9223372036854775807")).TaskTemplate.RestartPolicy!.MaxAttempts);
    }
}
