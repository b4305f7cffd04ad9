using FluentValidation;
using Mediator;

namespace EventSwarm.Application;

/// <summary>Runs every validator of a message before its handler, so malformed input never reaches Decide or the log.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
            failures.AddRange((await validator.ValidateAsync(new ValidationContext<TMessage>(message), ct)).Errors);
        if (failures.Count > 0)
            throw new CommandValidationException(typeof(TMessage).Name.Replace("Command", ""),
                failures.GroupBy(f => f.PropertyName).ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray()));
        return await next(message, ct);
    }
}
