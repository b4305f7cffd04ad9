using System.Collections.Immutable;
using EventSwarm.Domain.Nodes;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Nodes;

public sealed record UpdateNodeCommand(string Node, long Version, NodeRole Role, NodeAvailability Availability, ImmutableDictionary<string, string> Labels, Caller Caller) : ICommand;

public sealed record RemoveNodeCommand(string Node, bool Force, Caller Caller) : ICommand;

public sealed class NodeCommandHandlers(CommandExecutor executor) : ICommandHandler<UpdateNodeCommand>, ICommandHandler<RemoveNodeCommand>
{
    public async ValueTask<Unit> Handle(RemoveNodeCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RemoveNode", command.Caller,
            state => NodeRemoval.Decide(new RemoveNode(command.Node, command.Force, executor.Now), state), ct);
        return Unit.Value;
    }

    public async ValueTask<Unit> Handle(UpdateNodeCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateNode", command.Caller, state => NodeDecider.Decide(
            new UpdateNode(command.Node, command.Version, command.Role, command.Availability, command.Labels, executor.Now), state), ct);
        return Unit.Value;
    }
}

public sealed class UpdateNodeValidator : AbstractValidator<UpdateNodeCommand>
{
    public UpdateNodeValidator()
    {
        RuleFor(c => c.Node).NotEmpty().WithMessage("node name or ID must not be empty");
        RuleForEach(c => c.Labels.Keys).NotEmpty().WithMessage("a node label needs a name");
    }
}
