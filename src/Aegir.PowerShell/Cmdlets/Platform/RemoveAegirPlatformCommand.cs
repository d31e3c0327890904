using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Deletes a platform's web server include and context; refused while sites run on it. The codebase folder stays.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirPlatform", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask))]
public sealed class RemoveAegirPlatformCommand : TaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirPlatform? InputObject { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Name, () =>
    {
        var name = InputObject?.Name ?? ContextNames.Canonical("Name", Name, ContextType.Platform);
        var platform = Store.GetFresh<AegirPlatform>(name, "Name");
        Store.CheckRemovable(platform.Name);
        if (!ShouldProcessUnlessForced(Force, platform.ToString(), "Remove platform (its codebase folder stays)")) return;
        Emit(Hosting.DeletePlatform(platform), passThru: false);
    });
}
