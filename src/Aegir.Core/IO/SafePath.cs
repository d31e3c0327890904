using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Aegir.Core.IO;

/// <summary>
/// Changes to paths that never go where someone else's link leads, even while they race the change: a path is walked
/// from / one folder at a time, each opened and held, so what a component is cannot change under the walk. A symlink
/// on the way is followed only when it lies in a folder root owns and no one else may write (the admin's own links:
/// a platform root that is a link, /var/run); a link in a folder a site's user may write (a site's own folders) stops
/// the walk. The last component is never followed. Every change is made on a held folder by name, or on the opened
/// file itself.
/// </summary>
public static partial class SafePath
{
    const int ODirectory = 0x10000, ONoFollow = 0x20000, OCloExec = 0x80000, OPath = 0x200000;
    const int ORdOnly = 0, OWrOnly = 1, OCreat = 0x40, OExcl = 0x80, ONonBlock = 0x800;
    const int AtSymlinkNoFollow = 0x100, AtRemoveDir = 0x200, AtEmptyPath = 0x1000;
    const int ENoEnt = 2, EExist = 17, ELoop = 40, ENotDir = 20;
    const int MaxLinks = 40;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int dirfd, string path, int flags, uint mode);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int dirfd, string path, uint mode);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchownat(int dirfd, string path, int owner, int group, int flags);
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(int fd, uint mode);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int dirfd, string path, int flags);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlinkat(int dirfd, string path, byte[] buffer, nint size);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    /// <summary>A folder held open for changes by name, and the name of the path's last component in it.</summary>
    public sealed class Parent(SafeFileHandle folder, string name, string path) : IDisposable
    {
        public SafeFileHandle Folder { get; } = folder;
        public string Name { get; } = name;
        public string Path { get; } = path;
        internal int Fd => (int)Folder.DangerousGetHandle();
        /// <summary>The held folder as a path a child process can use (/proc/&lt;pid&gt;/fd/&lt;n&gt;): it leads to that folder whatever is renamed meanwhile.</summary>
        public string Pinned => $"/proc/{Environment.ProcessId}/fd/{Fd}";
        public void Dispose() => Folder.Dispose();
    }

    /// <summary>A link or a file where a folder belongs, on the way to a path: nothing was changed.</summary>
    public sealed class BlockedException(string path, string at, bool link)
        : IOException(at == path ? $"{path} is {(link ? "a symlink" : "a file")} where a folder belongs; links are never followed"
            : $"{at} is {(link ? "a symlink in a folder others may write" : "no folder")} on the way to {path}; such links are never followed")
    {
        public string Path { get; } = path;
        public string At { get; } = at;
        public bool IsLink { get; } = link;
    }

    /// <summary>Holds the folder <paramref name="path"/> is in, walked safely; missing folders on the way are made (0755, this process's) when <paramref name="create"/>.</summary>
    public static Parent OpenParent(string path, bool create = false)
    {
        var full = System.IO.Path.GetFullPath(path);
        var name = System.IO.Path.GetFileName(full);
        if (name.Length == 0) throw new IOException($"{path} names no file or folder");
        return new Parent(OpenFolder(System.IO.Path.GetDirectoryName(full)!, create, full), name, full);
    }

    /// <summary>Holds the folder at <paramref name="path"/> itself, walked safely (the last component must be a real folder).</summary>
    public static SafeFileHandle OpenFolder(string path, bool create, string? forPath = null)
    {
        forPath ??= path;
        var pending = new Stack<string>(Enumerable.Reverse(System.IO.Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries)));
        var current = Open(-100, "/", ODirectory | OPath, forPath);
        var at = "/";
        int links = 0;
        try
        {
            while (pending.Count > 0)
            {
                var part = pending.Pop();
                if (part == ".") continue;
                var next = part == ".." ? openat((int)current.DangerousGetHandle(), "..", ODirectory | OPath | OCloExec, 0) : openat((int)current.DangerousGetHandle(), part, ODirectory | ONoFollow | OPath | OCloExec, 0);
                if (next < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    var here = System.IO.Path.Combine(at, part);
                    if (error == ENoEnt && create)
                    {
                        if (mkdirat((int)current.DangerousGetHandle(), part, 0b111_101_101) != 0 && Marshal.GetLastPInvokeError() != EExist)
                            throw new IOException($"mkdir {here}: {Marshal.GetLastPInvokeErrorMessage()}");
                        pending.Push(part);
                        continue;
                    }
                    var kind = Kind(current, part);
                    if (error is ELoop or ENotDir && kind == 0xA000)
                    {
                        // A link: followed only where root alone may have put it.
                        if (!Trusted(current) || ++links > MaxLinks) throw new BlockedException(forPath, here, link: true);
                        var target = ReadLink(current, part);
                        foreach (var p in Enumerable.Reverse(target.Split('/', StringSplitOptions.RemoveEmptyEntries))) pending.Push(p);
                        if (target.StartsWith('/'))
                        {
                            current.Dispose();
                            current = Open(-100, "/", ODirectory | OPath, forPath);
                            at = "/";
                        }
                        continue;
                    }
                    if (error is ENotDir) throw new BlockedException(forPath, here, link: false);
                    throw new IOException($"{here}: {Marshal.GetPInvokeErrorMessage(error)}", new DirectoryNotFoundException(here));
                }
                current.Dispose();
                current = new SafeFileHandle(next, ownsHandle: true);
                at = System.IO.Path.Combine(at, part);
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    static SafeFileHandle Open(int dirfd, string path, int flags, string forPath)
    {
        var fd = openat(dirfd, path, flags | OCloExec, 0);
        if (fd < 0) throw new IOException($"{forPath}: {Marshal.GetLastPInvokeErrorMessage()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The file type bits (S_IFMT) of a name in a held folder, not following it; 0 when it is not there.</summary>
    static int Kind(SafeFileHandle folder, string name)
    {
        var buffer = new byte[256];
        return statx((int)folder.DangerousGetHandle(), name, AtSymlinkNoFollow, 0x7ff, buffer) == 0 ? BitConverter.ToUInt16(buffer, 28) & 0xF000 : 0;
    }

    /// <summary>A folder only root may change: owned by root, and no one else may write to it.</summary>
    static bool Trusted(SafeFileHandle folder)
    {
        var buffer = new byte[256];
        if (statx((int)folder.DangerousGetHandle(), "", AtEmptyPath, 0x7ff, buffer) != 0) return false;
        uint uid = BitConverter.ToUInt32(buffer, 20);
        int mode = BitConverter.ToUInt16(buffer, 28);
        return uid == 0 && (mode & 0b000_010_010) == 0;
    }

    static string ReadLink(SafeFileHandle folder, string name)
    {
        var buffer = new byte[4096];
        var n = readlinkat((int)folder.DangerousGetHandle(), name, buffer, buffer.Length);
        if (n < 0) throw new IOException($"readlink {name}: {Marshal.GetLastPInvokeErrorMessage()}");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    /// <summary>What is at a path (S_IFMT bits), walked safely, not following its last component; 0 when nothing is.</summary>
    public static int KindOf(string path)
    {
        try
        {
            using var parent = OpenParent(path);
            return Kind(parent.Folder, parent.Name);
        }
        catch (BlockedException) { throw; }
        catch (IOException ex) when (ex.InnerException is DirectoryNotFoundException) { return 0; }
    }

    /// <summary>Makes the folder (its parents too, 0755) with <paramref name="mode"/>, or leaves the one there as it is (a link there is refused). True when it was made.</summary>
    public static bool CreateDirectory(string path, UnixFileMode mode)
    {
        using var parent = OpenParent(path, create: true);
        if (mkdirat(parent.Fd, parent.Name, (uint)mode) == 0) return true;
        if (Marshal.GetLastPInvokeError() != EExist) throw new IOException($"mkdir {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return Kind(parent.Folder, parent.Name) switch
        {
            0x4000 => false,
            0xA000 => throw new BlockedException(path, path, link: true),
            _ => throw new BlockedException(path, path, link: false),
        };
    }

    /// <summary>
    /// Makes the folder <paramref name="relative"/> below <paramref name="root"/> (its missing parents 0755) or fixes
    /// it: owner and group, then mode (a chown clears setgid). Below the root no link at all is followed, whoever made
    /// it: a site's folders are never made through one. True when the folder itself was made.
    /// </summary>
    public static bool EnsureDirectory(string root, string relative, UnixFileMode mode, int uid, int gid)
    {
        var path = System.IO.Path.Combine(root, relative);
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or "..")) throw new IOException($"{relative} is no plain path below {root}");
        var current = OpenFolder(root, create: false);
        bool made = false;
        try
        {
            for (int i = 0; i < parts.Length; i++)
            {
                bool last = i == parts.Length - 1;
                made = mkdirat((int)current.DangerousGetHandle(), parts[i], last ? (uint)mode : 0b111_101_101) == 0;
                if (!made && Marshal.GetLastPInvokeError() != EExist) throw new IOException($"mkdir {path}: {Marshal.GetLastPInvokeErrorMessage()}");
                var next = openat((int)current.DangerousGetHandle(), parts[i], ODirectory | ONoFollow | (last ? ORdOnly : OPath) | OCloExec, 0);
                var at = System.IO.Path.Combine(root, string.Join('/', parts[..(i + 1)]));
                if (next < 0)
                    throw Marshal.GetLastPInvokeError() is ELoop or ENotDir ? new BlockedException(path, at, Kind(current, parts[i]) == 0xA000) : new IOException($"open {at}: {Marshal.GetLastPInvokeErrorMessage()}");
                current.Dispose();
                current = new SafeFileHandle(next, ownsHandle: true);
            }
        }
        catch
        {
            current.Dispose();
            throw;
        }
        using var folder = current;
        int fd = (int)folder.DangerousGetHandle();
        if ((uid >= 0 || gid >= 0) && fchownat(fd, "", uid, gid, AtEmptyPath) != 0) throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        if (fchmod(fd, (uint)mode) != 0) throw new IOException($"chmod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return made;
    }

    /// <summary>Changes owner and group of the path itself (a link stays as it is, never followed).</summary>
    public static void Chown(string path, int uid, int gid)
    {
        using var parent = OpenParent(path);
        if (fchownat(parent.Fd, parent.Name, uid, gid, AtSymlinkNoFollow) != 0) throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Changes the mode of the file or folder itself, opened without following it (a link is refused).</summary>
    public static void Chmod(string path, UnixFileMode mode)
    {
        using var parent = OpenParent(path);
        var fd = openat(parent.Fd, parent.Name, ORdOnly | ONoFollow | ONonBlock | OCloExec, 0);
        if (fd < 0)
            throw new IOException(Marshal.GetLastPInvokeError() == ELoop ? $"chmod {path}: it is a symlink, and links are never followed" : $"chmod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        using var file = new SafeFileHandle(fd, ownsHandle: true);
        if (fchmod(fd, (uint)mode) != 0) throw new IOException($"chmod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Writes a whole file by a new name beside it and a rename over it, owner and mode set on the open file; the folder must be there.</summary>
    public static void WriteFile(string path, byte[] content, UnixFileMode mode, int uid, int gid)
    {
        using var parent = OpenParent(path, create: true);
        if (Kind(parent.Folder, parent.Name) is 0xA000 or 0x4000)
            throw new IOException($"{path} is a {(Kind(parent.Folder, parent.Name) == 0xA000 ? "symlink" : "folder")}; a file was expected there, and links are never followed");
        var temp = $".{parent.Name}.{Guid.NewGuid():N}.tmp";
        var fd = openat(parent.Fd, temp, OWrOnly | OCreat | OExcl | ONoFollow | OCloExec, (uint)UnixFileMode.UserRead | (uint)UnixFileMode.UserWrite);
        if (fd < 0) throw new IOException($"write {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            using (var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
                if ((uid >= 0 || gid >= 0) && fchownat((int)file.SafeFileHandle.DangerousGetHandle(), "", uid, gid, AtEmptyPath) != 0)
                    throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
                if (fchmod((int)file.SafeFileHandle.DangerousGetHandle(), (uint)mode) != 0) throw new IOException($"chmod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
            if (renameat2(parent.Fd, temp, parent.Fd, parent.Name, 0) != 0) throw new IOException($"rename onto {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        catch
        {
            unlinkat(parent.Fd, temp, 0);
            throw;
        }
    }

    /// <summary>
    /// A whole file's bytes, walked safely; null when it, or a folder on the way, is not there. A link at the path, or
    /// anything but a file, is refused.
    /// </summary>
    public static byte[]? ReadFile(string path, long limit)
    {
        Parent parent;
        try { parent = OpenParent(path); }
        catch (BlockedException) { throw; }
        catch (IOException ex) when (ex.InnerException is DirectoryNotFoundException) { return null; }
        using (parent)
        {
            switch (Kind(parent.Folder, parent.Name))
            {
                case 0: return null;
                case 0xA000: throw new IOException($"{path} is a symlink; links are never followed");
                case 0x8000: break;
                default: throw new IOException($"{path} is not a file");
            }
            var fd = openat(parent.Fd, parent.Name, ORdOnly | ONoFollow | ONonBlock | OCloExec, 0);
            if (fd < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == ENoEnt) return null;
                throw new IOException($"read {path}: {Marshal.GetPInvokeErrorMessage(error)}");
            }
            using var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1);
            using var bytes = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                if (bytes.Length + n > limit) throw new IOException($"{path} is larger than {limit / 1024 / 1024} MiB, more than any file the module reads; check what it is and put the file it should be in its place");
                bytes.Write(buffer, 0, n);
            }
            return bytes.ToArray();
        }
    }

    /// <summary>Removes a file or a link (not what it points to), or an empty folder; false when nothing was there.</summary>
    public static bool Unlink(Parent parent, bool folder)
    {
        if (unlinkat(parent.Fd, parent.Name, folder ? AtRemoveDir : 0) == 0) return true;
        if (Marshal.GetLastPInvokeError() == ENoEnt) return false;
        throw new IOException($"remove {parent.Path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>What is at the held folder's name (S_IFMT bits, not following it); 0 when nothing is.</summary>
    public static int KindIn(Parent parent) => Kind(parent.Folder, parent.Name);

    /// <summary>rename(2) between two held folders that never replaces what is at the target (RENAME_NOREPLACE).</summary>
    public static void Rename(string from, string to)
    {
        using var source = OpenParent(from);
        using var target = OpenParent(to);
        if (renameat2(source.Fd, source.Name, target.Fd, target.Name, 1) != 0)
            throw new IOException($"cannot move {from} to {to}: {Marshal.GetLastPInvokeErrorMessage()}");
    }
}
