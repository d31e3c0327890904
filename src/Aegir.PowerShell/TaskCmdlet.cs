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

    /// <summary>-Queue: the task is recorded queued, for Invoke-AegirQueue (cmdlets whose work is a task offer it).</summary>
    protected virtual bool QueueRequested => false;

    /// <summary>-AsJob: the task is queued and run in a PowerShell job.</summary>
    protected virtual bool JobRequested => false;

    /// <summary>
    /// Cmdlets that change many sites in one pipeline test each change but reload each web server once,
    /// at the end (or when the pipeline is stopped).
    /// </summary>
    protected virtual bool ReloadsOncePerPipeline => false;

    protected override bool PlanOnly => Plan;

    protected override ReloadBatch? MakeBatch() => ReloadsOncePerPipeline ? new ReloadBatch() : null;

    protected override void EndProcessing()
    {
        FlushReloads();
        AfterReloads();
        if (_shown) WriteProgress(new ProgressRecord(PipelineId, MyInvocation.MyCommand.Name, "done") { RecordType = ProgressRecordType.Completed });
    }

    public void Dispose() => FlushReloads();

    /// <summary>At the end of the pipeline, once every web server it changed has reloaded and its sites were checked.</summary>
    protected virtual void AfterReloads() { }

    void FlushReloads()
    {
        if (!ReloadsOncePerPipeline || Engine.Batch is not { Pending: > 0 } batch) return;
        _shown = true;
        WriteProgress(new ProgressRecord(PipelineId, MyInvocation.MyCommand.Name, $"reloading {batch.Pending} web server(s) once for the {_item} item(s), then checking their sites") { PercentComplete = 100 });
        foreach (var task in Engine.FlushReloads()) Finish(task);
    }

    // --- progress: the pipeline (items n of N) as the parent, each task's steps as its child ---

    const int PipelineId = 1;
    int _item;
    bool _shown;

    /// <summary>How many items the command was given when that is known before they run (an array parameter); null for pipeline input.</summary>
    protected virtual int? ItemCount => null;

    protected override void OnItem(object? target)
    {
        _item++;
        var total = ItemCount;
        if (_item == 1 && total is not > 1) return;   // a single item: its task's own progress says it all
        _shown = true;
        WriteProgress(new ProgressRecord(PipelineId, MyInvocation.MyCommand.Name, total is { } n ? $"{_item} of {n}: {target}" : $"item {_item}: {target}")
        {
            PercentComplete = total is { } all ? 100 * (_item - 1) / all : -1,
        });
    }

    protected override ProgressRecord TaskProgress(AegirTask task, string activity, int percent)
    {
        var record = base.TaskProgress(task, activity, percent);
        if (_shown) record.ParentActivityId = PipelineId;
        return record;
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

    /// <summary>
    /// Runs an operation now (Ctrl+C stops it at the next step and rolls it back); with -Queue records it queued,
    /// with -AsJob queues it and runs it in a job, whose output is <paramref name="jobOutput"/> of the outcome (what
    /// the cmdlet itself writes) or the task. A task that did not run now comes back Queued.
    /// </summary>
    protected TaskOutcome RunOperation(object parameters, Func<TaskOutcome, object?>? jobOutput = null)
    {
        if (QueueRequested && JobRequested)
            ThrowAegirError(ErrorCatalog.InvalidValue("AsJob", "-Queue -AsJob", "a task is either queued for Invoke-AegirQueue or run in a job", "Give one of -Queue and -AsJob."));
        if (QueueRequested || JobRequested)
        {
            var queued = Engine.Enqueue(parameters);
            if (JobRequested)
            {
                var job = new AegirTaskJob(MyInvocation.Line, Store.Home, queued, jobOutput);
                JobRepository.Add(job);
                job.Start();
                WriteObject(job);
            }
            return new TaskOutcome(queued, null);
        }
        try { return Engine.Run(parameters, StopToken); }
        finally { Drain(); }
    }

    /// <summary>Ends the progress bar and reports a failed task; true when the task ran and did not fail (a queued task is written as it is).</summary>
    protected bool Finish(AegirTask task)
    {
        if (task.Status == AegirTaskStatus.Queued)
        {
            if (!JobRequested) WriteObject(task);
            return false;
        }
        Drain();
        WriteProgress(new ProgressRecord(2, $"{task.Type} @{task.Target}", "done") { RecordType = ProgressRecordType.Completed, ParentActivityId = _shown ? PipelineId : -1 });
        if (task.Status != AegirTaskStatus.Failed) return true;
        WriteError(ErrorRecords.From(TaskErrors.TaskFailed(task), task));
        return false;
    }

    /// <summary>Writes the task (or, with -PassThru, <paramref name="passThru"/>) and reports a failure.</summary>
    protected void Emit(AegirTask task, bool passThru, Func<object?>? passThruObject = null)
    {
        bool ok = Finish(task);
        if (task.Status == AegirTaskStatus.Queued) return;
        if (!passThru) WriteObject(task);
        else if (ok && passThruObject?.Invoke() is { } obj) WriteObject(obj);
    }
}
