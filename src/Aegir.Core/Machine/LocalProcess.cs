using System.Net.Sockets;
using Aegir.Core.Errors;
using Aegir.Core.IO;
using Aegir.Core.Transport;

namespace Aegir.Core.Machine;

/// <summary>What the private instances of a local server share: running their programs, waiting for their ports, reading their logs.</summary>
public static class LocalProcess
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static bool IsRoot => Posix.IsRoot;

    /// <summary>Runs a program, failing with its output and the command line (which never holds a secret here).</summary>
    public static void Run(string program, IReadOnlyList<string> args, string what, TimeSpan? timeout = null, byte[]? input = null)
    {
        var result = new LocalTransport().Run(new CommandSpec(program, args) { Timeout = timeout ?? TimeSpan.FromMinutes(1), StandardInput = input });
        if (!result.Succeeded) throw ErrorCatalog.StepFailed(ErrorIds.LocalServiceFailed, what, result.Summary(), $"Command: {program} {string.Join(' ', args)}");
    }

    public static bool PortOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(500) && client.Connected;
        }
        catch (AggregateException) { return false; }
        catch (SocketException) { return false; }
    }

    /// <summary>
    /// A folder others may pass through but not list (0711), so a service running as its own user reaches its files
    /// below, and nobody else (the script user included) learns what is there.
    /// </summary>
    public static void MakeTraversable(string dir)
    {
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, Traversable);
        if (File.GetUnixFileMode(dir) != Traversable) File.SetUnixFileMode(dir, Traversable);
    }

    public static string Tail(string file)
    {
        try { return string.Join('\n', File.ReadLines(file).TakeLast(8)); }
        catch (IOException) { return "it did not start in time and left no log"; }
    }
}
