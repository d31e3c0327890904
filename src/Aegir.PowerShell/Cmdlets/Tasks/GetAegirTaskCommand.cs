using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>Gets tasks with their logs, newest first: by id, target, type or status.</summary>
[Cmdlet(VerbsCommon.Get, "AegirTask", DefaultParameterSetName = "List")]
[OutputType(typeof(AegirTask))]
public sealed class GetAegirTaskCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ById", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>The context the tasks worked on (with or without @ and prefix).</summary>
    [Parameter(ParameterSetName = "List")]
    [ArgumentCompleter(typeof(AnyContextNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    [Parameter(ParameterSetName = "List")]
    [ValidateNotNullOrEmpty]
    public string? Type { get; set; }

    [Parameter(ParameterSetName = "List")]
    public AegirTaskStatus[]? Status { get; set; }

    /// <summary>At most this many tasks (the newest).</summary>
    [Parameter(ParameterSetName = "List")]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; } = int.MaxValue;

    protected override void ProcessRecord()
    {
        var tasks = new TaskStore(Store.Home);
        if (Id is not null)
        {
            foreach (var id in Id)
            {
                if (tasks.Get(id) is { } task) WriteObject(task);
                else WriteAegirError(ErrorCatalog.TaskNotFound(id), id);
            }
            return;
        }
        // Type and target are in the record's file name, so only matching records are read.
        var targets = Target is null ? null : ContextNames.Candidates(Target).ToHashSet(StringComparer.Ordinal);
        foreach (var task in tasks.List((type, target) => (targets is null || targets.Contains(target)) && (Type is null || string.Equals(type, Type, StringComparison.OrdinalIgnoreCase)))
                     .Where(t => Status is null || Status.Contains(t.Status))
                     .Take(First))
            WriteObject(task);
    }
}
