using CsCheck;

namespace EventSwarm.UnitTests.Properties;

/// <summary>
/// One thing that happens to a swarm: a user's command, a node lost or back, a container that exits. Targets are
/// indices resolved against the state when the step runs (modulo what exists), so a sequence stays meaningful when
/// CsCheck shrinks it by dropping steps. Each prints as a line of the minimal failing sequence.
/// </summary>
public abstract record ClusterOp;

/// <summary>`service create`: replicated or global, on no network, one or both overlays, publishing nothing, a port
/// the allocator picks, or the fixed port 8080 (which a second service is refused).</summary>
public sealed record CreateServiceOp(int Name, bool Global, int Replicas, int Image, int Networks, int Ports, int RestartDelay, int Constraint, int Restart, bool Reserves) : ClusterOp
{
    public override string ToString() =>
        $"create {ClusterOps.Names[Name]} {(Global ? "global" : $"replicas={Replicas}")} image={ClusterOps.Images[Image]} nets={ClusterOps.NetworkChoices[Networks]} ports={ClusterOps.PortChoices[Ports]} delay={ClusterOps.Delays[RestartDelay]}s restart={ClusterOps.Restarts[Restart]} constraint={ClusterOps.Constraints[Constraint]}{(Reserves ? " --reserve-memory 3GiB" : "")}";
}

/// <summary>`service scale` (recorded as ServiceScaled), 0 included.</summary>
public sealed record ScaleServiceOp(int Service, int Replicas) : ClusterOp
{
    public override string ToString() => $"scale service#{Service} to {Replicas}";
}

/// <summary>`service update --image`: a new spec version, replaced one slot at a time.</summary>
public sealed record UpdateImageOp(int Service, int Image) : ClusterOp
{
    public override string ToString() => $"update service#{Service} --image {ClusterOps.Images[Image]}";
}

/// <summary>`service update` of the networks, restart policy, constraint and ports at once; <paramref name="Force"/> is --force.</summary>
public sealed record UpdateSpecOp(int Service, int Networks, int RestartDelay, int Restart, int Constraint, int Ports, bool Reserves, bool Force) : ClusterOp
{
    public override string ToString() =>
        $"update service#{Service} nets={ClusterOps.NetworkChoices[Networks]} delay={ClusterOps.Delays[RestartDelay]}s restart={ClusterOps.Restarts[Restart]} constraint={ClusterOps.Constraints[Constraint]} ports={ClusterOps.PortChoices[Ports]}{(Reserves ? " --reserve-memory 3GiB" : "")}{(Force ? " --force" : "")}";
}

/// <summary>
/// `service update --image … --update-parallelism … --update-order … --update-failure-action … --update-delay …
/// --update-monitor … --update-max-failure-ratio …`: a new spec rolled out as its update_config says, to an image that
/// may be the broken one (its tasks fail as they start); <paramref name="Rollback"/> gives it a rollback_config too.
/// </summary>
public sealed record RolloutOp(int Service, int Image, int Parallelism, bool StartFirst, int FailureAction, bool Delay, int Monitor, bool Ratio, bool Rollback) : ClusterOp
{
    public UpdateConfig Config => new()
    {
        Parallelism = Parallelism,
        Order = StartFirst ? UpdateOrder.StartFirst : UpdateOrder.StopFirst,
        FailureAction = (UpdateFailureAction)FailureAction,
        Delay = Duration.FromSeconds(Delay ? 1 : 0),
        Monitor = Duration.FromSeconds(ClusterOps.Monitors[Monitor]),
        MaxFailureRatio = Ratio ? 0.5f : 0,
    };

    public override string ToString() =>
        $"update service#{Service} --image {ClusterOps.RolloutImages[Image]} --update-parallelism {Parallelism} --update-order {(StartFirst ? "start-first" : "stop-first")} " +
        $"--update-failure-action {((UpdateFailureAction)FailureAction).ToString().ToLowerInvariant()} --update-delay {(Delay ? 1 : 0)}s --update-monitor {ClusterOps.Monitors[Monitor]}s" +
        $"{(Ratio ? " --update-max-failure-ratio 0.5" : "")}{(Rollback ? " (same --rollback-* config)" : "")}";
}

