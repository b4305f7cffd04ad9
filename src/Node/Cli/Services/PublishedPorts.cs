using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>docker's -p/--publish values and the PORTS column of `service ls`.</summary>
public static class PublishedPorts
{
    /// <summary>
    /// The short form <c>[PUBLISHED:]TARGET[/PROTOCOL]</c> (ranges such as <c>8000-8001:80-81</c> too; no published
    /// port asks the swarm for one) or the long form <c>published=8080,target=80,protocol=udp,mode=host</c>.
    /// </summary>
    public static List<PortConfig> Parse(string value, string flag = "publish")
    {
        UsageException Invalid(string why) => UsageException.InvalidFlag(value, flag == "publish" ? "-p, --publish" : $"--{flag}", why);
        if (value.Contains('='))
        {
            var port = new PortConfig { Protocol = "tcp", PublishMode = "ingress" };
            foreach (var field in value.Split(','))
            {
                if (field.Split('=', 2) is not [var key, var raw]) throw Invalid($"invalid field {field}");
                var fieldValue = raw.Trim().ToLowerInvariant();
                switch (key.Trim().ToLowerInvariant())
                {
                    case "mode":
                        port.PublishMode = fieldValue is "ingress" or "host" ? fieldValue : throw Invalid($"invalid publish mode value {fieldValue}");
                        break;
                    case "protocol":
                        port.Protocol = fieldValue is "tcp" or "udp" ? fieldValue : throw Invalid($"invalid protocol value {fieldValue}");
                        break;
                    case "target":
                        port.TargetPort = Number(fieldValue) ?? throw Invalid($"invalid target port {fieldValue}");
                        break;
                    case "published":
                        port.PublishedPort = Number(fieldValue) ?? throw Invalid($"invalid published port {fieldValue}");
                        break;
                    default:
                        throw Invalid($"invalid field key {key}");
                }
            }
            if (port.TargetPort is null or 0) throw Invalid("missing mandatory field \"target\"");
            if (port.PublishedPort == 0) port.PublishedPort = null;
            return [port];
        }

        var (ports, protocol) = value.LastIndexOf('/') is var slash and >= 0 ? (value[..slash], value[(slash + 1)..].ToLowerInvariant()) : (value, "tcp");
        if (protocol is not ("tcp" or "udp")) throw Invalid($"invalid protocol value {protocol}");
        var parts = ports.Split(':');
        if (parts.Length > 2) throw Invalid("a published port binds on every node: an IP address cannot be given");
        var targets = Range(parts[^1]) ?? throw Invalid("invalid target port");
        var published = parts.Length == 2 ? Range(parts[0]) ?? throw Invalid("invalid published port") : ((uint First, uint Last)?)null;
        if (published is { } p && p.Last - p.First != targets.Last - targets.First)
            throw Invalid("the published and target port ranges differ in length");
        if (targets.First == 0) throw Invalid("invalid target port");
        return [.. Enumerable.Range(0, (int)(targets.Last - targets.First + 1)).Select(i => new PortConfig
        {
            Protocol = protocol,
            TargetPort = targets.First + (uint)i,
            // 0 or none: the swarm picks one from 30000–32767
            PublishedPort = published is { First: > 0 } from ? from.First + (uint)i : null,
            PublishMode = "ingress",
        })];
    }

    /// <summary>docker's order for a service's ports after an update: by "published:target/protocol/mode".</summary>
    public static string SortKey(PortConfig port) => $"{port.PublishedPort ?? 0}:{port.TargetPort ?? 0}/{port.Protocol}/{port.PublishMode}";

    /// <summary>
    /// `service ls` PORTS as docker writes it: ingress ports only (host-mode ones are the tasks' business), sorted by
    /// protocol then published port, consecutive ones merged into ranges: <c>*:8000-8001->80-81/tcp</c>.
    /// </summary>
    public static string Column(IEnumerable<PortConfig>? ports)
    {
        var ingress = (ports ?? [])
            .Where(p => (p.PublishMode ?? "ingress") == "ingress")
            .Select(p => (Protocol: p.Protocol ?? "tcp", Published: p.PublishedPort ?? 0, Target: p.TargetPort ?? 0))
            .OrderBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.Published)
            .ToList();
        var shown = new List<string>();
        (string Protocol, uint PStart, uint PEnd, uint TStart, uint TEnd)? range = null;
        foreach (var (protocol, published, target) in ingress)
        {
            // The unsigned differences are docker's: a smaller port wraps around and starts a new range.
            if (range is { } r && protocol == r.Protocol && published - r.PEnd <= 1 && target - r.TEnd <= 1 && !(r.TEnd != r.TStart && target <= r.TEnd))
            {
                range = r with { PEnd = published, TEnd = target };
                continue;
            }
            if (range is { PStart: > 0 } done) shown.Add(Format(done));
            range = (protocol, published, published, target, target);
        }
        if (range is { PStart: > 0 } last) shown.Add(Format(last));
        return string.Join(", ", shown);
    }

    private static string Format((string Protocol, uint PStart, uint PEnd, uint TStart, uint TEnd) r) =>
        $"*:{(r.PEnd > r.PStart ? $"{r.PStart}-{r.PEnd}" : $"{r.PStart}")}->{(r.TEnd > r.TStart ? $"{r.TStart}-{r.TEnd}" : $"{r.TStart}")}/{r.Protocol}";

    private static uint? Number(string text) => uint.TryParse(text, out var n) && n <= 65535 ? n : null;

    private static (uint First, uint Last)? Range(string text)
    {
        var bounds = text.Split('-');
        if (bounds.Length > 2 || Number(bounds[0]) is not { } first) return null;
        var last = bounds.Length == 2 ? Number(bounds[1]) : first;
        return last is { } l && l >= first ? (first, l) : null;
    }
}
