using System.Collections.Immutable;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;

namespace EventSwarm.Domain.Services;

/// <summary>The container a task runs: Swarm's ContainerSpec, applied by the worker as Docker's executor does.</summary>
public sealed record ContainerSpec
{
    public required string Image { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>The entrypoint (docker's --entrypoint); empty keeps the image's.</summary>
    public ImmutableArray<string> Command { get; init; } = [];
    /// <summary>Arguments after the image on the command line; the image's CMD when empty.</summary>
    public ImmutableArray<string> Args { get; init; } = [];
    public string? Hostname { get; init; }
    public ImmutableArray<string> Env { get; init; } = [];
    /// <summary>The working directory; empty keeps the image's.</summary>
    public string? Dir { get; init; }
    public string? User { get; init; }
    /// <summary>Supplementary groups of the container's process.</summary>
    public ImmutableArray<string> Groups { get; init; } = [];
    public Privileges? Privileges { get; init; }
    /// <summary>Whether an init process reaps zombies; null leaves it to the engine's default.</summary>
    public bool? Init { get; init; }
    public string? StopSignal { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool ReadOnly { get; init; }
    public ImmutableArray<Mount> Mounts { get; init; } = [];
    /// <summary>Time between the stop signal and SIGKILL; null is Swarm's default, 10 s.</summary>
    public Duration? StopGracePeriod { get; init; }
    public Healthcheck? Healthcheck { get; init; }
    /// <summary>Extra /etc/hosts entries, in Swarm's form "IP HOSTNAME [ALIAS...]".</summary>
    public ImmutableArray<string> Hosts { get; init; } = [];
    public DnsConfig? DnsConfig { get; init; }
    /// <summary>Windows isolation technology (default, process, hyperv); kept, not applied on Linux.</summary>
    public string? Isolation { get; init; }
    public ImmutableDictionary<string, string> Sysctls { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<string> CapabilityAdd { get; init; } = [];
    public ImmutableArray<string> CapabilityDrop { get; init; } = [];
    public ImmutableArray<Ulimit> Ulimits { get; init; } = [];
    /// <summary>The secrets its tasks read, as files under /run/secrets (by secret ID once the service is recorded).</summary>
    public ImmutableArray<SecretReference> Secrets { get; init; } = [];
    public ImmutableArray<ConfigReference> Configs { get; init; } = [];

    public static Duration DefaultStopGracePeriod { get; } = Duration.FromSeconds(10);

    public TimeSpan EffectiveStopGracePeriod => (StopGracePeriod ?? DefaultStopGracePeriod).ToTimeSpan();

    public bool Equals(ContainerSpec? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public enum MountType { Volume, Bind, Tmpfs }

public sealed record Mount(MountType Type, string? Source, string Target, bool ReadOnly = false)
{
    public BindOptions? BindOptions { get; init; }
    public VolumeOptions? VolumeOptions { get; init; }
    public TmpfsOptions? TmpfsOptions { get; init; }
}

public sealed record BindOptions(string? Propagation, bool NonRecursive);

public sealed record VolumeOptions(bool NoCopy)
{
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public Driver? DriverConfig { get; init; }

    public bool Equals(VolumeOptions? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public sealed record TmpfsOptions(long SizeBytes, uint Mode);

/// <summary>Docker's HEALTHCHECK: Test empty inherits the image's, ["NONE"] disables it; zero durations inherit.</summary>
public sealed record Healthcheck
{
    public ImmutableArray<string> Test { get; init; } = [];
    public Duration Interval { get; init; }
    public Duration Timeout { get; init; }
    public Duration StartPeriod { get; init; }
    public int Retries { get; init; }

    public bool Equals(Healthcheck? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public sealed record DnsConfig
{
    public ImmutableArray<string> Nameservers { get; init; } = [];
    public ImmutableArray<string> Search { get; init; } = [];
    public ImmutableArray<string> Options { get; init; } = [];

    public bool Equals(DnsConfig? other) => SpecEquality.Equal(this, other);

    public override int GetHashCode() => SpecEquality.Hash(this);
}

public sealed record Ulimit(string Name, long Soft, long Hard);

/// <summary>Security options of the container: a Windows credential spec, SELinux labels.</summary>
public sealed record Privileges(CredentialSpec? CredentialSpec, SeLinuxContext? SeLinuxContext);

public sealed record CredentialSpec(string? Config, string? File, string? Registry);

public sealed record SeLinuxContext(bool Disable, string? User, string? Role, string? Type, string? Level);
