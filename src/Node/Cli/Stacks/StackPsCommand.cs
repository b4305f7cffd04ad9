using System.CommandLine;
using Docker.DotNet.Models;
using EventSwarm.Node.Cli.Output;
using EventSwarm.Node.Cli.Secrets;
using EventSwarm.Node.Cli.Services;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack ps [--no-trunc] [--no-resolve] [-q] [--format F] [-f key=value] STACK</c>: docker's runPS, the tasks
/// carrying the stack's namespace label (and the user's filters) printed as `service ps` prints them, the stack's
/// services in natural order of name. No task at all is docker's error "nothing found in stack: STACK", exit 1.
/// </summary>
public sealed class StackPsCommand : Verb
{
    private readonly Option<string[]> _filter = Listing.Filter();
    private readonly Option<string> _format = Listing.Format();
    private readonly Option<bool> _noResolve = Flags.Bool("--no-resolve", "Do not map IDs to Names");
    private readonly Option<bool> _noTrunc = Listing.NoTrunc();
    private readonly Option<bool> _quiet = Listing.Quiet("Only display task IDs");

    public StackPsCommand() : base("ps", "[OPTIONS] STACK", "List the tasks in the stack")
    {
        MinArgs = 1;
        MaxArgs = 1;
        foreach (var flag in new Option[] { _filter, _format, _noResolve, _noTrunc, _quiet }) Options.Add(flag);
    }

    public TasksListParameters Request(ParseResult result, string stack) =>
        new() { Filters = StackVerbs.Filter(stack, Listing.Filters(result, _filter)) };

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var stack = StackVerbs.Validate(Args(result)[0]);
        var request = Request(result, stack);
        var tasks = await context.Client.Tasks.ListAsync(request);
        if (tasks.Count == 0) throw new UsageException($"nothing found in stack: {stack}");
        var noResolve = result.Has(_noResolve);
        // The services' names from one listing of the stack's services; a task whose service is gone keeps its ID, as
        // docker's idresolver does when the lookup fails.
        var names = noResolve ? [] : (await context.Client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = StackVerbs.Filter(stack) }))
            .Where(s => s.Spec?.Name is not null).ToDictionary(s => s.ID, s => s.Spec!.Name);
        var named = tasks.Select(t => (Task: t, Service: names.GetValueOrDefault(t.ServiceID ?? "") ?? t.ServiceID ?? ""))
            .OrderBy(t => t.Service, NaturalOrder.Instance);
        await ServicePsCommand.WriteAsync(context, named, result.Has(_noTrunc), noResolve, result.Has(_quiet), result.Value(_format));
        return 0;
    }
}
