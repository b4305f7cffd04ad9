using System.CommandLine;
using Docker.DotNet.Models;

namespace EventSwarm.Node.Cli.Services;

/// <summary>
/// <c>service create [OPTIONS] IMAGE [COMMAND] [ARG...]</c>: docker's flags that map onto EventSwarm's service spec.
/// As in docker, flags stop at the image: <c>busybox sh -c "…"</c> hands <c>-c</c> to the container. Spec rules
/// (replicas, names, constraints …) are the manager's to check; the CLI only parses, and prints the manager's refusal.
/// </summary>
public sealed class ServiceCreateCommand : Verb
{
    private readonly Option<string[]> _capAdd = Flags.List("--cap-add", "Add Linux capabilities");
    private readonly Option<string[]> _capDrop = Flags.List("--cap-drop", "Drop Linux capabilities");
    private readonly Option<string[]> _config = Flags.List("--config", "Specify configurations to expose to the service", "config");
    private readonly Option<string[]> _constraint = Flags.List("--constraint", "Placement constraints");
    private readonly Option<string[]> _containerLabel = Flags.List("--container-label", "Container labels");
    private readonly Option<bool> _detach = ServiceFlags.Detach();
    private readonly Option<string[]> _dns = Flags.List("--dns", "Set custom DNS servers");
    private readonly Option<string[]> _dnsOption = Flags.List("--dns-option", "Set DNS options");
    private readonly Option<string[]> _dnsSearch = Flags.List("--dns-search", "Set custom DNS search domains");
    private readonly Option<string> _endpointMode = ServiceFlags.EndpointMode();
    private readonly Option<string> _entrypoint = Flags.String("--entrypoint", "Overwrite the default ENTRYPOINT of the image", "command");
    private readonly Option<string[]> _env = Flags.List("--env", "Set environment variables", shorthand: "-e");
    private readonly Option<string[]> _group = Flags.List("--group", "Set one or more supplementary user groups for the container");
    private readonly Option<string> _healthCmd = Flags.String("--health-cmd", "Command to run to check health");
    private readonly Option<string> _healthInterval = Flags.String("--health-interval", "Time between running the check (ms|s|m|h)", "duration");
    private readonly Option<string> _healthRetries = Flags.String("--health-retries", "Consecutive failures needed to report unhealthy", "int");
    private readonly Option<string> _healthStartPeriod = Flags.String("--health-start-period", "Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)", "duration");
    private readonly Option<string> _healthTimeout = Flags.String("--health-timeout", "Maximum time to allow one check to run (ms|s|m|h)", "duration");
    private readonly Option<string[]> _host = Flags.List("--host", "Set one or more custom host-to-IP mappings (host:ip)");
    private readonly Option<string> _hostname = Flags.String("--hostname", "Container hostname");
    private readonly Option<bool> _init = Flags.Bool("--init", "Use an init inside each service container to forward signals and reap processes");
    private readonly Option<string[]> _label = Flags.List("--label", "Service labels", shorthand: "-l");
    private readonly Option<string> _limitCpu = Flags.String("--limit-cpu", "Limit CPUs", "decimal");
    private readonly Option<string> _limitMemory = Flags.String("--limit-memory", "Limit Memory", "bytes");
    private readonly Option<string> _limitPids = Flags.String("--limit-pids", "Limit maximum number of processes (default 0 = unlimited)", "int");
    private readonly Option<string> _logDriver = Flags.String("--log-driver", "Logging driver for service");
    private readonly Option<string[]> _logOpt = Flags.List("--log-opt", "Logging driver options");
    private readonly Option<string> _mode = Flags.String("--mode", "Service mode (\"replicated\", \"global\") (default \"replicated\")");
    private readonly Option<string[]> _mount = Flags.List("--mount", "Attach a filesystem mount to the service", "mount");
    private readonly Option<string> _name = Flags.String("--name", "Service name");
    private readonly Option<string[]> _network = Flags.List("--network", "Network attachments", "network");
    private readonly Option<bool> _noHealthcheck = Flags.Bool("--no-healthcheck", "Disable any container-specified HEALTHCHECK");
    private readonly Option<bool> _noResolveImage = Flags.Bool("--no-resolve-image", "Do not query the registry to resolve image digest and supported platforms");
    private readonly Option<string[]> _publish = Flags.List("--publish", "Publish a port as a node port", "port", "-p");
    private readonly Option<bool> _quiet = ServiceFlags.Quiet();
    private readonly Option<bool> _readOnly = Flags.Bool("--read-only", "Mount the container's root filesystem as read only");
    private readonly Option<string> _replicas = Flags.String("--replicas", "Number of tasks", "uint");
    private readonly Option<string> _reserveCpu = Flags.String("--reserve-cpu", "Reserve CPUs", "decimal");
    private readonly Option<string> _reserveMemory = Flags.String("--reserve-memory", "Reserve Memory", "bytes");
    private readonly Option<string> _restartCondition = Flags.String("--restart-condition", "Restart when condition is met (\"none\", \"on-failure\", \"any\") (default \"any\")");
    private readonly Option<string> _restartDelay = Flags.String("--restart-delay", "Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)", "duration");
    private readonly Option<string> _restartMaxAttempts = Flags.String("--restart-max-attempts", "Maximum number of restarts before giving up", "uint");
    private readonly Option<string> _restartWindow = Flags.String("--restart-window", "Window used to evaluate the restart policy (ns|us|ms|s|m|h)", "duration");
    private readonly Option<string> _stopGracePeriod = Flags.String("--stop-grace-period", "Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)", "duration");
    private readonly Option<string> _stopSignal = Flags.String("--stop-signal", "Signal to stop the container");
    private readonly Option<string[]> _secret = Flags.List("--secret", "Specify secrets to expose to the service", "secret");
    private readonly Option<string[]> _sysctl = Flags.List("--sysctl", "Sysctl options");
    private readonly Option<string> _timeout = ServiceFlags.Timeout();
    private readonly Option<bool> _tty = Flags.Bool("--tty", "Allocate a pseudo-TTY", "-t");
    private readonly Option<string[]> _ulimit = Flags.List("--ulimit", "Ulimit options (default [])", "ulimit");
    private readonly Option<string> _user = Flags.String("--user", "Username or UID (format: <name|uid>[:<group|gid>])", shorthand: "-u");
    private readonly Option<string> _workdir = Flags.String("--workdir", "Working directory inside the container", shorthand: "-w");
    private readonly UpdateConfigFlags _update = new("update", "updates", "updated", "update");
    private readonly UpdateConfigFlags _rollback = new("rollback", "task rollbacks", "rolled back", "rollback");

