using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Swarm;

/// <summary>
/// <c>swarm update [--autolock[=true|false]] [--task-history-limit N] [--dispatcher-heartbeat D] [--cert-expiry D]</c>:
/// docker's update.go — the spec is read, the flags given are laid over it, and it is sent back at the version
/// read. Turning autolock on prints the new unlock key, as docker does.
/// </summary>
public sealed class SwarmUpdateCommand : Verb
{
    private readonly Option<bool> _autolock = Flags.Bool("--autolock", "Change manager autolocking setting (true|false)");
    private readonly Option<string> _certExpiry = Flags.String("--cert-expiry", "Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)", "duration");
    private readonly Option<string> _dispatcherHeartbeat = Flags.String("--dispatcher-heartbeat", "Dispatcher heartbeat period (ns|us|ms|s|m|h) (default 5s)", "duration");
    private readonly Option<string> _taskHistoryLimit = Flags.String("--task-history-limit", "Task history retention limit (default 5)", "int");

    public SwarmUpdateCommand() : base("update", "[OPTIONS]", "Update the swarm")
    {
        Options.Add(_autolock);
        Options.Add(_certExpiry);
        Options.Add(_dispatcherHeartbeat);
        Options.Add(_taskHistoryLimit);
    }

    /// <summary>The spec to send: the one read, with only the flags given changed (docker's mergeSwarmSpec).</summary>
    public Spec Apply(ParseResult result, Spec spec)
    {
        if (result.GetResult(_autolock) is { Implicit: false })
            spec.EncryptionConfig = new EncryptionConfig { AutoLockManagers = result.GetValue(_autolock) };
        if (result.Int(_taskHistoryLimit) is { } limit)
            (spec.Orchestration ??= new OrchestrationConfig()).TaskHistoryRetentionLimit = limit;
        if (result.Duration(_dispatcherHeartbeat) is { } heartbeat)
            (spec.Dispatcher ??= new DispatcherConfig()).HeartbeatPeriod = heartbeat;
        if (result.Duration(_certExpiry) is { } expiry)
            (spec.CAConfig ??= new CAConfig()).NodeCertExpiry = expiry;
        return spec;
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var client = context.Client;
        var swarm = await client.Swarm.InspectSwarmAsync();
        var wasLocked = swarm.Spec?.EncryptionConfig?.AutoLockManagers == true;
        var spec = Apply(result, swarm.Spec ?? new Spec());
        await client.Swarm.UpdateSwarmAsync(new SwarmUpdateParameters { Spec = spec, Version = (long)(swarm.Version?.Index ?? 0) });
        context.Out.WriteLine("Swarm updated.");
        if (spec.EncryptionConfig?.AutoLockManagers == true && !wasLocked)
            SwarmUnlockKeyCommand.PrintUnlockCommand(context.Out, (await client.Swarm.GetSwarmUnlockKeyAsync()).UnlockKey);
        return 0;
    }
}
