using System.Runtime.InteropServices;

namespace EventSwarm.Node.Local;

/// <summary>
/// What the agent does to the local file system so that only those allowed read its state and use its socket:
/// a restrictive umask before anything is created, the data dir checked at start, the socket's owner and mode.
/// </summary>
public static class LocalAccess
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupAndOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, uint owner, uint group);

    public static int EffectiveUid { get; } = (int)GetEffectiveUid();

    /// <summary>
    /// umask 077 for the whole process, first thing: every file and directory the agent (and DotNext's WAL, and
    /// the snapshot writer) creates is then 0600/0700, and the unix socket is born 0700 — never, not even for the
    /// instant between bind() and a chmod, open to users the mode is meant to keep out (as etcd creates its files
    /// 0600 and its data dir 0700). Returns the umask the agent was started with.
    /// </summary>
    public static uint RestrictUmask() => Umask(0b000_111_111);

    /// <summary>
    /// `--group NAME`: the group whose members may use the socket. As dockerd's -G, a name from /etc/group or a
    /// numeric gid; anything else stops the agent at start ("group NAME not found").
    /// </summary>
    public static int ResolveGroup(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/group"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[0] == name && int.TryParse(fields[2], out var gid)) return gid;
            }
        }
        catch (IOException)
        {
        }
        return int.TryParse(name, out var numeric) && numeric >= 0 ? numeric : throw new ArgumentException($"group {name} not found");
    }

    /// <summary>
    /// The data dir holds the log (service specs, env values users put passwords in), the CA key and the join
    /// secrets: 0700, and nothing in it readable by group or others. Checked at every start; a wider mode is
    /// narrowed and said (etcd's CheckDirPermission: "the recommended permission is -rwx------"). Returns what was
    /// changed, for the log.
    /// </summary>
    public static IReadOnlyList<string> SecureDataDirectory(string directory)
    {
        var fixes = new List<string>();
        Directory.CreateDirectory(directory);
        var mode = File.GetUnixFileMode(directory);
        if (mode != OwnerOnlyDirectory)
        {
            File.SetUnixFileMode(directory, OwnerOnlyDirectory);
            fixes.Add($"data dir {directory} had permission {Octal(mode)}; the recommended permission is 0700 (-rwx------): changed");
        }
        var widened = new List<string>();
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        // Task configs are files with the modes their references give (0444 by default) that running containers read
        // as users other than their owner; they hold no cluster state and keep their modes.
        var configs = Path.Combine(Path.GetFullPath(directory), "configs") + Path.DirectorySeparatorChar;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", walk))
        {
            if (Path.GetFullPath(entry).StartsWith(configs, StringComparison.Ordinal)) continue;
            var entryMode = File.GetUnixFileMode(entry);
            if ((entryMode & GroupAndOther) == 0) continue;
            File.SetUnixFileMode(entry, entryMode & ~GroupAndOther);
            widened.Add($"{Path.GetRelativePath(directory, entry)} ({Octal(entryMode)})");
        }
        if (widened.Count > 0)
            fixes.Add($"{widened.Count} entries in data dir {directory} were open to group or others and are now owner-only: {string.Join(", ", widened.Take(10))}{(widened.Count > 10 ? ", …" : "")}");
        return fixes;
    }

    /// <summary>
    /// The socket's directory, when the agent makes it, is 0755 as /run is: the socket's own mode decides who may
    /// connect, and a group given --group must be able to reach it.
    /// </summary>
    public static void CreateSocketDirectory(string socket)
    {
        var directory = Path.GetDirectoryName(socket)!;
        if (Directory.Exists(directory)) return;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>
    /// The socket's final owner and mode, from the 0700 it was created with: root:root 0600 (root only), or
    /// root:GROUP 0660 with --group, as docker.sock's root:docker 0660. The group is set before its bits, so at no
    /// instant may anyone outside the final set connect.
    /// </summary>
    public static void SecureSocket(string socket, int? groupId)
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (groupId is not { } gid)
        {
            File.SetUnixFileMode(socket, owner);
            return;
        }
        File.SetUnixFileMode(socket, owner);
        if (Chown(socket, (uint)EffectiveUid, (uint)gid) != 0)
            throw new IOException($"cannot give socket {socket} to group {gid}: {Marshal.GetLastPInvokeErrorMessage()}");
        File.SetUnixFileMode(socket, owner | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    /// <summary>Whether members of a group (not the owner) can reach a path: every directory above it lets them through.</summary>
    public static bool GroupCanReach(string path)
    {
        for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
            if ((File.GetUnixFileMode(directory) & (UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0) return false;
        return true;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111_111, 8);
}
