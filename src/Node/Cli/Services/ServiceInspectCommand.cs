using System.CommandLine;
using Docker.DotNet;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;

namespace EventSwarm.Node.Cli.Services;

/// <summary><c>service inspect [--pretty] [-f FORMAT] SERVICE [SERVICE...]</c>.</summary>
public sealed class ServiceInspectCommand : Verb
{
    private readonly Option<string> _format = Listing.InspectFormat();
    private readonly Option<bool> _pretty = Flags.Bool("--pretty", "Print the information in a human friendly format");

    public ServiceInspectCommand() : base("inspect", "[OPTIONS] SERVICE [SERVICE...]", "Display detailed information on one or more services")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_format);
        Options.Add(_pretty);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var services = new List<SwarmService>();
        foreach (var name in Args(result)) services.Add(await context.Client.Swarm.InspectServiceAsync(name));
        if (!result.Has(_pretty))
        {
            Listing.WriteInspect(context.Out, result.Value(_format), services);
            return 0;
        }
        var networkNames = new Dictionary<string, string>();
        foreach (var service in services)
        {
            foreach (var target in (service.Spec?.TaskTemplate?.Networks ?? []).Select(n => n.Target ?? ""))
                if (!networkNames.ContainsKey(target)) networkNames[target] = await NetworkNameAsync(context.Client, target);
            context.Out.Write(Pretty(service, networkNames));
        }
        return 0;
    }

    /// <summary>docker's service inspect --pretty layout (cli/command/service/formatter.go), the fields EventSwarm fills.</summary>
    public static string Pretty(SwarmService s, IReadOnlyDictionary<string, string> networkNames)
    {
        var text = new System.Text.StringBuilder();
        var spec = s.Spec ?? new ServiceSpec();
        var template = spec.TaskTemplate ?? new TaskSpec();
        var container = template.ContainerSpec ?? new ContainerSpec();
        var restart = template.RestartPolicy;
        text.Append($"\nID:\t\t{s.ID}\nName:\t\t{spec.Name}\n");
        if (spec.Labels is { Count: > 0 } labels)
            text.Append("Labels:\n").Append(string.Concat(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $" {l.Key}={l.Value}\n")));
        text.Append(spec.Mode?.Global is not null ? "Service Mode:\tGlobal\n" : $"Service Mode:\tReplicated\n Replicas:\t{spec.Mode?.Replicated?.Replicas}\n");
        if (s.UpdateStatus is { State.Length: > 0 } status)
        {
            text.Append($"UpdateStatus:\n State:\t\t{status.State}\n");
            if (status.StartedAt is { } started) text.Append($" Started:\t{Units.HumanDuration(DateTime.UtcNow - started.ToUniversalTime())} ago\n");
            if (status.State == "completed" && status.CompletedAt is { } completed) text.Append($" Completed:\t{Units.HumanDuration(DateTime.UtcNow - completed.ToUniversalTime())} ago\n");
            text.Append($" Message:\t{status.Message}\n");
        }
        text.Append($"Placement:{string.Concat((template.Placement?.Constraints ?? []).Select(c => $"\n Constraints:\t[{c}]"))}\n");
        if (template.Placement?.MaxReplicas is > 0 and var maxReplicas) text.Append($" Max Replicas Per Node:   {maxReplicas}\n");
        if (spec.UpdateConfig is { } update) text.Append(UpdateConfig("UpdateConfig", "Update order:     ", update));
        if (spec.RollbackConfig is { } rollback) text.Append(UpdateConfig("RollbackConfig", "Rollback order:   ", rollback));
        text.Append($"RestartPolicy:\n Condition:\t{restart?.Condition}\n Delay:\t\t{restart?.Delay?.TotalSeconds}s\n Max attempts:\t{restart?.MaxAttempts}\n");
        text.Append($"ContainerSpec:\n Image:\t\t{container.Image}\n");
        if (container.Args is { Count: > 0 }) text.Append($" Args:\t\t{string.Join(' ', container.Args)}\n");
        if (container.Env is { Count: > 0 }) text.Append($" Env:\t\t{string.Join(' ', container.Env)}\n");
        if (container.Mounts is { Count: > 0 })
            text.Append("Mounts:" + string.Concat(container.Mounts.Select(m => $"\n Target:\t{m.Target}\n  Source:\t{m.Source}\n  ReadOnly:\t{m.ReadOnly ?? false}\n  Type:\t\t{m.Type}")) + "\n");
        // docker's template, trailing spaces included: "Networks: a b ", and " " after the last port.
        if (template.Networks is { Count: > 0 } attached)
            text.Append($"Networks:{string.Concat(attached.Select(n => $" {networkNames.GetValueOrDefault(n.Target ?? "", n.Target ?? "")}"))} \n");
        text.Append($"Endpoint Mode:\t{spec.EndpointSpec?.Mode ?? "vip"}\n");
        if (s.Endpoint?.Ports is { Count: > 0 } ports)
            text.Append("Ports:" + string.Concat(ports.Select(p =>
                $"\n PublishedPort = {p.PublishedPort ?? 0}\n  Protocol = {p.Protocol}\n  TargetPort = {p.TargetPort ?? 0}\n  PublishMode = {p.PublishMode}")) + " \n");
        return text.ToString();
    }

    /// <summary>docker's UpdateConfig/RollbackConfig blocks: delay and monitor only when set, durations as Go prints them.</summary>
    private static string UpdateConfig(string title, string orderLabel, SwarmUpdateConfig config) =>
        $"{title}:\n Parallelism:\t{config.Parallelism}\n"
        + (config.Delay is { } delay && delay > TimeSpan.Zero ? $" Delay:\t\t{Units.GoDuration(delay)}\n" : "")
        + $" On failure:\t{config.FailureAction}\n"
        + (config.Monitor is { } monitor && monitor > TimeSpan.Zero ? $" Monitoring Period: {Units.GoDuration(monitor)}\n" : "")
        + $" Max failure ratio: {config.MaxFailureRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n {orderLabel} {config.Order}\n";

    private static async Task<string> NetworkNameAsync(IDockerClient client, string idOrName)
    {
        try
        {
            return (await client.Networks.InspectNetworkAsync(idOrName)).Name;
        }
        catch (DockerApiException)
        {
            return idOrName;
        }
    }
}
