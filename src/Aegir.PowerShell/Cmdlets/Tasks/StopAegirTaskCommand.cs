using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Stops tasks: a queued one ends at once without running (Failed, TaskStopped); a running one, in whatever process
/// runs it, stops at its next step and rolls back what it did. Writes each task as it now is (pipe to Wait-AegirTask
/// to wait for a running one to end).
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AegirTask", HelpUri = HelpLinks.Docs + "Stop-AegirTask.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirTask))]
public sealed class StopAegirTaskCommand : TaskIdCmdlet
{
    protected override void ProcessRecord() => ForEachTask(task =>
    {
        var id = task.Id;
        if (task.IsFinished) throw TaskErrors.TaskFinishedAlready(task, "stopped", "Nothing is left to stop.");
        if (!ShouldProcess($"task {task.Id} ({task.Type} on '@{task.Target}', {task.Status})", "Stop task")) return;
        if (task.Status == AegirTaskStatus.Queued && Engine.Runner.Cancel(id, "Stopped by Stop-AegirTask before it started.", TimeSpan.FromSeconds(2)))
            WriteVerbose($"Task {id} will not run: it was stopped while queued.");
        else
        {
            // Running, or queued behind a busy target: whoever runs it stops before its (next) step.
            Tasks.RequestStop(id);
            WriteVerbose($"Task {id} was asked to stop: it stops before its next step and rolls back what it did.");
        }
        var now = Tasks.Get(id);
        if (now is { IsFinished: true }) Tasks.ClearStop(id);   // it ended meanwhile: the request has no one left to stop
        WriteObject(now);
    });
}
