using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell;

/// <summary>Cmdlets that change existing contexts of one type (their record, or through a task), given by name (one or more) or piped, one at a time.</summary>
public abstract class RecordTargetCmdlet<T> : TaskCmdlet where T : AegirContext
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RecordNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public T? InputObject { get; set; }

    protected sealed override void ProcessRecord() => ForEachRecord(InputObject, Name, "Name", ContextNames.TypeOf<T>(), ProcessRecordNamed);

    /// <summary>The work for one record, by its canonical name.</summary>
    protected abstract void ProcessRecordNamed(string name);
}