/// <summary>`service rollback` (refused when the service has no previous spec).</summary>
public sealed record RollbackOp(int Service) : ClusterOp
{
    public override string ToString() => $"service rollback service#{Service}";
}

public sealed record RemoveServiceOp(int Service) : ClusterOp
{
    public override string ToString() => $"remove service#{Service}";
}

/// <summary>A worker's heartbeats stop (host lost or cut off); its containers keep running where they are.</summary>
public sealed record NodeDownOp(int Node) : ClusterOp
{
    public override string ToString() => $"worker#{Node} stops beating";
}

/// <summary>A silent worker is heard again; <paramref name="Reregisters"/>: its agent restarted and registered anew.</summary>
public sealed record NodeUpOp(int Node, bool Reregisters) : ClusterOp
{
    public override string ToString() => $"worker#{Node} beats again{(Reregisters ? " (agent re-registers)" : "")}";
}

/// <summary>`node update --availability`.</summary>
public sealed record NodeAvailabilityOp(int Node, NodeAvailability Availability) : ClusterOp
{
    public override string ToString() => $"node#{Node} --availability {Availability.ToString().ToLowerInvariant()}";
}

/// <summary>A new worker joins (its agent registers).</summary>
public sealed record NodeJoinOp : ClusterOp
{
    public override string ToString() => "a new worker joins";
}

/// <summary>`node rm` (refused unless the node is down) or `node rm --force`.</summary>
public sealed record NodeRemoveOp(int Node, bool Force) : ClusterOp
{
    public override string ToString() => $"node rm{(Force ? " --force" : "")} worker#{Node}";
}

/// <summary>A running task's container exits: non-zero (Failed) or zero (Complete).</summary>
public sealed record TaskExitOp(int Task, bool Clean) : ClusterOp
{
    public override string ToString() => $"running task#{Task} exits {(Clean ? "0" : "1")}";
}

/// <summary>Time passes with nothing asked (crash-loop back-offs reset after 10 s of running).</summary>
/// <summary>`eventswarm secret rotate pw`: every service uses the secret, so each rolls its tasks to the new version.</summary>
public sealed record RotateSecretOp : ClusterOp
{
    public override string ToString() => "secret rotate pw";
}

public sealed record WaitOp(int Seconds) : ClusterOp
{
    public override string ToString() => $"wait {Seconds}s";
}

public static class ClusterOps
{
    public static readonly string[] Names = ["web", "api", "agent"];
    public static readonly string[] Images = ["nginx:1", "nginx:2", "redis:7"];
    /// <summary>The images an update with an update_config may roll out; the last one is broken: the simulated engine fails
    /// its first starts in each slot, so that the failure action is exercised and a history still reaches a fixed point.</summary>
    public static readonly string[] RolloutImages = [.. Images, SimulatedSwarm.BrokenImage];
    /// <summary>--update-monitor: 0 is Swarm's default (5 s).</summary>
    public static readonly double[] Monitors = [0, 2, 10];
    public static readonly string[] NetworkChoices = ["none", "front", "back", "front+back"];
    public static readonly string[] PortChoices = ["none", "dynamic", "8080"];
    /// <summary>0 and a fraction of a second engage the crash-loop back-off; 5 s is Swarm's default delay.</summary>
    public static readonly double[] Delays = [0, 0.3, 5];
    /// <summary>Restart conditions, the first (Swarm's default) most often; "any,max=2" counts restarts per slot.</summary>
    public static readonly string[] Restarts = ["any", "any", "any", "on-failure", "none", "any,max=2"];
    /// <summary>Nodes labelled zone=a at the start are n2 and n3; joined nodes have no label.</summary>
    public static readonly string[] Constraints = ["", "node.role==worker", "node.labels.zone==a", "node.hostname!=n2"];

