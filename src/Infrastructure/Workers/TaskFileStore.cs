using System.Runtime.InteropServices;
using System.Text;
using EventSwarm.Application.Workers;

namespace EventSwarm.Infrastructure.Workers;

/// <summary>
/// The files of this node's tasks' secrets and configs. Secrets live in a tmpfs of the agent's own, mounted the
/// first time a task needs one (0700, root's, <see cref="TmpfsBytes"/> at most, nosuid/nodev/noexec), so their data
/// never reaches a disk; Docker keeps each container's secrets in a tmpfs the same way. Configs are written under
/// the data dir, as Docker writes them to disk. Each task has a directory of its own in each place,
/// <c>&lt;root&gt;/&lt;taskId&gt;/&lt;objectId&gt;-v&lt;version&gt;</c>, owned and moded as the task's reference says.
/// The tmpfs stays mounted while the node lives (a killed agent's running containers still read from it); it is
/// only emptied as tasks end.
/// </summary>
public sealed class TaskFileStore(string secretsDirectory, string configsDirectory) : ITaskFileStore
{
    /// <summary>Docker's limit on a secret is 500 KB; 64 MiB holds over a hundred of the largest at once.</summary>
    public const long TmpfsBytes = 64L * 1024 * 1024;

    private const ulong MsNoSuid = 2, MsNoDev = 4, MsNoExec = 8;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly object _gate = new();

    [DllImport("libc", EntryPoint = "mount", SetLastError = true)]
    private static extern int Mount(byte[] source, byte[] target, byte[] type, ulong flags, byte[] data);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(byte[] path, uint owner, uint group);

    /// <summary>A path or option as C wants it: UTF-8, NUL-terminated.</summary>
    private static byte[] C(string text) => Encoding.UTF8.GetBytes(text + '\0');

    public string SecretsDirectory { get; } = Path.GetFullPath(secretsDirectory);

    public string ConfigsDirectory { get; } = Path.GetFullPath(configsDirectory);

    /// <summary>
    /// The agent's store: secrets beside its socket (<c>/run/eventswarm/eventswarm.secrets</c> for the default
    /// socket), so that agents sharing a host never share a tmpfs, and that directory is never on a disk once mounted;
    /// configs in its data dir.
    /// </summary>
    public static TaskFileStore ForAgent(string socket, string dataDirectory)
    {
        var full = Path.GetFullPath(socket);
        return new TaskFileStore(Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".secrets"),
            Path.Combine(dataDirectory, "configs"));
    }

    public IReadOnlyList<FileMount> Write(string taskId, IReadOnlyList<TaskFile> files)
    {
        CheckName(taskId, "task ID");
        lock (_gate)
        {
            if (files.Any(f => f.Kind == TaskFileKind.Secret)) EnsureTmpfs();
            Remove(taskId);
            var mounts = new List<FileMount>();
            var names = new HashSet<string>();
            foreach (var file in files)
            {
                CheckName(file.ObjectId, "object ID");
                var directory = Path.Combine(file.Kind == TaskFileKind.Secret ? SecretsDirectory : ConfigsDirectory, taskId);
                Directory.CreateDirectory(directory, OwnerOnly);
                // The same object may be mounted twice (two targets, two modes): each reference has a file of its own.
                var name = $"{file.ObjectId}-v{file.DataVersion}";
                for (var n = 2; !names.Add(name); n++) name = $"{file.ObjectId}-v{file.DataVersion}-{n}";
                var path = Path.Combine(directory, name);
                WriteFile(path, file);
                mounts.Add(new FileMount(path, file.Target));
            }
            return mounts;
        }
    }

    public void Remove(string taskId)
    {
        CheckName(taskId, "task ID");
        lock (_gate)
            foreach (var root in new[] { SecretsDirectory, ConfigsDirectory })
            {
                var directory = Path.Combine(root, taskId);
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
    }

    public void RemoveAllBut(IReadOnlySet<string> taskIds)
    {
        lock (_gate)
            foreach (var root in new[] { SecretsDirectory, ConfigsDirectory })
            {
                if (!Directory.Exists(root)) continue;
                foreach (var directory in Directory.EnumerateDirectories(root))
                    if (!taskIds.Contains(Path.GetFileName(directory))) Directory.Delete(directory, recursive: true);
            }
    }

    /// <summary>True when a tmpfs is mounted exactly at <paramref name="path"/> (the last mount there is the one seen).</summary>
    public static bool IsTmpfsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        string? type = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point, the
            // first field after " - " the type (proc(5)).
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length) continue;
            if (Unescape(fields[4]) == full) type = fields[separator + 1];
        }
        return type == "tmpfs";
    }

    /// <summary>
    /// Mounts the secrets tmpfs unless it is there already (left mounted by an earlier run of the agent). A secret is
    /// written only once a tmpfs is seen at that path: never into the directory under it, which may be on a disk.
    /// </summary>
    private void EnsureTmpfs()
    {
        if (IsTmpfsMountPoint(SecretsDirectory)) return;
        Directory.CreateDirectory(SecretsDirectory, OwnerOnly);
        if (Mount(C("tmpfs"), C(SecretsDirectory), C("tmpfs"), MsNoSuid | MsNoDev | MsNoExec, C($"mode=0700,size={TmpfsBytes}")) != 0)
            throw new InvalidOperationException($"cannot mount a tmpfs for secrets at {SecretsDirectory}: {Marshal.GetLastPInvokeErrorMessage()}");
        if (!IsTmpfsMountPoint(SecretsDirectory))
            throw new InvalidOperationException($"no tmpfs is seen at {SecretsDirectory} after mounting one; secrets are not written there");
    }

    private static void WriteFile(string path, TaskFile file)
    {
        if (!uint.TryParse(file.Uid, out var uid) || !uint.TryParse(file.Gid, out var gid))
            throw new InvalidOperationException($"{file.Kind} {file.Name}: uid and gid must be numeric (uid \"{file.Uid}\", gid \"{file.Gid}\")");
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
            stream.Write(file.Data);
        // Owner first: chown clears the set-id bits a mode may carry.
        if (Chown(C(path), uid, gid) != 0)
            throw new IOException($"cannot give {file.Kind} {file.Name} to {uid}:{gid}: {Marshal.GetLastPInvokeErrorMessage()}");
        File.SetUnixFileMode(path, (UnixFileMode)(file.Mode & 0b111_111_111_111));
    }

    /// <summary>Names become path segments: nothing that could climb out of the task's directory.</summary>
    private static void CheckName(string name, string what)
    {
        if (name.Length == 0 || name is "." or ".." || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new InvalidOperationException($"{what} \"{name}\" cannot name a file");
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var text = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.Substring(i + 1, 3).All(c => c is >= '0' and <= '7'))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else text.Append(field[i]);
        }
        return text.ToString();
    }
}
