using System.Management.Automation;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>Base of the cmdlets that act on recorded tasks by id (or on tasks piped in, by their Id).</summary>
public abstract class TaskIdCmdlet : AegirCmdlet
{
    /// <summary>The tasks' ids (or tasks piped in, by their Id property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    TaskStore? _tasks;

    /// <summary>The task records of this AEGIR_HOME.</summary>
    protected TaskStore Tasks => _tasks ??= new TaskStore(Store.Home);

    /// <summary>Runs <paramref name="action"/> on each task named; an unknown id, or what the action refuses, is an error for that task alone.</summary>
    protected void ForEachTask(Action<AegirTask> action)
    {
        foreach (var id in Id!)
            ForItem(id, () => action(Tasks.Get(id) ?? throw ErrorCatalog.TaskNotFound(id)));
    }
}
