using System.Diagnostics;

namespace EventSwarm.IntegrationTests.Cluster;

public sealed record CommandResult(string Command, int ExitCode, string Output, string Error)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in env) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        return new CommandResult($"{file} {string.Join(' ', info.ArgumentList)}", process.HasExited ? process.ExitCode : -1, await output, await error);
    }

    public CommandResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"`{Command}` failed ({ExitCode}):\n{Output}\n{Error}");
        return this;
    }

    public CommandResult ShouldFailWith(string message)
    {
        Assert.True(ExitCode != 0, $"`{Command}` should have failed:\n{Output}");
        Assert.Contains(message, Error + Output);
        return this;
    }

    /// <summary>Rows of a docker-style table, without the header.</summary>
    public IReadOnlyList<string> Rows => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
}
