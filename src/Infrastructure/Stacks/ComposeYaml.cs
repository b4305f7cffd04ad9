using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>
/// A compose file's YAML read into a JSON tree, typed as docker's loader gets it from go-yaml (v3) decoding into
/// `interface{}`: a plain scalar is null (`~`, `null`, empty), a boolean (`true`/`false` only: YAML 1.1's yes/no/on/off
/// stay strings, as in go-yaml v3), an integer (decimal, 0x hex, 0o or leading-0 octal, 0b binary), a float (`1.5`, `1e3`), else a string; a quoted
/// scalar or one tagged `!!str` is always a string. Anchors and aliases are resolved; merge keys (`&lt;&lt;`) merge the
/// mapping (or the list of mappings) they name, keys written beside them winning.
/// </summary>
internal static partial class ComposeYaml
{
    /// <summary>The file's top-level mapping; <paramref name="file"/> names it in errors ("docker-compose.yml: yaml: line 3, column 5: …").</summary>
    public static JsonObject Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // YamlDotNet places a tab used as indentation at the start of the enclosing mapping: name the tab itself.
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentingTab(text) is var (line, column))
                throw new ComposeException($"{file}: yaml: line {line}, column {column}: found a tab character where indentation is expected (indent with spaces)");
            if (e is AnchorNotFoundException && UnknownAlias(text) is var (name, at))
                throw new ComposeException($"{file}: yaml: line {at.Line}, column {at.Column}: unknown anchor '{name}' referenced");
            throw new ComposeException($"{file}: yaml: line {e.Start.Line}, column {e.Start.Column}: {Problem(e)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections: name the last place it read.
            var (line, column) = LastGoodMark(text);
            throw new ComposeException($"{file}: yaml: line {line}, column {column}: malformed YAML after this point (an unterminated [ ] or {{ }}?)");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ComposeException($"{file}: top-level object must be a mapping");
        return (JsonObject)ToJson(root, file, depth: 0)!;
    }

    private static (long Line, long Column)? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent) return (i + 1, tab + 1);
        }
        return null;
    }

    // YamlDotNet places an unknown alias at the start of the document: find the alias itself.
    private static (string Name, Mark At)? UnknownAlias(string text)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                    return (alias.Value.Value, alias.Start);
                case YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false } node:
                    anchors.Add(node.Anchor.Value);
                    break;
            }
        }
        return null;
    }

    private static (long Line, long Column) LastGoodMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var mark = Mark.Empty;
        try
        {
            while (parser.MoveNext()) mark = parser.Current!.End;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // the place reached is what we wanted
        }
        return (mark.Line, mark.Column);
    }

    /// <summary>YamlDotNet's message without the position it prefixes ("(Line: 1, Col: 2, Idx: 3) - (…): problem").</summary>
    private static string Problem(YamlException e)
    {
        var message = e.InnerException is { } inner && e.Message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase) ? inner.Message : e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
    }

    // Aliases make a tree a graph: a "billion laughs" document expands exponentially, so the depth is bounded.
    private const int MaxDepth = 200;

    private static JsonNode? ToJson(YamlNode node, string file, int depth)
    {
        if (depth > MaxDepth)
            throw new ComposeException($"{file}: yaml: line {node.Start.Line}, column {node.Start.Column}: document nested too deeply (or an alias refers to itself)");
        switch (node)
        {
            case YamlScalarNode scalar:
                return Scalar(scalar);
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children) array.Add(ToJson(item, file, depth + 1));
                return array;
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                var merged = new List<YamlNode>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: "<<" })
                    {
                        merged.Add(valueNode);
                        continue;
                    }
                    var key = keyNode is YamlScalarNode k ? k.Value ?? "" : throw new ComposeException(
                        $"{file}: yaml: line {keyNode.Start.Line}, column {keyNode.Start.Column}: a mapping key must be a scalar");
                    if (obj.ContainsKey(key))
                        throw new ComposeException($"{file}: yaml: line {keyNode.Start.Line}, column {keyNode.Start.Column}: mapping key \"{key}\" already defined");
                    obj[key] = ToJson(valueNode, file, depth + 1);
                }
                foreach (var source in merged) Merge(obj, source, file, depth);
                return obj;
            default:
                throw new ComposeException($"{file}: yaml: line {node.Start.Line}, column {node.Start.Column}: unsupported node");
        }
    }

    // YAML's merge key (yaml.org/type/merge.html): keys of the mapping itself win, then the merged mappings in order.
    private static void Merge(JsonObject into, YamlNode source, string file, int depth)
    {
        var sources = source switch
        {
            YamlMappingNode m => [m],
            YamlSequenceNode s when s.Children.All(c => c is YamlMappingNode) => s.Children.Cast<YamlMappingNode>().ToList(),
            _ => throw new ComposeException($"{file}: yaml: line {source.Start.Line}, column {source.Start.Column}: map merge requires map or sequence of maps as the value"),
        };
        foreach (var mapping in sources)
        {
            var obj = (JsonObject)ToJson(mapping, file, depth + 1)!;
            foreach (var (key, value) in obj.ToList())
            {
                if (into.ContainsKey(key)) continue;
                obj.Remove(key);
                into[key] = value;
            }
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str")) return JsonValue.Create(text);
        return Plain(text);
    }

    /// <summary>A plain scalar's type, as go-yaml v3 resolves it (YAML 1.2 core schema, plus 0o octal).</summary>
    internal static JsonNode? Plain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (IntegerPattern().IsMatch(text))
        {
            var clean = text.Replace("_", "", StringComparison.Ordinal);
            var negative = clean.StartsWith('-');
            var digits = clean.TrimStart('+', '-');
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
                return Number(negative ? -hex : hex);
            // go-yaml v3 reads integers with strconv.ParseInt(s, 0, 64): `0o17` and `017` are octal (a file mode
            // `mode: 0440` is 288), `0b101` binary.
            var octalDigits = digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? digits[2..]
                : digits.Length > 1 && digits[0] == '0' && digits.All(c => c is >= '0' and <= '7') ? digits[1..]
                : null;
            if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
            {
                try { var binary = Convert.ToInt64(digits[2..], 2); return Number(negative ? -binary : binary); }
                catch (FormatException) { return JsonValue.Create(text); }
                catch (OverflowException) { return JsonValue.Create(text); }
            }
            if (octalDigits is not null)
            {
                try { var octal = Convert.ToInt64(octalDigits, 8); return Number(negative ? -octal : octal); }
                catch (FormatException) { return JsonValue.Create(text); }
                catch (OverflowException) { return JsonValue.Create(text); }
            }
            if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return Number(integer);
        }
        if (FloatPattern().IsMatch(text) && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            return Number(real);
        return JsonValue.Create(text);
    }

    // Numbers are JsonElement-backed (parsed from their text), so GetValue<int>, <long> and <double> all read them.
    internal static JsonNode Number(long value) => JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture))!;

    internal static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonNode.Parse(value.ToString("R", CultureInfo.InvariantCulture))! : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
