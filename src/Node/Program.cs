// Every verb, `agent` included, is parsed by the CLI (src/Node/Cli); `agent` hands its options to AgentHost.
return await EventSwarm.Node.Cli.CliApp.RunAsync(args);
