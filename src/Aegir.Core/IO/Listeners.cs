using System.Globalization;

namespace Aegir.Core.IO;

/// <summary>Which program listens on a TCP port of this machine, from /proc (the owner is known when this process may read the others' descriptors, as root).</summary>
public static class Listeners
{
    public sealed record Listener(int Port, int? ProcessId, string? Program);

    /// <summary>The listener on <paramref name="port"/> (any address), or null when nothing listens there.</summary>
    public static Listener? On(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            IEnumerable<string> lines;
            try { lines = File.ReadLines(table).Skip(1).ToList(); }
            catch (IOException) { continue; }
            foreach (var line in lines)
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A") continue;   // 0A: LISTEN
                var local = f[1];
                if (int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port) inodes.Add(f[9]);
            }
        }
        if (inodes.Count == 0) return null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFiles(Path.Combine(dir, "fd")))
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                        return new Listener(port, pid, File.ReadAllText(Path.Combine(dir, "comm")).Trim());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        return new Listener(port, null, null);
    }
}
