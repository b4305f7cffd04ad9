extern alias node;
using System.CommandLine;
using System.Diagnostics;
using CompletionScripts = node::EventSwarm.Node.Cli.Completion.CompletionScripts;

namespace EventSwarm.UnitTests.Cli.Completion;

/// <summary>The completion scripts written from a command tree shaped like the CLI's; the bash one is run in a real
/// bash with COMP_WORDS/COMP_CWORD set, as bash's programmable completion calls it.</summary>
public sealed class CompletionScripts_Tests : IDisposable
{
    private readonly string _bashScript = Path.Combine(Path.GetTempPath(), $"eventswarm-completion-{Guid.NewGuid():N}.bash");

    public CompletionScripts_Tests() => File.WriteAllText(_bashScript, CompletionScripts.Bash(Tree()));

    public void Dispose() => File.Delete(_bashScript);

    private static RootCommand Tree()
    {
        var root = new RootCommand("A Docker-Swarm-class orchestrator")
        {
            new Option<bool>("--debug", "-D") { Description = "Enable debug mode" },
            new Option<string>("--host", "-H") { Description = "Daemon socket to connect to" },
        };

        var mode = new Option<string>("--mode") { Description = "Service mode (\"replicated\" or \"global\")" };
        mode.AcceptOnlyFromAmong("replicated", "global");
        var create = new Command("create", "Create a new service")
        {
            mode,
            new Option<int>("--replicas") { Description = "Number of tasks" },
            new Option<bool>("--detach", "-d") { Description = "Exit immediately" },
            new Option<FileInfo>("--env-file") { Description = "Read in a file of environment variables" },
            new Argument<string>("image"),
        };
        var ls = new Command("ls", "List services")
        {
            new Option<bool>("--quiet", "-q") { Description = "Only display IDs" },
            new Option<string>("--format") { Description = "Format output using a custom template" },
            new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions provided" },
        };
        ls.Aliases.Add("list");
        var rm = new Command("rm", "Remove one or more services") { new Argument<string[]>("service") };
        rm.Aliases.Add("remove");
        root.Add(new Command("service", "Manage services") { create, ls, rm });

        root.Add(new Command("node", "Manage Swarm nodes")
        {
            new Command("ls", "List nodes in the swarm"),
            new Command("inspect", "Display detailed information on one or more nodes") { new Option<bool>("--pretty") },
        });

        var shell = new Argument<string>("shell");
        shell.AcceptOnlyFromAmong("bash", "zsh");
        root.Add(new Command("completion", "Print a shell completion script") { shell });
        root.Add(new Command("internal-dump") { Hidden = true });
        return root;
    }

    /// <summary>What bash offers for the last word, as bash calls a `complete -F` function.</summary>
    private string[] Complete(params string[] words) => Run("bash", ["--noprofile", "--norc", "-c",
        """source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && _eventswarm && printf '%s\n' "${COMPREPLY[@]}" """,
        "bash", _bashScript, .. words]);

    private static string[] Run(string shell, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new TimeoutException($"{shell} did not finish the completion");
        }
        Assert.True(process.ExitCode == 0, $"{shell} exited {process.ExitCode}: {errors.Result}");
        Assert.Equal("", errors.Result);
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public void Bash_script_registers_a_function_for_eventswarm()
    {
        var script = CompletionScripts.Bash(Tree());
        Assert.Contains("complete -F _eventswarm eventswarm", script);
        Assert.DoesNotContain("dotnet-suggest", script);
        Assert.DoesNotContain("internal-dump", script);
    }

    [Fact]
    public void Zsh_script_is_a_compdef_function_with_descriptions()
    {
        var script = CompletionScripts.Zsh(Tree());
        Assert.StartsWith("#compdef eventswarm\n", script);
        Assert.Contains("compdef _eventswarm eventswarm", script);
        Assert.Contains("'service:Manage services'", script);
        Assert.Contains("'--quiet:Only display IDs'", script);
        Assert.Contains("_eventswarm_values='global replicated'", script);
        Assert.DoesNotContain("internal-dump", script);
    }

