extern alias node;
using System.Text.Json.Nodes;
using GoTemplate = node::EventSwarm.Node.Cli.Output.GoTemplate;

namespace EventSwarm.UnitTests.Cli.Output;

/// <summary>docker's --format, case by case from docker's documentation (docs/reference/commandline/*.md, the formatting
/// guide) and Go's text/template rules.</summary>
public sealed class GoTemplate_Tests
{
    // A row of `docker service ls` as the CLI builds it.
    private static readonly JsonNode ServiceRow = JsonNode.Parse("""
        {"ID":"0zmvwuiu3vue","Name":"web","Mode":"replicated","Replicas":"10/10","Image":"nginx:alpine","Ports":"*:8080->80/tcp"}
        """)!;

    // `docker node inspect self`, trimmed.
    private static readonly JsonNode Node = JsonNode.Parse("""
        {"ID":"e216jshn25ckzbvmwlnh5jr3g","Version":{"Index":10},
         "Spec":{"Labels":{"zone":"eu-west","disk":"ssd"},"Role":"manager","Availability":"active"},
         "Description":{"Hostname":"swarm-manager","Engine":{"EngineVersion":"27.3.1"}},
         "Status":{"State":"ready","Addr":"172.17.0.2"},
         "ManagerStatus":{"Leader":false,"Reachability":"reachable","Addr":"172.17.0.2:2377"},
         "Empty":{},"Nothing":null,"Addresses":["10.0.0.2/24","10.0.1.2/24"],"Weight":0}
        """)!;

    private static string Render(string format, JsonNode? data) => GoTemplate.Parse(format).Render(data);

    [Fact]
    public void Service_ls_format_prints_the_documented_fields()
    {
        // docker service ls --format "{{.ID}}: {{.Mode}} {{.Replicas}}"  →  0zmvwuiu3vue: replicated 10/10
        Assert.Equal("0zmvwuiu3vue: replicated 10/10", Render("{{.ID}}: {{.Mode}} {{.Replicas}}", ServiceRow));
    }

    [Fact]
    public void Node_inspect_reads_nested_fields_and_prints_bools_as_go()
    {
        // docker node inspect --format '{{ .ManagerStatus.Leader }}' self  →  false
        Assert.Equal("false", Render("{{ .ManagerStatus.Leader }}", Node));
        Assert.Equal("swarm-manager manager", Render("{{.Description.Hostname}} {{.Spec.Role}}", Node));
        Assert.Equal("10", Render("{{.Version.Index}}", Node));
    }

    [Fact]
    public void Json_prints_compact_json_in_the_objects_order()
    {
        Assert.Equal("""{"zone":"eu-west","disk":"ssd"}""", Render("{{json .Spec.Labels}}", Node));
        Assert.Equal("""{"Leader":false,"Reachability":"reachable","Addr":"172.17.0.2:2377"}""", Render("{{json .ManagerStatus}}", Node));
        Assert.Equal("\"web\"", Render("{{json .Name}}", ServiceRow));
        Assert.Equal("null", Render("{{json .Nope}}", ServiceRow));
        // Go's encoder as docker configures it: no HTML escaping.
        Assert.Equal("""{"Ports":"*:8080->80/tcp"}""", Render("{{json .}}", JsonNode.Parse("""{"Ports":"*:8080->80/tcp"}""")));
    }

    [Fact]
    public void The_json_directive_is_json_of_the_whole_row()
    {
        // docker node ls --format json prints one JSON object per line.
        var row = JsonNode.Parse("""{"Availability":"Active","Hostname":"docker-desktop","Self":true}""");
        Assert.Equal("""{"Availability":"Active","Hostname":"docker-desktop","Self":true}""", Render("json", row));
        Assert.False(GoTemplate.Parse("json").IsTable);
    }

    [Fact]
    public void Index_reads_a_label_and_an_array_element()
    {
        Assert.Equal("ssd", Render("""{{index .Spec.Labels "disk"}}""", Node));
        Assert.Equal("10.0.1.2/24", Render("{{index .Addresses 1}}", Node));
        // docker inspect --format='{{(index (index .NetworkSettings.Ports "8787/tcp") 0).HostPort}}'
        var container = JsonNode.Parse("""{"NetworkSettings":{"Ports":{"8787/tcp":[{"HostIp":"0.0.0.0","HostPort":"8787"}]}}}""");
        Assert.Equal("8787", Render("""{{(index (index .NetworkSettings.Ports "8787/tcp") 0).HostPort}}""", container));
    }

