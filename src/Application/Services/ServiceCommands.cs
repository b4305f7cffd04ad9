using EventSwarm.Domain.Services;
using Mediator;

namespace EventSwarm.Application.Services;

public sealed record CreateServiceCommand(ServiceSpec Spec, Caller Caller) : ICommand<string>;
/// <param name="Version">The version the caller read, checked as an update's is; null scales whatever is current.</param>
public sealed record ScaleServiceCommand(string Service, long Replicas, Caller Caller, long? Version = null) : ICommand;
public sealed record UpdateServiceCommand(string Service, long Version, ServiceSpec Spec, Caller Caller) : ICommand;
public sealed record UpdateServiceImageCommand(string Service, long Version, string Image, Caller Caller) : ICommand;
public sealed record RemoveServiceCommand(string Service, Caller Caller) : ICommand;
public sealed record RollbackServiceCommand(string Service, long Version, Caller Caller) : ICommand;
/// <param name="Version">The version the caller read; null rolls whatever is current.</param>
public sealed record RollbackServiceToVersionCommand(string Service, int ToVersion, Caller Caller, long? Version = null) : ICommand;

public sealed class ServiceCommandHandlers(CommandExecutor executor) :
    ICommandHandler<CreateServiceCommand, string>,
    ICommandHandler<ScaleServiceCommand>,
    ICommandHandler<UpdateServiceCommand>,
    ICommandHandler<UpdateServiceImageCommand>,
    ICommandHandler<RemoveServiceCommand>,
    ICommandHandler<RollbackServiceCommand>,
    ICommandHandler<RollbackServiceToVersionCommand>
{
    public async ValueTask<string> Handle(CreateServiceCommand command, CancellationToken ct)
    {
        var id = Ids.NewId();
        await executor.ExecuteAsync("CreateService", command.Caller,
            state => ServiceDecider.Decide(new CreateService(id, command.Spec, executor.Now), state), ct);
        return id;
    }

    public async ValueTask<Mediator.Unit> Handle(ScaleServiceCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("ScaleService", command.Caller,
            state => ServiceDecider.Decide(new ScaleService(command.Service, command.Replicas, executor.Now, command.Version), state), ct);
        return Mediator.Unit.Value;
    }

    public async ValueTask<Mediator.Unit> Handle(UpdateServiceCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateService", command.Caller,
            state => ServiceDecider.Decide(new UpdateService(command.Service, command.Version, command.Spec, executor.Now), state), ct);
        return Mediator.Unit.Value;
    }

    public async ValueTask<Mediator.Unit> Handle(UpdateServiceImageCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateServiceImage", command.Caller,
            state => ServiceDecider.Decide(new UpdateServiceImage(command.Service, command.Version, command.Image, executor.Now), state), ct);
        return Mediator.Unit.Value;
    }

    public async ValueTask<Mediator.Unit> Handle(RemoveServiceCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RemoveService", command.Caller,
            state => ServiceDecider.Decide(new RemoveService(command.Service, executor.Now), state), ct);
        return Mediator.Unit.Value;
    }

    public async ValueTask<Mediator.Unit> Handle(RollbackServiceCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RollbackService", command.Caller,
            state => ServiceDecider.Decide(new RollbackService(command.Service, command.Version, executor.Now), state), ct);
        return Mediator.Unit.Value;
    }

    public async ValueTask<Mediator.Unit> Handle(RollbackServiceToVersionCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RollbackServiceToVersion", command.Caller,
            state => ServiceDecider.Decide(new RollbackServiceToVersion(command.Service, command.Version, command.ToVersion, executor.Now), state), ct);
        return Mediator.Unit.Value;
    }
}
