using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>
/// Queues a failed task again: a new task of the same type, target and parameters, which Invoke-AegirQueue runs.
/// The failed one stays as it was, with its log. Writes the new task.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "AegirTask", HelpUri = HelpLinks.Docs + "Restart-AegirTask.md", SupportsShouldProcess = true)]
[OutputType(typeof(AegirTask))]
public sealed class RestartAegirTaskCommand : TaskIdCmdlet
{
    protected override void ProcessRecord() => ForEachTask(task =>
    {
        var id = task.Id;
        if (task.Status != AegirTaskStatus.Failed)
            throw ErrorCatalog.InvalidValue("Id", id, $"task {task.Type} on '@{task.Target}' is {task.Status}, and only a failed task is queued again",
                task.IsFinished ? "Run its cmdlet again to repeat a task that did not fail." : "Wait for it to end (Wait-AegirTask).");
        if (!ShouldProcess($"task {task.Id} ({task.Type} on '@{task.Target}')", "Queue the task again")) return;
        var again = Engine.Requeue(task);
        WriteVerbose($"Task {id} is queued again as task {again.Id}.");
        WriteObject(again);
    });
}
