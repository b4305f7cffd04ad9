using System.Text.Json.Nodes;
using EventSwarm.Domain.Services;
using EventSwarm.Infrastructure.Stacks;

namespace EventSwarm.UnitTests.Stacks;

/// <summary>Compose documents for the converter's tests, written as the loader hands them over: JSON in compose's own shape.</summary>
internal static class ComposeGiven
{
    public const string WorkingDirectory = "/srv/app";

    public static ConvertedStack Convert(string json, string stack = "app", Func<string, byte[]>? readFile = null) =>
        ComposeConverter.Convert(
            stack,
            new LoadedCompose((JsonObject)JsonNode.Parse(json)!, [], [], WorkingDirectory),
            readFile ?? (path => throw new FileNotFoundException($"no file {path} in this test")));

    /// <summary>A document with one service, `web`, defined by <paramref name="service"/>, and the top-level sections given.</summary>
    public static ConvertedStack ConvertService(string service, string topLevel = "", string stack = "app", Func<string, byte[]>? readFile = null) =>
        Convert($$"""{"version": "3.8", "services": {"web": {{service}}}{{(topLevel.Length > 0 ? ", " + topLevel : "")}}}""", stack, readFile);

    public static ServiceSpec Service(string service, string topLevel = "", string stack = "app") =>
        Assert.Single(ConvertService(service, topLevel, stack).Spec.Services);

    public static ContainerSpec Container(string service, string topLevel = "") => Service(service, topLevel).TaskTemplate.Container;

    public static string Refused(string service, string topLevel = "") =>
        Assert.Throws<ComposeException>(() => ConvertService(service, topLevel)).Message;
}
