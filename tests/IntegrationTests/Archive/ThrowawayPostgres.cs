using System.Diagnostics;
using Npgsql;

namespace EventSwarm.IntegrationTests.Archive;

/// <summary>
/// A real PostgreSQL for the archive's tests. <see cref="SharedOrOwnAsync"/> uses the server ops/test.sh started
/// (EVENTSWARM_TEST_POSTGRES) and starts one of its own when there is none, so a developer's `dotnet test` works;
/// <see cref="OwnAsync"/> always starts its own (tests that stop and start the server must not stop the shared one).
/// Started as ops/test.sh does (stack-recipes §1a): initdb and pg_ctl as the postgres user in a temp directory,
/// loopback only, a free port, trust authentication, fsync off. Each caller gets a fresh database of its own.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    public const string Variable = "EVENTSWARM_TEST_POSTGRES";
    private readonly string? _directory;
    private readonly string _serverConnection;

    private ThrowawayPostgres(string serverConnection, string? directory, int port)
    {
        _serverConnection = serverConnection;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public bool IsOwn => _directory is not null;

    public static async Task<ThrowawayPostgres> SharedOrOwnAsync() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } shared
            ? new ThrowawayPostgres(shared, null, new NpgsqlConnectionStringBuilder(shared).Port)
            : await OwnAsync();

    public static async Task<ThrowawayPostgres> OwnAsync()
    {
        var directory = Directory.CreateTempSubdirectory("pgtest-").FullName;
        await Run("chown", "postgres:postgres", directory);
        await Run("chmod", "700", directory);
        await Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-D", Path.Combine(directory, "data"), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        var port = Cluster.LocalAgent.FreePort();
        var server = new ThrowawayPostgres($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", directory, port);
        await server.StartAsync();
        return server;
    }

    /// <summary>A new, empty database on the server: its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"es_{Guid.NewGuid():N}"[..20];
        await using (var connection = new NpgsqlConnection(_serverConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(_serverConnection) { Database = name }.ConnectionString;
    }

    /// <summary>Starts the (own) server again on the same port, after <see cref="StopAsync"/>.</summary>
    public Task StartAsync() => Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(Own, "data"),
        "-l", Path.Combine(Own, "server.log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {Own} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start");

    /// <summary>Stops the (own) server at once, as a crash or an outage would.</summary>
    public Task StopAsync() => Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(Own, "data"), "-m", "immediate", "-w", "stop");

    private string Own => _directory ?? throw new InvalidOperationException($"the shared server ({Variable}) is not this test's to stop or start");

    private static string Bin => Directory.GetDirectories("/usr/lib/postgresql")
        .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
        .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
        ?? throw new InvalidOperationException("PostgreSQL is not installed (ops/setup.sh installs it)");

    private static async Task Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null) return;
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
