namespace EventSwarm.Node.Api.Events;

/// <summary>
/// <c>docker events --filter</c> as dockerd applies it (daemon/events/filter.go): every filter given must match;
/// the values of one filter are alternatives; an object filter (<c>service=</c>, <c>node=</c>…) matches the start of
/// the actor's ID or name, whatever the event's type. Unknown filter names are refused in the words dockerd uses for
/// its other lists ("Invalid filter 'x'"), where dockerd itself would ignore them on /events and show every event.
/// </summary>
public sealed class EventFilter
{
    /// <summary>The filters dockerd reads on /events.</summary>
    public static readonly string[] Names = ["config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret", "service", "type", "volume"];

    /// <summary>The event types a swarm manager reports with scope "swarm".</summary>
    public static readonly string[] SwarmTypes = ["service", "node", "secret", "config", "network"];

    /// <summary>The types only the node's engine reports (network is both).</summary>
    public static readonly string[] LocalTypes = ["container", "image", "volume", "network", "daemon", "plugin", "builder"];

    private static readonly string[] ObjectFilters = ["container", "daemon", "plugin", "volume", "network", "service", "node", "secret", "config"];

    private readonly Filters _filters;

    private EventFilter(Filters filters) => _filters = filters;

    public static EventFilter Parse(string? json) => new(Filters.Parse(json, Names));

    /// <summary>Whether any swarm event can pass: scope and type allow it.</summary>
    public bool WantsSwarm => Allows("scope", "swarm") && SwarmTypes.Any(t => Allows("type", t));

    /// <summary>Whether any of the engine's own events can pass.</summary>
    public bool WantsLocal => Allows("scope", "local") && LocalTypes.Any(t => Allows("type", t));

    private bool Allows(string name, string value) => _filters.Match(name, v => v == value);

    public bool Includes(EngineEventMessage message) =>
        _filters.Match("event", v => v == message.Action)
        && _filters.Match("type", v => v == message.Type)
        && _filters.Match("scope", v => v == message.Scope)
        && ObjectFilters.All(name => _filters.Match(name, v => Fuzzy(v, message.Actor.Id) || Fuzzy(v, Name(message))))
        && _filters.Match("image", v => v == message.Actor.Id || v == message.Actor.Attributes.GetValueOrDefault(message.Type == "image" ? "name" : "image"))
        && Labels(message);

    // filters.Args.MatchKVList: every label filter must name an attribute, and equal it when it gives a value.
    private bool Labels(EngineEventMessage message) => _filters.Values("label").All(label =>
    {
        var parts = label.Split('=', 2);
        return message.Actor.Attributes.TryGetValue(parts[0], out var value) && (parts.Length == 1 || parts[1] == value);
    });

    private static string? Name(EngineEventMessage message) => message.Actor.Attributes.GetValueOrDefault("name");

    // filters.Args.FuzzyMatch: the value itself, or any value it starts with.
    private static bool Fuzzy(string filter, string? source) => source is not null && source.StartsWith(filter, StringComparison.Ordinal);
}
