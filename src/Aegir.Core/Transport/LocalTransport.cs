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
            Task<string> stdout = spec.OutputStream is { } sink
                ? process.StandardOutput.BaseStream.CopyToAsync(sink).ContinueWith(_ => "")
                : process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var stdin = Task.Run(() =>
            {
                try
                {
                    if (spec.InputStream is not null) spec.InputStream.CopyTo(process.StandardInput.BaseStream);
                    else if (spec.StandardInput is not null) process.StandardInput.BaseStream.Write(spec.StandardInput);
                    process.StandardInput.Close();
                }
                catch (IOException) { /* the program exited without reading all its input */ }
            });

            // This thread waits for the program: it must, for the program dies when the thread that started it ends.
            bool exited = process.WaitForExit((int)Math.Min(spec.Timeout.TotalMilliseconds, int.MaxValue));
            if (!exited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
            }
            stdin.Wait(TimeSpan.FromSeconds(5));
            // A daemonising child can hold the pipes open; do not wait on it beyond the program itself.
            var outText = stdout.Wait(spec.OutputStream is null ? TimeSpan.FromSeconds(5) : Timeout.InfiniteTimeSpan) ? stdout.Result : "";
            var errText = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : "";
            return new CommandResult(exited ? process.ExitCode : -1, outText, errText, clock.Elapsed, TimedOut: !exited);
        }
    }

    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null)
    {
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (Kind(path) is PathKind.Symlink or PathKind.Directory)
            throw new IOException($"{path} is a {(Kind(path) == PathKind.Symlink ? "symlink" : "folder")}; a file was expected there, and links are never followed");
        AtomicFile.WriteAllBytes(path, content, mode, owner, group);
    }

    public byte[]? ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public PathKind Kind(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return PathKind.Symlink;
        if (Directory.Exists(path)) return PathKind.Directory;
        if (info.Exists) return (info.Attributes & FileAttributes.Device) != 0 ? PathKind.Other : PathKind.File;
        return PathKind.None;
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

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

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        switch (Kind(path))
        {
            case PathKind.Directory: return;
            case PathKind.None: Directory.CreateDirectory(path, mode); return;
            case PathKind.Symlink: throw new IOException($"{path} is a symlink where a folder belongs; it is never followed. Remove the link and run the task again");
            default: throw new IOException($"{path} is a file where a folder belongs. Move it away and run the task again");
        }
    }

    public void SetOwner(string path, string? owner, string? group) => Posix.Chown(path, owner, group);

    public void SetMode(string path, UnixFileMode mode) => Posix.ChmodNoFollow(path, mode);

    public UnixFileMode GetMode(string path)
    {
        if (Kind(path) == PathKind.Symlink) throw new IOException($"{path} is a symlink; links are never followed");
        return File.GetUnixFileMode(path);
    }

    public void Delete(string path)
    {
        switch (Kind(path))
        {
            case PathKind.None: return;
            case PathKind.Directory: Directory.Delete(path, recursive: true); return;
            default: File.Delete(path); return;
        }
    }

    public void Move(string from, string to) => Posix.Rename(from, to);

    public bool UserExists(string name) => Posix.UserId(name) is not null;

    public bool GroupExists(string name) => Posix.GroupId(name) is not null;

    public string PrimaryGroup(string user) => Posix.PrimaryGroup(user);

    public (string User, string Group)? OwnerOf(string path)
        => Posix.Stat(path) is { } s ? (Posix.UserName(s.Uid), Posix.GroupName(s.Gid)) : null;

    public string ResolvePath(string path) => Posix.Resolve(path);

    public HttpAnswer Fetch(string address, int port, string host, string path)
    {
        using var handler = new System.Net.Http.HttpClientHandler { AllowAutoRedirect = false };
        using var client = new System.Net.Http.HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var target = address.Contains(':') ? $"[{address}]" : address;
        using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, $"http://{target}:{port}{path}");
        request.Headers.Host = port == 80 ? host : $"{host}:{port}";
        try
        {
            using var response = client.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            var buffer = new char[16384];
            var body = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
            return new HttpAnswer((int)response.StatusCode, response.Headers.Location?.ToString(), body);
        }
        catch (Exception ex) when (ex is System.Net.Http.HttpRequestException or TaskCanceledException or IOException)
        {
            throw new IOException($"no answer from {target}:{port} for {host}: {ex.Message}", ex);
        }
    }

    public void Sync(string source, string destination)
    {
        var result = Run(new CommandSpec("rsync", ["-a", "--delete", source.TrimEnd('/') + "/", destination.TrimEnd('/') + "/"]) { Timeout = TimeSpan.FromHours(2) });
        if (!result.Succeeded) throw new IOException($"rsync {source} {destination}: {result.Summary()}");
    }

    public void Dispose() { }
}
