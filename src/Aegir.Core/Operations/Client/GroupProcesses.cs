using System.Globalization;
using System.Text;
using Aegir.Core.Transport;

namespace Aegir.Core.Operations.Client;

/// <summary>
/// A person's processes that still hold a group. A process keeps the groups it started with: taking the person out of
/// a group changes no process already running (a shell, a background job), which reaches what the group reaches until
/// it ends.
/// </summary>
internal static class GroupProcesses
{
    /// <summary>The processes of <paramref name="user"/> that hold the group <paramref name="gid"/>, as "pid (command)".</summary>
    public static IReadOnlyList<(int Pid, string Command)> Holding(ITransport transport, string user, int gid)
    {
        // pgrep exits 1 when it finds none.
        var found = transport.Run(new CommandSpec("pgrep", ["-u", user]) { Timeout = TimeSpan.FromSeconds(30) });
        var held = new List<(int, string)>();
        foreach (var line in found.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (transport.ReadFile($"/proc/{pid}/status") is not { } status || !Holds(Encoding.ASCII.GetString(status), gid)) continue;
            var comm = transport.ReadFile($"/proc/{pid}/comm") is { } bytes ? Encoding.UTF8.GetString(bytes).Trim() : "?";
            held.Add((pid, comm));
        }
        return held;
    }

    /// <summary>Ends them (SIGKILL, again while any is left: one may have started another meanwhile); those still left after that.</summary>
    public static IReadOnlyList<(int Pid, string Command)> End(ITransport transport, string user, int gid)
    {
        var (_, left) = ProcessKill.Until(transport, () => Holding(transport, user, gid).Select(p => p.Pid).ToList());
        return left.Count == 0 ? [] : Holding(transport, user, gid);
    }

    public static string Show(IReadOnlyList<(int Pid, string Command)> processes) => string.Join(", ", processes.Select(p => $"{p.Pid} ({p.Command})"));

    /// <summary>Whether /proc's status names the group among the process's groups or as its own (real, effective, saved).</summary>
    static bool Holds(string status, int gid)
    {
        var id = gid.ToString(CultureInfo.InvariantCulture);
        return status.Split('\n').Any(l => (l.StartsWith("Groups:", StringComparison.Ordinal) || l.StartsWith("Gid:", StringComparison.Ordinal))
            && l[(l.IndexOf(':') + 1)..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Contains(id));
    }
}
