using EventSwarm.Domain;
using EventSwarm.Domain.Scheduling;
using EventSwarm.Domain.Services;
using FluentValidation;

namespace EventSwarm.Application.Services;

/// <summary>
/// Each rule of a service's input stated once, with Swarm's wording, for every command that carries that input
/// (a whole spec, a replica count, an image). The decider relies on them: nothing reaches it unvalidated.
/// </summary>
public static class ServiceRules
{
    public static IRuleBuilderOptions<T, string> ServiceReference<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("service name or ID must not be empty");

    /// <summary>Swarm's name rule (<see cref="ObjectName"/>), after the engine's own refusal of an empty name.</summary>
    public static IRuleBuilderOptionsConditions<T, string> ServiceName<T>(this IRuleBuilder<T, string> rule) =>
        rule.Custom((name, context) =>
        {
            if (string.IsNullOrEmpty(name)) context.AddFailure("service name must not be empty");
            else if (ObjectName.Problem(name) is { } problem) context.AddFailure(problem);
        });

    public static IRuleBuilderOptions<T, long> ReplicaCount<T>(this IRuleBuilder<T, long> rule) =>
        rule.GreaterThanOrEqualTo(0).WithMessage((_, replicas) => $"invalid replicas value {replicas}: must be a non-negative integer");

    public static IRuleBuilderOptions<T, string> ImageReference<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().WithMessage("ContainerSpec: image reference must be provided");
}

/// <summary>The shape of a spec, checked before anything is decided; Swarm's rules and messages where it has them.</summary>
public sealed class ServiceSpecValidator : AbstractValidator<ServiceSpec>
{
    private static bool NotNegative(Duration? duration) => duration is not { Nanoseconds: < 0 };

