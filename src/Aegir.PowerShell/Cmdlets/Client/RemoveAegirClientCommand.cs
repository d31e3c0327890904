using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Client;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>
/// Deletes a client context, refused while sites belong to the client; where the module made its UNIX group, the
/// group goes too (a task), unless someone it did not put there is still in it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AegirClient", HelpUri = HelpLinks.Docs + "Remove-AegirClient.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void), typeof(AegirPlanStep))]
public sealed class RemoveAegirClientCommand : RecordTargetCmdlet<AegirClient>
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecordNamed(string name)
    {
        var client = Current<AegirClient>(name, "Name");
        // A client whose group the module never took up on a server is its record alone.
        if (ClientGroupMark.Of(Store.Home, client.Name).Count == 0)
        {
            RemoveRecord(client, Force, "Remove client context");
            return;
        }
        Store.CheckRemovable(client.Name);
        var parameters = new DeleteClient.Parameters(client.Name);
        if (!Approve(parameters, client.ToString(), "Remove client, and its UNIX group where the module made it", Force)) return;
        Finish(RunOperation(parameters).Task);
    }
}
