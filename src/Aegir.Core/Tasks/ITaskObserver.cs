namespace Aegir.Core.Tasks;

/// <summary>
/// How a running task's log and progress leave the engine (the cmdlet relays them to Verbose, Warning and
/// Write-Progress). Calls may come from any thread.
/// </summary>
public interface ITaskObserver
{
    void OnLog(AegirTask task, TaskLogEntry entry);

    void OnProgress(AegirTask task, int percent, string activity);

    /// <summary>A message that belongs to no task (the repair a change of a record did first).</summary>
    void OnMessage(TaskLogLevel level, string message) { }
}
