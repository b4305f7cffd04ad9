using System.Text.Json;

namespace EventSwarm.Node.Agent;

/// <summary>
/// Whether this node follows a remote manager (a worker that joined) or holds the log itself. Kept in the data
/// directory so that a restarted worker goes back to its manager.
/// </summary>
public sealed class Membership
{
    private readonly string _file;
    private readonly CancellationTokenSource _becameWorker = new();

    public Membership(string dataDirectory)
    {
        _file = Path.Combine(dataDirectory, "membership.json");
        if (File.Exists(_file)) ManagerAddress = JsonSerializer.Deserialize<Saved>(File.ReadAllText(_file))?.ManagerAddress;
        if (IsWorker) _becameWorker.Cancel();
    }

    public string? ManagerAddress { get; private set; }

    public bool IsWorker => ManagerAddress is not null;

    /// <summary>Cancelled when this node is (or becomes) a worker: what only a manager does must stop.</summary>
    public CancellationToken BecameWorker => _becameWorker.Token;

    public void JoinedAsWorker(string managerAddress)
    {
        File.WriteAllText(_file, JsonSerializer.Serialize(new Saved(managerAddress)));
        ManagerAddress = managerAddress;
        _becameWorker.Cancel();
    }

    private sealed record Saved(string ManagerAddress);
}
