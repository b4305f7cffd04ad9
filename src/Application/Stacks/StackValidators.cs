using EventSwarm.Application.Configs;
using EventSwarm.Application.Networking;
using EventSwarm.Application.Secrets;
using EventSwarm.Application.Services;
using EventSwarm.Domain;
using EventSwarm.Domain.Configs;
using EventSwarm.Domain.Secrets;
using EventSwarm.Domain.Stacks;
using FluentValidation;
using FluentValidation.Results;

namespace EventSwarm.Application.Stacks;

/// <summary>
/// The whole stack's input checked before anything is decided, each object by the rules its own create applies,
/// and every message naming the object ("service wordpress_web: ContainerSpec: image reference must be provided").
/// </summary>
public sealed class StackSpecValidator : AbstractValidator<StackSpec>
{
    private static readonly ServiceSpecValidator Services = new();
    private static readonly NetworkSpecValidator Networks = new();
    private static readonly SecretSpecValidator Secrets = new();
    private static readonly ConfigSpecValidator Configs = new();
    private static readonly InlineValidator<byte[]> SecretData = new() { v => v.RuleFor(d => d).SecretPayload().OverridePropertyName("Data") };
    private static readonly InlineValidator<byte[]> ConfigData = new() { v => v.RuleFor(d => d).ConfigPayload().OverridePropertyName("Data") };

    public StackSpecValidator()
    {
        RuleFor(s => s.Name).StackName();
        RuleFor(s => s).Custom((spec, context) =>
        {
            foreach (var service in spec.Services.OrEmptyArray())
                Named(Services.Validate(service), $"service {service.Name}", context);
            foreach (var network in spec.Networks.OrEmptyArray())
            {
                if (string.IsNullOrEmpty(network.Name)) context.AddFailure("a network of the stack has no name");
                else if (ObjectName.Problem(network.Name) is { } problem) context.AddFailure($"network {network.Name}: {problem}");
                Named(Networks.Validate(network), $"network {network.Name}", context);
            }
            foreach (var secret in spec.Secrets.OrEmptyArray())
            {
                Named(Secrets.Validate(new SecretSpec { Name = secret.Name, Labels = secret.Labels }), $"secret {secret.Name}", context);
                Named(SecretData.Validate(secret.Data.IsDefault ? [] : secret.Data.ToArray()), $"secret {secret.Name}", context);
            }
            foreach (var config in spec.Configs.OrEmptyArray())
            {
                Named(Configs.Validate(new ConfigSpec { Name = config.Name, Labels = config.Labels }), $"config {config.Name}", context);
                Named(ConfigData.Validate(config.Data.IsDefault ? [] : config.Data.ToArray()), $"config {config.Name}", context);
            }
            Twice("service", spec.Services.OrEmptyArray().Select(s => s.Name), context);
            Twice("network", spec.Networks.OrEmptyArray().Select(n => n.Name).Concat(spec.ExternalNetworks.OrEmptyArray()), context);
            Twice("secret", spec.Secrets.OrEmptyArray().Select(s => s.Name).Concat(spec.ExternalSecrets.OrEmptyArray()), context);
            Twice("config", spec.Configs.OrEmptyArray().Select(c => c.Name).Concat(spec.ExternalConfigs.OrEmptyArray()), context);
            foreach (var (kind, names) in new[] { ("network", spec.ExternalNetworks), ("secret", spec.ExternalSecrets), ("config", spec.ExternalConfigs) })
                if (names.OrEmptyArray().Any(string.IsNullOrWhiteSpace)) context.AddFailure($"an external {kind} has no name");
        });
    }

    private static void Named(ValidationResult result, string what, ValidationContext<StackSpec> context)
    {
        foreach (var failure in result.Errors) context.AddFailure(new ValidationFailure(what, $"{what}: {failure.ErrorMessage}"));
    }

    private static void Twice(string kind, IEnumerable<string> names, ValidationContext<StackSpec> context)
    {
        foreach (var name in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            context.AddFailure($"{kind} {name}: declared more than once in the stack");
    }
}

public static class StackRules
{
    /// <summary>
    /// docker/cli's validateStackName (empty once quotes and whitespace are trimmed), then the rule every name made from
    /// it must follow: the stack's objects are named `&lt;stack&gt;_&lt;name&gt;` (Swarm's DNS-label rule).
    /// </summary>
    public static IRuleBuilderOptionsConditions<T, string> StackName<T>(this IRuleBuilder<T, string> rule) =>
        rule.Custom((name, context) =>
        {
            if (string.IsNullOrEmpty((name ?? "").Trim(' ', '\t', '\r', '\n', '"', '\'')))
                context.AddFailure($"invalid stack name: \"{name}\"");
            else if (ObjectName.Problem(name!) is { } problem) context.AddFailure($"invalid stack name \"{name}\": {problem}");
        });
}

public sealed class DeployStackValidator : AbstractValidator<DeployStackCommand>
{
    public DeployStackValidator() => RuleFor(c => c.Spec).SetValidator(new StackSpecValidator());
}

public sealed class RollbackStackValidator : AbstractValidator<RollbackStackCommand>
{
    public RollbackStackValidator()
    {
        RuleFor(c => c.Name).StackName();
        RuleFor(c => c.ToVersion).GreaterThanOrEqualTo(1).When(c => c.ToVersion is not null)
            .WithMessage(c => $"invalid version {c.ToVersion}: a stack's versions are numbered from 1");
    }
}

public sealed class RemoveStackValidator : AbstractValidator<RemoveStackCommand>
{
    public RemoveStackValidator() => RuleFor(c => c.Name).StackName();
}
