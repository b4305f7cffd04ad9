using System.CommandLine;
using System.CommandLine.Completions;
using System.Text;

namespace EventSwarm.Node.Cli.Completion;

/// <summary>
/// <c>eventswarm completion bash|zsh</c>: self-contained completion scripts written from the same System.CommandLine
/// tree that parses the command line, so a new verb or flag completes without editing a script (docker ships
/// hand-written ones in contrib/completion; dotnet-suggest would need a tool installed on every machine).
/// </summary>
/// <remarks>
/// The scripts complete sub-verbs (and their aliases) by position, the flags of the verb reached so far (its own and
/// the recursive ones of its parents, e.g. --help), the fixed values of a flag or positional argument where
/// System.CommandLine knows them (<c>AcceptOnlyFromAmong</c>, enums) and file names for file-typed flags. A flag's
/// value is skipped while walking the words, so <c>service create --mode global web</c> stays on <c>create</c>.
/// Completion sources are called once, while the script is generated, with an empty context: dynamic sources (ones
/// that ask the cluster) do not belong on this tree. Hidden verbs and flags are left out, and so are aliases that are
/// not flags a shell can complete (/h, -?).
/// </remarks>
public static class CompletionScripts
{
    /// <summary>The program the scripts register for: the node's executable (AssemblyName), whatever the root is called.</summary>
    public const string Program = "eventswarm";

    public static string Bash(Command root)
    {
        var verbs = Walk(root);
        var script = new StringBuilder();
        script.Append($$"""
            # bash completion for {{Program}}, generated from its command definitions.
            # Load it with: source <({{Program}} completion bash)
            # or install it: {{Program}} completion bash > /etc/bash_completion.d/{{Program}}

            """);
        AppendTables(script, verbs, zsh: false);
        script.Append($$"""

            _{{Program}}() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev word i=1
                _{{Program}}_command=c0
                COMPREPLY=()
                # Walk the words before the cursor: a sub-verb moves down the tree, a flag that takes a value skips it.
                while [ "$i" -lt "$COMP_CWORD" ]; do
                    word="${COMP_WORDS[i]}"
                    case "$word" in
                        -*=*) ;;
                        -*)
                            if [ "${COMP_WORDS[i+1]}" = "=" ]; then
                                i=$((i + 2)) # --flag=value, split at '=' by COMP_WORDBREAKS
                            elif _{{Program}}_option "$_{{Program}}_command" "$word"; then
                                i=$((i + 1))
                            fi
                            ;;
                        *) _{{Program}}_subcommand "$_{{Program}}_command" "$word" ;;
                    esac
                    i=$((i + 1))
                done
                prev="${COMP_WORDS[COMP_CWORD-1]}"
                if [ "$cur" = "=" ]; then
                    cur=''
                elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
                    prev="${COMP_WORDS[COMP_CWORD-2]}"
                fi
                case "$prev" in
                    -*)
                        if _{{Program}}_option "$_{{Program}}_command" "$prev"; then
                            if [ -n "$_{{Program}}_files" ]; then
                                COMPREPLY=($(compgen -f -- "$cur"))
                            else
                                COMPREPLY=($(compgen -W "$_{{Program}}_values" -- "$cur"))
                            fi
                            return 0
                        fi
                        ;;
                esac
                case "$cur" in
                    -*=*)
                        if _{{Program}}_option "$_{{Program}}_command" "${cur%%=*}"; then
                            COMPREPLY=($(compgen -W "$_{{Program}}_values" -P "${cur%%=*}=" -- "${cur#*=}"))
                        fi
                        ;;
                    -*)
                        _{{Program}}_flags "$_{{Program}}_command"
                        COMPREPLY=($(compgen -W "$_{{Program}}_reply" -- "$cur"))
                        ;;
                    *)
                        _{{Program}}_words "$_{{Program}}_command"
                        COMPREPLY=($(compgen -W "$_{{Program}}_reply" -- "$cur"))
                        ;;
                esac
                return 0
            }

            complete -F _{{Program}} {{Program}}

            """);
        return script.ToString();
    }

