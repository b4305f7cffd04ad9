using EventSwarm.Domain.Networking;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Networking;

public sealed record CreateNetworkCommand(NetworkSpec Spec, Caller Caller) : ICommand<string>;
public sealed record RemoveNetworkCommand(string Network, Caller Caller) : ICommand;

public sealed class NetworkCommandHandlers(CommandExecutor executor) :
    ICommandHandler<CreateNetworkCommand, string>,
    ICommandHandler<RemoveNetworkCommand>
{
    public async ValueTask<string> Handle(CreateNetworkCommand command, CancellationToken ct)
    {
        var id = Ids.NewId();
        await executor.ExecuteAsync("CreateNetwork", command.Caller,
            state => NetworkDecider.Decide(new CreateNetwork(id, command.Spec, executor.Now), state), ct);
        return id;
    }

    public async ValueTask<Unit> Handle(RemoveNetworkCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RemoveNetwork", command.Caller,
            state => NetworkDecider.Decide(new RemoveNetwork(command.Network, executor.Now), state), ct);
        return Unit.Value;
    }
}

/// <summary>
/// The shape of a network spec; the decider checks it again against the cluster (names in use, overlapping
/// subnets), but a malformed gateway is refused here, before the leader is asked. The name and the subnet are the
/// decider's to check: the engine answers those with 500, not 400 (see NetworkDecider).
/// </summary>
public sealed class NetworkSpecValidator : AbstractValidator<NetworkSpec>
{
    public NetworkSpecValidator()
    {
        RuleFor(s => s.Driver)
            .NotEmpty().WithMessage("network driver must not be empty");
        RuleFor(s => s.Gateway)
            .Must(g => Ipv4Subnet.TryParseAddress(g!, out _))
            .When(s => !string.IsNullOrEmpty(s.Gateway))
            .WithMessage(s => $"ipam configuration: invalid gateway {s.Gateway}");
        // docker's rule: a gateway is an address in a subnet the user chose, not in one the pool will pick.
        RuleFor(s => s.Gateway)
            .Empty().When(s => string.IsNullOrEmpty(s.Subnet))
            .WithMessage("every ip-range or gateway must have a corresponding subnet");
        RuleForEach(s => s.Labels.Keys)
            .NotEmpty().WithMessage("a network label needs a name");
    }
}

public sealed class CreateNetworkValidator : AbstractValidator<CreateNetworkCommand>
{
    public CreateNetworkValidator() => RuleFor(c => c.Spec).SetValidator(new NetworkSpecValidator());
}

public sealed class RemoveNetworkValidator : AbstractValidator<RemoveNetworkCommand>
{
    public RemoveNetworkValidator() => RuleFor(c => c.Network).NotEmpty().WithMessage("network name or ID must not be empty");
}
