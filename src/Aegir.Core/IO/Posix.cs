using System.Runtime.InteropServices;

namespace Aegir.Core.IO;

/// <summary>The few POSIX calls .NET does not offer: owners and groups by name, and changes that never follow a symlink.</summary>
public static partial class Posix
{
    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int owner, int group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchmodat(int dirfd, string path, uint mode, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    /// <summary>Kills every process left in the process group <paramref name="group"/> (SIGKILL); none left is no error.</summary>
    public static void KillGroup(int group)
    {
        if (group > 1) kill(-group, 9);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    /// <summary>Which version of a file is there: inode, size and change time (a write in place or a rename onto it changes one); null when it does not exist.</summary>
    public readonly record struct FileVersion(ulong Inode, ulong Size, long ChangeSeconds, uint ChangeNanoseconds);

    public static FileVersion? Version(string path)
    {
        var bytes = new byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, 0x7ff, bytes) != 0) return null;
        // struct statx: stx_ino at 32, stx_size at 40, stx_ctime (tv_sec, tv_nsec) at 96.
        return new FileVersion(BitConverter.ToUInt64(bytes, 32), BitConverter.ToUInt64(bytes, 40), BitConverter.ToInt64(bytes, 96), BitConverter.ToUInt32(bytes, 104));
    }

    /// <summary>Whether the path, its links followed, is a regular file (not a FIFO or device, whose reading never ends).</summary>
    public static bool IsRegularFile(string path)
    {
        var buffer = new byte[256];
        return statx(AtFdCwd, path, 0, 0x7ff, buffer) == 0 && (BitConverter.ToUInt16(buffer, 28) & 0xF000) == 0x8000;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    public static int EffectiveUserId => geteuid();

    /// <summary>rename(2) that never replaces what is at <paramref name="to"/>, and moves a symlink itself, never what it points to.</summary>
    public static void Rename(string from, string to)
    {
        const uint noReplace = 1;
        if (renameat2(AtFdCwd, from, AtFdCwd, to, noReplace) != 0)
            throw new IOException($"cannot move {from} to {to}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>What lstat tells of a path: owner, group, mode and type; null when it does not exist.</summary>
    public sealed record FileStatus(uint Uid, uint Gid, UnixFileMode Mode, bool IsLink, bool IsDirectory, bool IsSocket = false);

    /// <summary>lstat through statx, whose layout is the same on every architecture.</summary>
    public static FileStatus? Stat(string path)
    {
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, 0x7ff, buffer) != 0) return null;
        uint uid = BitConverter.ToUInt32(buffer, 20), gid = BitConverter.ToUInt32(buffer, 24);
        int mode = BitConverter.ToUInt16(buffer, 28);
        int type = mode & 0xF000;
        return new FileStatus(uid, gid, (UnixFileMode)(mode & 0xFFF), type == 0xA000, type == 0x4000, type == 0xC000);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);

    /// <summary>The path with every symlink resolved (realpath(3)); null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var p = realpath(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { free(p); }
    }

    /// <summary>Where a path leads: its deepest existing part resolved, with the rest (not there yet) appended.</summary>
    public static string Resolve(string path)
    {
        var rest = new Stack<string>();
        var p = path;
        while (p.Length > 1 && RealPath(p) is null)
        {
            rest.Push(Path.GetFileName(p));
            p = Path.GetDirectoryName(p) ?? "/";
        }
        var resolved = RealPath(p) ?? "/";
        while (rest.Count > 0) resolved = Path.Combine(resolved, rest.Pop());
        return resolved;
    }

    public static bool IsRoot => geteuid() == 0;

    public static int? UserId(string name) => Lookup("/etc/passwd", name);

    public static int? GroupId(string name) => Lookup("/etc/group", name);

    /// <summary>The name of a user or group id (the number itself when it has none).</summary>
    public static string UserName(uint id) => NameOf("/etc/passwd", id);
    public static string GroupName(uint id) => NameOf("/etc/group", id);

    static string NameOf(string database, uint id)
    {
        foreach (var line in File.ReadLines(database))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && uint.TryParse(fields[2], out var n) && n == id) return fields[0];
        }
        return id.ToString();
    }

    /// <summary>The name of a user's primary group (falls back to the user name).</summary>
    public static string PrimaryGroup(string user)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length > 3 && f[0] == user)
                foreach (var g in File.ReadLines("/etc/group"))
                {
                    var gf = g.Split(':');
                    if (gf.Length > 2 && gf[2] == f[3]) return gf[0];
                }
        }
        return user;
    }

    /// <summary>Changes owner and/or group (by name) without following a link.</summary>
    public static void Chown(string path, string? owner, string? group)
    {
        int uid = owner is null ? -1 : UserId(owner) ?? throw new IOException($"there is no user '{owner}' on this machine");
        int gid = group is null ? -1 : GroupId(group) ?? throw new IOException($"there is no group '{group}' on this machine");
        if (lchown(path, uid, gid) != 0)
            throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>chmod that fails on a symlink instead of changing what it points to (glibc refuses with EOPNOTSUPP).</summary>
    public static void ChmodNoFollow(string path, UnixFileMode mode)
    {
        if (fchmodat(AtFdCwd, path, (uint)mode, AtSymlinkNoFollow) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException(error == 95 ? $"chmod {path}: it is a symlink, and links are never followed" : $"chmod {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    // getpwnam/getgrnam return structs whose layout varies; the local databases are plain text.
    static int? Lookup(string database, string name)
    {
        foreach (var line in File.ReadLines(database))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && fields[0] == name && int.TryParse(fields[2], out var id)) return id;
        }
        return null;
    }
}