    public ServiceCreateCommand() : base("create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new service")
    {
        MinArgs = 1;
        MaxArgs = null;
        Operands.CaptureRemainingTokens = true;
        Option[] flags =
        [
            _capAdd, _capDrop, _config, _constraint, _containerLabel, _detach, _dns, _dnsOption, _dnsSearch, _endpointMode, _entrypoint, _env, _group,
            _healthCmd, _healthInterval, _healthRetries, _healthStartPeriod, _healthTimeout, _host, _hostname, _init, _label, _limitCpu,
            _limitMemory, _limitPids, _logDriver, _logOpt, _mode, _mount, _name, _network, _noHealthcheck, _noResolveImage, _publish, _quiet,
            _readOnly, _replicas, _reserveCpu, _reserveMemory, _restartCondition, _restartDelay, _restartMaxAttempts, _restartWindow,
            _secret, _stopGracePeriod, _stopSignal, _sysctl, _timeout, _tty, _ulimit, _user, _workdir, .. _update.All, .. _rollback.All,
        ];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>The spec this command line asks for, exactly as sent to <c>POST /services/create</c>.</summary>
    public ServiceSpec Spec(ParseResult result)
    {
        var args = Args(result);
        var mode = result.Value(_mode) ?? "replicated";
        if (mode is not ("replicated" or "global")) throw UsageException.InvalidFlag(mode, "--mode", "must be replicated or global");
        var replicas = result.UInt(_replicas);
        if (mode == "global" && replicas is not null) throw new UsageException("replicas can only be used with replicated mode");
        var ports = result.Values(_publish).SelectMany(p => PublishedPorts.Parse(p)).ToList();
        return new ServiceSpec
        {
            Name = result.Value(_name) ?? "",
            Labels = result.KeyValues(_label) ?? new Dictionary<string, string>(),
            Mode = mode == "global"
                ? new ServiceMode { Global = new GlobalService() }
                : new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas ?? 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = args[0],
                    Args = args.Count > 1 ? args.Skip(1).ToList() : null,
                    Command = result.Value(_entrypoint) is { } entrypoint ? entrypoint.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null,
                    Env = result.ListOrNull(_env),
                    Labels = result.KeyValues(_containerLabel),
                    Mounts = result.Values(_mount) is { Count: > 0 } mounts ? mounts.Select(ServiceFlags.ParseMount).ToList() : null,
                    StopGracePeriod = result.Duration(_stopGracePeriod),
                    Hostname = result.Value(_hostname),
                    Init = result.Has(_init) ? true : null,
                    ReadOnly = result.Has(_readOnly),
                    TTY = result.Has(_tty),
                    StopSignal = result.Value(_stopSignal),
                    User = result.Value(_user),
                    Dir = result.Value(_workdir),
                    Groups = result.ListOrNull(_group),
                    CapabilityAdd = result.ListOrNull(_capAdd),
                    CapabilityDrop = result.ListOrNull(_capDrop),
                    Sysctls = result.KeyValues(_sysctl),
                    Ulimits = result.Values(_ulimit) is { Count: > 0 } ulimits ? ulimits.Select(ServiceFlags.ParseUlimit).ToList() : null,
                    DNSConfig = result.Values(_dns).Count + result.Values(_dnsSearch).Count + result.Values(_dnsOption).Count > 0
                        ? new DNSConfig { Nameservers = result.ListOrNull(_dns), Search = result.ListOrNull(_dnsSearch), Options = result.ListOrNull(_dnsOption) }
                        : null,
                    // docker's --host HOST:IP is written in the spec as an /etc/hosts line, "IP HOST".
                    Hosts = result.Values(_host) is { Count: > 0 } hosts ? hosts.Select(ServiceFlags.ParseHost).ToList() : null,
                    Healthcheck = Healthcheck(result),
                    Secrets = FileReferences.Secrets(result, _secret),
                    Configs = FileReferences.Configs(result, _config),
                },
                LogDriver = result.Value(_logDriver) is { } driver ? new SwarmDriver { Name = driver, Options = result.KeyValues(_logOpt) } : null,
                RestartPolicy = new SwarmRestartPolicy
                {
                    Condition = result.Value(_restartCondition),
                    Delay = result.Duration(_restartDelay),
                    MaxAttempts = result.UInt(_restartMaxAttempts),
                    Window = result.Duration(_restartWindow),
                },
                Placement = result.ListOrNull(_constraint) is { } constraints ? new Placement { Constraints = constraints } : null,
                Networks = result.Values(_network) is { Count: > 0 } networks ? networks.Select(ServiceFlags.ParseNetwork).ToList() : null,
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit
                    {
                        NanoCPUs = result.NanoCpus(_limitCpu),
                        MemoryBytes = result.Bytes(_limitMemory),
                        Pids = result.Int(_limitPids),
                    },
                    Reservations = new SwarmResources
                    {
                        NanoCPUs = result.NanoCpus(_reserveCpu),
                        MemoryBytes = result.Bytes(_reserveMemory),
                    },
                },
            },
            EndpointSpec = new EndpointSpec { Mode = ServiceFlags.EndpointMode(result, _endpointMode) ?? "vip", Ports = ports.Count > 0 ? ports : null },
            UpdateConfig = _update.Config(result),
            RollbackConfig = _rollback.Config(result),
        };
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var spec = Spec(result);
        var created = await context.Client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec });
        var id = created.ID ?? "";
        context.Out.WriteLine(id);
        return result.Has(_detach) ? 0
            : await Progress.WaitForConvergenceAsync(context.Client, id, ServiceFlags.WaitFor(result, _timeout), result.Has(_quiet), context.Out, context.Err);
    }

    private HealthcheckConfig? Healthcheck(ParseResult result)
    {
        if (result.Has(_noHealthcheck)) return new HealthcheckConfig { Test = ["NONE"] };
        var command = result.Value(_healthCmd);
        if (command is null && result.Value(_healthInterval) is null && result.Value(_healthTimeout) is null
            && result.Value(_healthRetries) is null && result.Value(_healthStartPeriod) is null) return null;
        return new HealthcheckConfig
        {
            Test = command is null ? null : ["CMD-SHELL", command],
            Interval = result.Duration(_healthInterval),
            Timeout = result.Duration(_healthTimeout),
            StartPeriod = result.Duration(_healthStartPeriod),
            Retries = result.Int(_healthRetries),
        };
    }
}