    [Fact]
    public void Range_walks_arrays_and_maps_in_sorted_key_order()
    {
        Assert.Equal("10.0.0.2/24;10.0.1.2/24;", Render("{{range .Addresses}}{{.}};{{end}}", Node));
        Assert.Equal("disk=ssd zone=eu-west ", Render("{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}} {{end}}", Node));
        // docker inspect --format='{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'
        var container = JsonNode.Parse("""{"NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}}}""");
        Assert.Equal("172.17.0.2", Render("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container));
        Assert.Equal("none", Render("{{range .Empty}}x{{else}}none{{end}}", Node));
        Assert.Equal("0:10.0.0.2/24 1:10.0.1.2/24 ", Render("{{range $i, $a := .Addresses}}{{$i}}:{{$a}} {{end}}", Node));
    }

    [Fact]
    public void Range_with_and_else_as_in_dockers_port_example()
    {
        // docker inspect --format='{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{with $conf}}{{(index . 0).HostPort}}{{else}}none{{end}} {{end}}'
        var container = JsonNode.Parse("""{"NetworkSettings":{"Ports":{"80/tcp":[{"HostPort":"8080"}],"443/tcp":null}}}""");
        Assert.Equal(" 443/tcp -> none  80/tcp -> 8080 ",
            Render("{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> {{with $conf}}{{(index . 0).HostPort}}{{else}}none{{end}} {{end}}", container));
    }

    [Fact]
    public void If_else_if_and_else_follow_gos_truth()
    {
        const string format = "{{if .ManagerStatus.Leader}}leader{{else if eq .Spec.Role \"manager\"}}manager{{else}}worker{{end}}";
        Assert.Equal("manager", Render(format, Node));
        Assert.Equal("leader", Render(format, JsonNode.Parse("""{"ManagerStatus":{"Leader":true}}""")));
        Assert.Equal("worker", Render(format, JsonNode.Parse("""{"Spec":{"Role":"worker"}}""")));
        // The zero values are false: 0, "", empty map, null, missing.
        Assert.Equal("-----", Render("{{if .Weight}}x{{else}}-{{end}}{{if .Empty}}x{{else}}-{{end}}{{if .Nothing}}x{{else}}-{{end}}{{if .Nope}}x{{else}}-{{end}}{{if \"\"}}x{{else}}-{{end}}", Node));
        Assert.Equal("ready", Render("{{with .Status}}{{.State}}{{end}}", Node));
        Assert.Equal("yes", Render("{{if and .Spec (not .Weight) (ne .Spec.Role \"worker\")}}yes{{end}}", Node));
        // and/or return an operand, not a bool: the usual "default value" idiom.
        Assert.Equal("none", Render("{{or .Nope \"none\"}}", Node));
        Assert.Equal("0", Render("{{and .Spec .Weight}}", Node));
    }

    [Fact]
    public void Pipelines_feed_the_value_as_the_last_argument()
    {
        Assert.Equal("WEB", Render("{{.Name | upper}}", ServiceRow));
        Assert.Equal("Web", Render("{{.Name | title}}", ServiceRow));
        Assert.Equal("0zmvwu", Render("{{truncate .ID 6}}", ServiceRow));
        Assert.Equal("0ZMV", Render("{{.ID | upper | printf \"%.4s\"}}", ServiceRow));
    }

    [Fact]
    public void Dockers_string_functions_work_as_in_the_formatting_guide()
    {
        // docs.docker.com/go/formatting: join, lower, split, title, upper, pad, truncate, println
        var container = JsonNode.Parse("""{"Args":["-c","exit 0"],"Name":"/Web_App","Image":"sha256:abc"}""");
        Assert.Equal("-c , exit 0", Render("""{{join .Args " , "}}""", container));
        Assert.Equal("/web_app", Render("{{lower .Name}}", container));
        Assert.Equal("/WEB_APP", Render("{{upper .Name}}", container));
        Assert.Equal("[sha256 abc]", Render("""{{split .Image ":"}}""", container));
        Assert.Equal("abc", Render("""{{index (split .Image ":") 1}}""", container));
        Assert.Equal("Hello World-Wide", Render("""{{title "hello world-wide"}}""", null));
        Assert.Equal("  web ", Render("{{pad .Name 2 1}}", ServiceRow));
        Assert.Equal("", Render("{{pad .Nope 2 1}}", JsonNode.Parse("""{"Nope":""}""")));
        Assert.Equal("web\n", Render("{{println .Name}}", ServiceRow));
        Assert.Equal("eu-west,ssd", Render("""{{join .Spec.Labels ","}}""", Node));
    }

    [Fact]
    public void Go_builtins_len_printf_eq_and_comparisons()
    {
        Assert.Equal("2", Render("{{len .Addresses}}", Node));
        Assert.Equal("3", Render("{{len .Name}}", ServiceRow));
        Assert.Equal("web        |10/10|   7", Render("""{{printf "%-10s |%s|%4d" .Name .Replicas 7}}""", ServiceRow));
        Assert.Equal("10 \"swarm-manager\" [10.0.0.2/24 10.0.1.2/24] %!s(MISSING)",
            Render("""{{printf "%v %q %v %s" .Version.Index .Description.Hostname .Addresses}}""", Node));
        Assert.Equal("true false true", Render("""{{eq .Mode "global" "replicated"}} {{ne .Mode "replicated"}} {{lt 1 2}}""", ServiceRow));
    }

    [Fact]
    public void Trim_markers_remove_the_whitespace_beside_them()
    {
        Assert.Equal("web,replicated", Render("{{.Name -}} ,\n  {{- .Mode}}", ServiceRow));
        Assert.Equal("a b", Render("a {{/* a comment */}}b", null));
        Assert.Equal("ab", Render("a {{- /* trimmed */ -}} b", null));
        // "{{-3}}" is the number -3, not a trim marker.
        Assert.Equal("-3", Render("{{-3}}", null));
        Assert.Equal("97 1.5 31 1000", Render("{{'a'}} {{1.5}} {{0x1F}} {{1e3}}", null));
    }

    [Fact]
    public void Backslash_t_and_n_in_the_format_become_tab_and_newline()
    {
        // The shell passes the two characters \t; docker turns them into a tab before parsing (formatter.Format).
        Assert.Equal("web\tnginx:alpine\nend", Render(@"{{.Name}}\t{{.Image}}\nend", ServiceRow));
    }

    [Fact]
    public void A_missing_key_prints_no_value_as_a_go_map_does()
    {
        // docker's rows are structs and fail on an unknown field; ours are JSON maps, so Go prints <no value>.
        Assert.Equal("<no value>", Render("{{.Nope}}", ServiceRow));
        Assert.Equal("<no value>", Render("{{.Nope.Deeper}}", ServiceRow));
        Assert.Equal("<no value>", Render("{{.Nothing}}", Node));
        Assert.Equal("<no value>", Render("""{{index .Spec.Labels "nope"}}""", Node));
        Assert.Equal("<no value>", Render("{{.}}", null));
    }

    [Fact]
    public void The_data_may_be_a_plain_value_or_an_array()
    {
        Assert.Equal("web", Render("{{.}}", JsonValue.Create("web")));
        Assert.Equal("no", Render("{{if .}}yes{{else}}no{{end}}", JsonValue.Create(0)));
        Assert.Equal("a,b,", Render("{{range .}}{{.}},{{end}}", new JsonArray("a", "b")));
    }

    [Fact]
    public void Maps_and_arrays_print_as_go_prints_them()
    {
        Assert.Equal("map[disk:ssd zone:eu-west]", Render("{{.Spec.Labels}}", Node));
        Assert.Equal("[10.0.0.2/24 10.0.1.2/24]", Render("{{.Addresses}}", Node));
        Assert.Equal("map[a:<nil> b:[1 true]]", Render("{{.}}", JsonNode.Parse("""{"b":[1,true],"a":null}""")));
        Assert.Equal("map[]", Render("{{.Empty}}", Node));
    }

    [Fact]
    public void Variables_break_and_continue()
    {
        Assert.Equal("web web", Render("{{$n := .Name}}{{$n}} {{with .Mode}}{{$n}}{{end}}", ServiceRow));
        Assert.Equal("swarm-manager", Render("{{range .Addresses}}{{$.Description.Hostname}}{{break}}{{end}}", Node));
        Assert.Equal("10.0.1.2/24", Render("{{range $i, $a := .Addresses}}{{if eq $i 0}}{{continue}}{{end}}{{$a}}{{end}}", Node));
    }

    [Fact]
    public void Table_prefix_is_detected_and_stripped()
    {
        var template = GoTemplate.Parse(@"table {{.Name}}\t{{.Image}}");
        Assert.True(template.IsTable);
        Assert.Equal("web\tnginx:alpine", template.Render(ServiceRow));
        Assert.Equal("NAME\tIMAGE", template.Header());
        Assert.False(GoTemplate.Parse("{{.Name}}").IsTable);
        Assert.True(GoTemplate.Parse("table").IsTable);
    }

    [Theory]
    [InlineData(@"table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}", "ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS")]
    [InlineData(@"table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}",
        "ID\tNAME\tIMAGE\tNODE\tDESIRED STATE\tCURRENT STATE\tERROR\tPORTS")]
    [InlineData(@"table {{.ID}} {{if .Self}}*{{else}} {{end}}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}",
        "ID  \tHOSTNAME\tSTATUS\tAVAILABILITY\tMANAGER STATUS\tENGINE VERSION")]
    [InlineData(@"table {{.Self}}\t{{.TLSStatus}}\t{{.IPv4}}\t{{.CreatedAt}}", "\tTLS STATUS\tIPV4\tCREATED AT")]
    [InlineData(@"table {{.Name | upper}}: {{truncate .ID 3}} {{pad .Image 1 1}}", "NAME: ID  IMAGE ")]
    [InlineData(@"table {{.Spec.Name}}|{{json .}}|{{.Name}}", "||NAME")]
    public void Header_names_each_column_as_dockers_formatters_do(string format, string header)
    {
        // docker's service, task, node and network formatters: CurrentState → CURRENT STATE, TLSStatus → TLS STATUS,
        // Self heads nothing; docker's header functions pass a column name through json/upper/truncate, not pad.
        Assert.Equal(header, GoTemplate.Parse(format).Header());
    }

    [Fact]
    public void Node_ls_default_format_marks_the_node_answering_with_a_star()
    {
        // docker's defaultNodeTableFormat: "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}..."
        var template = GoTemplate.Parse(@"table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}");
        Assert.Equal("e216jshn25ckzbvmwlnh5jr3g *\tswarm-manager\tReady",
            template.Render(JsonNode.Parse("""{"ID":"e216jshn25ckzbvmwlnh5jr3g","Self":true,"Hostname":"swarm-manager","Status":"Ready"}""")));
        Assert.Equal("35o6tiywb700jesrt3dmllaza  \tswarm-worker1\tReady",
            template.Render(JsonNode.Parse("""{"ID":"35o6tiywb700jesrt3dmllaza","Self":false,"Hostname":"swarm-worker1","Status":"Ready"}""")));
        Assert.Equal("ID  \tHOSTNAME\tSTATUS", template.Header());
    }

    [Fact]
    public void A_verb_can_name_its_own_columns()
    {
        // docker network ls heads its ID column "NETWORK ID".
        var headers = new Dictionary<string, string> { ["ID"] = "NETWORK ID" };
        Assert.Equal("NETWORK ID\tNAME", GoTemplate.Parse(@"table {{.ID}}\t{{.Name}}").Header(headers));
        Assert.Equal("CURRENT STATE", GoTemplate.HeaderName("CurrentState"));
    }

    [Fact]
    public void Table_columns_align_as_dockers_tabwriter()
    {
        // docker service ls: each column its widest cell plus 3, at least 10; the last column is not padded.
        var template = GoTemplate.Parse(@"table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}");
        var rows = new[]
        {
            ServiceRow,
            JsonNode.Parse("""{"ID":"fm6uf97exkul","Name":"monitoring-agent","Mode":"global","Replicas":"5/5","Image":"prom/node-exporter:latest"}"""),
        };
        Assert.Equal(
            "ID             NAME               MODE         REPLICAS   IMAGE\n" +
            "0zmvwuiu3vue   web                replicated   10/10      nginx:alpine\n" +
            "fm6uf97exkul   monitoring-agent   global       5/5        prom/node-exporter:latest\n",
            GoTemplate.Align([template.Header(), .. rows.Select(template.Render)]));
    }

    [Fact]
    public void A_column_is_shared_only_by_the_consecutive_lines_that_have_it()
    {
        // Go's elastic tabstops: the one-cell line breaks the block, so the lines after it size column 1 afresh.
        // (Outputs as Go's text/tabwriter prints them with docker's settings.)
        Assert.Equal("a                b\nlong-cell-here   c\nsingle\nx         y\n",
            GoTemplate.Align(["a\tb", "long-cell-here\tc", "single", "x\ty"]));
        Assert.Equal("ID        NAME      X\nabc                 last\n          only\n", GoTemplate.Align(["ID\tNAME\tX", "abc\t\tlast", "\tonly"]));
    }

    [Theory]
    [InlineData("{{.Name}", "template parsing error: template: :1: bad character U+007D '}'")]
    [InlineData("{{ .Name ) }}", "template parsing error: template: :1: unexpected \")\" in command")]
    [InlineData("{{ 12ab }}", "template parsing error: template: :1: bad number syntax: \"12a\"")]
    [InlineData("{{.Name.}}", "template parsing error: template: :1: unexpected <.> in operand")]
    [InlineData("{{.Name", "template parsing error: template: :1: unclosed action")]
    [InlineData("{{if .Name}}x", "template parsing error: template: :1: unexpected EOF")]
    [InlineData("x{{end}}", "template parsing error: template: :1: unexpected {{end}}")]
    [InlineData("{{.Name | nope}}", "template parsing error: template: :1: function \"nope\" not defined")]
    [InlineData("a\n{{$x}}", "template parsing error: template: :2: undefined variable \"$x\"")]
    [InlineData("{{}}", "template parsing error: template: :1: missing value for command")]
    [InlineData("{{if}}{{end}}", "template parsing error: template: :1: missing value for if")]
    [InlineData("{{\"abc}}", "template parsing error: template: :1: unterminated quoted string")]
    [InlineData("{{else}}", "template parsing error: template: :1: unexpected {{else}}")]
    [InlineData("{{/* no end", "template parsing error: template: :1: unclosed comment")]
    [InlineData("{{break}}", "template parsing error: template: :1: {{break}} outside {{range}}")]
    public void Bad_templates_fail_with_dockers_parse_error(string format, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => GoTemplate.Parse(format)).Message);
    }

