using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Services;

namespace EventSwarm.Infrastructure.Stacks;

// The compose format's value types as docker/cli's loader reads them (cli/compose/loader/loader.go, its transform
// hooks): a field that may be written short or long is read here in both forms, with Go's parsers (time.ParseDuration,
// go-units RAMInBytes, google/shlex, big.Rat for cpus) so that a value means what it means to `docker stack deploy`.
public static partial class ComposeConverter
{
    private static JsonObject? ObjectOrNull(JsonNode? node, string what) => node switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new ComposeException($"{what} must be a mapping"),
    };

    private static JsonArray? ArrayOrNull(JsonNode? node, string what) => node switch
    {
        null => null,
        JsonArray a => a,
        _ => throw new ComposeException($"{what} must be a list"),
    };

    /// <summary>A scalar as Go's fmt.Sprint writes it (docker's toString for mappings); null for null.</summary>
    private static string? Scalar(JsonNode? node, string what) => node switch
    {
        null => null,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => GoNumber(value.ToJsonString()),
            _ => null,
        },
        _ => throw new ComposeException($"{what} must be a string or a number"),
    };

    private static string? String(JsonObject o, string key, string what) => Scalar(o[key], $"{what}.{key}");

    private static bool Bool(JsonObject o, string key, string what) => o[key] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => throw new ComposeException($"{what}.{key} must be a boolean"),
    };

    private static bool? OptionalBool(JsonObject o, string key, string what) => o[key] is null ? null : Bool(o, key, what);

    private static long? Integer(JsonObject o, string key, string what)
    {
        var node = o[key];
        if (node is null) return null;
        var text = node is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String ? Scalar(node, what) : null;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ComposeException($"{what}.{key} must be an integer, not {node.ToJsonString()}");
    }

    private static double? Number(JsonObject o, string key, string what)
    {
        var node = o[key];
        if (node is null) return null;
        var text = node is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String ? Scalar(node, what) : null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ComposeException($"{what}.{key} must be a number, not {node.ToJsonString()}");
    }

    /// <summary>Go's %v of a float64 (strconv 'g', shortest): %e form when the exponent is below -4 or 6 and above.</summary>
    private static string GoNumber(string json)
    {
        if (long.TryParse(json, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return integer.ToString(CultureInfo.InvariantCulture);
        var value = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
        // "R" gives the shortest round-trip digits; re-spell them as Go's strconv 'g' with precision -1 does.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip.StartsWith('-');
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponentAt = body.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? body : body[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(body[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = (point < 0 ? mantissa : mantissa.Remove(point, 1)).TrimStart('0');
        var leadingZeros = (point < 0 ? mantissa : mantissa.Remove(point, 1)).Length - digits.Length;
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return negative ? "-0" : "0";
        var exp = decimalPoint - 1;
        var sign = negative ? "-" : "";
        if (exp < -4 || exp >= 6)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            return $"{sign}{digits[0]}{fraction}e{(exp < 0 ? '-' : '+')}{Math.Abs(exp):00}";
        }
        if (decimalPoint <= 0) return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
        if (decimalPoint >= digits.Length) return sign + digits + new string('0', decimalPoint - digits.Length);
        return $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
    }

    /// <summary>A string or a list of strings (docker's StringList).</summary>
    private static ImmutableArray<string> StringList(JsonNode? node, string what) => node switch
    {
        null => [],
        JsonArray list => [.. list.Select(item => Scalar(item, what) ?? "")],
        _ => [Scalar(node, what) ?? ""],
    };

    /// <summary>A command written as a string is split as a shell would (google/shlex, docker's ShellCommand).</summary>
    private static ImmutableArray<string> ShellCommand(JsonNode? node, string what) => node switch
    {
        null => [],
        JsonArray list => [.. list.Select(item => Scalar(item, what) ?? "")],
        _ => ShellSplit(Scalar(node, what) ?? "", what),
    };

    /// <summary>
    /// A mapping written as a map or as a list of "key=value" (docker's Labels, Mapping): a key without a value
    /// maps to "", as does a null.
    /// </summary>
    private static ImmutableDictionary<string, string> Mapping(JsonNode? node, string what)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var (key, value) in MappingWithNulls(node, what)) builder[key] = value ?? "";
        return builder.ToImmutable();
    }

    /// <summary>The same, keeping a key written without "=" (or a null) as null: docker's MappingWithEquals (environment).</summary>
    private static IEnumerable<(string Key, string? Value)> MappingWithNulls(JsonNode? node, string what)
    {
        switch (node)
        {
            case null:
                yield break;
            case JsonObject map:
                foreach (var (key, value) in map) yield return (key, Scalar(value, $"{what}.{key}"));
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    var entry = Scalar(item, what) ?? "";
                    var equals = entry.IndexOf('=');
                    yield return equals < 0 ? (entry, null) : (entry[..equals], entry[(equals + 1)..]);
                }
                break;
            default:
                throw new ComposeException($"{what} must be a mapping or a list");
        }
    }

    /// <summary>A map of strings only (docker's map[string]string: driver_opts, logging options); null when absent.</summary>
    private static ImmutableDictionary<string, string>? StringMap(JsonNode? node, string what) => node switch
    {
        null => null,
        JsonObject map => map.ToImmutableDictionary(p => p.Key, p => Scalar(p.Value, $"{what}.{p.Key}") ?? ""),
        _ => throw new ComposeException($"{what} must be a mapping"),
    };

    // ---- durations: Go's time.ParseDuration

    private static Duration? OptionalDuration(JsonObject o, string key, string what) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ParseDuration(v.GetValue<string>(), $"{what}.{key}"),
        var other => throw new ComposeException($"{what}.{key}: invalid type {other.GetValueKind().ToString().ToLowerInvariant()} for duration {other.ToJsonString()}"),
    };

    private static Duration DurationOrZero(JsonObject o, string key, string what) => OptionalDuration(o, key, what) ?? Duration.Zero;

    private static readonly (string Unit, long Nanoseconds)[] DurationUnits =
    [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ];

    /// <summary>"1m30s", "1.5h", "300ms": decimal numbers each with a unit, as Go reads them ("0" alone needs none).</summary>
    private static Duration ParseDuration(string text, string what)
    {
        var invalid = new ComposeException($"{what}: time: invalid duration \"{text}\"");
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return Duration.Zero;
        if (s.Length == 0) throw invalid;
        ulong total = 0;
        while (s.Length > 0)
        {
            var i = 0;
            ulong whole = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (whole > (ulong.MaxValue - 9) / 10) throw invalid;
                whole = whole * 10 + (ulong)(s[i] - '0');
                i++;
            }
            var wholeDigits = i;
            ulong fraction = 0;
            double scale = 1;
            var fractionDigits = 0;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var overflow = false;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (!overflow && fraction <= (ulong.MaxValue - 9) / 10)
                    {
                        fraction = fraction * 10 + (ulong)(s[i] - '0');
                        scale *= 10;
                    }
                    else overflow = true;
                    i++;
                    fractionDigits++;
                }
            }
            if (wholeDigits == 0 && fractionDigits == 0) throw invalid;
            var unitStart = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i])) i++;
            var unit = s[unitStart..i];
            if (unit.Length == 0) throw new ComposeException($"{what}: time: missing unit in duration \"{text}\"");
            var found = Array.FindIndex(DurationUnits, u => u.Unit == unit);
            if (found < 0) throw new ComposeException($"{what}: time: unknown unit \"{unit}\" in duration \"{text}\"");
            var perUnit = (ulong)DurationUnits[found].Nanoseconds;
            if (whole > (1UL << 63) / perUnit) throw invalid;
            var value = whole * perUnit;
            if (fraction > 0)
            {
                value += (ulong)(fraction * (perUnit / scale));
                if (value > 1UL << 63) throw invalid;
            }
            total += value;
            if (total > 1UL << 63) throw invalid;
            s = s[i..];
        }
        if (!negative && total > long.MaxValue) throw invalid;
        return new Duration(negative ? -(long)(total - 1) - 1 : (long)total);
    }

    // ---- sizes: go-units RAMInBytes (binary multiples: 1k = 1024)

    private static long? OptionalSize(JsonObject o, string key, string what)
    {
        var node = o[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return Integer(o, key, what);
        return RamInBytes(Scalar(node, $"{what}.{key}") ?? "", $"{what}.{key}");
    }

    private static readonly SearchValues<char> SizeNumberChars = SearchValues.Create("0123456789. ");

    private static long RamInBytes(string text, string what)
    {
        var sep = text.AsSpan().LastIndexOfAny(SizeNumberChars);
        if (sep < 0) throw new ComposeException($"{what}: invalid size: '{text}'");
        string number, suffix;
        if (text[sep] != ' ')
        {
            number = text[..(sep + 1)];
            suffix = text[(sep + 1)..];
        }
        else
        {
            number = text[..sep];
            suffix = text[(sep + 1)..];
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var size))
            throw new ComposeException($"{what}: strconv.ParseFloat: parsing \"{number}\": invalid syntax");
        if (size < 0) throw new ComposeException($"{what}: invalid size: '{text}'");
        if (suffix.Length == 0) return (long)size;
        var badSuffix = new ComposeException($"{what}: invalid suffix: '{suffix}'");
        if (suffix.Length > 3) throw badSuffix;
        suffix = suffix.ToLowerInvariant();
        if (suffix[0] == 'b') return suffix.Length > 1 ? throw badSuffix : (long)size;
        var multiplier = suffix[0] switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            'p' => 1L << 50,
            _ => throw badSuffix,
        };
        if ((suffix.Length == 2 && suffix[1] != 'b') || (suffix.Length == 3 && suffix[1..] != "ib")) throw badSuffix;
        return (long)(size * multiplier);
    }

    // ---- cpus: docker's opts.ParseCPUs, a rational number of CPUs to whole nanoCPUs

    private static long ParseCpus(string text, string what)
    {
        if (!TryParseRational(text, out var numerator, out var denominator))
            throw new ComposeException($"{what}: failed to parse {text} as a rational number");
        numerator *= 1_000_000_000;
        if (numerator % denominator != 0) throw new ComposeException($"{what}: value is too precise");
        return (long)(numerator / denominator);
    }

    /// <summary>big.Rat's SetString: "a/b", or a decimal with an optional fraction and exponent.</summary>
    private static bool TryParseRational(string text, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = BigInteger.Zero;
        denominator = BigInteger.One;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!BigInteger.TryParse(text[..slash], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numerator)
                || !BigInteger.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out denominator)
                || denominator.IsZero)
                return false;
            return true;
        }
        var s = text;
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
            s = s[..e];
        }
        var negative = s.StartsWith('-');
        if (s.Length > 0 && s[0] is '-' or '+') s = s[1..];
        var point = s.IndexOf('.');
        var digits = point < 0 ? s : s.Remove(point, 1);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return false;
        if (point >= 0) exponent -= s.Length - point - 1;
        numerator = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (negative) numerator = -numerator;
        if (exponent >= 0) numerator *= BigInteger.Pow(10, exponent);
        else denominator = BigInteger.Pow(10, -exponent);
        return true;
    }

    // ---- google/shlex: words, "double quotes" with backslash escapes, 'single quotes' literal, # comments

    private static ImmutableArray<string> ShellSplit(string text, string what)
    {
        var words = ImmutableArray.CreateBuilder<string>();
        var i = 0;
        while (true)
        {
            // Between words: skip blanks; a '#' here starts a comment up to the end of the line.
            while (i < text.Length && text[i] is ' ' or '\t' or '\r' or '\n') i++;
            if (i >= text.Length) return words.ToImmutable();
            if (text[i] == '#')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            var word = new StringBuilder();
            var ended = false;
            while (!ended && i < text.Length)
            {
                var c = text[i++];
                switch (c)
                {
                    case ' ' or '\t' or '\r' or '\n':
                        ended = true;
                        break;
                    case '\\':
                        if (i >= text.Length) throw new ComposeException($"{what}: EOF found after escape character");
                        word.Append(text[i++]);
                        break;
                    case '\'':
                        var close = text.IndexOf('\'', i);
                        if (close < 0) throw new ComposeException($"{what}: EOF found when expecting closing quote");
                        word.Append(text, i, close - i);
                        i = close + 1;
                        break;
                    case '"':
                        while (true)
                        {
                            if (i >= text.Length) throw new ComposeException($"{what}: EOF found when expecting closing quote");
                            var q = text[i++];
                            if (q == '"') break;
                            if (q == '\\')
                            {
                                if (i >= text.Length) throw new ComposeException($"{what}: EOF found after escape character");
                                q = text[i++];
                            }
                            word.Append(q);
                        }
                        break;
                    default:
                        word.Append(c);
                        break;
                }
            }
            words.Add(word.ToString());
        }
    }
}
