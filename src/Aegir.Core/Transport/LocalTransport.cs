using System.Diagnostics;
using Aegir.Core.IO;

namespace Aegir.Core.Transport;

/// <summary>The local machine: processes started with an argument list, files through the file system.</summary>
public sealed class LocalTransport : ITransport
{
    public static readonly LocalTransport Instance = new();

    public CommandResult Run(CommandSpec spec)
    {
        var psi = new ProcessStartInfo(spec.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? "/",
        };
        foreach (var arg in spec.Arguments) psi.ArgumentList.Add(arg);
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
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (spec.StandardInput is not null) process.StandardInput.BaseStream.Write(spec.StandardInput);
                process.StandardInput.Close();
            }
            catch (IOException) { /* the program exited without reading its input */ }

            bool exited = process.WaitForExit((int)Math.Min(spec.Timeout.TotalMilliseconds, int.MaxValue));
            if (!exited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
            }
            // A daemonising child can hold the pipes open; do not wait on it beyond the program itself.
            var outText = stdout.Wait(TimeSpan.FromSeconds(5)) ? stdout.Result : "";
            var errText = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : "";
            return new CommandResult(exited ? process.ExitCode : -1, outText, errText, clock.Elapsed, TimedOut: !exited);
        }
    }

    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null)
    {
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllBytes(path, content, mode, owner, group);
    }

    public byte[]? ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        if (!Directory.Exists(path)) Directory.CreateDirectory(path, mode);
    }

    public void Delete(string path)
    {
        if (File.Exists(path) || (new FileInfo(path).LinkTarget is not null)) File.Delete(path);
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}
