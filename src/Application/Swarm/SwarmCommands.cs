using EventSwarm.Application.Nodes;
using EventSwarm.Domain.Nodes;
using EventSwarm.Domain.Swarm;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Swarm;

public sealed record InitSwarmCommand(string AdvertiseAddress, Caller Caller, ClusterCredentials? Credentials = null, ManagerEndpoints? Manager = null) : ICommand<string>
{
    public SwarmSpec Spec { get; init; } = SwarmSpec.Default;
    public IReadOnlyList<string> DefaultAddrPool { get; init; } = [];
    public int SubnetSize { get; init; }
    public int DataPathPort { get; init; }
    /// <summary>With autolock: the managers' new unlock key, sealed under the data key (never the key in clear).</summary>
    public string? SealedUnlockKey { get; init; }
}

public sealed record ForceNewClusterCommand(Caller Caller) : ICommand;

/// <summary>`swarm update`: the new spec at the version read, and the hashes of new join secrets for the tokens to rotate.</summary>
public sealed record UpdateSwarmCommand(long Version, SwarmSpec Spec, Caller Caller, string? WorkerSecretHash = null, string? ManagerSecretHash = null) : ICommand
{
    /// <summary>With autolock asked for: a fresh unlock key sealed under the data key, taken if the key changes.</summary>
    public string? SealedUnlockKey { get; init; }
    public bool RotateUnlockKey { get; init; }
}

/// <summary>Returns the role the token admitted.</summary>
public sealed record JoinSwarmCommand(string NodeId, string Token, NodeRole RequestedRole, string Address, NodeDescription Description, Caller Caller, ManagerEndpoints? Manager = null) : ICommand<NodeRole>;

public sealed record RegisterNodeCommand(string NodeId, NodeRole Role, string Address, NodeDescription Description, Caller Caller) : ICommand;

public sealed class SwarmCommandHandlers(CommandExecutor executor, LocalNode local) :
    ICommandHandler<InitSwarmCommand, string>,
    ICommandHandler<RegisterNodeCommand>,
    ICommandHandler<UpdateSwarmCommand>,
    ICommandHandler<ForceNewClusterCommand>,
    ICommandHandler<JoinSwarmCommand, NodeRole>
{
    public async ValueTask<NodeRole> Handle(JoinSwarmCommand command, CancellationToken ct)
    {
        var decision = await executor.ExecuteAsync("JoinSwarm", command.Caller, state => JoinDecider.Decide(
            new JoinSwarm(command.NodeId, command.Token, command.RequestedRole, command.Address, command.Description, executor.Now, command.Manager), state), ct);
        return decision.Events.OfType<NodeJoined>().Single().Role;
    }

    public async ValueTask<Unit> Handle(ForceNewClusterCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("ForceNewCluster", command.Caller, state => SwarmDecider.Decide(new ForceNewCluster(local.NodeId, executor.Now), state), ct);
        return Unit.Value;
    }

    public async ValueTask<Unit> Handle(UpdateSwarmCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateSwarm", command.Caller, state => SwarmDecider.Decide(
            new UpdateSwarm(command.Version, command.Spec, executor.Now, command.WorkerSecretHash, command.ManagerSecretHash)
            {
                SealedUnlockKey = command.SealedUnlockKey,
                RotateUnlockKey = command.RotateUnlockKey,
            }, state), ct);
        return Unit.Value;
    }

    public async ValueTask<string> Handle(InitSwarmCommand command, CancellationToken ct)
    {
        var description = await local.DescriptionAsync(ct);
        await executor.ExecuteAsync("InitSwarm", command.Caller, state => SwarmDecider.Decide(
            new InitSwarm(Ids.NewId(), local.NodeId, command.AdvertiseAddress, description, executor.Now, command.Credentials, command.Manager, Ids.NewId())
            {
                Spec = command.Spec,
                DefaultAddrPool = command.DefaultAddrPool,
                SubnetSize = command.SubnetSize,
                DataPathPort = command.DataPathPort,
                SealedUnlockKey = command.SealedUnlockKey,
            }, state), ct);
        return local.NodeId;
    }

    public async ValueTask<Unit> Handle(RegisterNodeCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RegisterNode", command.Caller, state => SwarmDecider.Decide(
            new RegisterNode(command.NodeId, command.Role, command.Address, command.Description, executor.Now), state), ct);
        return Unit.Value;
    }
}

public sealed class InitSwarmValidator : AbstractValidator<InitSwarmCommand>
{
    public InitSwarmValidator() =>
        RuleFor(c => c.AdvertiseAddress)
            // An IP (v4 or v6), or IP:PORT / [V6]:PORT as older callers sent it.
            .Must(a => System.Net.IPAddress.TryParse(a, out _) || System.Net.IPEndPoint.TryParse(a, out _))
            .WithMessage(c => $"invalid advertise address '{c.AdvertiseAddress}': expected an IP address, optionally with a port");
}