    public static string Zsh(Command root)
    {
        var verbs = Walk(root);
        var script = new StringBuilder();
        script.Append($$"""
            #compdef {{Program}}
            # zsh completion for {{Program}}, generated from its command definitions.
            # Load it (after compinit) with: source <({{Program}} completion zsh)
            # or install it as _{{Program}} in a directory of $fpath.

            """);
        AppendTables(script, verbs, zsh: true);
        script.Append($$"""

            _{{Program}}() {
                local cur="${words[CURRENT]}" prev word i=2
                _{{Program}}_command=c0
                # Walk the words before the cursor: a sub-verb moves down the tree, a flag that takes a value skips it.
                while (( i < CURRENT )); do
                    word="${words[i]}"
                    case "$word" in
                        -*=*) ;;
                        -*) if _{{Program}}_option "$_{{Program}}_command" "$word"; then (( i++ )); fi ;;
                        *) _{{Program}}_subcommand "$_{{Program}}_command" "$word" ;;
                    esac
                    (( i++ ))
                done
                prev="${words[CURRENT-1]}"
                if [[ $prev == -* ]] && _{{Program}}_option "$_{{Program}}_command" "$prev"; then
                    if [[ -n $_{{Program}}_files ]]; then
                        _files
                    else
                        compadd -- ${=_{{Program}}_values}
                    fi
                    return
                fi
                if [[ $cur == -*=* ]]; then
                    if _{{Program}}_option "$_{{Program}}_command" "${cur%%=*}"; then
                        compset -P '*='
                        compadd -- ${=_{{Program}}_values}
                    fi
                    return
                fi
                if [[ $cur == -* ]]; then
                    _{{Program}}_flags "$_{{Program}}_command"
                    _describe -t options 'option' _{{Program}}_reply
                else
                    _{{Program}}_words "$_{{Program}}_command"
                    _describe -t commands 'command' _{{Program}}_reply
                fi
            }

            if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
                _{{Program}} "$@"
            else
                compdef _{{Program}} {{Program}}
            fi

            """);
        return script.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The tree, flattened: one entry per verb, named c0 (the root), c1, ... in the scripts.

    private sealed record Verb(string Id, string Path, List<(string Word, string Id, string Description)> Subverbs, List<Flag> Flags, List<string> Values);

    private sealed record Flag(IReadOnlyList<string> Names, string Description, bool TakesValue, IReadOnlyList<string> Values, bool Files);

    private static List<Verb> Walk(Command root)
    {
        var verbs = new List<Verb>();
        Visit(root, Program, []);
        return verbs;

        string Visit(Command command, string path, IReadOnlyList<Option> inherited)
        {
            var verb = new Verb($"c{verbs.Count}", path, [], [], []);
            verbs.Add(verb);
            var options = command.Options.Concat(inherited.Where(o => !command.Options.Any(own => own.Name == o.Name))).Where(o => !o.Hidden).ToList();
            foreach (var option in options)
            {
                var names = new[] { option.Name }.Concat(option.Aliases).Where(IsFlag).Distinct().ToList();
                if (names.Count == 0)
                    continue;
                // A bool flag has arity 0..1 ("--quiet" or "--quiet true"): it is completed as a flag that takes nothing.
                var takesValue = option.Arity.MinimumNumberOfValues > 0;
                var files = takesValue && typeof(FileSystemInfo).IsAssignableFrom(ElementType(option.ValueType));
                verb.Flags.Add(new Flag(names, option.Description ?? "", takesValue, takesValue ? StaticValues(option) : [], files));
            }
            foreach (var argument in command.Arguments.Where(a => !a.Hidden))
                verb.Values.AddRange(StaticValues(argument));
            var below = inherited.Concat(command.Options.Where(o => o.Recursive)).ToList();
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                var id = Visit(sub, $"{path} {sub.Name}", below);
                foreach (var word in new[] { sub.Name }.Concat(sub.Aliases).Distinct())
                    verb.Subverbs.Add((word, id, sub.Description ?? ""));
            }
            return verb.Id;
        }
    }

    private static Type ElementType(Type type) =>
        type.IsArray ? type.GetElementType()! : type.IsGenericType ? type.GetGenericArguments()[0] : type;

    private static bool IsFlag(string name) =>
        name.Length > 1 && name[0] == '-' && name.Skip(1).All(c => c == '-' || char.IsAsciiLetterOrDigit(c) || c == '_') && name.Any(char.IsAsciiLetterOrDigit);

