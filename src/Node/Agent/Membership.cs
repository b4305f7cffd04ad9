using System.Text.Json;

namespace EventSwarm.Node.Agent;

/// <summary>
/// How this node takes part in its swarm, kept in the data directory so that a restart goes back to it: a worker
/// follows a manager (and knows the others, to fail over); a manager that joined rejoins the Raft cluster it is a
/// member of instead of starting one of its own.
/// </summary>
public sealed class Membership
{
    private readonly string _file;
    private readonly CancellationTokenSource _becameWorker = new();

    public Membership(string dataDirectory)
    {
        _file = Path.Combine(dataDirectory, "membership.json");
        if (File.Exists(_file) && JsonSerializer.Deserialize<Saved>(File.ReadAllText(_file)) is { } saved)
        {
            ManagerAddress = saved.ManagerAddress;
            IsManagerThatJoined = saved.JoinedAsManager;
        }
        if (IsWorker) _becameWorker.Cancel();
    }

    /// <summary>The manager a worker currently follows.</summary>
    public string? ManagerAddress { get; private set; }

    public bool IsWorker => ManagerAddress is not null;

    public bool IsManagerThatJoined { get; private set; }

    /// <summary>Cancelled when this node is (or becomes) a worker: what only a manager does must stop.</summary>
    public CancellationToken BecameWorker => _becameWorker.Token;

    public void JoinedAsWorker(string managerAddress)
    {
        FollowManager(managerAddress);
        _becameWorker.Cancel();
    }

    /// <summary>A worker whose manager stopped answering follows another one.</summary>
    public void FollowManager(string managerAddress)
    {
        Save(new Saved(managerAddress, false));
        ManagerAddress = managerAddress;
    }

    public void JoinedAsManager()
    {
        Save(new Saved(null, true));
        IsManagerThatJoined = true;
    }

    private void Save(Saved saved)
    {
        File.WriteAllText(_file + ".tmp", JsonSerializer.Serialize(saved));
        File.Move(_file + ".tmp", _file, overwrite: true);
    }

    private sealed record Saved(string? ManagerAddress, bool JoinedAsManager = false);
}