    public const int MaxReplicas = 4;
    /// <summary>A memory reservation of 3 GiB: two such tasks fill one of the 8 GiB nodes.</summary>
    public const long ReservedMemory = 3L * 1024 * 1024 * 1024;

    private static readonly Gen<ClusterOp> Create =
        Gen.Select(Gen.Int[0, Names.Length - 1], Gen.Int[0, 3], Gen.Int[0, MaxReplicas], Gen.Int[0, Images.Length - 1],
            Gen.Int[0, NetworkChoices.Length - 1], Gen.Int[0, PortChoices.Length - 1], Gen.Int[0, Delays.Length - 1], Gen.Int[0, Constraints.Length - 1],
            Gen.Int[0, Restarts.Length - 1], Gen.Int[0, 3],
            (name, mode, replicas, image, nets, ports, delay, constraint, restart, reserves) =>
                (ClusterOp)new CreateServiceOp(name, mode == 0, replicas, image, nets, ports, delay, constraint, restart, reserves == 0));

    private static readonly Gen<int> Target = Gen.Int[0, 7];

    /// <summary>Weighted so that services exist most of the time and failures hit them.</summary>
    public static readonly Gen<ClusterOp> Op = Gen.Frequency(
        (4, Create),
        (3, Gen.Select(Target, Gen.Int[0, MaxReplicas + 1], (s, r) => (ClusterOp)new ScaleServiceOp(s, r))),
        (2, Gen.Select(Target, Gen.Int[0, Images.Length - 1], (s, i) => (ClusterOp)new UpdateImageOp(s, i))),
        (2, Gen.Select(Target, Gen.Int[0, NetworkChoices.Length - 1], Gen.Int[0, Delays.Length - 1], Gen.Int[0, Restarts.Length - 1],
            Gen.Int[0, Constraints.Length - 1], Gen.Int[0, PortChoices.Length - 1], Gen.Int[0, 3], Gen.Bool,
            (s, n, d, r, c, p, m, f) => (ClusterOp)new UpdateSpecOp(s, n, d, r, c, p, m == 0, f))),
        (3, Gen.Select(Target, Gen.Int[0, RolloutImages.Length - 1], Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 2], Gen.Bool, Gen.Int[0, Monitors.Length - 1],
            Gen.Int[0, 3], Gen.Bool, (s, i, p, o, f, d, m, r, b) => (ClusterOp)new RolloutOp(s, i, p, o, f, d, m, r == 0, b))),
        (1, Target.Select(s => (ClusterOp)new RollbackOp(s))),
        (1, Target.Select(s => (ClusterOp)new RemoveServiceOp(s))),
        (2, Target.Select(n => (ClusterOp)new NodeDownOp(n))),
        (2, Gen.Select(Target, Gen.Bool, (n, r) => (ClusterOp)new NodeUpOp(n, r))),
        (3, Gen.Select(Target, Gen.OneOf(NodeAvailability.Drain, NodeAvailability.Pause, NodeAvailability.Active, NodeAvailability.Active),
            (n, a) => (ClusterOp)new NodeAvailabilityOp(n, a))),
        (1, Gen.Const((ClusterOp)new NodeJoinOp())),
        (1, Gen.Select(Target, Gen.Bool, (n, f) => (ClusterOp)new NodeRemoveOp(n, f))),
        (4, Gen.Select(Gen.Int[0, 15], Gen.Bool, (t, c) => (ClusterOp)new TaskExitOp(t, c))),
        (1, Gen.Const((ClusterOp)new RotateSecretOp())),
        (1, Gen.Int[1, 30].Select(s => (ClusterOp)new WaitOp(s))));

    public static Gen<ClusterOp[]> Sequence(int maxSteps) => Op.Array[1, maxSteps];
}
