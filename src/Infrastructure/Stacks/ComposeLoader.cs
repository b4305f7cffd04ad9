using System.Collections.Immutable;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>A compose file refused: the message names the file, the place (line and column, or the key's path) and the problem.</summary>
public sealed class ComposeException(string message) : Exception(message);

/// <summary>
/// The compose files of one deploy, read as Docker's loader reads them: YAML parsed, `${VAR}` interpolated,
/// checked against the format, merged in order, env_file read into environment, relative paths made absolute.
/// </summary>
/// <param name="Document">The merged document, in the compose format's own shape (keys as written, typed scalars).</param>
/// <param name="Warnings">What docker prints before deploying ("Ignoring unsupported options: build", …).</param>
/// <param name="Files">Each file read, with the SHA-256 of its bytes.</param>
/// <param name="WorkingDirectory">The directory of the first file: relative paths resolve against it.</param>
public sealed record LoadedCompose(JsonObject Document, ImmutableArray<string> Warnings, ImmutableArray<StackFile> Files, string WorkingDirectory);

public static class ComposeLoader
{
    /// <summary>Reads the files (`-` is standard input's text, passed as <paramref name="stdin"/>), with <paramref name="environment"/> for interpolation.</summary>
    public static LoadedCompose Load(IReadOnlyList<string> paths, IReadOnlyDictionary<string, string> environment, string? stdin = null) =>
        throw new NotImplementedException("ComposeLoader.Load");
}
