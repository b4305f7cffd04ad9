using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// docker's addServiceFlags (cli/command/service/opts.go): the flags <c>service create</c> and <c>service update</c>
/// share, applied as docker's updateService applies them: a flag given sets its field, a flag not given leaves the
/// field as it is. Create applies them to its new spec, update to the service's current one, so both read a flag
/// the same way. Create's help shows Swarm's defaults; update's does not (docker passes it no defaults).
/// </summary>
public sealed class SharedServiceFlags
{
    public SharedServiceFlags(bool showDefaults)
    {
        string Default(string text) => showDefaults ? $" (default {text})" : "";
        EndpointMode = Flags.String("--endpoint-mode", $"Endpoint mode (vip or dnsrr){Default("\"vip\"")}");
        MaxReplicas = Flags.String("--replicas-max-per-node", "Maximum number of tasks per node (default 0 = unlimited)", "uint");
        RestartCondition = Flags.String("--restart-condition", $"Restart when condition is met (\"none\", \"on-failure\", \"any\"){Default("\"any\"")}");
        RestartDelay = Flags.String("--restart-delay", $"Delay between restart attempts (ns|us|ms|s|m|h){Default("5s")}", "duration");
        StopGracePeriod = Flags.String("--stop-grace-period", $"Time to wait before force killing a container (ns|us|ms|s|m|h){Default("10s")}", "duration");
        Update = new UpdateConfigFlags("update", showDefaults);
        Rollback = new UpdateConfigFlags("rollback", showDefaults);
    }

    public Option<bool> Detach { get; } = ServiceFlags.Detach();
    public Option<bool> Quiet { get; } = ServiceFlags.Quiet();
    public Option<string> Timeout { get; } = ServiceFlags.Timeout();
    public Option<string> EndpointMode { get; }
    public Option<string> Entrypoint { get; } = Flags.String("--entrypoint", "Overwrite the default ENTRYPOINT of the image", "command");
    public Option<string> HealthCmd { get; } = Flags.String("--health-cmd", "Command to run to check health");
    public Option<string> HealthInterval { get; } = Flags.String("--health-interval", "Time between running the check (ms|s|m|h)", "duration");
    public Option<string> HealthRetries { get; } = Flags.String("--health-retries", "Consecutive failures needed to report unhealthy", "int");
    public Option<string> HealthStartPeriod { get; } = Flags.String("--health-start-period", "Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)", "duration");
    public Option<string> HealthTimeout { get; } = Flags.String("--health-timeout", "Maximum time to allow one check to run (ms|s|m|h)", "duration");
    public Option<string> Hostname { get; } = Flags.String("--hostname", "Container hostname");
    public Option<string> LimitCpu { get; } = Flags.String("--limit-cpu", "Limit CPUs", "decimal");
    public Option<string> LimitMemory { get; } = Flags.String("--limit-memory", "Limit Memory", "bytes");
    public Option<string> LimitPids { get; } = Flags.String("--limit-pids", "Limit maximum number of processes (default 0 = unlimited)", "int");
    public Option<string> LogDriver { get; } = Flags.String("--log-driver", "Logging driver for service");
    public Option<string[]> LogOpt { get; } = Flags.List("--log-opt", "Logging driver options");
    public Option<string> MaxReplicas { get; }
    public Option<bool> NoHealthcheck { get; } = Flags.Bool("--no-healthcheck", "Disable any container-specified HEALTHCHECK");
    public Option<bool> NoResolveImage { get; } = Flags.Bool("--no-resolve-image", "Do not query the registry to resolve image digest and supported platforms");
    public Option<bool> ReadOnly { get; } = Flags.Bool("--read-only", "Mount the container's root filesystem as read only");
    public Option<string> Replicas { get; } = Flags.String("--replicas", "Number of tasks", "uint");
    public Option<string> ReserveCpu { get; } = Flags.String("--reserve-cpu", "Reserve CPUs", "decimal");
    public Option<string> ReserveMemory { get; } = Flags.String("--reserve-memory", "Reserve Memory", "bytes");
    public Option<string> RestartCondition { get; }
    public Option<string> RestartDelay { get; }
    public Option<string> RestartMaxAttempts { get; } = Flags.String("--restart-max-attempts", "Maximum number of restarts before giving up", "uint");
    public Option<string> RestartWindow { get; } = Flags.String("--restart-window", "Window used to evaluate the restart policy (ns|us|ms|s|m|h)", "duration");
    public Option<string> StopGracePeriod { get; }
    public Option<string> StopSignal { get; } = Flags.String("--stop-signal", "Signal to stop the container");
    public Option<bool> Tty { get; } = Flags.Bool("--tty", "Allocate a pseudo-TTY", "-t");
    public Option<string> User { get; } = Flags.String("--user", "Username or UID (format: <name|uid>[:<group|gid>])", shorthand: "-u");
    public Option<string> Workdir { get; } = Flags.String("--workdir", "Working directory inside the container", shorthand: "-w");
    public UpdateConfigFlags Update { get; }
    public UpdateConfigFlags Rollback { get; }

    public Option[] All =>
    [
        Detach, Quiet, Timeout, EndpointMode, Entrypoint, HealthCmd, HealthInterval, HealthRetries, HealthStartPeriod, HealthTimeout, Hostname,
        LimitCpu, LimitMemory, LimitPids, LogDriver, LogOpt, MaxReplicas, NoHealthcheck, NoResolveImage, ReadOnly, Replicas, ReserveCpu,
        ReserveMemory, RestartCondition, RestartDelay, RestartMaxAttempts, RestartWindow, StopGracePeriod, StopSignal, Tty, User, Workdir,
        .. Update.All, .. Rollback.All,
    ];

    /// <summary>The flags that do not change the spec: how the command waits, not what it asks for.</summary>
    public Option[] Display => [Detach, Quiet, Timeout];

    /// <summary>docker's updateService for these flags, in its order; the spec is changed in place.</summary>
    public void Apply(ParseResult result, ServiceSpec spec)
    {
        var task = spec.TaskTemplate ??= new TaskSpec();
        var container = task.ContainerSpec ??= new ContainerSpec();
        if (result.Value(Entrypoint) is { } entrypoint) container.Command = ServiceFlags.ParseShellWords(entrypoint, Flags.Label(Entrypoint));
        if (result.Value(Workdir) is { } workdir) container.Dir = workdir;
        if (result.Value(User) is { } user) container.User = user;
        if (result.Value(Hostname) is { } hostname) container.Hostname = hostname;
        ApplyResources(result, task);
        if (result.Duration(StopGracePeriod) is { } grace) container.StopGracePeriod = grace;
        ApplyRestartPolicy(result, task);
        if (result.UInt(Replicas) is { } replicas)
        {
            if (spec.Mode?.Replicated is not { } replicated) throw new UsageException("replicas can only be used with replicated mode");
            replicated.Replicas = replicas;
        }
        if (result.UInt(MaxReplicas) is { } maxReplicas) (task.Placement ??= new Placement()).MaxReplicas = maxReplicas;
        spec.UpdateConfig = Update.Apply(result, spec.UpdateConfig);
        spec.RollbackConfig = Rollback.Apply(result, spec.RollbackConfig);
        if (ServiceFlags.EndpointMode(result, EndpointMode) is { } mode) (spec.EndpointSpec ??= new EndpointSpec()).Mode = mode;
        // docker's updateLogDriver: an empty --log-driver changes nothing.
        if (result.Value(LogDriver) is { Length: > 0 } driver) task.LogDriver = new SwarmDriver { Name = driver, Options = result.KeyValues(LogOpt) };
        ApplyHealthcheck(result, container);
        if (result.Given(Tty)) container.TTY = result.Has(Tty);
        if (result.Given(ReadOnly)) container.ReadOnly = result.Has(ReadOnly);
        if (result.Value(StopSignal) is { } signal) container.StopSignal = signal;
    }

    private void ApplyResources(ParseResult result, TaskSpec task)
    {
        if (result.Value(LimitCpu) is not null || result.Value(LimitMemory) is not null || result.Value(LimitPids) is not null)
        {
            var limits = (task.Resources ??= new ResourceRequirements()).Limits ??= new SwarmLimit();
            if (result.NanoCpus(LimitCpu) is { } cpus) limits.NanoCPUs = cpus;
            if (result.Bytes(LimitMemory) is { } memory) limits.MemoryBytes = memory;
            if (result.Int(LimitPids) is { } pids) limits.Pids = pids;
        }
        if (result.Value(ReserveCpu) is not null || result.Value(ReserveMemory) is not null)
        {
            var reservations = (task.Resources ??= new ResourceRequirements()).Reservations ??= new SwarmResources();
            if (result.NanoCpus(ReserveCpu) is { } cpus) reservations.NanoCPUs = cpus;
            if (result.Bytes(ReserveMemory) is { } memory) reservations.MemoryBytes = memory;
        }
    }

    /// <summary>docker's restart flags: a service without a policy starts from Swarm's (5 s delay, no attempt limit).</summary>
    private void ApplyRestartPolicy(ParseResult result, TaskSpec task)
    {
        Option<string>[] restart = [RestartCondition, RestartDelay, RestartMaxAttempts, RestartWindow];
        if (restart.All(o => result.Value(o) is null)) return;
        var policy = task.RestartPolicy ??= new SwarmRestartPolicy { MaxAttempts = 0, Delay = TimeSpan.FromSeconds(5) };
        if (result.Value(RestartCondition) is { } condition) policy.Condition = condition;
        if (result.Duration(RestartDelay) is { } delay) policy.Delay = delay;
        if (result.UInt(RestartMaxAttempts) is { } attempts) policy.MaxAttempts = attempts;
        if (result.Duration(RestartWindow) is { } window) policy.Window = window;
    }

    /// <summary>
    /// docker's updateHealthcheck: --no-healthcheck alone writes <c>["NONE"]</c> and conflicts with any --health-*;
    /// otherwise the given fields change, a "NONE" test is dropped, and an empty --health-cmd removes the command.
    /// </summary>
    private void ApplyHealthcheck(ParseResult result, ContainerSpec container)
    {
        Option<string>[] health = [HealthCmd, HealthInterval, HealthRetries, HealthStartPeriod, HealthTimeout];
        var anyHealth = health.Any(o => result.Value(o) is not null);
        if (!anyHealth && !result.Given(NoHealthcheck)) return;
        if (result.Has(NoHealthcheck))
        {
            if (anyHealth) throw new UsageException("--no-healthcheck conflicts with --health-* options");
            container.Healthcheck = new HealthcheckConfig { Test = ["NONE"] };
            return;
        }
        var check = container.Healthcheck ??= new HealthcheckConfig();
        if (check.Test is ["NONE", ..]) check.Test = null;
        if (result.PositiveDuration(HealthInterval) is { } interval) check.Interval = interval;
        if (result.PositiveDuration(HealthTimeout) is { } timeout) check.Timeout = timeout;
        if (result.PositiveDuration(HealthStartPeriod) is { } startPeriod) check.StartPeriod = startPeriod;
        if (result.Int(HealthRetries) is { } retries) check.Retries = retries;
        if (result.Value(HealthCmd) is { } command) check.Test = command.Length > 0 ? ["CMD-SHELL", command] : null;
    }
}

