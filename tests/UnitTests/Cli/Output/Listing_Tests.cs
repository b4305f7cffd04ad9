extern alias node;
using System.Text.Json.Nodes;
using node::EventSwarm.Node.Cli.Output;

namespace EventSwarm.UnitTests.Cli.Output;

/// <summary>--format for ls/ps: the verb's table by default, rows through the Go template otherwise, table templates aligned.</summary>
public sealed class Listing_Tests
{
    private static readonly JsonObject[] Rows =
    [
        new() { ["ID"] = "abc", ["Name"] = "web" },
        new() { ["ID"] = "defghi", ["Name"] = "api" },
    ];

    private static string Write(string? format)
    {
        using var output = new StringWriter();
        Listing.Write(output, format, Rows, () => output.Write("DEFAULT"));
        return output.ToString().ReplaceLineEndings("\n");
    }

    [Fact]
    public void No_format_or_plain_table_is_the_verbs_own_table() =>
        Assert.Equal(("DEFAULT", "DEFAULT"), (Write(null), Write("table")));

    [Fact]
    public void A_template_renders_each_row_on_its_line() =>
        Assert.Equal("abc web\ndefghi api\n", Write("{{.ID}} {{.Name}}"));

    [Fact]
    public void Json_prints_one_object_per_line()
    {
        var lines = Write("json").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["web", "api"], lines.Select(l => JsonNode.Parse(l)!["Name"]!.GetValue<string>()));
    }

    [Fact]
    public void A_table_template_has_a_header_and_columns_aligned_as_dockers_tabwriter() =>
        Assert.Equal("ID        NAME\nabc       web\ndefghi    api\n", Write("table {{.ID}}\\t{{.Name}}"));

    [Fact]
    public void A_network_ls_table_template_heads_the_ID_column_NETWORK_ID_as_docker_does()
    {
        using var output = new StringWriter();
        Listing.Write(output, "table {{.ID}}\\t{{.Name}}", Rows, () => output.Write("DEFAULT"), node::EventSwarm.Node.Cli.Networks.NetworkLsCommand.Headers);
        Assert.StartsWith("NETWORK ID   NAME\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
