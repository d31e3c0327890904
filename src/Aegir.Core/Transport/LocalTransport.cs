using System.Diagnostics;
using Aegir.Core.IO;

namespace Aegir.Core.Transport;

/// <summary>
/// The local machine: processes started with an argument list (each dies with this process, see
/// <see cref="ParentDeath"/>), files through the file system.
/// </summary>
public sealed class LocalTransport : ITransport
{
    public string Host => "localhost";
    public string User { get; } = Environment.UserName;

    public CommandResult Run(CommandSpec spec)
    {
        var (program, arguments) = ParentDeath.Guarded(spec.Program, spec.Arguments);
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? "/",
        };
        foreach (var arg in arguments) psi.ArgumentList.Add(arg);
        if (!spec.InheritEnvironment) psi.Environment.Clear();
        if (spec.Environment is not null)
            foreach (var (key, value) in spec.Environment) psi.Environment[key] = value;

        var clock = Stopwatch.StartNew();
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(127, "", $"{spec.Program}: {ex.Message}", clock.Elapsed);
        }
        using (process)
        {
            // Each pipe has a thread of its own, so a busy thread pool cannot make finished output look like a held pipe.
            Task<string> stdout = spec.OutputStream is { } sink
                ? Task.Factory.StartNew(() => Copy(process.StandardOutput.BaseStream, sink), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                : BoundedText.ReadOnItsOwnThread(process.StandardOutput.BaseStream);
            var stderr = BoundedText.ReadOnItsOwnThread(process.StandardError.BaseStream);
            var stdin = Task.Factory.StartNew(() =>
            {
                try
                {
                    if (spec.InputStream is not null) spec.InputStream.CopyTo(process.StandardInput.BaseStream);
                    else if (spec.StandardInput is not null) process.StandardInput.BaseStream.Write(spec.StandardInput);
                    process.StandardInput.Close();
                }
                catch (IOException) { /* the program exited without reading all its input */ }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            // This thread waits for the program: it must, for the program dies when the thread that started it ends.
            bool exited = WaitForExit(process, spec);
            if (!exited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
            }
            // A command in a session of its own leaves nothing running: its group (its own pid) goes with it.
            if (spec.OwnSession) Posix.KillGroup(process.Id);
            stdin.Wait(TimeSpan.FromSeconds(5));
            // A daemonising child can hold the pipes open; do not wait on it beyond the program itself.
            var outText = stdout.Wait(spec.OutputStream is null ? TimeSpan.FromSeconds(5) : Timeout.InfiniteTimeSpan) ? stdout.Result : "";
            var errText = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : "";
            return new CommandResult(exited ? process.ExitCode : -1, outText, errText, clock.Elapsed, TimedOut: !exited);
        }
    }

    /// <summary>Waits for the program until its timeout, or until its spec's cancellation comes.</summary>
    static bool WaitForExit(Process process, CommandSpec spec)
    {
        if (!spec.Cancellation.CanBeCanceled) return process.WaitForExit((int)Math.Min(spec.Timeout.TotalMilliseconds, int.MaxValue));
        var deadline = Stopwatch.StartNew();
        while (!spec.Cancellation.IsCancellationRequested)
        {
            var left = spec.Timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero) return false;
            if (process.WaitForExit((int)Math.Min(left.TotalMilliseconds, 250))) return true;
        }
        return false;
    }

    /// <summary>A program's output into the caller's stream; the caller judges what arrived (a dump's own checks).</summary>
    static string Copy(Stream output, Stream sink)
    {
        try { output.CopyTo(sink); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException) { }
        return "";
    }

    /// <summary>Written beside and renamed over, on a folder held open: no link on the way is followed (see <see cref="SafePath"/>).</summary>
    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null)
        => SafePath.WriteFile(path, content, mode, Uid(owner), Gid(group));

    static int Uid(string? owner) => owner is null ? -1 : Posix.UserId(owner) ?? throw new IOException($"there is no user '{owner}' on this machine");
    static int Gid(string? group) => group is null ? -1 : Posix.GroupId(group) ?? throw new IOException($"there is no group '{group}' on this machine");

    public byte[]? ReadFile(string path) => SafePath.ReadFile(path, ITransport.MaxRead);

    public PathKind Kind(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return PathKind.Symlink;
        if (Directory.Exists(path)) return PathKind.Directory;
        if (info.Exists) return (info.Attributes & FileAttributes.Device) != 0 ? PathKind.Other : PathKind.File;
        return PathKind.None;
    }

    public IReadOnlyList<string> List(string path)
    {
        if (Kind(path) != PathKind.Directory) return [];
        return Directory.EnumerateFileSystemEntries(path).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
    }

    public IEnumerable<string> FindFiles(string root, string pattern, int maxDepth)
    {
        if (!Directory.Exists(root)) return [];
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = maxDepth,
            AttributesToSkip = FileAttributes.ReparsePoint,   // never descend through a symlinked folder
        };
        return Directory.EnumerateFiles(root, pattern, options);
    }

    public void CreateDirectory(string path, UnixFileMode mode) => SafePath.CreateDirectory(path, mode);

    public bool EnsureDirectory(string root, string relative, UnixFileMode mode, string? owner, string? group) => SafePath.EnsureDirectory(root, relative, mode, Uid(owner), Gid(group));

    public void SetOwner(string path, string? owner, string? group) => SafePath.Chown(path, Uid(owner), Gid(group));

    public void SetMode(string path, UnixFileMode mode) => SafePath.Chmod(path, mode);

    public UnixFileMode GetMode(string path)
    {
        if (Kind(path) == PathKind.Symlink) throw new IOException($"{path} is a symlink; links are never followed");
        return File.GetUnixFileMode(path);
    }

    /// <summary>
    /// A file or link is unlinked in its held folder; a folder goes by rm -r, given the held folder (which no rename
    /// can redirect) and walking by open folders itself, so no link inside, or swapped in meanwhile, leads it out.
    /// </summary>
    public void Delete(string path)
    {
        SafePath.Parent parent;
        try { parent = SafePath.OpenParent(path); }
        catch (IOException ex) when (ex.InnerException is DirectoryNotFoundException) { return; }
        using (parent)
        {
            switch (SafePath.KindIn(parent))
            {
                case 0: return;
                case 0x4000:
                    var rm = Run(new CommandSpec("rm", ["-rf", "--one-file-system", "--", Path.Combine(parent.Pinned, parent.Name)]) { Timeout = TimeSpan.FromHours(2) });
                    if (!rm.Succeeded) throw new IOException($"cannot delete {path}: {rm.Summary()}");
                    return;
                default:
                    SafePath.Unlink(parent, folder: false);
                    return;
            }
        }
    }

    public void Move(string from, string to) => SafePath.Rename(from, to);

    public bool UserExists(string name) => Posix.UserId(name) is not null;

    public bool GroupExists(string name) => Posix.GroupId(name) is not null;

    public string PrimaryGroup(string user) => Posix.PrimaryGroup(user);

    public (string User, string Group)? OwnerOf(string path)
        => Posix.Stat(path) is { } s ? (Posix.UserName(s.Uid), Posix.GroupName(s.Gid)) : null;

    public string ResolvePath(string path) => Posix.Resolve(path);

    public HttpAnswer Fetch(string address, int port, string host, string path, string? tlsThumbprint = null)
        => HttpFetch.Get(async cancel =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try { await socket.ConnectAsync(address, port, cancel); }
            catch { socket.Dispose(); throw; }
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }, $"{(address.Contains(':') ? $"[{address}]" : address)}:{port}", port, host, path, tlsThumbprint);

    public void Sync(string source, string destination)
    {
        var result = Run(new CommandSpec("rsync", ["-a", "--delete", source.TrimEnd('/') + "/", destination.TrimEnd('/') + "/"]) { Timeout = TimeSpan.FromHours(2) });
        if (!result.Succeeded) throw new IOException($"rsync {source} {destination}: {result.Summary()}");
    }

    public void Dispose() { }
}
