using System.CommandLine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary><c>service scale [-d] SERVICE=REPLICAS [SERVICE=REPLICAS...]</c>: each service updated on its own, as docker does.</summary>
public sealed class ServiceScaleCommand : Verb
{
    private readonly Option<bool> _detach = ServiceFlags.Detach();
    private readonly Option<string> _timeout = ServiceFlags.Timeout();

    public ServiceScaleCommand() : base("scale", "SERVICE=REPLICAS [SERVICE=REPLICAS...]", "Scale one or multiple replicated services")
    {
        MinArgs = 1;
        MaxArgs = null;
        Options.Add(_detach);
        Options.Add(_timeout);
    }

    /// <summary>
    /// The pairs asked for. docker checks only the shape (<c>NAME=</c>) before anything is sent: a count that does not
    /// parse is that service's error (<c>web: invalid replicas value abc: …</c>), the others still scale.
    /// </summary>
    public IReadOnlyList<(string Service, string Replicas)> Pairs(ParseResult result) => [.. Args(result).Select(pair => pair.Split('=', 2) is [var name, var count] && name.Length > 0
        ? (name, count)
        : throw new UsageException($"invalid scale specifier '{pair}'.\nSee '{Help.Path(this)} --help'.\n\nUsage:  {Help.UseLine(this)}\n\n{Description}"))];

    /// <summary>docker's strconv.ParseUint on the count (a negative count is not a number of replicas).</summary>
    public static ulong? Replicas(string count) => ulong.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var client = context.Client;
        var scaled = new List<string>();
        var failed = false;
        foreach (var (name, count) in Pairs(result))
        {
            if (Replicas(count) is not { } replicas)
            {
                await context.Err.WriteLineAsync($"{name}: invalid replicas value {count}: strconv.ParseUint: parsing \"{count}\": invalid syntax");
                failed = true;
                continue;
            }
            try
            {
                var service = await client.Swarm.InspectServiceAsync(name);
                if (service.Spec?.Mode?.Replicated is not { } replicated)
                {
                    await context.Err.WriteLineAsync($"{name}: scale can only be used with replicated or replicated-job mode");
                    failed = true;
                    continue;
                }
                replicated.Replicas = replicas;
                await client.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters { Service = service.Spec, Version = ServiceFlags.VersionOf(service) });
                context.Out.WriteLine($"{name} scaled to {replicas}");
                // docker waits on each service as it was named: "verify: Service web converged".
                scaled.Add(name);
            }
            catch (DockerApiException e)
            {
                await context.Err.WriteLineAsync($"Error response from daemon: {CliApp.ServerMessage(e)}");
                failed = true;
            }
        }
        if (!result.Has(_detach))
            foreach (var name in scaled)
                failed |= await Progress.WaitForConvergenceAsync(client, name, ServiceFlags.WaitFor(result, _timeout), quiet: false, context.Out, context.Err) != 0;
        return failed ? 1 : 0;
    }
}
