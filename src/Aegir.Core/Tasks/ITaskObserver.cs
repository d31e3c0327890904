namespace Aegir.Core.Tasks;

/// <summary>How a running task's log and progress leave the engine (the cmdlet relays them to Verbose and Write-Progress).</summary>
public interface ITaskObserver
{
    void OnLog(AegirTask task, TaskLogEntry entry);

    void OnProgress(AegirTask task, int percent, string activity);
}