    private static bool IsWord(string value) =>
        value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c is not ('\'' or '"' or '\\' or '$' or '`' or ';' or '&' or '|' or '<' or '>' or '(' or ')' or '*' or '?' or '[' or ']'));

    private static List<string> StaticValues(Symbol symbol)
    {
        try
        {
            var items = symbol switch
            {
                Option option => option.GetCompletions(CompletionContext.Empty),
                Argument argument => argument.GetCompletions(CompletionContext.Empty),
                _ => [],
            };
            return items.Select(i => i.InsertText ?? i.Label).Where(IsWord).Distinct().ToList();
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or ArgumentException)
        {
            // A source that needs a parse result is dynamic: nothing fixed to offer.
            return [];
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The four lookup functions both scripts share: case tables keyed by "<verb id> <word>".

    private static void AppendTables(StringBuilder script, List<Verb> verbs, bool zsh)
    {
        var p = Program;
        script.Append('\n');
        script.Append($"# _{p}_option VERB FLAG: succeeds when FLAG takes a value on VERB; _{p}_values holds its fixed values\n");
        script.Append($"# (none: any value) and _{p}_files is set when the value is a path.\n");
        script.Append($"_{p}_option() {{\n    _{p}_values=''\n    _{p}_files=''\n    case \"$1 $2\" in\n");
        foreach (var verb in verbs)
            foreach (var flag in verb.Flags.Where(f => f.TakesValue))
            {
                var body = flag.Files ? $"_{p}_files=1" : flag.Values.Count > 0 ? $"_{p}_values={Quote(string.Join(' ', flag.Values))}" : ":";
                script.Append($"        {string.Join('|', flag.Names.Select(n => Quote($"{verb.Id} {n}")))}) {body} ;;\n");
            }
        script.Append("        *) return 1 ;;\n    esac\n    return 0\n}\n\n");

        script.Append($"# _{p}_subcommand VERB WORD: when WORD is a sub-verb of VERB, _{p}_command becomes that sub-verb.\n");
        script.Append($"_{p}_subcommand() {{\n    case \"$1 $2\" in\n");
        foreach (var verb in verbs)
            foreach (var group in verb.Subverbs.GroupBy(s => s.Id))
                script.Append($"        {string.Join('|', group.Select(s => Quote($"{verb.Id} {s.Word}")))}) _{p}_command={group.Key} ;;\n");
        script.Append("        *) return 1 ;;\n    esac\n}\n\n");

        script.Append($"# _{p}_words VERB / _{p}_flags VERB: what may follow VERB, in _{p}_reply.\n");
        AppendReplies(script, $"_{p}_words", verbs, zsh, verb =>
            verb.Subverbs.Select(s => (s.Word, s.Description)).Concat(verb.Values.Select(v => (v, ""))));
        AppendReplies(script, $"_{p}_flags", verbs, zsh, verb =>
            verb.Flags.SelectMany(f => f.Names.Select(n => (n, f.Description))));
    }

    private static void AppendReplies(StringBuilder script, string function, List<Verb> verbs, bool zsh,
        Func<Verb, IEnumerable<(string Word, string Description)>> words)
    {
        var reply = $"_{Program}_reply";
        script.Append($"{function}() {{\n    case \"$1\" in\n");
        foreach (var verb in verbs)
        {
            var list = words(verb).Where(w => IsWord(w.Word)).DistinctBy(w => w.Word).ToList();
            if (list.Count == 0)
                continue;
            script.Append($"        {verb.Id}) # {verb.Path}\n");
            if (zsh)
                // _describe's "word:description" entries; a colon inside the word is escaped.
                script.Append($"            {reply}=({string.Join(' ', list.Select(w => Quote(w.Word.Replace(":", "\\:", StringComparison.Ordinal) + (w.Description.Length > 0 ? ":" + OneLine(w.Description) : ""))))}) ;;\n");
            else
                script.Append($"            {reply}={Quote(string.Join(' ', list.Select(w => w.Word)))} ;;\n");
        }
        script.Append(zsh ? $"        *) {reply}=() ;;\n" : $"        *) {reply}='' ;;\n");
        script.Append("    esac\n}\n\n");
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 80 ? line[..77] + "..." : line;
    }

    /// <summary>A single-quoted shell word: nothing inside is expanded; a quote is closed, escaped and reopened.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
