namespace Aegir.Core.Tasks;

/// <summary>
/// Who runs a task or holds a target: this machine's name, this process's pid and its start time (a pid alone can be
/// reused), so a worker on another machine, or a later process with the same pid, is never taken for this one.
/// </summary>
public static class WorkerId
{
    public static string Current { get; } = Of(Environment.MachineName, Environment.ProcessId, ProcessIdentity.CurrentStart);

    public static string Of(string host, int pid, long start) => $"{host}:{pid}:{start}";
}
