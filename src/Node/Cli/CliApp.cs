using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.Json;
using Docker.DotNet;
using EventSwarm.Node.Cli.Agent;
using EventSwarm.Node.Cli.Completion;
using EventSwarm.Node.Cli.Configs;
using EventSwarm.Node.Cli.History;
using EventSwarm.Node.Cli.Networks;
using EventSwarm.Node.Cli.Nodes;
using EventSwarm.Node.Cli.Secrets;
using EventSwarm.Node.Cli.Services;
using EventSwarm.Node.Cli.Stacks;
using EventSwarm.Node.Cli.Swarm;

namespace EventSwarm.Node.Cli;

/// <summary>
/// The `eventswarm` command line: every verb but `agent` talks to a manager through the Docker Engine API it serves,
/// so our CLI and the stock docker CLI see exactly the same cluster. The verbs are System.CommandLine commands; help,
/// usage errors and exit codes are docker's (cobra's, as docker/cli configures it), not System.CommandLine's.
/// </summary>
public static class CliApp
{
    public const string DefaultHost = "unix:///run/eventswarm/eventswarm.sock";

    /// <summary>
    /// docker's global <c>-H/--host</c>: read before the verb only (not recursive), so that <c>service create
    /// --host HOST:IP</c> stays the service's extra-hosts flag, as in docker.
    /// </summary>
    public static readonly string HostDescription = $"Manager socket to connect to (default $EVENTSWARM_HOST, else \"{DefaultHost}\")";

    /// <summary>Response files (<c>@file</c>) off: an argument such as <c>echo @home</c> is the container's, not ours.</summary>
    public static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Root()
    {
        var root = new RootCommand("A Docker-Swarm-class orchestrator: run nodes with `eventswarm agent`, manage the swarm with the other commands");
        root.Options.Clear();
        root.Directives.Clear();
        // dotnet-suggest's protocol, should a completion script ask the program itself.
        root.Directives.Add(new SuggestDirective());
        root.Options.Add(Flags.String("--host", HostDescription, "string", "-H"));
        root.Options.Add(Flags.String(PastInstant.Flag, PastInstant.Description, "string"));
        root.Options.Add(new Option<bool>("--help", "-h") { Description = "Print usage", Recursive = true, Hidden = true });
        root.Subcommands.Add(new AgentCommand());
        root.Subcommands.Add(new History.AuditCommand());
        root.Subcommands.Add(new CompletionCommand());
        root.Subcommands.Add(new DiffCommand());
        root.Subcommands.Add(new History.ExplainCommand());
        root.Subcommands.Add(new VerbGroup("config", "Manage Swarm configs",
            new ConfigCreateCommand(), new ConfigInspectCommand(), new ConfigLsCommand(), new ConfigRmCommand(), new ConfigRotateCommand()));
        root.Subcommands.Add(new History.EventsCommand());
        root.Subcommands.Add(new VerbGroup("network", "Manage networks",
            new NetworkCreateCommand(), new NetworkInspectCommand(), new NetworkLsCommand(), new NetworkRmCommand()));
        root.Subcommands.Add(new VerbGroup("node", "Manage Swarm nodes",
            new NodeDemoteCommand(), new NodeInspectCommand(), new NodeLsCommand(), new NodePromoteCommand(), new NodeRmCommand(), new NodeUpdateCommand()));
        root.Subcommands.Add(new VerbGroup("secret", "Manage Swarm secrets",
            new SecretCreateCommand(), new SecretInspectCommand(), new SecretLsCommand(), new SecretRmCommand(), new SecretRotateCommand()));
        root.Subcommands.Add(new VerbGroup("service", "Manage Swarm services",
            new ServiceCreateCommand(), new ServiceHistoryCommand(), new ServiceInspectCommand(), new ServiceLogsCommand(), new ServiceLsCommand(), new ServicePsCommand(),
            new ServiceRmCommand(), new ServiceRollbackCommand(), new ServiceScaleCommand(), new ServiceUpdateCommand()));
        root.Subcommands.Add(new Simulate.SimulateCommand());
        root.Subcommands.Add(new VerbGroup("stack", "Manage Swarm stacks",
            new StackDeployCommand(), new StackHistoryCommand(), new StackLsCommand(), new StackPsCommand(), new StackRmCommand(),
            new StackRollbackCommand(), new StackServicesCommand()));
        root.Subcommands.Add(new VerbGroup("swarm", "Manage Swarm",
            new SwarmInitCommand(), new SwarmJoinCommand(), new SwarmJoinTokenCommand(), new SwarmLeaveCommand(), new SwarmUnlockCommand(),
            new SwarmUnlockKeyCommand(), new SwarmUpdateCommand()));
        root.Subcommands.Add(new VersionCommand());
        root.Subcommands.Add(new VerbGroup("web", "Manage access to the web view", new Web.WebTokenCommand()));
        return root;
    }

    public static ParseResult Parse(params string[] args) => Root().Parse(args, Parsing);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<Stream>? input = null)
    {
        var result = Root().Parse(args, Parsing);
        var command = result.CommandResult.Command;
        if (result.GetValue<bool>("--help"))
        {
            Help.Write(command, output);
            return 0;
        }
        if (Usage.Problem(result) is { } problem)
        {
            if (command is AgentCommand) return await AgentCommand.RefuseAsync(error, problem.Bare);
            await error.WriteLineAsync(problem.Message);
            return problem.ExitCode;
        }
        if (command is not Verb verb)
        {
            // `eventswarm` and `eventswarm service` alone: their help, as docker prints it.
            Help.Write(command, output);
            return 0;
        }
        var host = result.GetValue<string>("--host") is { Length: > 0 } flag ? flag
            : Environment.GetEnvironmentVariable("EVENTSWARM_HOST") is { Length: > 0 } fromEnv ? fromEnv : DefaultHost;
        using var context = new CliContext(host, output, error, input);
        try
        {
            if (result.GetValue<string>(PastInstant.Flag) is { } at) context.At = PastInstant.Resolve(at, verb, DateTimeOffset.UtcNow);
            return await verb.RunAsync(result, context);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync(Usage.Describe(verb, e.Message, e.ExitCode));
            return e.ExitCode;
        }
        catch (DockerApiException e)
        {
            await error.WriteLineAsync($"Error response from daemon: {ServerMessage(e)}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException || e.InnerException is System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"Cannot connect to EventSwarm at {host}. Is the eventswarm agent running? ({e.Message})");
            return 1;
        }
    }

    public static string ServerMessage(DockerApiException e)
    {
        try
        {
            using var json = JsonDocument.Parse(e.ResponseBody ?? "");
            return json.RootElement.GetProperty("message").GetString() ?? e.ResponseBody ?? "";
        }
        catch (Exception)
        {
            return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.Message : e.ResponseBody.Trim();
        }
    }

    private static readonly JsonSerializerOptions Indented = new(Api.DockerJson.Options) { WriteIndented = true };

    public static void PrintJson(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Indented));
}
