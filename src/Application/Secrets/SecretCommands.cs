using EventSwarm.Domain;
using EventSwarm.Domain.Secrets;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Secrets;

/// <summary>The data travels in clear only as far as the leader's handler (over the managers' mTLS), which seals it before deciding.</summary>
public sealed record CreateSecretCommand(SecretSpec Spec, byte[] Data, Caller Caller) : ICommand<string>
{
    public override string ToString() => $"CreateSecretCommand {{ Name = {Spec.Name}, Caller = {Caller} }}";
}

/// <param name="HasData">Whether the request carried data, which Swarm refuses on an update.</param>
public sealed record UpdateSecretCommand(string Secret, long Version, SecretSpec Spec, bool HasData, Caller Caller) : ICommand;

public sealed record RotateSecretCommand(string Secret, byte[] Data, Caller Caller) : ICommand<RotatedData>
{
    public override string ToString() => $"RotateSecretCommand {{ Secret = {Secret}, Caller = {Caller} }}";
}

public sealed record RemoveSecretCommand(string Secret, Caller Caller) : ICommand;

/// <summary>The object rotated and the version its data is now at.</summary>
public sealed record RotatedData(string Id, long DataVersion);

public sealed class SecretCommandHandlers(CommandExecutor executor, ISecretCipher cipher) :
    ICommandHandler<CreateSecretCommand, string>,
    ICommandHandler<UpdateSecretCommand>,
    ICommandHandler<RotateSecretCommand, RotatedData>,
    ICommandHandler<RemoveSecretCommand>
{
    public async ValueTask<string> Handle(CreateSecretCommand command, CancellationToken ct)
    {
        var id = Ids.NewId();
        var sealedData = cipher.Seal(id, 1, command.Data);
        await executor.ExecuteAsync("CreateSecret", command.Caller,
            state => SecretDecider.Decide(new CreateSecret(id, command.Spec, sealedData, executor.Now), state), ct);
        return id;
    }

    public async ValueTask<Unit> Handle(UpdateSecretCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("UpdateSecret", command.Caller,
            state => SecretDecider.Decide(new UpdateSecretLabels(command.Secret, command.Version, command.Spec, command.HasData, executor.Now), state), ct);
        return Unit.Value;
    }

    public async ValueTask<RotatedData> Handle(RotateSecretCommand command, CancellationToken ct)
    {
        var decision = await executor.ExecuteAsync("RotateSecret", command.Caller, state =>
        {
            // Sealed for the version it will have: the decider refuses it if another rotation took that version first.
            var found = state.LookupSecret(command.Secret);
            if (found.Match is not { } secret) return Decision.Refused(found.Refusal("secret", command.Secret)!);
            var next = secret.Current.Number + 1;
            return SecretDecider.Decide(new RotateSecret(secret.Id, next, cipher.Seal(secret.Id, next, command.Data), executor.Now), state);
        }, ct);
        var rotated = decision.Events.OfType<SecretRotated>().Single();
        return new RotatedData(rotated.SecretId, rotated.DataVersion);
    }

    public async ValueTask<Unit> Handle(RemoveSecretCommand command, CancellationToken ct)
    {
        await executor.ExecuteAsync("RemoveSecret", command.Caller,
            state => SecretDecider.Decide(new RemoveSecret(command.Secret, executor.Now), state), ct);
        return Unit.Value;
    }
}

/// <summary>Swarm's rules about a secret's input alone (swarmkit validateSecretSpec, api/validation), in its words; the value is never echoed.</summary>
public static class SecretRules
{
    /// <summary>swarmkit's MaxSecretSize: 500 KiB, exclusive.</summary>
    public const int MaxSecretSize = 500 * 1024;

    public static IRuleBuilderOptions<T, byte[]> SecretPayload<T>(this IRuleBuilder<T, byte[]> rule) =>
        rule.Must(d => d is { Length: > 0 and < MaxSecretSize })
            .WithMessage($"secret data must be larger than 0 and less than {MaxSecretSize} bytes");
}

public sealed class SecretSpecValidator : AbstractValidator<SecretSpec>
{
    public SecretSpecValidator()
    {
        RuleFor(s => s.Name).Must(n => FileObjects.NameProblem(n) is null).WithMessage(s => FileObjects.NameProblem(s.Name)!);
        RuleFor(s => s.Driver!.Name).NotEmpty().When(s => s.Driver is not null).WithMessage("secret driver must have a name");
        RuleFor(s => s.Driver).Null().When(s => !string.IsNullOrEmpty(s.Driver?.Name))
            .WithMessage(s => $"secret driver '{s.Driver!.Name}' is not available: EventSwarm keeps secret data sealed in its own log");
        RuleFor(s => s.Templating).Null().WithMessage(s => $"template driver '{s.Templating!.Name}' is not supported");
    }
}

public sealed class CreateSecretValidator : AbstractValidator<CreateSecretCommand>
{
    public CreateSecretValidator()
    {
        RuleFor(c => c.Spec).SetValidator(new SecretSpecValidator());
        RuleFor(c => c.Data).SecretPayload();
    }
}

public sealed class RotateSecretValidator : AbstractValidator<RotateSecretCommand>
{
    public RotateSecretValidator()
    {
        RuleFor(c => c.Secret).NotEmpty().WithMessage("secret ID must be provided");
        RuleFor(c => c.Data).SecretPayload();
    }
}

public sealed class RemoveSecretValidator : AbstractValidator<RemoveSecretCommand>
{
    public RemoveSecretValidator() => RuleFor(c => c.Secret).NotEmpty().WithMessage("secret ID must be provided");
}