/// <summary>docker's --update-* and --rollback-* flags; no config at all when none is given, as docker sends.</summary>
public sealed class UpdateConfigFlags
{
    private readonly Option<string> _parallelism, _delay, _failureAction, _monitor, _maxFailureRatio, _order;

    public UpdateConfigFlags(string prefix, string what, string done, string during)
    {
        _delay = Flags.String($"--{prefix}-delay", $"Delay between {what} (ns|us|ms|s|m|h) (default 0s)", "duration");
        _failureAction = Flags.String($"--{prefix}-failure-action",
            $"Action on {prefix} failure ({(prefix == "update" ? "\"pause\", \"continue\", \"rollback\"" : "\"pause\", \"continue\"")}) (default \"pause\")");
        _maxFailureRatio = Flags.String($"--{prefix}-max-failure-ratio", $"Failure rate to tolerate during {(prefix == "update" ? "an update" : "a rollback")} (default 0)", "float");
        _monitor = Flags.String($"--{prefix}-monitor", $"Duration after each task {during} to monitor for failure (ns|us|ms|s|m|h) (default 5s)", "duration");
        _order = Flags.String($"--{prefix}-order", $"{(prefix == "update" ? "Update" : "Rollback")} order (\"start-first\", \"stop-first\") (default \"stop-first\")");
        _parallelism = Flags.String($"--{prefix}-parallelism", $"Maximum number of tasks {done} simultaneously (0 to {during} all at once) (default 1)", "uint");
    }

    public Option[] All => [_delay, _failureAction, _maxFailureRatio, _monitor, _order, _parallelism];

    public SwarmUpdateConfig? Config(ParseResult result)
    {
        if (All.Cast<Option<string>>().All(o => result.Value(o) is null)) return null;
        return new SwarmUpdateConfig
        {
            Parallelism = result.UInt(_parallelism) ?? 1,
            Delay = result.Duration(_delay) ?? TimeSpan.Zero,
            FailureAction = result.Value(_failureAction),
            Monitor = result.Duration(_monitor) ?? TimeSpan.Zero,
            MaxFailureRatio = (float)(result.Float(_maxFailureRatio) ?? 0),
            Order = result.Value(_order) ?? "stop-first",
        };
    }
}
