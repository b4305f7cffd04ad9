using EventSwarm.Application.Secrets;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Configs;

public sealed record CreateConfigCommand(ConfigSpec Spec, byte[] Data, Caller Caller) : ICommand<string>;
public sealed record UpdateConfigCommand(string Config, long Version, ConfigSpec Spec, bool HasData, Caller Caller) : ICommand;
public sealed record RotateConfigCommand(string Config, byte[] Data, Caller Caller) : ICommand<RotatedData>;
public sealed record RemoveConfigCommand(string Config, Caller Caller) : ICommand;

/// <summary>Configs are not secret (Docker returns their data): it is recorded in base64, as the API carries it.</summary>
public sealed class ConfigCommandHandlers(CommandExecutor executor) :
    ICommandHandler<CreateConfigCommand, string>,
    ICommandHandler<UpdateConfigCommand>,
    ICommandHandler<RotateConfigCommand, RotatedData>,
    ICommandHandler<RemoveConfigCommand>
{
    public async ValueTask<string> Handle(CreateConfigCommand command, CancellationToken ct)
    {
        var id = Ids.NewId();
        await executor.ExecuteAsync("CreateConfig", command.Caller,
            state => ConfigDecider.Decide(new CreateConfig(id, command.Spec, Convert.ToBase64String(command.Data), executor.Now), state), ct);
        return id;
    }

    public async ValueTask<Unit> Handle(UpdateConfigCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateConfig", command.Caller,
            state => ConfigDecider.Decide(new UpdateConfigLabels(command.Config, command.Version, command.Spec, command.HasData, executor.Now), state), ct);
        return Unit.Value;
    }

    public async ValueTask<RotatedData> Handle(RotateConfigCommand command, CancellationToken ct)
    {
        var decision = await executor.ExecuteAsync("RotateConfig", command.Caller,
            state => ConfigDecider.Decide(new RotateConfig(command.Config, Convert.ToBase64String(command.Data), executor.Now), state), ct);
        var rotated = decision.Events.OfType<ConfigRotated>().Single();
        return new RotatedData(rotated.ConfigId, rotated.DataVersion);
    }

    public async ValueTask<Unit> Handle(RemoveConfigCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RemoveConfig", command.Caller,
            state => ConfigDecider.Decide(new RemoveConfig(command.Config, executor.Now), state), ct);
        return Unit.Value;
    }
}

/// <summary>Swarm's rules about a config's input alone (swarmkit manager/controlapi/config.go), in its words.</summary>
public static class ConfigRules
{
    /// <summary>swarmkit's MaxConfigSize: 1000 KiB, exclusive (its docs still say 500 KB; the code decides).</summary>
    public const int MaxConfigSize = 1000 * 1024;

    public static IRuleBuilderOptions<T, byte[]> ConfigPayload<T>(this IRuleBuilder<T, byte[]> rule) =>
        rule.Must(d => d is { Length: > 0 and < MaxConfigSize })
            .WithMessage($"config data must be larger than 0 and less than {MaxConfigSize} bytes");
}

public sealed class ConfigSpecValidator : AbstractValidator<ConfigSpec>
{
    public ConfigSpecValidator()
    {
        RuleFor(s => s.Name).Must(n => FileObjects.NameProblem(n) is null).WithMessage(s => FileObjects.NameProblem(s.Name)!);
        RuleFor(s => s.Templating).Null().WithMessage(s => $"template driver '{s.Templating!.Name}' is not supported");
    }
}

public sealed class CreateConfigValidator : AbstractValidator<CreateConfigCommand>
{
    public CreateConfigValidator()
    {
        RuleFor(c => c.Spec).SetValidator(new ConfigSpecValidator());
        RuleFor(c => c.Data).ConfigPayload();
    }
}

public sealed class RotateConfigValidator : AbstractValidator<RotateConfigCommand>
{
    public RotateConfigValidator()
    {
        RuleFor(c => c.Config).NotEmpty().WithMessage("config ID must be provided");
        RuleFor(c => c.Data).ConfigPayload();
    }
}

public sealed class RemoveConfigValidator : AbstractValidator<RemoveConfigCommand>
{
    public RemoveConfigValidator() => RuleFor(c => c.Config).NotEmpty().WithMessage("config ID must be provided");
}
