using System.Text.Json;
using Docker.DotNet;
using EventSwarm.Domain.Stacks;
using EventSwarm.Node.Api.Stacks;
using EventSwarm.Node.Cli.Secrets;
using EventSwarm.Node.Cli.Services;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// What the stack verbs share: docker's stack filter (the namespace label its converter puts on every object), its
/// check of a stack's name, EventSwarm's stack endpoints, and the lines docker prints for what a deploy or a removal did.
/// </summary>
public static class StackVerbs
{
    private static readonly JsonSerializerOptions Wire = new() { PropertyNameCaseInsensitive = true };

    /// <summary>docker's validateStackName: a name that is empty once whitespace and quotes are trimmed is refused (exit 1).</summary>
    public static string Validate(string name) =>
        name.All(c => char.IsWhiteSpace(c) || c is '"' or '\'')
            ? throw new UsageException($"invalid stack name: {UsageException.GoQuote(name)}")
            : name;

    /// <summary>docker's getStackFilterFromOpt: the user's filters and the stack's label.</summary>
    public static Dictionary<string, IDictionary<string, bool>> Filter(string stack, Dictionary<string, IDictionary<string, bool>>? filters = null)
    {
        filters ??= [];
        if (!filters.TryGetValue("label", out var labels)) filters["label"] = labels = new Dictionary<string, bool>();
        labels[$"{StackSpec.NamespaceLabel}={stack}"] = true;
        return filters;
    }

    public static string Route(string stack, string? action = null) =>
        $"/eventswarm/v1/stacks/{Uri.EscapeDataString(stack)}" + (action is null ? "" : $"/{action}");

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Wire) ?? throw new JsonException($"the manager answered {json.Length} bytes that are not a {typeof(T).Name}");

    /// <summary>
    /// docker's lines for a deploy, in docker's order: services pruned first ("Removing service"), then networks,
    /// secrets and configs created, then each service ("Creating service", "Updating service NAME (id: ID)").
    /// Unchanged objects print nothing (docker updates every service again; EventSwarm leaves an unchanged one alone),
    /// and what EventSwarm removes beyond docker's prune (a network, secret or config the files no longer name) is
    /// printed with docker's words from `stack rm`.
    /// </summary>
    public static void WriteDeploy(StackDeployResultJson result, TextWriter output)
    {
        foreach (var change in Sorted(result, "service", "removed")) output.WriteLine($"Removing service {change.Name}");
        foreach (var kind in new[] { "network", "secret", "config" })
        {
            foreach (var change in Sorted(result, kind, "created")) output.WriteLine($"Creating {kind} {change.Name}");
            foreach (var change in Sorted(result, kind, "updated")) output.WriteLine($"Updating {kind} {change.Name}");
            // Docker refuses new data for a stack's secret; EventSwarm rotates it and its tasks roll to it.
            foreach (var change in Sorted(result, kind, "rotated")) output.WriteLine($"Rotating {kind} {change.Name}");
        }
        foreach (var change in result.Changes.Where(c => c.Kind == "service" && c.Action is "created" or "updated").OrderBy(c => c.Name, NaturalOrder.Instance))
            output.WriteLine(change.Action == "created" ? $"Creating service {change.Name}" : $"Updating service {change.Name} (id: {change.Id})");
        foreach (var kind in new[] { "secret", "config", "network" })
            foreach (var change in Sorted(result, kind, "removed")) output.WriteLine($"Removing {kind} {change.Name}");
    }

    /// <summary>docker's `stack rm` lines, in its order: services (by name), secrets, configs, networks.</summary>
    public static void WriteRemoval(StackDeployResultJson result, TextWriter output)
    {
        foreach (var kind in new[] { "service", "secret", "config", "network" })
            foreach (var change in Sorted(result, kind, "removed")) output.WriteLine($"Removing {kind} {change.Name}");
    }

    private static IEnumerable<StackObjectChangeJson> Sorted(StackDeployResultJson result, string kind, string action) =>
        result.Changes.Where(c => c.Kind == kind && c.Action == action).OrderBy(c => c.Name, NaturalOrder.Instance);

    /// <summary>
    /// docker's waitOnServices (`stack deploy --detach=false`): each service the deploy created or updated, one after the
    /// other, with `service create`'s progress display; exit 1 if any did not converge.
    /// </summary>
    public static async Task<int> WaitAsync(CliContext context, StackDeployResultJson result, bool quiet, TimeSpan timeout)
    {
        var code = 0;
        foreach (var change in result.Changes.Where(c => c.Kind == "service" && c.Action is "created" or "updated").OrderBy(c => c.Name, NaturalOrder.Instance))
            if (await Progress.WaitForConvergenceAsync(context.Client, change.Name, timeout, quiet, context.Out, context.Err) != 0) code = 1;
        return code;
    }

    /// <summary>A refusal of one stack among several (`stack rm A B`): docker's words for it, and the next stack goes on.</summary>
    public static async Task ReportAsync(CliContext context, DockerApiException e) =>
        await context.Err.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
}
