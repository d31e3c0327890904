using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Tasks;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Tasks;

/// <summary>Gets tasks with their logs, newest first: by id, target, type or status.</summary>
[Cmdlet(VerbsCommon.Get, "AegirTask", HelpUri = HelpLinks.Docs + "Get-AegirTask.md", DefaultParameterSetName = "List")]
[OutputType(typeof(AegirTask))]
public sealed class GetAegirTaskCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ById", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>The context the tasks worked on (with or without @ and prefix).</summary>
    [Parameter(ParameterSetName = "List")]
    [ArgumentCompleter(typeof(AnyContextNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    /// <summary>One of the task types (verify, install, delete, ...); any other is refused rather than matching nothing.</summary>
    [Parameter(ParameterSetName = "List")]
    [ArgumentCompleter(typeof(TaskTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Type { get; set; }

    [Parameter(ParameterSetName = "List")]
    public AegirTaskStatus[]? Status { get; set; }

    /// <summary>At most this many tasks (the newest).</summary>
    [Parameter(ParameterSetName = "List")]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; } = int.MaxValue;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Type is not null && !OperationRegistry.TaskTypes.Contains(Type, StringComparer.OrdinalIgnoreCase))
            ThrowAegirError(ErrorCatalog.InvalidValue("Type", Type, "it is not a task type", $"Use one of {string.Join(", ", OperationRegistry.TaskTypes)}."), Type);
    }

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
        // Type and target are in the record's file name, so only matching records are read; a target's are found by each month's index.
        Func<string, string, bool>? ofType = Type is null ? null : (type, _) => string.Equals(type, Type, StringComparison.OrdinalIgnoreCase);
        var listing = Target is null ? tasks.List(ofType) : tasks.List(ContextNames.Candidates(Target).ToHashSet(StringComparer.Ordinal), ofType);
        foreach (var task in listing.Where(t => Status is null || Status.Contains(t.Status))
                     .Take(First))
            WriteObject(task);
    }
}
