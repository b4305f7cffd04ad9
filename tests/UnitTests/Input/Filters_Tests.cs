extern alias node;
using EventSwarm.Application;
using node::EventSwarm.Node.Api;

namespace EventSwarm.UnitTests.Input;

/// <summary>Docker's list filters (filters.FromJSON): a set or a list of strings per filter; anything else is a 400 naming it.</summary>
public sealed class Filters_Tests
{
    private static readonly string[] Allowed = ["id", "name"];

    [Theory]
    [InlineData("""{"id":{"abc":true}}""")]
    [InlineData("""{"id":["abc"]}""")]
    public void A_set_or_a_list_of_strings_gives_the_values(string raw) =>
        Assert.Equal(["abc"], Filters.Parse(raw, Allowed).Values("id"));

    [Fact]
    public void A_set_keeps_every_key_whatever_its_boolean_as_Docker_does() =>
        Assert.Equal(["a", "b"], Filters.Parse("""{"name":{"a":true,"b":false}}""", Allowed).Values("name"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("""{"id":null}""")]
    public void Absent_or_null_filters_filter_nothing(string? raw) =>
        Assert.True(Filters.Parse(raw, Allowed).Match("id", _ => false));

    [Theory]
    [InlineData("""{"id":[1]}""", "invalid filter 'id'")]
    [InlineData("""{"id":"x"}""", "invalid filter 'id'")]
    [InlineData("""{"id":{"x":"yes"}}""", "invalid filter 'id'")]
    [InlineData("""{"id":[["x"]]}""", "invalid filter 'id'")]
    [InlineData("[1]", "filters must be a JSON object")]
    [InlineData("\"id\"", "filters must be a JSON object")]
    [InlineData("notjson", "filters are not JSON")]
    [InlineData("""{"id":""", "filters are not JSON")]
    public void Malformed_filters_are_a_bad_request_naming_the_problem(string raw, string message)
    {
        var refused = Assert.Throws<BadRequestException>(() => Filters.Parse(raw, Allowed));
        Assert.Contains(message, refused.Message);
        Assert.StartsWith("invalid filter", refused.Message);
    }

    [Fact]
    public void An_unknown_filter_is_refused_by_name_as_Docker_words_it() =>
        Assert.Equal("Invalid filter 'bogus'", Assert.Throws<BadRequestException>(() => Filters.Parse("""{"bogus":{"x":true}}""", Allowed)).Message);
}