/// <summary>
/// docker's --update-* and --rollback-* flags. None given: the config is left as it is (create sends none, as
/// docker does). Any given: the config, or Swarm's defaults when there is none (parallelism 1, pause, monitor 5 s,
/// stop-first), with those fields changed. Failure action and order are sent as typed: the manager refuses a wrong
/// one, as dockerd does.
/// </summary>
public sealed class UpdateConfigFlags
{
    private readonly Option<string> _parallelism, _delay, _failureAction, _monitor, _maxFailureRatio, _order;

    public UpdateConfigFlags(string prefix, bool showDefaults)
    {
        var update = prefix == "update";
        string Default(string text) => showDefaults ? $" (default {text})" : "";
        _delay = Flags.String($"--{prefix}-delay", $"Delay between {(update ? "updates" : "task rollbacks")} (ns|us|ms|s|m|h){Default("0s")}", "duration");
        _failureAction = Flags.String($"--{prefix}-failure-action",
            $"Action on {prefix} failure ({(update ? "\"pause\", \"continue\", \"rollback\"" : "\"pause\", \"continue\"")}){Default("\"pause\"")}");
        _maxFailureRatio = Flags.String($"--{prefix}-max-failure-ratio", $"Failure rate to tolerate during {(update ? "an update" : "a rollback")}{Default("0")}", "float");
        _monitor = Flags.String($"--{prefix}-monitor", $"Duration after each task {prefix} to monitor for failure (ns|us|ms|s|m|h){Default("5s")}", "duration");
        _order = Flags.String($"--{prefix}-order", $"{(update ? "Update" : "Rollback")} order (\"start-first\", \"stop-first\"){Default("\"stop-first\"")}");
        _parallelism = Flags.String($"--{prefix}-parallelism",
            (update ? "Maximum number of tasks updated simultaneously (0 to update all at once)" : "Maximum number of tasks rolled back simultaneously (0 to roll back all at once)")
            + Default("1"), "uint");
    }

    public Option<string>[] All => [_delay, _failureAction, _maxFailureRatio, _monitor, _order, _parallelism];

    public SwarmUpdateConfig? Apply(ParseResult result, SwarmUpdateConfig? current)
    {
        if (All.All(o => result.Value(o) is null)) return current;
        var config = current ?? new SwarmUpdateConfig
        {
            Parallelism = 1,
            Delay = TimeSpan.Zero,
            FailureAction = "pause",
            Monitor = TimeSpan.FromSeconds(5),
            MaxFailureRatio = 0,
            Order = "stop-first",
        };
        if (result.UInt(_parallelism) is { } parallelism) config.Parallelism = parallelism;
        if (result.Duration(_delay) is { } delay) config.Delay = delay;
        if (result.Duration(_monitor) is { } monitor) config.Monitor = monitor;
        if (result.Value(_failureAction) is { } action) config.FailureAction = action;
        if (result.Float(_maxFailureRatio) is { } ratio) config.MaxFailureRatio = (float)ratio;
        if (result.Value(_order) is { } order) config.Order = order;
        return config;
    }
}
