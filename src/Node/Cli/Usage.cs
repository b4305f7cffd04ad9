using System.CommandLine;
using System.CommandLine.Parsing;

namespace EventSwarm.Node.Cli;

/// <summary>
/// Usage errors in docker's words and with docker's exit codes (docker/cli 28: cli/cobra.go's FlagErrorFunc, 125,
/// and cli/required.go's argument counts, 1), checked before a verb runs, so that it runs only on a well-formed line.
/// </summary>
public static class Usage
{
    /// <param name="Bare">The error alone, without the usage lines docker adds.</param>
    public sealed record UsageError(string Message, int ExitCode, string Bare);

    public static UsageError? Problem(ParseResult result)
    {
        var command = result.CommandResult.Command;
        if (UnknownFlag(result, command) is { } flag) return new(Describe(command, flag, 125), 125, flag);
        foreach (var error in result.Errors)
            if (error.SymbolResult is OptionResult option && FlagError(option, error) is var text) return new(Describe(command, text, 125), 125, text);
        if (command is not Verb verb)
        {
            if (result.UnmatchedTokens is [var unknown, ..])
                return new($"{Help.Program}: unknown command: {Help.Path(command)} {unknown}\n\n"
                    + (command is RootCommand ? "" : $"Usage:  {Help.Path(command)}\n\n") + $"Run '{Help.Path(command)} --help' for more information", 1,
                    $"unknown command: {Help.Path(command)} {unknown}");
            // Anything else ("Required command was not provided"): a management command alone prints its help, as docker's.
            return null;
        }
        if (result.Errors is [var failed, ..]) return new(Describe(command, failed.Message, 125), 125, failed.Message);
        var count = verb.Args(result).Count;
        var path = Help.Path(verb);
        string? wrong = (verb.MinArgs, verb.MaxArgs) switch
        {
            (0, 0) when count > 0 => $"'{path}' accepts no arguments",
            var (min, max) when min == max && count != min => $"'{path}' requires {Arguments(min)}",
            (var min, null) when count < min => $"'{path}' requires at least {Arguments(min)}",
            // cli.RequiresRangeArgs: the same words whichever side is missed (`secret create` takes 1 or 2).
            var (min, max) when min > 0 && max is { } most && (count < min || count > most) => $"'{path}' requires at least {min} and at most {Arguments(most)}",
            var (_, max) when count > max => $"'{path}' requires at most {Arguments(max.Value)}",
            _ => null,
        };
        if (wrong is null) return null;
        // docker/cli's cli/required.go: only RequiresMinArgs says "See"; the others say "Run".
        var next = verb.MaxArgs is null ? "See" : "Run";
        return new($"{Help.Program}: {wrong}\n\nUsage:  {Help.UseLine(verb)}\n\n{next} '{path} --help' for more information", 1, wrong);
    }

    /// <summary>A flag error as docker prints it: the error, the usage line, where to read more.</summary>
    public static string Describe(Command command, string message, int exitCode) => exitCode == 125
        ? $"{message}\n\nUsage:  {Help.UseLine(command)}\n\nRun '{Help.Path(command)} --help' for more information"
        : message;

    private static string Arguments(int n) => n == 1 ? "1 argument" : $"{n} arguments";

    /// <summary>
    /// A dash-led word that no flag of the verb claimed: System.CommandLine hands it to the positional arguments (or
    /// leaves it unmatched), docker calls it an unknown flag. After <c>--</c>, or after the image of a verb that passes
    /// the rest to the container (<c>service create busybox sh -c …</c>), it is an argument.
    /// </summary>
    private static string? UnknownFlag(ParseResult result, Command command)
    {
        var tokens = result.Tokens.ToList();
        var doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        IEnumerable<Token> candidates = result.UnmatchedTokens.Select(u => new Token(u, TokenType.Argument, null!));
        if (command is Verb verb && result.GetResult(verb.Operands) is { } operands)
            candidates = candidates.Concat(verb.Operands.CaptureRemainingTokens ? operands.Tokens.Take(1) : operands.Tokens);
        foreach (var token in candidates)
        {
            var at = tokens.FindIndex(t => t.Value == token.Value);
            if (doubleDash >= 0 && at > doubleDash) continue;
            var word = token.Value;
            if (word.Length < 2 || word[0] != '-') continue;
            return word.StartsWith("--", StringComparison.Ordinal)
                ? $"unknown flag: {word.Split('=')[0]}"
                : $"unknown shorthand flag: '{word[1]}' in {word}";
        }
        return null;
    }

    /// <summary>pflag's words for a flag without its value or with one of the wrong kind.</summary>
    private static string FlagError(OptionResult option, ParseError error)
    {
        var typed = option.IdentifierToken?.Value ?? option.Option.Name;
        if (option.Tokens.Count == 0)
            return typed.StartsWith("--", StringComparison.Ordinal) ? $"flag needs an argument: {typed}" : $"flag needs an argument: '{typed.TrimStart('-')}' in {typed}";
        var value = option.Tokens[^1].Value;
        return option.Option.ValueType == typeof(bool)
            ? $"invalid argument \"{value}\" for \"{Flags.Label(option.Option)}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
            : $"invalid argument \"{value}\" for \"{Flags.Label(option.Option)}\" flag: {error.Message}";
    }
}
