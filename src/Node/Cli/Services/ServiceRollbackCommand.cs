using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service rollback [OPTIONS] SERVICE</c>: docker's runRollback, the current spec and version sent back with
/// <c>rollback=previous</c>, so that the manager returns to the PreviousSpec under the rollback config; then the
/// service's name and the progress ("rollback: manually requested rollback" … "verify: Service converged").
/// <c>--to-version N</c> is EventSwarm's: the manager applies version N of <c>service history</c> as an update (its
/// update config applies), for any earlier version and not only the previous one.
/// </summary>
public sealed class ServiceRollbackCommand : Verb
{
    private readonly Option<bool> _detach = ServiceFlags.Detach();
    private readonly Option<bool> _quiet = ServiceFlags.Quiet();
    private readonly Option<string> _timeout = ServiceFlags.Timeout();
    private readonly Option<string> _toVersion = Flags.String("--to-version", "Roll back to this version of the spec (see 'eventswarm service history')", "uint");

    public ServiceRollbackCommand() : base("rollback", "[OPTIONS] SERVICE", "Revert changes to a service's configuration")
    {
        MinArgs = 1;
        MaxArgs = 1;
        foreach (var flag in new Option[] { _detach, _quiet, _timeout, _toVersion }) Options.Add(flag);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var name = Args(result)[0];
        var toVersion = result.UInt(_toVersion);
        var client = context.Client;
        var service = await client.Swarm.InspectServiceAsync(name);
        if (toVersion is { } version)
            // EventSwarm's route: the manager applies version N's spec as an update, logged as RollbackServiceToVersion.
            await context.SendAsync(HttpMethod.Post,
                $"/eventswarm/v1/services/{Uri.EscapeDataString(service.ID)}/rollback?to-version={version}&version={ServiceFlags.VersionOf(service)}");
        else
            await client.Swarm.UpdateServiceAsync(service.ID,
                new ServiceUpdateParameters { Service = service.Spec ?? new ServiceSpec(), Version = ServiceFlags.VersionOf(service), Rollback = "previous" });
        context.Out.WriteLine(name);
        return result.Has(_detach) ? 0
            : await Progress.WaitForConvergenceAsync(client, name, ServiceFlags.WaitFor(result, _timeout), result.Has(_quiet), context.Out, context.Err);
    }
}
