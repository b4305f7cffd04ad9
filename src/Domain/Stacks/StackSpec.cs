using System.Collections.Immutable;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Services;

namespace EventSwarm.Domain.Stacks;

/// <summary>
/// What one `stack deploy` asks for, once its compose files are read and converted: the stack's own objects
/// named and labelled as Docker's converter does (`&lt;stack&gt;_&lt;name&gt;`, label com.docker.stack.namespace), and the
/// external objects they rely on, which must exist and are never created or removed by the stack.
/// </summary>
public sealed record StackSpec
{
    /// <summary>The label Docker's converter puts on every object of a stack (cli/compose/convert LabelNamespace): `stack ls/rm` find them by it.</summary>
    public const string NamespaceLabel = "com.docker.stack.namespace";

    /// <summary>The service label docker's converter records the image in, as written in the file: it follows the image.</summary>
    public const string ImageLabel = "com.docker.stack.image";

    /// <summary>The stack's name (the namespace): Docker's rules for a stack name apply.</summary>
    public required string Name { get; init; }
    /// <summary>Services, already named `&lt;stack&gt;_&lt;service&gt;`; networks, secrets and configs are referred to by their full names.</summary>
    public ImmutableArray<ServiceSpec> Services { get; init; } = [];
    /// <summary>Networks the stack owns, named `&lt;stack&gt;_&lt;network&gt;` (or the compose `name:`), created when missing.</summary>
    public ImmutableArray<NetworkSpec> Networks { get; init; } = [];
    /// <summary>Names of networks declared `external`: looked up, never created or removed.</summary>
    public ImmutableArray<string> ExternalNetworks { get; init; } = [];
    public ImmutableArray<StackFileObject> Secrets { get; init; } = [];
    public ImmutableArray<string> ExternalSecrets { get; init; } = [];
    public ImmutableArray<StackFileObject> Configs { get; init; } = [];
    public ImmutableArray<string> ExternalConfigs { get; init; } = [];
    /// <summary>The compose files read, in order, with the SHA-256 of each (for the stack's history).</summary>
    public ImmutableArray<StackFile> Files { get; init; } = [];
}

/// <summary>
/// A secret or config the stack owns: its name and labels, and its data as read from the file the compose file
/// names. The data is plaintext only in the command: the log keeps it sealed (secrets) and the stack's history
/// only its digest.
/// </summary>
public sealed record StackFileObject(string Name, ImmutableDictionary<string, string> Labels, ImmutableArray<byte> Data);

/// <summary>A compose file of a deploy: the path as given and the SHA-256 (hex) of its bytes.</summary>
public sealed record StackFile(string Path, string Digest);
