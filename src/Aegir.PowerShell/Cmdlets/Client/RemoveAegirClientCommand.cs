using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Client;

/// <summary>Deletes a client context; refused while sites belong to the client.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirClient", HelpUri = HelpLinks.Docs + "Remove-AegirClient.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveAegirClientCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirClient? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Name, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Client);
        RemoveRecord(Current<AegirClient>(name, "Name"), Force, "Remove client context");
    });
}
