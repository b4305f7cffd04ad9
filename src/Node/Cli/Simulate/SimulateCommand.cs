using System.CommandLine;
using EventSwarm.Node.Simulation;

namespace EventSwarm.Node.Cli.Simulate;

/// <summary>
/// <c>eventswarm simulate --nodes N --token TOKEN MANAGER:PORT</c>: joins N simulated worker nodes to a real swarm
/// from one process (<see cref="Simulation.Simulation"/>), to load the managers as a fleet would (issue 16). Each node
/// joins, beats, follows its feed and reports as a real worker; only its engine is in memory. Runs until killed.
/// </summary>
public sealed class SimulateCommand : Verb
{
    private readonly Option<string> _cpus = Flags.String("--cpus", "CPUs each node says it has (default 4)", "int");
    private readonly Option<string> _failureRate = Flags.String("--failure-rate", "Share of container starts that exit 1 shortly after (0 to 1, default 0)", "float");
    private readonly Option<string> _hostnamePrefix = Flags.String("--hostname-prefix", "Node hostnames are PREFIX-00001, PREFIX-00002, … (default \"sim\")");
    private readonly Option<string> _memory = Flags.String("--memory", "Memory each node says it has (default 16g)", "bytes");
    private readonly Option<string> _nodes = Flags.String("--nodes", "How many nodes to join", "int");
    private readonly Option<string> _startLatency = Flags.String("--start-latency", "How long a container takes to start (default 0.5s)", "duration");
    private readonly Option<string> _stats = Flags.String("--stats", "Append one JSON line of figures to this file every second", "file");
    private readonly Option<string> _token = Flags.String("--token", "Worker join token of the swarm");

    public SimulateCommand() : base("simulate", "[OPTIONS] --nodes N --token TOKEN MANAGER:PORT", "Join simulated worker nodes (no engine) to a swarm, for scale tests")
    {
        MinArgs = 1;
        MaxArgs = 1;
        Option[] flags = [_cpus, _failureRate, _hostnamePrefix, _memory, _nodes, _startLatency, _stats, _token];
        foreach (var flag in flags) Options.Add(flag);
    }

    /// <summary>The simulation a parsed line asks for; a <see cref="UsageException"/> for a value that cannot be.</summary>
    public SimulationOptions Build(ParseResult result)
    {
        var nodes = result.Int(_nodes) ?? throw new UsageException("--nodes is required");
        if (nodes is < 1 or > 100_000) throw UsageException.InvalidFlag(result.Value(_nodes)!, "--nodes", "must be between 1 and 100000");
        var cpus = result.Int(_cpus) ?? 4;
        if (cpus < 1) throw UsageException.InvalidFlag(result.Value(_cpus)!, "--cpus", "must be at least 1");
        var memory = result.Bytes(_memory) ?? 16L << 30;
        if (memory < 1) throw UsageException.InvalidFlag(result.Value(_memory)!, "--memory", "must be positive");
        var latency = result.PositiveDuration(_startLatency) ?? TimeSpan.FromMilliseconds(500);
        var failureRate = result.Float(_failureRate) ?? 0;
        if (failureRate is < 0 or > 1 || double.IsNaN(failureRate)) throw UsageException.InvalidFlag(result.Value(_failureRate)!, "--failure-rate", "must be between 0 and 1");
        var manager = Args(result)[0];
        if (!manager.Contains(':')) manager += ":2377";
        var prefix = result.Value(_hostnamePrefix) ?? "sim";
        if (prefix.Length == 0) throw new UsageException("--hostname-prefix cannot be empty");
        return new SimulationOptions((int)nodes, result.Value(_token) ?? throw new UsageException("--token is required"), manager,
            (int)cpus, memory, latency, failureRate, result.Value(_stats), prefix);
    }

    public override async Task<int> RunAsync(ParseResult result, CliContext context)
    {
        var options = Build(result);
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter("System.Net.Http", LogLevel.None));
        try
        {
            await new Simulation.Simulation(options, context.Err, loggers).RunAsync(stop.Token);
            return 0;
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        catch (InvalidOperationException e)
        {
            await context.Err.WriteLineAsync($"eventswarm simulate: {e.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
