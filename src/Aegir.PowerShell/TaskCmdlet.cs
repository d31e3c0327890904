using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Services.Http;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// Base of the cmdlets that run tasks: relays the task log to -Verbose (warnings to Write-Warning),
/// each step to Write-Progress, and turns a failed task into an ErrorRecord whose target is the task.
/// </summary>
public abstract class TaskCmdlet : AegirCmdlet, ITaskObserver, IDisposable
{
    Hosting? _hosting;

    protected Hosting Hosting => _hosting ??= new Hosting(Store, this) { Batch = ReloadsOncePerPipeline ? new ReloadBatch() : null };

    /// <summary>
    /// Cmdlets that change many sites in one pipeline test each change but reload each web server once,
    /// at the end (or when the pipeline is stopped).
    /// </summary>
    protected virtual bool ReloadsOncePerPipeline => false;

    protected override void EndProcessing() => FlushReloads();

    public void Dispose() => FlushReloads();

    void FlushReloads()
    {
        if (_hosting?.Batch is null) return;
        foreach (var task in _hosting.FlushReloads()) Finish(task);
    }

    public void OnLog(AegirTask task, TaskLogEntry entry)
    {
        switch (entry.Level)
        {
            case TaskLogLevel.Warning: WriteWarning(entry.Message); break;
            case TaskLogLevel.Error: WriteVerbose($"ERROR {entry.Message}"); break;
            default:
                WriteVerbose(entry.Message);
                if (entry.Level == TaskLogLevel.Info)
                    WriteProgress(new ProgressRecord(1, $"{task.Type} @{task.Target}", entry.Message));
                break;
        }
    }

    public void OnProgress(AegirTask task, int percent, string activity)
        => WriteProgress(new ProgressRecord(1, $"{task.Type} @{task.Target}", activity) { PercentComplete = percent });

    /// <summary>Ends the progress bar and reports a failed task; true when the task did not fail.</summary>
    protected bool Finish(AegirTask task)
    {
        WriteProgress(new ProgressRecord(1, $"{task.Type} @{task.Target}", "done") { RecordType = ProgressRecordType.Completed });
        if (task.Status != AegirTaskStatus.Failed) return true;
        WriteError(ErrorRecords.From(ErrorCatalog.TaskFailed(task), task));
        return false;
    }

    internal bool FinishTask(AegirTask task) => Finish(task);

    /// <summary>Writes the task (or, with -PassThru, <paramref name="passThru"/>) and reports a failure.</summary>
    protected void Emit(AegirTask task, bool passThru, Func<object?>? passThruObject = null)
    {
        bool ok = Finish(task);
        if (!passThru) WriteObject(task);
        else if (ok && passThruObject?.Invoke() is { } obj) WriteObject(obj);
    }
}
