using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell;

/// <summary>
/// Base of the cmdlets that run operations: -Plan returns the plan as objects, -WhatIf prints it one line per
/// change, a run goes through the engine (Ctrl+C stops it at a step and rolls back), and a failed task becomes an
/// ErrorRecord whose target is the task.
/// </summary>
public abstract class TaskCmdlet : AegirCmdlet, IDisposable
{
    /// <summary>Returns the plan (AegirPlanStep objects) and changes nothing.</summary>
    [Parameter]
    public SwitchParameter Plan { get; set; }

    /// <summary>
    /// Cmdlets that change many sites in one pipeline test each change but reload each web server once,
    /// at the end (or when the pipeline is stopped).
    /// </summary>
    protected virtual bool ReloadsOncePerPipeline => false;

    protected override bool PlanOnly => Plan;

    protected override ReloadBatch? MakeBatch() => ReloadsOncePerPipeline ? new ReloadBatch() : null;

    protected override void EndProcessing() => FlushReloads();

    public void Dispose() => FlushReloads();

    void FlushReloads()
    {
        if (!ReloadsOncePerPipeline) return;
        foreach (var task in Engine.FlushReloads()) Finish(task);
    }

    /// <summary>
    /// Asks to run an operation: -Plan writes its steps and declines; -WhatIf prints them and declines; otherwise
    /// ShouldProcess (or -Force) decides.
    /// </summary>
    protected bool Approve(object parameters, string target, string action, bool force = false)
    {
        if (Plan)
        {
            foreach (var step in Engine.Plan(parameters)) WriteObject(step);
            return false;
        }
        return ShouldChange(WhatIfMode ? Engine.Plan(parameters).Select(s => s.Description) : [], target, action, force);
    }

    /// <summary>Runs an operation now; Ctrl+C stops it at the next step and rolls it back.</summary>
    protected TaskOutcome RunOperation(object parameters)
    {
        try { return Engine.Run(parameters, StopToken); }
        finally { Drain(); }
    }

    /// <summary>Ends the progress bar and reports a failed task; true when the task did not fail.</summary>
    protected bool Finish(AegirTask task)
    {
        Drain();
        WriteProgress(new ProgressRecord(1, $"{task.Type} @{task.Target}", "done") { RecordType = ProgressRecordType.Completed });
        if (task.Status != AegirTaskStatus.Failed) return true;
        WriteError(ErrorRecords.From(ErrorCatalog.TaskFailed(task), task));
        return false;
    }

    /// <summary>Writes the task (or, with -PassThru, <paramref name="passThru"/>) and reports a failure.</summary>
    protected void Emit(AegirTask task, bool passThru, Func<object?>? passThruObject = null)
    {
        bool ok = Finish(task);
        if (!passThru) WriteObject(task);
        else if (ok && passThruObject?.Invoke() is { } obj) WriteObject(obj);
    }
}
