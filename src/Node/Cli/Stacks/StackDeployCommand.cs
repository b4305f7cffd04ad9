using System.Collections;
using System.CommandLine;
using System.Text;
using EventSwarm.Infrastructure.Stacks;
using EventSwarm.Node.Api.Stacks;
using EventSwarm.Node.Cli.Services;

namespace EventSwarm.Node.Cli.Stacks;

/// <summary>
/// <c>stack deploy [-c FILE]... [--prune] STACK</c> with docker's flags. docker reads the files and converts them in
/// the client too, then makes one call per network, secret, config and service, so a refusal half-way leaves half a
/// stack; here the converted stack goes to the manager as ONE request, which applies all of it or nothing, and
/// answers what it changed, printed with docker's lines ("Creating network …", "Updating service … (id: …)").
/// </summary>
public sealed class StackDeployCommand : Verb
{
    private const string Always = "always", Changed = "changed", Never = "never";

    // Typed as files so that the completion scripts complete paths after -c (docker marks it a filename flag).
    private readonly Option<FileInfo[]> _composeFiles = new("--compose-file", "-c")
    {
        Description = "Path to a Compose file, or \"-\" to read from stdin",
        HelpName = "strings",
        Arity = ArgumentArity.OneOrMore,
    };
    private readonly Option<bool> _detach = Flags.Bool("--detach", "Exit immediately instead of waiting for the stack services to converge (default true)", "-d");
    private readonly Option<bool> _prune = Flags.Bool("--prune", "Prune services that are no longer referenced");
    private readonly Option<bool> _quiet = Flags.Bool("--quiet", "Suppress progress output", "-q");
    private readonly Option<string> _resolveImage = Flags.String("--resolve-image",
        $"Query the registry to resolve image digest and supported platforms (\"{Always}\", \"{Changed}\", \"{Never}\") (default \"{Always}\")");
    private readonly Option<string> _timeout = Flags.String("--timeout", "How long to wait for each service to converge with --detach=false (ns|us|ms|s|m|h) (default 5m0s)", "duration");
    private readonly Option<bool> _withRegistryAuth = Flags.Bool("--with-registry-auth", "Send registry authentication details to Swarm agents");

    public StackDeployCommand() : base("deploy", "[OPTIONS] STACK", "Deploy a new stack or update an existing stack", "up")
    {
        MinArgs = 1;
        MaxArgs = 1;
        _detach.DefaultValueFactory = _ => true;
        // Fixed values for the completion scripts; a wrong one is refused with docker's words when the verb runs.
        _resolveImage.CompletionSources.Add(Always, Changed, Never);
        foreach (var flag in new Option[] { _composeFiles, _detach, _prune, _quiet, _resolveImage, _timeout, _withRegistryAuth }) Options.Add(flag);
    }

    /// <summary>
    /// The files as docker's StringSlice reads <c>-c</c>: repeated, or comma-separated in one value.
    /// </summary>
    public IReadOnlyList<string> ComposeFiles(ParseResult result) =>
        [.. (result.GetValue(_composeFiles) ?? []).SelectMany(f => f.ToString().Split(',')).Where(v => v.Length > 0)];

    public bool Prune(ParseResult result) => result.Has(_prune);

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var name = StackVerbs.Validate(Args(result)[0]);
        var files = ComposeFiles(result);
        if (files.Count == 0) throw new UsageException("specify a Compose file (with --compose-file)");
        if (result.Value(_resolveImage) is { } resolve && resolve is not (Always or Changed or Never))
            throw new UsageException($"invalid option {resolve} for flag --resolve-image");
        var timeout = ServiceFlags.WaitFor(result, _timeout);
        var detach = result.Has(_detach);
        ConvertedStack converted;
        try
        {
            converted = Convert(name, files, context);
        }
        catch (ComposeException e)
        {
            await context.Err.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // Go's *PathError, as docker prints a file it cannot open (a compose file, a secret's file:).
            await context.Err.WriteLineAsync(OpenError(e));
            return 1;
        }
        // docker's runDeploy says this once the files are read, before it deploys.
        if (detach && !result.Given(_detach))
            await context.Err.WriteLineAsync("Since --detach=false was not specified, tasks will be created in the background.\n"
                + "In a future release, --detach=false will become the default.");
        // Registries are the nodes' engines' business here (--with-registry-auth, --resolve-image): nothing to send.
        var body = StackWire.ToRequest(converted.Spec, Prune(result)).ToJsonString();
        var answer = StackVerbs.Read<StackDeployResultJson>(await context.SendAsync(HttpMethod.Post, StackVerbs.Route(name, "deploy"), body));
        StackVerbs.WriteDeploy(answer, context.Out);
        return detach ? 0 : await StackVerbs.WaitAsync(context, answer, result.Has(_quiet), timeout);
    }

    /// <summary>
    /// The files read and converted as docker's loadComposeFile and convert do, their warnings printed to standard error
    /// as docker prints them (the loader's followed by a blank line: "Ignoring unsupported options: build").
    /// </summary>
    private static ConvertedStack Convert(string name, IReadOnlyList<string> files, CliContext context)
    {
        string? stdin = null;
        if (files.Contains("-"))
        {
            using var reader = new StreamReader(context.OpenInput(), Encoding.UTF8);
            stdin = reader.ReadToEnd();
        }
        var loaded = ComposeLoader.Load(files, Environment(), stdin);
        foreach (var warning in loaded.Warnings)
        {
            context.Err.WriteLine(warning);
            context.Err.WriteLine();
        }
        var converted = ComposeConverter.Convert(name, loaded, File.ReadAllBytes);
        foreach (var warning in converted.Warnings) context.Err.WriteLine(warning);
        return converted;
    }

    /// <summary>docker's buildEnvironment: the client's environment is what <c>${VAR}</c> reads.</summary>
    private static Dictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            if (entry.Key is string key && key.Length > 0) variables[key] = entry.Value as string ?? "";
        return variables;
    }

    private static string OpenError(Exception e) => e switch
    {
        FileNotFoundException { FileName: { } file } => $"open {file}: no such file or directory",
        _ => e.Message,
    };
}
