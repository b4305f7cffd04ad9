using System.Text.RegularExpressions;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Services;
using FluentValidation;

namespace EventSwarm.Application.Services;

/// <summary>The shape of a spec, checked before anything is decided; Swarm's rules and messages where it has them.</summary>
public sealed partial class ServiceSpecValidator : AbstractValidator<ServiceSpec>
{
    // Swarm's rule for service names: a DNS label that may also hold underscores (api/validation). Swarm writes
    // the repetition as [A-Za-z0-9]+, harmless in Go's linear engine but exponential in a backtracking one; one
    // character per repetition accepts the same names in linear time.
    [GeneratedRegex("^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9])*$")]
    private static partial Regex DnsLabel();

    public ServiceSpecValidator()
    {
        RuleFor(s => s.Name)
            .NotEmpty().WithMessage("service name must not be empty");
        // swarmkit's checks and wording, in its order.
        RuleFor(s => s.Name)
            .Must(n => DnsLabel().IsMatch(n))
            .When(s => !string.IsNullOrEmpty(s.Name))
            .WithMessage(s => $"name must be valid as a DNS name component: '{s.Name}' (letters, digits, '-' and '_', starting and ending with a letter or digit)");
        RuleFor(s => s.Name)
            .Must(n => n.Length <= 63)
            .When(s => !string.IsNullOrEmpty(s.Name) && DnsLabel().IsMatch(s.Name))
            .WithMessage("name must be 63 characters or fewer");
        RuleFor(s => s.Mode.Replicas)
            .GreaterThanOrEqualTo(0).WithMessage(s => $"invalid replicas value {s.Mode.Replicas}: must be a non-negative integer");
        RuleFor(s => s.TaskTemplate.Container.Image)
            .NotEmpty().WithMessage("ContainerSpec: image reference must be provided");
        RuleForEach(s => s.TaskTemplate.Container.Env)
            .Must(e => !string.IsNullOrEmpty(e) && !e.StartsWith('='))
            .WithMessage((_, e) => $"invalid environment variable '{e}': expected KEY=VALUE");
        RuleForEach(s => s.TaskTemplate.Container.Mounts).Custom((mount, context) =>
        {
            if (string.IsNullOrEmpty(mount.Target) || !mount.Target.StartsWith('/'))
                context.AddFailure($"invalid mount target '{mount.Target}': must be an absolute path");
            if (mount.Type == MountType.Bind && (string.IsNullOrEmpty(mount.Source) || !mount.Source.StartsWith('/')))
                context.AddFailure($"invalid bind mount source '{mount.Source}': must be an absolute path");
            if (mount.Type == MountType.Tmpfs && !string.IsNullOrEmpty(mount.Source))
                context.AddFailure("invalid tmpfs mount: source must not be given");
        });
        RuleFor(s => s.TaskTemplate.RestartPolicy.Delay)
            .GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("restart delay must not be negative");
        RuleFor(s => s.TaskTemplate.RestartPolicy.MaxAttempts)
            .GreaterThanOrEqualTo(0).WithMessage("restart max attempts must not be negative");
        RuleFor(s => s.TaskTemplate.RestartPolicy.Window)
            .GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("restart window must not be negative");
        RuleFor(s => s.TaskTemplate.Container.StopGracePeriod)
            .GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("stop grace period must not be negative");
        RuleForEach(s => s.TaskTemplate.Networks)
            .Must(n => !string.IsNullOrWhiteSpace(n.Target)).WithMessage("a network attachment needs a network name or ID");
        // Published port 0 asks the allocator for one from 30000–32767; a target port must be a real one.
        RuleForEach(s => s.Endpoint.Ports).Custom((port, context) =>
        {
            if (port.TargetPort is < 1 or > 65535)
                context.AddFailure($"invalid target port {port.TargetPort}: must be between 1 and 65535");
            if (port.PublishedPort is < 0 or > 65535)
                context.AddFailure($"invalid published port {port.PublishedPort}: must be between 1 and 65535, or 0 for one chosen by the swarm");
        });
    }
}

public sealed class CreateServiceValidator : AbstractValidator<CreateServiceCommand>
{
    public CreateServiceValidator() => RuleFor(c => c.Spec).SetValidator(new ServiceSpecValidator());
}

public sealed class UpdateServiceValidator : AbstractValidator<UpdateServiceCommand>
{
    public UpdateServiceValidator()
    {
        RuleFor(c => c.Service).NotEmpty().WithMessage("service name or ID must not be empty");
        RuleFor(c => c.Spec).SetValidator(new ServiceSpecValidator());
    }
}

public sealed class ScaleServiceValidator : AbstractValidator<ScaleServiceCommand>
{
    public ScaleServiceValidator()
    {
        RuleFor(c => c.Service).NotEmpty().WithMessage("service name or ID must not be empty");
        RuleFor(c => c.Replicas).GreaterThanOrEqualTo(0)
            .WithMessage(c => $"invalid replicas value {c.Replicas}: must be a non-negative integer");
    }
}
