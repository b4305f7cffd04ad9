using System.Text.Json;
using System.Text.Json.Nodes;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.Node.Api.Stacks;

// The HTTP contract of EventSwarm's native stack endpoints (PascalCase JSON, as the Engine API's):
//   POST   /eventswarm/v1/stacks/{name}/deploy            body: StackWire.ToRequest(spec, prune)  → 200 StackDeployResultJson
//   GET    /eventswarm/v1/stacks                                                                   → 200 [StackSummaryJson]
//   GET    /eventswarm/v1/stacks/{name}/history                                                    → 200 [StackVersionJson]
//   POST   /eventswarm/v1/stacks/{name}/rollback[?to-version=N]                                    → 200 StackDeployResultJson
//   DELETE /eventswarm/v1/stacks/{name}                                                            → 200 StackDeployResultJson (what was removed)
// Errors as every endpoint: {"message": "..."} with Docker's status codes; nothing is appended on an error.

/// <summary>What a deploy, a rollback or a removal did to each object of the stack.</summary>
/// <param name="Version">The stack's version after the deploy (1 for the first), or its last version for a removal.</param>
public sealed record StackDeployResultJson(int Version, IReadOnlyList<StackObjectChangeJson> Changes);

/// <param name="Kind">service, network, secret or config.</param>
/// <param name="Action">created, updated, unchanged or removed.</param>
public sealed record StackObjectChangeJson(string Kind, string Name, string Id, string Action);

/// <summary>A stack for `stack ls`: its services counted as docker does (by the namespace label), and its last recorded version (0 when only the stock CLI deployed it).</summary>
public sealed record StackSummaryJson(string Name, int Services, int Version, DateTimeOffset? UpdatedAt);

/// <summary>One deploy of a stack, for `stack history`.</summary>
public sealed record StackVersionJson(int Version, DateTimeOffset At, string? Who, string? Command, IReadOnlyList<StackFile> Files, IReadOnlyList<string> Changes);

public static class StackWire
{
    public static JsonObject ToRequest(StackSpec spec, bool prune) => throw new NotImplementedException("StackWire.ToRequest");

    public static (StackSpec Spec, bool Prune) FromRequest(JsonElement body) => throw new NotImplementedException("StackWire.FromRequest");
}
