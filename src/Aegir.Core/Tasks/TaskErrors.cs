using Aegir.Core.Errors;

namespace Aegir.Core.Tasks;

/// <summary>Errors about tasks themselves (waited for, finished, failed, undo waiting), beside the catalogue's others.</summary>
public static class TaskErrors
{
    public static AegirException TaskNotFinished(AegirTask task, TimeSpan waited)
        => ErrorCatalog.E("WaitTimeout", AegirErrorKind.ResourceBusy, task,
            $"Task {task.Type} on '@{task.Target}' is still {task.Status} after {waited.TotalSeconds:0} s (task {task.Id}). Wait longer (-Timeout), or see where it is with Get-AegirTask -Id {task.Id}.");

    public static AegirException TaskFinishedAlready(AegirTask task, string doing, string fix)
        => ErrorCatalog.E("TaskFinished", AegirErrorKind.InvalidOperation, task, $"Task {task.Type} on '@{task.Target}' cannot be {doing}: it {task.Status.ToString().ToLowerInvariant()} already (task {task.Id}). {fix}");

    public static AegirException TaskFailed(AegirTask task)
        => ErrorCatalog.E(task.ErrorId ?? "TaskFailed", AegirErrorKind.InvalidOperation, task,
            $"Task {task.Type} on '@{task.Target}' failed: {task.Error} (task {task.Id}; its log: Get-AegirTask -Id {task.Id})");

    /// <summary>What a task's log and error say when part of its undo waits for a server: what waits, what stays, who tries again.</summary>
    public static string UndoWaits(AegirTask task)
    {
        var records = WaitingUndo.Records(task).Select(r => $"the record of '@{r}'").ToList();
        return $"{WaitingUndo.Undos(task).Count} change(s) could not be undone yet, because their server did not answer: {string.Join("; ", WaitingUndo.Undos(task))}"
               + (records.Count == 0 ? "" : $"; {string.Join(" and ", records)} stay(s) until then")
               + $". They are tried again by the next task on {string.Join(" or ", WaitingUndo.Targets(task).Select(t => $"'@{t}'"))}, and by Invoke-AegirVerify {task.Target}.";
    }

    /// <summary>A target refused to any change while a failed task's undo that concerns it waits for its server.</summary>
    public static AegirException UndoPending(string target, AegirTask task)
        => ErrorCatalog.UndoPending(target, task.Id, $"{task.Type} on '@{task.Target}'", WaitingUndo.Undos(task));

    /// <summary>A fault of the module itself (not of the input or of a server): what it said, and where to look.</summary>
    public static AegirException ModuleFault(AegirTask task, Exception fault)
        => ErrorCatalog.E("TaskFailed", AegirErrorKind.InvalidOperation, task,
            $"Task {task.Type} on '@{task.Target}' stopped on a fault in the module itself: {ErrorCatalog.Plain(fault).TrimEnd('.')}. What it had changed is undone (its log says so); "
            + $"please report it with the task's log (Get-AegirTask -Id {task.Id}), which says where it happened.");
}
