using EventSwarm.Node.Hosting;


#pragma warning disable DOTNEXT001 // DotNext marks its state-machine API experimental; we pin the exact version.
return args is ["agent", .. var rest]
    ? await AgentHost.RunAsync(rest)
    : await EventSwarm.Node.Cli.CliApp.RunAsync(args);
