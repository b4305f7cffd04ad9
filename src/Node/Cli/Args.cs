namespace EventSwarm.Node.Cli;

public sealed record Flag(string Name, char? Short = null, bool TakesValue = true);

public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// docker-style command-line arguments: flags first (<c>--name x</c>, <c>--name=x</c>, <c>-d</c>), then
/// positionals. With <paramref name="interspersed"/> false, parsing stops at the first positional, so that
/// <c>service create busybox sh -c "…"</c> hands <c>-c</c> to the container, not to us.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, List<string>> _values = new();

    public List<string> Positionals { get; } = [];

    public static Args Parse(IReadOnlyList<string> args, IReadOnlyList<Flag> flags, bool interspersed = true)
    {
        var parsed = new Args();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                parsed.Positionals.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                if (!interspersed)
                {
                    parsed.Positionals.AddRange(args.Skip(i));
                    break;
                }
                parsed.Positionals.Add(arg);
                continue;
            }
            var (name, inline) = arg.StartsWith("--")
                ? (arg[2..].Split('=', 2)[0], arg.Contains('=') ? arg[(arg.IndexOf('=') + 1)..] : null)
                : (arg[1..2], arg.Length > 2 ? arg[2..].TrimStart('=') : null);
            var flag = arg.StartsWith("--")
                ? flags.FirstOrDefault(f => f.Name == name)
                : flags.FirstOrDefault(f => f.Short == name[0]);
            if (flag is null) throw new UsageException($"unknown flag: {arg.Split('=')[0]}");
            string value;
            if (!flag.TakesValue) value = inline ?? "true";
            else if (inline is not null) value = inline;
            else if (i + 1 < args.Count) value = args[++i];
            else throw new UsageException($"flag needs an argument: --{flag.Name}");
            if (!parsed._values.TryGetValue(flag.Name, out var list)) parsed._values[flag.Name] = list = [];
            list.Add(value);
        }
        return parsed;
    }

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public bool Has(string name) => _values.ContainsKey(name) && Value(name) != "false";

    public long? Long(string name) => Value(name) is { } v
        ? long.TryParse(v, out var n) ? n : throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: expected an integer")
        : null;

    public TimeSpan? Duration(string name) => Value(name) is { } v ? Units.ParseDuration(v, name) : null;
}
