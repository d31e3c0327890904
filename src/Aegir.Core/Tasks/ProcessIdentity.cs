namespace Aegir.Core.Tasks;

/// <summary>A process by pid and start time, so a reused pid is never taken for the process that queued or ran a task.</summary>
public static class ProcessIdentity
{
    public static readonly long CurrentStart = StartOf(Environment.ProcessId) ?? 0;

    /// <summary>The start time of a process in clock ticks since boot (field 22 of /proc/pid/stat); null when it is gone.</summary>
    public static long? StartOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException) { return null; }
    }

    public static bool IsAlive(int? pid, long? start)
        => pid is { } p && StartOf(p) is { } now && (start is null || start == now);
}
