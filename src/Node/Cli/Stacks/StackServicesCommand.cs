using System.CommandLine;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;
using EventSwarm.Node.Cli.Secrets;
using EventSwarm.Node.Cli.Services;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack services [-q] [--format F] [-f key=value] STACK</c>: docker's runServices, the services carrying the
/// stack's namespace label (and the user's filters) printed as `service ls` prints them, in natural order of name.
/// </summary>
public sealed class StackServicesCommand : Verb
{
    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _quiet = Listing.Quiet();

    public StackServicesCommand() : base("services", "[OPTIONS] STACK", "List the services in the stack")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Options.Add(_filter);
        Options.Add(_format);
        Options.Add(_quiet);
    }

    public ServiceListParameters Request(ParseResult result, string stack) =>
        new() { Filters = StackVerbs.Filter(stack, Listing.Filters(result, _filter)) };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var stack = StackVerbs.Validate(Args(result)[0]);
        var services = (await context.Client.Swarm.ListServicesAsync(Request(result, stack))).OrderBy(s => s.Spec?.Name ?? "", NaturalOrder.Instance).ToList();
        if (services.Count == 0)
        {
            // docker's formatWrite: said on standard error, and not a failure.
            await context.Err.WriteLineAsync($"Nothing found in stack: {stack}");
            return 0;
        }
        await ServiceLsCommand.WriteAsync(context, services, result.Has(_quiet), result.Value(_format));
        return 0;
    }
}