    public ServiceSpecValidator()
    {
        RuleFor(s => s.Name).ServiceName();
        RuleFor(s => s.Mode.Replicas).ReplicaCount();
        RuleFor(s => s.TaskTemplate.Container.Image).ImageReference();
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
        RuleFor(s => s.TaskTemplate.EffectiveRestartPolicy.Delay)
            .Must(NotNegative).WithMessage("TaskSpec: restart-delay cannot be negative");
        RuleFor(s => s.TaskTemplate.EffectiveRestartPolicy.MaxAttempts)
            .GreaterThanOrEqualTo(0).WithMessage("restart max attempts must not be negative");
        RuleFor(s => s.TaskTemplate.EffectiveRestartPolicy.Window)
            .Must(NotNegative).WithMessage("TaskSpec: restart-window cannot be negative");
        RuleFor(s => s.TaskTemplate.Container.StopGracePeriod)
            .Must(NotNegative).WithMessage("stop grace period must not be negative");
        // Swarm's resource rules (api/validation): a CPU value below a millionth of a CPU or memory below 4 MiB is a mistake.
        RuleFor(s => s.TaskTemplate).Custom((template, context) =>
        {
            foreach (var (nanoCpus, memory, what) in new[]
                     {
                         (template.EffectiveLimits.NanoCpus, template.EffectiveLimits.MemoryBytes, "limit"),
                         (template.EffectiveReservations.NanoCpus, template.EffectiveReservations.MemoryBytes, "reservation"),
                     })
            {
                if (nanoCpus < 0 || nanoCpus is > 0 and < 1_000_000)
                    context.AddFailure($"invalid cpu {what} {nanoCpus / 1e9}: must be at least 0.001");
                if (memory < 0 || memory is > 0 and < 4 * 1024 * 1024)
                    context.AddFailure($"invalid memory {what} {memory}: must be at least 4MiB");
            }
            if (template.EffectiveLimits.Pids < 0) context.AddFailure($"invalid pids limit {template.EffectiveLimits.Pids}: must not be negative");
            if (template.EffectivePlacement.MaxReplicas < 0) context.AddFailure("placement max replicas must not be negative");
            if (template.LogDriver is { Name: "" or null }) context.AddFailure("LogDriver.Name must be provided when LogDriver is given");
        });
        RuleFor(s => s.TaskTemplate.Container.Healthcheck!).Custom((health, context) =>
        {
            // Docker's rule: a health check duration is 0 (inherit) or at least 1 ms.
            foreach (var (value, name) in new[] { (health.Interval, "Interval"), (health.Timeout, "Timeout"), (health.StartPeriod, "StartPeriod") })
                if (value.Nanoseconds != 0 && value.Nanoseconds < 1_000_000)
                    context.AddFailure($"{name} in Healthcheck cannot be less than 1ms");
            if (health.Retries < 0) context.AddFailure("Retries in Healthcheck cannot be negative");
        }).When(s => s.TaskTemplate.Container.Healthcheck is not null);
        RuleForEach(s => s.TaskTemplate.Container.Ulimits)
            .Must(u => !string.IsNullOrEmpty(u.Name) && u.Soft <= u.Hard)
            .WithMessage((_, u) => $"invalid ulimit '{u.Name}': a name is required and the soft limit must not exceed the hard one ({u.Soft} > {u.Hard})");
        RuleForEach(s => s.TaskTemplate.Container.Hosts)
            .Must(h => h.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries).Length >= 2)
            .WithMessage((_, h) => $"invalid host entry '{h}': expected \"IP HOSTNAME\"");
        RuleFor(s => s.UpdateConfig!).SetValidator(new UpdateConfigValidator("update")).When(s => s.UpdateConfig is not null);
        // swarmkit's validateServiceSpec checks spec.Update alone: Docker accepts a rollback config with a negative
        // delay or monitor, or a failure ratio above 1, and so must EventSwarm (Compatibility/UpdateTests).
        RuleForEach(s => s.TaskTemplate.Networks)
            .Must(n => !string.IsNullOrWhiteSpace(n.Target)).WithMessage("a network attachment needs a network name or ID");
        RuleForEach(s => s.Networks)
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

/// <summary>
/// Swarm's checks of an update config (controlapi validateUpdate), with its wording ("update-delay", named for
/// the CLI flag). Swarm does not check a rollback config: see <see cref="ServiceSpecValidator"/>.
/// </summary>
public sealed class UpdateConfigValidator : AbstractValidator<UpdateConfig>
{
    /// <param name="flag">"update" or "rollback", as the CLI's --update-delay / --rollback-delay.</param>
    public UpdateConfigValidator(string flag)
    {
        RuleFor(u => u.Parallelism).GreaterThanOrEqualTo(0).WithMessage($"TaskSpec: {flag}-parallelism cannot be negative");
        RuleFor(u => u.Delay.Nanoseconds).GreaterThanOrEqualTo(0).WithMessage($"TaskSpec: {flag}-delay cannot be negative");
        RuleFor(u => u.Monitor.Nanoseconds).GreaterThanOrEqualTo(0).WithMessage($"TaskSpec: {flag}-monitor cannot be negative");
        RuleFor(u => u.MaxFailureRatio).InclusiveBetween(0f, 1f).WithMessage($"TaskSpec: {flag}-maxfailureratio cannot be less than 0 or bigger than 1");
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
        RuleFor(c => c.Service).ServiceReference();
        RuleFor(c => c.Spec).SetValidator(new ServiceSpecValidator());
    }
}

public sealed class ScaleServiceValidator : AbstractValidator<ScaleServiceCommand>
{
    public ScaleServiceValidator()
    {
        RuleFor(c => c.Service).ServiceReference();
        RuleFor(c => c.Replicas).ReplicaCount();
    }
}

public sealed class UpdateServiceImageValidator : AbstractValidator<UpdateServiceImageCommand>
{
    public UpdateServiceImageValidator()
    {
        RuleFor(c => c.Service).ServiceReference();
        RuleFor(c => c.Image).ImageReference();
    }
}

public sealed class RollbackServiceValidator : AbstractValidator<RollbackServiceCommand>
{
    public RollbackServiceValidator() => RuleFor(c => c.Service).ServiceReference();
}

public sealed class RollbackServiceToVersionValidator : AbstractValidator<RollbackServiceToVersionCommand>
{
    public RollbackServiceToVersionValidator()
    {
        RuleFor(c => c.Service).ServiceReference();
        RuleFor(c => c.ToVersion).GreaterThanOrEqualTo(1).WithMessage(c => $"invalid version {c.ToVersion}: a service's versions are numbered from 1");
    }
}
