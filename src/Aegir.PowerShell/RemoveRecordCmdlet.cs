using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell;

/// <summary>Deletes records that nothing names any more (a server with no platforms, a client with no sites).</summary>
public abstract class RemoveRecordCmdlet<T> : RecordTargetCmdlet<T> where T : AegirContext
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected sealed override void ProcessRecordNamed(string name)
        => RemoveRecord(Current<T>(name, "Name"), Force, $"Remove {ContextNames.Label(ContextNames.TypeOf<T>())} context");
}