    [Fact]
    public void The_real_tree_completes_the_secret_and_config_verbs_and_flags()
    {
        var script = Path.Combine(Path.GetTempPath(), $"eventswarm-completion-{Guid.NewGuid():N}.bash");
        File.WriteAllText(script, CompletionScripts.Bash(node::EventSwarm.Node.Cli.CliApp.Root()));
        try
        {
            string[] Real(params string[] words) => Run("bash", ["--noprofile", "--norc", "-c",
                """source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && _eventswarm && printf '%s\n' "${COMPREPLY[@]}" """,
                "bash", script, .. words]);
            Assert.Equal(["secret", "service"], Real("eventswarm", "se"));
            Assert.Equal(["create", "inspect", "list", "ls", "remove", "rm", "rotate"], Real("eventswarm", "config", ""));
            Assert.Equal(["--secret-add", "--secret-rm"], Real("eventswarm", "service", "update", "--secret-"));
            Assert.Equal(["remove", "rm", "rollback"], Real("eventswarm", "service", "r"));
            Assert.Equal(["history"], Real("eventswarm", "service", "h"));
            Assert.Equal(["--to-version"], Real("eventswarm", "service", "rollback", "--to"));
            Assert.Equal(["--rollback-parallelism"], Real("eventswarm", "service", "create", "--rollback-p"));
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void Completes_the_top_verbs_by_prefix_and_hides_hidden_ones()
    {
        Assert.Equal(["completion", "node", "service"], Complete("eventswarm", ""));
        Assert.Equal(["service"], Complete("eventswarm", "se"));
    }

    [Fact]
    public void Completes_sub_verbs_and_their_aliases()
    {
        Assert.Equal(["create", "list", "ls", "remove", "rm"], Complete("eventswarm", "service", ""));
        Assert.Equal(["inspect", "ls"], Complete("eventswarm", "node", ""));
    }

    [Fact]
    public void Completes_the_flags_of_the_verb_reached_with_the_inherited_help()
    {
        Assert.Equal(["--detach", "--env-file", "--help", "--mode", "--replicas", "-d", "-h"], Complete("eventswarm", "service", "create", "-"));
        Assert.Equal(["--filter", "--format"], Complete("eventswarm", "service", "list", "--f"));
        Assert.Equal(["--debug", "--help", "--host", "--version"], Complete("eventswarm", "--"));
    }

    [Fact]
    public void Completes_the_fixed_values_of_a_flag_and_of_an_argument()
    {
        Assert.Equal(["global", "replicated"], Complete("eventswarm", "service", "create", "--mode", ""));
        Assert.Equal(["global"], Complete("eventswarm", "service", "create", "--mode", "g"));
        Assert.Equal(["bash", "zsh"], Complete("eventswarm", "completion", ""));
        // A value with no fixed choices gets nothing rather than the verb's sub-verbs or flags.
        Assert.Empty(Complete("eventswarm", "service", "create", "--replicas", ""));
    }

    [Fact]
    public void Completes_a_value_written_with_an_equals_sign()
    {
        // bash's default COMP_WORDBREAKS splits "--mode=r" into "--mode" "=" "r"; without '=' in it, one word.
        Assert.Equal(["replicated"], Complete("eventswarm", "service", "create", "--mode", "=", "r"));
        Assert.Equal(["global", "replicated"], Complete("eventswarm", "service", "create", "--mode", "="));
        Assert.Equal(["--mode=replicated"], Complete("eventswarm", "service", "create", "--mode=r"));
    }

    [Fact]
    public void A_flags_value_is_skipped_and_a_bool_flag_takes_none()
    {
        // "service" here is the value of --host, not the verb: the next word is read at the top level.
        Assert.Equal(["inspect", "ls"], Complete("eventswarm", "--host", "service", "node", ""));
        Assert.Equal(["create"], Complete("eventswarm", "-D", "service", "cr"));
        Assert.Equal(["--replicas"], Complete("eventswarm", "service", "create", "--mode", "global", "--rep"));
    }

    [Fact]
    public void A_file_flag_completes_paths()
    {
        var directory = Directory.CreateTempSubdirectory("eventswarm-completion-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "web.env"), "A=1");
            Assert.Equal([Path.Combine(directory.FullName, "web.env")],
                Complete("eventswarm", "service", "create", "--env-file", Path.Combine(directory.FullName, "we")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Zsh_function_offers_the_same_words_through_zshs_completion_builtins()
    {
        // zsh's completion builtins only work inside a completion widget: stand-ins print what would be offered
        // (zsh filters by the typed prefix itself). ops/setup.sh installs zsh, and the whole suite (EVENTSWARM_FULL_SUITE,
        // set by ops/test.sh) requires it; a developer's `ops/test.sh --unit` on a machine without zsh skips the run.
        if (!File.Exists("/usr/bin/zsh") && !File.Exists("/bin/zsh"))
        {
            Assert.True(Environment.GetEnvironmentVariable("EVENTSWARM_FULL_SUITE") != "1", "zsh is not installed (ops/setup.sh installs it)");
            return;
        }
        var script = Path.Combine(Path.GetTempPath(), $"eventswarm-completion-{Guid.NewGuid():N}.zsh");
        File.WriteAllText(script, CompletionScripts.Zsh(Tree()));
        try
        {
            string[] Offer(params string[] words) => Run("zsh", ["-f", "-c",
                """
                compdef() { :; }
                _describe() { print -l -- ${(P)4%%:*} }
                compadd() { shift; print -l -- "$@" }
                compset() { :; }
                _files() { print files }
                source "$1"; shift
                words=("$@"); CURRENT=$#
                _eventswarm
                """, "zsh", script, .. words]);

            Assert.Equal(["completion", "node", "service"], Offer("eventswarm", ""));
            Assert.Equal(["create", "list", "ls", "remove", "rm"], Offer("eventswarm", "-D", "service", ""));
            Assert.Equal(["global", "replicated"], Offer("eventswarm", "service", "create", "--mode", ""));
            Assert.Equal(["--filter", "--format", "--help", "--quiet", "-f", "-h", "-q"], Offer("eventswarm", "--host", "x", "service", "ls", "-"));
            Assert.Equal(["files"], Offer("eventswarm", "service", "create", "--env-file", ""));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
