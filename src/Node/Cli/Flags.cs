using System.CommandLine;
using System.Globalization;

namespace EventSwarm.Node.Cli;

/// <summary>
/// docker's flag kinds (pflag's: string, list, bool, uint, duration, bytes …) as System.CommandLine options. Values
/// stay strings until a verb reads them through the helpers below, so that a value that does not parse fails with
/// pflag's wording (<c>invalid argument "x" for "--replicas" flag: strconv.ParseUint: …</c>, exit 125).
/// The type name is the option's HelpName: docker's help prints it after the flag (<c>--replicas uint</c>).
/// </summary>
public static class Flags
{
    /// <summary>A one-value flag; given twice, the last wins, as with pflag.</summary>
    public static Option<string> String(string name, string description, string kind = "string", string? shorthand = null) =>
        new(name, Aliases(shorthand))
        {
            Description = description,
            HelpName = kind,
            Arity = new ArgumentArity(1, 64),
            CustomParser = r => r.Tokens.Count > 0 ? r.Tokens[^1].Value : null,
        };

    /// <summary>A repeatable flag (<c>-e A=1 -e B=2</c>); pflag's "list".</summary>
    public static Option<string[]> List(string name, string description, string kind = "list", string? shorthand = null) =>
        new(name, Aliases(shorthand)) { Description = description, HelpName = kind, Arity = ArgumentArity.ZeroOrMore };

    public static Option<bool> Bool(string name, string description, string? shorthand = null) =>
        new(name, Aliases(shorthand)) { Description = description };

    private static string[] Aliases(string? shorthand) => shorthand is null ? [] : [shorthand];

    /// <summary>How pflag names a flag in its errors: <c>"-d, --detach"</c> with a shorthand, <c>"--replicas"</c> without.</summary>
    public static string Label(Option option) =>
        option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-') is { } shorthand ? $"{shorthand}, {option.Name}" : option.Name;

    public static string? Value(this ParseResult result, Option<string> option) => result.GetValue(option);

    public static IReadOnlyList<string> Values(this ParseResult result, Option<string[]> option) => result.GetValue(option) ?? [];

    public static bool Has(this ParseResult result, Option<bool> option) => result.GetValue(option);

    public static ulong? UInt(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw UsageException.InvalidFlag(text, Label(option), $"strconv.ParseUint: parsing \"{text}\": invalid syntax")
        : null;

    public static long? Int(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : throw UsageException.InvalidFlag(text, Label(option), $"strconv.ParseInt: parsing \"{text}\": invalid syntax")
        : null;

    public static double? Float(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n
            : throw UsageException.InvalidFlag(text, Label(option), $"strconv.ParseFloat: parsing \"{text}\": invalid syntax")
        : null;

    /// <summary>docker's NanoCPUs flags (<c>--limit-cpu 0.5</c>): a decimal number of CPUs, sent in billionths.</summary>
    public static long? NanoCpus(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? (long)(n * 1_000_000_000m)
            : throw UsageException.InvalidFlag(text, Label(option), $"failed to parse {text} as a rational number")
        : null;

    public static TimeSpan? Duration(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? Units.TryParseSignedDuration(text) ?? throw UsageException.InvalidFlag(text, Label(option), $"time: invalid duration \"{text}\"")
        : null;

    /// <summary>docker's PositiveDurationOpt (the --health-* durations): a Go duration that is not negative.</summary>
    public static TimeSpan? PositiveDuration(this ParseResult result, Option<string> option) => result.Duration(option) is { } value
        ? value >= TimeSpan.Zero ? value : throw UsageException.InvalidFlag(result.GetValue(option)!, Label(option), "duration cannot be negative")
        : null;

    /// <summary>Whether the line gives this flag at all (pflag's Changed): <c>--tty=false</c> is given.</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    public static long? Bytes(this ParseResult result, Option<string> option) => result.GetValue(option) is { } text
        ? Units.TryParseBytes(text) ?? throw UsageException.InvalidFlag(text, Label(option), $"invalid size: '{text}'")
        : null;

    /// <summary>docker's <c>key=value</c> lists (labels, sysctls, log options): a key alone has an empty value.</summary>
    public static Dictionary<string, string>? KeyValues(this ParseResult result, Option<string[]> option) =>
        result.Values(option) is { Count: > 0 } pairs ? pairs.Select(p => p.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last() is [_, var v] ? v : "") : null;

    public static List<string>? ListOrNull(this ParseResult result, Option<string[]> option) =>
        result.Values(option) is { Count: > 0 } values ? [.. values] : null;
}
