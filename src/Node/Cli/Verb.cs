using System.CommandLine;
using System.CommandLine.Parsing;

namespace EventSwarm.Node.Cli;

/// <summary>
/// One docker-style verb (cobra's <c>cobra.Command</c> with <c>RunE</c>): a usage line, a one-line description, its
/// flags, and positional arguments counted as docker counts them (<c>cli.RequiresMinArgs</c>, <c>cli.ExactArgs</c>,
/// <c>cli.NoArgs</c>) so that a missing argument reads as docker's, not as System.CommandLine's.
/// </summary>
public abstract class Verb : Command
{
    protected Verb(string name, string synopsis, string description, params string[] aliases) : base(name, description)
    {
        Synopsis = synopsis;
        foreach (var alias in aliases) Aliases.Add(alias);
        Add(Operands);
    }

    /// <summary>What follows the command path in docker's usage line, e.g. <c>[OPTIONS] IMAGE [COMMAND] [ARG...]</c>.</summary>
    public string Synopsis { get; }

    /// <summary>The positional arguments, all of them: docker's rules on their number are <see cref="MinArgs"/> and <see cref="MaxArgs"/>.</summary>
    public Argument<string[]> Operands { get; } = new("args") { Arity = ArgumentArity.ZeroOrMore };

    public int MinArgs { get; protected init; }

    public int? MaxArgs { get; protected init; } = 0;

    public IReadOnlyList<string> Args(ParseResult result) => result.GetValue(Operands) ?? [];

    public abstract Task<int> RunAsync(ParseResult result, CliContext context);
}

/// <summary>A management command (<c>eventswarm service</c>): only sub-verbs; alone it prints its help, as docker's do.</summary>
public sealed class VerbGroup : Command
{
    public VerbGroup(string name, string description, params Command[] verbs) : base(name, description)
    {
        foreach (var verb in verbs) Add(verb);
    }
}

/// <summary>An error that docker reports as a usage error of the verb being run (its message, then the usage line).</summary>
public sealed class UsageException(string message, int exitCode = 1) : Exception(message)
{
    /// <summary>docker's StatusError: 125 for a flag that does not parse, 1 for everything else.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>pflag's wording for a flag value that does not parse, e.g. <c>invalid argument "x" for "--replicas" flag: …</c>.</summary>
    public static UsageException InvalidFlag(string value, string flag, string why) =>
        new($"invalid argument {GoQuote(value)} for \"{flag}\" flag: {why}", 125);

    /// <summary>Go's %q of a string, as pflag quotes the value: backslash and double quote escaped, control characters too.</summary>
    public static string GoQuote(string value) =>
        "\"" + string.Concat(value.Select(c => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            < ' ' => $"\\x{(int)c:x2}",
            _ => c.ToString(),
        })) + "\"";
}
