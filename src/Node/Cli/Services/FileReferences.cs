using System.CommandLine;
using System.Text;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// docker's <c>--secret</c>/<c>--config</c> values (opts/swarmopts SecretOpt, ConfigOpt): a name alone, or a CSV of
/// <c>source|src=NAME,target=FILE,uid=U,gid=G,mode=M</c> (keys in any case; mode as Go reads an integer literal:
/// <c>0400</c> octal, <c>0x</c> hex, else decimal). Defaults: target = the name, uid and gid "0", mode 0444. The
/// name goes as SecretName/ConfigName with an empty ID: the manager resolves it and refuses an unknown one
/// ("secret not found: x"), where docker lists the secrets first.
/// </summary>
public static class FileReferences
{
    private const uint DefaultMode = 0x124; // 0444

    public static SecretReference ParseSecret(string value, Option option)
    {
        var (source, file) = Parse(value, option, "secret");
        return new SecretReference
        {
            SecretName = source,
            SecretID = "",
            File = new SecretReferenceFileTarget { Name = file.Name, UID = file.UID, GID = file.GID, Mode = file.Mode },
        };
    }

    public static SwarmConfigReference ParseConfig(string value, Option option)
    {
        var (source, file) = Parse(value, option, "config");
        return new SwarmConfigReference
        {
            ConfigName = source,
            ConfigID = "",
            File = new ConfigReferenceFileTarget { Name = file.Name, UID = file.UID, GID = file.GID, Mode = file.Mode },
        };
    }

    /// <summary>Every <c>--secret</c> given; as docker's ParseSecrets, two with the same target are refused.</summary>
    public static List<SecretReference>? Secrets(ParseResult result, Option<string[]> option)
    {
        var secrets = result.Values(option).Select(v => ParseSecret(v, option)).ToList();
        if (secrets.GroupBy(s => s.File?.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"duplicate secret target for {twice.Last().SecretName} not allowed");
        return secrets.Count > 0 ? secrets : null;
    }

    /// <summary>Every <c>--config</c> given; as docker's ParseConfigs, two with the same target are refused.</summary>
    public static List<SwarmConfigReference>? Configs(ParseResult result, Option<string[]> option)
    {
        var configs = result.Values(option).Select(v => ParseConfig(v, option)).ToList();
        if (configs.GroupBy(c => c.File?.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"duplicate config target for {twice.Last().ConfigName} not allowed");
        return configs.Count > 0 ? configs : null;
    }

    private sealed record Target(string Name, string UID, string GID, uint Mode);

    private static (string Source, Target File) Parse(string value, Option option, string noun)
    {
        UsageException Invalid(string why) => UsageException.InvalidFlag(value, Flags.Label(option), why);
        List<string> fields;
        try
        {
            fields = CsvRecord(value) ?? throw Invalid("EOF");
        }
        catch (FormatException e)
        {
            throw Invalid(e.Message);
        }
        if (fields is [var simple] && !simple.Contains('=')) return (simple, new Target(simple, "0", "0", DefaultMode));
        string source = "", target = "", uid = "0", gid = "0";
        var mode = DefaultMode;
        foreach (var field in fields)
        {
            var at = field.IndexOf('=');
            if (at <= 0) throw Invalid($"invalid field '{field}' must be a key=value pair");
            var (key, val) = (field[..at], field[(at + 1)..]);
            switch (key.ToLowerInvariant())
            {
                case "source" or "src": source = val; break;
                case "target": target = val; break;
                case "uid": uid = val; break;
                case "gid": gid = val; break;
                case "mode":
                    var (parsed, error) = ParseMode(val);
                    mode = error is null ? parsed : throw Invalid($"invalid mode specified: {error}");
                    break;
                default: throw Invalid($"invalid field in {noun} request: {key}");
            }
        }
        if (source == "") throw Invalid("source is required");
        return (source, new Target(target == "" ? source : target, uid, gid, mode));
    }

    /// <summary>
    /// Go's strconv.ParseUint(s, 0, 32), as docker reads a mode: 0x/0o/0b prefixes, a leading 0 for octal, underscores
    /// between digits; the error in Go's words ("invalid syntax", "value out of range").
    /// </summary>
    public static (uint Value, string? Error) ParseMode(string text)
    {
        string Fail(string why) => $"strconv.ParseUint: parsing \"{text}\": {why}";
        if (text.Length == 0) return (0, Fail("invalid syntax"));
        var (digits, radix) = text switch
        {
            ['0', 'x' or 'X', _, ..] => (text[2..], 16),
            ['0', 'o' or 'O', _, ..] => (text[2..], 8),
            ['0', 'b' or 'B', _, ..] => (text[2..], 2),
            ['0', ..] => (text[1..], 8),
            _ => (text, 10),
        };
        ulong n = 0;
        var underscores = false;
        foreach (var c in digits)
        {
            if (c == '_')
            {
                underscores = true;
                continue;
            }
            var d = c is >= '0' and <= '9' ? c - '0' : char.ToLowerInvariant(c) is >= 'a' and <= 'z' and var l ? l - 'a' + 10 : 99;
            if (d >= radix) return (0, Fail("invalid syntax"));
            n = n * (ulong)radix + (ulong)d;
            if (n > uint.MaxValue) return (0, Fail("value out of range"));
        }
        return underscores && !UnderscoresOk(text) ? (0, Fail("invalid syntax")) : ((uint)n, null);
    }

    /// <summary>Go's underscoreOK: an underscore only between digits, or between a base prefix and a digit.</summary>
    private static bool UnderscoresOk(string s)
    {
        var saw = '^';
        var i = 0;
        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }
        for (; i < s.Length; i++)
        {
            if (char.IsAsciiDigit(s[i]) || hex && char.IsAsciiHexDigit(s[i]))
            {
                saw = '0';
                continue;
            }
            if (s[i] == '_')
            {
                if (saw != '0') return false;
                saw = '_';
                continue;
            }
            if (saw == '_') return false;
            saw = '!';
        }
        return saw != '_';
    }

    /// <summary>
    /// The first record of Go's encoding/csv (what docker's SecretOpt reads): commas split fields, a field may be
    /// quoted ("a,b", "" for a quote). Null for empty input (Go's io.EOF); a misplaced quote is a
    /// <see cref="FormatException"/> in Go's words.
    /// </summary>
    public static List<string>? CsvRecord(string text)
    {
        var line = text.Split('\n')[0].TrimEnd('\r');
        if (text.Length == 0) return null;
        var fields = new List<string>();
        var i = 0;
        while (true)
        {
            var field = new StringBuilder();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"parse error on line 1, column {i + 1}: extraneous or missing \" in quoted-field");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        if (i < line.Length && line[i] != ',') throw new FormatException($"parse error on line 1, column {i}: extraneous or missing \" in quoted-field");
                        break;
                    }
                    field.Append(line[i++]);
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"') throw new FormatException($"parse error on line 1, column {i + 1}: bare \" in non-quoted-field");
                    field.Append(line[i++]);
                }
            }
            fields.Add(field.ToString());
            if (i >= line.Length) return fields;
            i++; // the comma
        }
    }
}
