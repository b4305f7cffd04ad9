using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>The value syntaxes docker's service flags share (cli/command/service/opts.go): networks, mounts, hosts, ulimits.</summary>
public static class ServiceFlags
{
    public static Option<bool> Detach() => Flags.Bool("--detach", "Exit immediately instead of waiting for the service to converge", "-d");

    public static Option<bool> Quiet() => Flags.Bool("--quiet", "Suppress progress output", "-q");

    /// <summary>Ours, not docker's (docker waits without end): how long the progress display waits for convergence.</summary>
    public static Option<string> Timeout() => Flags.String("--timeout", "How long to wait for the service to converge (ns|us|ms|s|m|h) (default 5m0s)", "duration");

    public static Option<string> EndpointMode() => Flags.String("--endpoint-mode", "Endpoint mode (vip or dnsrr) (default \"vip\")");

    public static TimeSpan WaitFor(ParseResult result, Option<string> timeout) => result.Duration(timeout) ?? TimeSpan.FromMinutes(5);

    public static string? EndpointMode(ParseResult result, Option<string> option) => result.Value(option) switch
    {
        null => null,
        "vip" => "vip",
        "dnsrr" => "dnsrr",
        var other => throw UsageException.InvalidFlag(other, Flags.Label(option), "must be vip or dnsrr"),
    };

    /// <summary>docker's --network: a name or ID, or the long form name=NETWORK,alias=NAME[,alias=NAME...].</summary>
    public static NetworkAttachmentConfig ParseNetwork(string value)
    {
        if (!value.Contains('=')) return new NetworkAttachmentConfig { Target = value };
        var attachment = new NetworkAttachmentConfig();
        var aliases = new List<string>();
        foreach (var field in value.Split(','))
        {
            switch (field.Split('=', 2))
            {
                case ["name", var name]: attachment.Target = name; break;
                case ["alias", var alias]: aliases.Add(alias); break;
                default: throw new UsageException($"invalid field '{field}' in --network \"{value}\": expected name=NETWORK or alias=NAME");
            }
        }
        if (string.IsNullOrEmpty(attachment.Target)) throw new UsageException($"invalid --network \"{value}\": the network name is missing");
        attachment.Aliases = aliases.Count > 0 ? aliases : null;
        return attachment;
    }

    /// <summary>docker's --mount CSV: type=volume,source=data,target=/data,readonly</summary>
    public static Mount ParseMount(string csv)
    {
        var mount = new Mount { Type = "volume" };
        foreach (var field in csv.Split(','))
        {
            var (key, value) = field.Split('=', 2) is [var k, var v] ? (k.Trim().ToLowerInvariant(), v) : (field.Trim().ToLowerInvariant(), null);
            switch (key)
            {
                case "type": mount.Type = value; break;
                case "source" or "src": mount.Source = value; break;
                case "target" or "dst" or "destination": mount.Target = value; break;
                case "readonly" or "ro": mount.ReadOnly = value is null or "1" or "true"; break;
                default: throw new UsageException($"invalid field '{key}' in --mount \"{csv}\"");
            }
        }
        return mount;
    }

    /// <summary>docker's --host: "HOST:IP" on the command line, "IP HOST" in the spec (as /etc/hosts writes it).</summary>
    public static string ParseHost(string value) =>
        value.IndexOf(':') is var at and > 0 ? $"{value[(at + 1)..]} {value[..at]}" : throw UsageException.InvalidFlag(value, "--host", "expected HOST:IP");

    /// <summary>docker's --ulimit: NAME=SOFT[:HARD]</summary>
    public static Ulimit ParseUlimit(string value)
    {
        if (value.Split('=', 2) is not [var name, var limits]) throw UsageException.InvalidFlag(value, "--ulimit", "expected NAME=SOFT[:HARD]");
        var parts = limits.Split(':', 2);
        if (!long.TryParse(parts[0], out var soft) || !long.TryParse(parts.Length > 1 ? parts[1] : parts[0], out var hard))
            throw UsageException.InvalidFlag(value, "--ulimit", "limits must be integers");
        return new Ulimit { Name = name, Soft = soft, Hard = hard };
    }

    /// <summary>
    /// docker's ShlexOpt (--entrypoint, --args): the value split into words as a POSIX shell would, quotes and
    /// backslashes honoured (google/shlex, which docker uses), so <c>--args "sh -c 'sleep 1'"</c> is three words.
    /// </summary>
    public static List<string> ParseShellWords(string value, string flag)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\':
                    if (++i >= value.Length) throw UsageException.InvalidFlag(value, flag, "EOF found after escape character");
                    word.Append(value[i]);
                    inWord = true;
                    break;
                case '\'':
                    var close = value.IndexOf('\'', i + 1);
                    if (close < 0) throw UsageException.InvalidFlag(value, flag, "EOF found when expecting closing quote");
                    word.Append(value, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    for (i++; ; i++)
                    {
                        if (i >= value.Length) throw UsageException.InvalidFlag(value, flag, "EOF found when expecting closing quote");
                        if (value[i] == '"') break;
                        if (value[i] == '\\' && i + 1 < value.Length && value[i + 1] is '"' or '\\' or '$' or '`') i++;
                        word.Append(value[i]);
                    }
                    inWord = true;
                    break;
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>docker's placementPrefOpts: <c>spread=node.labels.zone</c>, the one strategy Swarm has.</summary>
    public static PlacementPreference ParsePlacementPref(string value, string flag)
    {
        if (value.Split('=', 2) is not [var strategy, var descriptor])
            throw UsageException.InvalidFlag(value, flag, "placement preference must be of the format \"<strategy>=<arg>\"");
        if (!strategy.Equals("spread", StringComparison.OrdinalIgnoreCase))
            throw UsageException.InvalidFlag(value, flag, $"unsupported placement preference {strategy} (only spread is supported)");
        return new PlacementPreference { Spread = new SpreadOver { SpreadDescriptor = descriptor } };
    }

    internal static string StateName(TaskState? state) => state?.ToString().ToLowerInvariant() ?? "";

    internal static string ShortImage(string image) => image.Split('@')[0];

    internal static long VersionOf(SwarmService service) =>
        (long)(service.Version?.Index ?? throw new UsageException($"service {service.ID} came back without a version"));
}
