using System.Collections.Immutable;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Infrastructure.Stacks;

/// <summary>A loaded compose document as the stack it asks for, plus what docker would warn about while converting.</summary>
public sealed record ConvertedStack(StackSpec Spec, ImmutableArray<string> Warnings);

/// <summary>
/// The loaded compose document as Swarm objects, named, labelled and defaulted as docker/cli's
/// cli/compose/convert does, so that `eventswarm stack deploy` and `docker stack deploy` of one file give the same services.
/// </summary>
public static class ComposeConverter
{
    /// <param name="readFile">Reads a secret's or config's `file:` (absolute paths; the loader resolved them).</param>
    public static ConvertedStack Convert(string stackName, LoadedCompose loaded, Func<string, byte[]> readFile) =>
        throw new NotImplementedException("ComposeConverter.Convert");
}
