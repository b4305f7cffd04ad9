using System.CommandLine;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using EventSwarm.Node.Api.Stacks;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack rm [-d] STACK [STACK...]</c>: one request per stack, the manager removing its services, secrets, configs
/// and networks at once (docker removes them one call at a time, and a network still in use by the removed services'
/// tasks fails it); what went is printed with docker's lines in docker's order. A stack with nothing is docker's
/// "Nothing found in stack: STACK" on standard error, not a failure; a refusal is reported and the next stack goes on.
/// </summary>
public sealed class StackRmCommand : Verb
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly Option<bool> _detach = Flags.Bool("--detach", "Do not wait for stack removal (default true)", "-d");
    private readonly Option<string> _timeout = Flags.String("--timeout", "How long to wait for the stack's tasks to end with --detach=false (ns|us|ms|s|m|h) (default 5m0s)", "duration");

    public StackRmCommand() : base("rm", "[OPTIONS] STACK [STACK...]", "Remove one or more stacks", "remove", "down")
    {
        MinArgs = 1;
        MaxArgs = null;
        _detach.DefaultValueFactory = _ => true;
        Options.Add(_detach);
        Options.Add(_timeout);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var stacks = Args(result).Select(StackVerbs.Validate).ToList();
        var timeout = result.Duration(_timeout) ?? TimeSpan.FromMinutes(5);
        var failed = false;
        foreach (var stack in stacks)
        {
            StackDeployResultJson removed;
            try
            {
                removed = StackVerbs.Read<StackDeployResultJson>(await context.SendAsync(HttpMethod.Delete, StackVerbs.Route(stack)));
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                removed = new StackDeployResultJson(0, []);
            }
            catch (DockerApiException e)
            {
                await StackVerbs.ReportAsync(context, e);
                failed = true;
                continue;
            }
            if (removed.Changes.Count == 0)
            {
                await context.Err.WriteLineAsync($"Nothing found in stack: {stack}");
                continue;
            }
            StackVerbs.WriteRemoval(removed, context.Out);
            if (!result.Has(_detach) && !await WaitOnTasksAsync(context, stack, timeout))
            {
                await context.Err.WriteLineAsync($"failed to wait on tasks of stack: {stack}: timed out after {timeout.TotalSeconds:0} s");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>docker's waitOnTasks (`--detach=false`): until every task of the stack has ended (or is gone), bounded.</summary>
    private static async Task<bool> WaitOnTasksAsync(CliContext context, string stack, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var tasks = await context.Client.Tasks.ListAsync(new TasksListParameters { Filters = StackVerbs.Filter(stack) });
            if (tasks.All(t => t.Status?.State is TaskState.Complete or TaskState.Shutdown or TaskState.Failed or TaskState.Rejected
                or TaskState.Remove or TaskState.Orphaned)) return true;
            await Task.Delay(Poll);
        }
        return false;
    }
}
