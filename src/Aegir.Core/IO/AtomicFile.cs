using System.Text;

namespace Aegir.Core.IO;

/// <summary>
/// Whole-file writes that a reader never sees half done: write a private temp file beside the target,
/// flush it to disk, then rename over the target (rename is atomic within one folder).
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const string TempPrefix = ".tmp-";

    public static void WriteAllText(string path, string text, UnixFileMode mode = OwnerOnly)
        => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text), mode);

    /// <summary>
    /// As <see cref="WriteAllText"/>; with an owner or group, the temp file gets them before the rename.
    /// Without <paramref name="durable"/> the data is not flushed to disk first: the file is still never seen
    /// half written, and survives a killed process, though not a crash of the machine.
    /// </summary>
    public static void WriteAllBytes(string path, byte[] bytes, UnixFileMode mode = OwnerOnly, string? owner = null, string? group = null, bool durable = true)
        => Write(path, fs => fs.Write(bytes), mode, owner, group, durable);

    /// <summary>As <see cref="WriteAllBytes"/>, the content written by <paramref name="write"/> straight to the temp file (a large file never held whole in memory).</summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode mode = OwnerOnly, string? owner = null, string? group = null, bool durable = true)
    {
        var dir = Path.GetDirectoryName(path) ?? ".";
        var temp = Path.Combine(dir, TempPrefix + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var fs = new FileStream(temp, options))
            {
                write(fs);
                fs.Flush(flushToDisk: durable);
            }
            if (owner is not null || group is not null) Posix.Chown(temp, owner, group);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, mode);   // umask and chown may have cleared bits
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Creates a folder (and its parents) with the given mode, and tightens it if it exists looser.</summary>
    public static void EnsurePrivateDirectory(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
    {
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(path); return; }
        if (!Directory.Exists(path)) Directory.CreateDirectory(path, mode);
        if (File.GetUnixFileMode(path) != mode) File.SetUnixFileMode(path, mode);
    }

    /// <summary>
    /// AEGIR_HOME itself: 0711, so the web server's users can reach sockets of local instances below it,
    /// while nobody else can list it. What needs secrecy (contexts, tasks, config) is 0700 beneath: the web
    /// config and logs folders, made with a web server's verify, are taken back to 0700 when found looser.
    /// </summary>
    public static void EnsureHome(string path)
    {
        const UnixFileMode listing = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if (!Directory.Exists(path))
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var mode = File.GetUnixFileMode(path);
        if ((mode & listing) != 0) File.SetUnixFileMode(path, mode & ~listing);
        foreach (var folder in PrivateFolders)
        {
            var full = Path.Combine(path, folder);
            if (Directory.Exists(full) && File.GetUnixFileMode(full) != Private) File.SetUnixFileMode(full, Private);
        }
    }

    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Folders of the home that others must neither list nor pass through (the others are made 0700 by their owners).</summary>
    public static readonly IReadOnlyList<string> PrivateFolders = ["config", "logs"];

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
