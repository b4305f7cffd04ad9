using EventSwarm.Domain.Web;
using FluentValidation;
using Mediator;

namespace EventSwarm.Application.Web;

/// <summary>
/// Issues a web token: the API made the token and sends only its hash, so a follower forwards to the leader (and the
/// log records) no secret, as `swarm join-token --rotate` sends only a join secret's hash. Returns the token's name.
/// </summary>
public sealed record IssueWebTokenCommand(string? Name, WebRole Role, string Sha256, Caller Caller) : ICommand<string>;

/// <summary>Revokes a web token by name, or by its hash (the caller holds the token). Returns the name revoked.</summary>
public sealed record RevokeWebTokenCommand(string? Name, string? Sha256, Caller Caller) : ICommand<string>;

public sealed class WebTokenCommandHandlers(CommandExecutor executor) :
    ICommandHandler<IssueWebTokenCommand, string>,
    ICommandHandler<RevokeWebTokenCommand, string>
{
    public async ValueTask<string> Handle(IssueWebTokenCommand command, CancellationToken ct)
    {
        var decision = await executor.ExecuteAsync("IssueWebToken", command.Caller,
            state => WebTokenDecider.Decide(new IssueWebToken(command.Name, command.Role, command.Sha256, executor.Now), state), ct);
        return decision.Events.OfType<WebTokenIssued>().Single().Name;
    }

    public async ValueTask<string> Handle(RevokeWebTokenCommand command, CancellationToken ct)
    {
        var decision = await executor.ExecuteAsync("RevokeWebToken", command.Caller,
            state => WebTokenDecider.Decide(new RevokeWebToken(command.Name, command.Sha256, executor.Now), state), ct);
        return decision.Events.OfType<WebTokenRevoked>().Single().Name;
    }
}

public sealed class IssueWebTokenValidator : AbstractValidator<IssueWebTokenCommand>
{
    public IssueWebTokenValidator() =>
        RuleFor(c => c.Name!).Must(n => WebTokens.NameProblem(n) is null).When(c => c.Name is not null).WithMessage(c => WebTokens.NameProblem(c.Name!)!);
}

public sealed class RevokeWebTokenValidator : AbstractValidator<RevokeWebTokenCommand>
{
    public RevokeWebTokenValidator() =>
        RuleFor(c => c).Must(c => !string.IsNullOrEmpty(c.Name) || !string.IsNullOrEmpty(c.Sha256)).WithMessage("a web token's name or the token must be given");
}
