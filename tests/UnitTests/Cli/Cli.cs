extern alias node;
using System.CommandLine;
using node::EventSwarm.Node.Cli;

namespace EventSwarm.UnitTests.Cli;

/// <summary>The CLI without a manager: a line parsed into its verb, or run as far as usage errors and help go.</summary>
public static class Cli
{
    /// <summary>The verb a line names, and the parse the verb's pure functions read.</summary>
    public static (T Verb, ParseResult Result) Parse<T>(params string[] args) where T : Verb
    {
        var result = CliApp.Parse(args);
        Assert.Null(Usage.Problem(result));
        return (Assert.IsType<T>(result.CommandResult.Command), result);
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A line the CLI refuses before sending anything, with its exit code and docker's words.</summary>
    public static async Task<string> RefusedAsync(int exitCode, params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}: {output}{error}");
        Assert.Equal("", output);
        return error;
    }

    public static async Task<string> HelpAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--help"]);
        Assert.Equal((0, ""), (code, error));
        return output;
    }
}