    [Theory]
    [InlineData("{{.Name.First}}", "template parsing error: template: :1:7: executing \"\" at <.Name.First>: can't evaluate field First in type interface {}")]
    [InlineData("{{title .Labels}}", "template parsing error: template: :1:8: executing \"\" at <.Labels>: wrong type for value; expected string; got map[string]interface {}")]
    [InlineData("{{.Name 1}}", "template parsing error: template: :1:2: executing \"\" at <.Name>: Name is not a method but has arguments")]
    [InlineData("{{nil}}", "template parsing error: template: :1:2: executing \"\" at <nil>: nil is not a command")]
    [InlineData("{{range .Name}}{{end}}", "template parsing error: template: :1:8: executing \"\" at <.Name>: range can't iterate over web")]
    [InlineData("{{upper .Name .ID}}", "template parsing error: template: :1:2: executing \"\" at <upper>: wrong number of args for upper: want 1 got 2")]
    [InlineData("{{index .Ports \"a\"}}", "template parsing error: template: :1:2: executing \"\" at <index .Ports \"a\">: error calling index: cannot index slice/array with type string")]
    [InlineData("x\n {{len 3}}", "template parsing error: template: :2:3: executing \"\" at <len 3>: error calling len: len of type int")]
    public void Execution_errors_name_the_place_as_go_does(string format, string message)
    {
        var row = ServiceRow.DeepClone();
        row["Labels"] = new JsonObject { ["a"] = "1" };
        Assert.Equal(message, Assert.Throws<FormatException>(() => GoTemplate.Parse(format).Render(row)).Message);
    }
}
