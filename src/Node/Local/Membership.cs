using System.Text.Json;

namespace EventSwarm.Node.Local;

/// <summary>
/// How this node takes part in its swarm, kept in the data directory so that a restart goes back to it: a worker
/// follows a manager (and fails over to another); a manager that joined rejoins the Raft cluster it is a member
/// of instead of starting one of its own. Promotion and demotion change it while the agent runs.
/// </summary>
public sealed class Membership
{
    private readonly string _file;
    private readonly object _gate = new();
    private CancellationTokenSource _roleChanged = new();

    public Membership(string dataDirectory)
    {
        _file = Path.Combine(dataDirectory, "membership.json");
        if (File.Exists(_file) && JsonSerializer.Deserialize<Saved>(File.ReadAllText(_file)) is { } saved)
        {
            ManagerAddress = saved.ManagerAddress;
            IsManagerThatJoined = saved.JoinedAsManager;
        }
    }

    /// <summary>The manager a worker currently follows.</summary>
    public string? ManagerAddress { get; private set; }

    public bool IsWorker => ManagerAddress is not null;

    public bool IsManagerThatJoined { get; private set; }

    /// <summary>Cancelled when this node becomes a worker or a manager: what belongs to the old role must stop.</summary>
    public CancellationToken RoleChanged
    {
        get
        {
            lock (_gate) return _roleChanged.Token;
        }
    }

    /// <summary>Joined as a worker, or demoted: follow a manager from now on.</summary>
    public void BecomeWorker(string managerAddress)
    {
        Save(new Saved(managerAddress, false));
        ManagerAddress = managerAddress;
        IsManagerThatJoined = false;
        SignalRoleChange();
    }

    /// <summary>A worker whose manager stopped answering follows another one.</summary>
    public void FollowManager(string managerAddress)
    {
        Save(new Saved(managerAddress, false));
        ManagerAddress = managerAddress;
    }

    /// <summary>Joined as a manager, or promoted: a member of the Raft cluster from now on.</summary>
    public void BecomeManager()
    {
        Save(new Saved(null, true));
        ManagerAddress = null;
        IsManagerThatJoined = true;
        SignalRoleChange();
    }

    /// <summary>Left the swarm: a node on its own again, as before `swarm init` or `swarm join`.</summary>
    public void Leave()
    {
        File.Delete(_file);
        ManagerAddress = null;
        IsManagerThatJoined = false;
        SignalRoleChange();
    }

    private void SignalRoleChange()
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _roleChanged;
            _roleChanged = new CancellationTokenSource();
        }
        previous.Cancel();
    }

    private void Save(Saved saved)
    {
        File.WriteAllText(_file + ".tmp", JsonSerializer.Serialize(saved));
        File.Move(_file + ".tmp", _file, overwrite: true);
    }

    private sealed record Saved(string? ManagerAddress, bool JoinedAsManager = false);
}
