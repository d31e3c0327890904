using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Server;

/// <summary>Deletes a server context; refused while platforms or sites use the server.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirServer", HelpUri = HelpLinks.Docs + "Remove-AegirServer.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(void))]
public sealed class RemoveAegirServerCommand : AegirCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServerNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirServer? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Name, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Server);
        RemoveRecord(Current<AegirServer>(name, "Name"), Force, "Remove server context");
    });
}
