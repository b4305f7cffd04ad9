using System.Collections.Immutable;
using System.Text;
using EventSwarm.Domain.Networking;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Stacks;

namespace EventSwarm.UnitTests.Stacks;

/// <summary>Builders for the stack tests: the tutorial's shape (a network, a secret, two services) in a stack "wp".</summary>
internal static class StackGiven
{
    public const string Ingress = "ingress-id";

    public static ClusterState SwarmWithIngress() => Given(Cluster("n1")).And(NetworkDecider.Ingress(Ingress, T0));

    public static ServiceSpec StackService(string stack, string name, string image = "busybox:1", long replicas = 1, int publish = 0,
        string? network = null, string? secret = null)
    {
        var spec = Spec($"{stack}_{name}", replicas, image);
        return spec with
        {
            Labels = ImmutableDictionary<string, string>.Empty.Add(StackSpec.NamespaceLabel, stack),
            TaskTemplate = spec.TaskTemplate with
            {
                Networks = network is null ? [] : [new ServiceNetwork(network, [name])],
                Container = spec.TaskTemplate.Container with
                {
                    Secrets = secret is null ? [] : [new SecretReference("", secret, new FileTarget(secret, "0", "0", FileTarget.DefaultMode))],
                },
            },
            Endpoint = publish == 0 ? spec.Endpoint : new EndpointSpec(EndpointMode.Vip, [new PortConfig(PortProtocol.Tcp, 80, publish)]),
        };
    }

    public static StackFileObject Secret(string name, string data) =>
        new(name, ImmutableDictionary<string, string>.Empty, [.. Encoding.UTF8.GetBytes(data)]);

    /// <summary>The tutorial's stack: web (publishing 8080) and mysql on wp_net, both reading the secret wp_pw.</summary>
    public static StackSpec Wordpress(string webImage = "wordpress:latest", string password = "root", long replicas = 3) => new()
    {
        Name = "wp",
        Networks = [new NetworkSpec { Name = "wp_net" }],
        Secrets = [Secret("wp_pw", password)],
        Services =
        [
            StackService("wp", "web", webImage, replicas, publish: 8080, network: "wp_net", secret: "wp_pw"),
            StackService("wp", "mysql", "mysql:5.7", network: "wp_net", secret: "wp_pw"),
        ],
        Files = [new StackFile("docker-compose.yml", "ab12")],
    };

    /// <summary>A deploy as the handler makes it: secrets "sealed" (here: marked, never the plaintext) for the ID and version they get.</summary>
    public static DeployStack Deploy(StackSpec spec, ClusterState state, bool prune = false, double at = 1)
    {
        var current = ImmutableDictionary.CreateBuilder<string, string>();
        var sealedSecrets = new List<SealedStackSecret>();
        foreach (var secret in spec.Secrets)
        {
            var digest = StackDigest.Of(secret.Data.AsSpan());
            if (state.Secrets.Values.FirstOrDefault(s => s.Spec.Name == secret.Name) is { } existing)
            {
                current[secret.Name] = existing.Current.Payload.Replace("sealed:", "");
                sealedSecrets.Add(new SealedStackSecret(secret.Name, digest, existing.Id, existing.Current.Number + 1, "sealed:" + digest));
            }
            else sealedSecrets.Add(new SealedStackSecret(secret.Name, digest, "sid-" + secret.Name, 1, "sealed:" + digest));
        }
        var withoutData = spec with { Secrets = [.. spec.Secrets.Select(s => s with { Data = [] })] };
        return new DeployStack(withoutData, prune, At(at), [.. Enumerable.Range(1, StackDecider.NeededIds(spec)).Select(i => $"id{at}-{i}")],
            [.. sealedSecrets], current.ToImmutable());
    }

    /// <summary>The state's digest of each secret, as the handler computes it by opening them (here the test's "sealed:DIGEST").</summary>
    public static ImmutableDictionary<string, string> Digests(ClusterState state) =>
        state.Secrets.Values.ToImmutableDictionary(s => s.Spec.Name, s => s.Current.Payload.Replace("sealed:", ""));

    public static Service ServiceNamed(this ClusterState state, string name) => state.Services.Values.Single(s => s.Spec.Name == name);
}
