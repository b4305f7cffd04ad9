using EventSwarm.Domain.Services;
using static EventSwarm.UnitTests.Stacks.ComposeGiven;

namespace EventSwarm.UnitTests.Stacks;

/// <summary>Durations and sizes read with Go's rules (time.ParseDuration, go-units RAMInBytes), as docker's loader reads them.</summary>
public sealed class ComposeConverter_FormatTests
{
    [Theory]
    [InlineData("10s", 10_000_000_000L)]
    [InlineData("1m30s", 90_000_000_000L)]
    [InlineData("1h", 3_600_000_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("300ms", 300_000_000L)]
    [InlineData("2us", 2_000L)]
    [InlineData("5ns", 5L)]
    [InlineData("0", 0L)]
    public void Durations_read_as_go_reads_them(string text, long nanoseconds)
    {
        Assert.Equal(new Duration(nanoseconds), Container($$"""{"image": "x", "stop_grace_period": "{{text}}"}""").StopGracePeriod);
    }

    [Theory]
    [InlineData("10", "services.web.stop_grace_period: time: missing unit in duration \"10\"")]
    [InlineData("1d", "services.web.stop_grace_period: time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("soon", "services.web.stop_grace_period: time: invalid duration \"soon\"")]
    public void A_bad_duration_is_refused_as_go_says(string text, string message)
    {
        Assert.Equal("service web: " + message, Refused($$"""{"image": "x", "stop_grace_period": "{{text}}"}"""));
    }

    [Fact]
    public void A_duration_written_as_a_number_is_refused()
    {
        Assert.Contains("for duration", Refused("""{"image": "x", "stop_grace_period": 10}"""));
    }

    [Theory]
    [InlineData("\"512M\"", 536_870_912L)]
    [InlineData("\"512m\"", 536_870_912L)]
    [InlineData("\"512MB\"", 536_870_912L)]
    [InlineData("\"512mib\"", 536_870_912L)]
    [InlineData("\"1g\"", 1_073_741_824L)]
    [InlineData("\"1.5k\"", 1_536L)]
    [InlineData("\"100\"", 100L)]
    [InlineData("\"64 KiB\"", 65_536L)]
    [InlineData("1048576", 1_048_576L)]
    public void Sizes_are_binary_multiples_as_dockers_units_read_them(string memory, long bytes)
    {
        Assert.Equal(bytes, Service("""{"image": "x", "deploy": {"resources": {"limits": {"memory": """ + memory + "}}}}").TaskTemplate.Limits!.MemoryBytes);
    }

    [Fact]
    public void A_size_with_an_unknown_suffix_is_refused()
    {
        Assert.Equal("service web: services.web.deploy.resources.limits.memory: invalid suffix: 'x'",
            Refused("""{"image": "x", "deploy": {"resources": {"limits": {"memory": "12x"}}}}"""));
    }

    [Theory]
    [InlineData("1", 1_000_000_000L)]
    [InlineData("0.001", 1_000_000L)]
    [InlineData("1/4", 250_000_000L)]
    [InlineData("2e-1", 200_000_000L)]
    public void Cpus_are_a_rational_number_of_cpus(string cpus, long nanoCpus)
    {
        Assert.Equal(nanoCpus, Service("{\"image\": \"x\", \"deploy\": {\"resources\": {\"reservations\": {\"cpus\": \"" + cpus + "\"}}}}").TaskTemplate.Reservations!.NanoCpus);
    }
}
