extern alias node;
using System.Diagnostics;
using node::EventSwarm.Node.Cli;
using CompletionScripts = node::EventSwarm.Node.Cli.Completion.CompletionScripts;

namespace EventSwarm.UnitTests.Cli.Stacks;

/// <summary>The real CLI's bash completion, run in bash, for the stack verbs: verbs and aliases, flags, fixed values, paths after -c.</summary>
public sealed class Stack_completion_Tests : IDisposable
{
    private readonly string _script = Path.Combine(Path.GetTempPath(), $"eventswarm-stack-completion-{Guid.NewGuid():N}.bash");

    public Stack_completion_Tests() => File.WriteAllText(_script, CompletionScripts.Bash(CliApp.Root()));

    public void Dispose() => File.Delete(_script);

    private string[] Complete(params string[] words)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--noprofile", "--norc", "-c",
            """source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && _eventswarm && printf '%s\n' "${COMPREPLY[@]}" """,
            "bash", _script }.Concat(words))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new TimeoutException("bash did not finish the completion");
        }
        Assert.True(process.ExitCode == 0, errors.Result);
        return [.. output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void The_stack_verbs_and_their_aliases_complete()
    {
        Assert.Equal(["stack"], Complete("eventswarm", "st"));
        Assert.Equal(["deploy", "down", "history", "list", "ls", "ps", "remove", "rm", "rollback", "services", "up"], Complete("eventswarm", "stack", ""));
    }

    [Fact]
    public void Deploys_flags_complete_with_resolve_images_values_and_paths_after_c()
    {
        Assert.Equal(["--compose-file"], Complete("eventswarm", "stack", "deploy", "--comp"));
        Assert.Equal(["always", "changed", "never"], Complete("eventswarm", "stack", "deploy", "--resolve-image", ""));
        var directory = Directory.CreateTempSubdirectory("eventswarm-stack-completion-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "docker-compose.yml"), "version: '3'\n");
            Assert.Equal([Path.Combine(directory.FullName, "docker-compose.yml")],
                Complete("eventswarm", "stack", "deploy", "-c", Path.Combine(directory.FullName, "dock")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Ps_and_rollback_flags_complete()
    {
        Assert.Equal(["--no-resolve", "--no-trunc"], Complete("eventswarm", "stack", "ps", "--no-"));
        Assert.Equal(["--to-version"], Complete("eventswarm", "stack", "rollback", "--to"));
    }
}
