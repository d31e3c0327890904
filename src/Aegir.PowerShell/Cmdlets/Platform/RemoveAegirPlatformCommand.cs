using System.Management.Automation;
using Aegir.Core.Operations.Platform;

namespace Aegir.PowerShell.Cmdlets.Platform;

/// <summary>Deletes a platform's web server include and context; refused while sites run on it. The codebase folder stays.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirPlatform", HelpUri = HelpLinks.Docs + "Remove-AegirPlatform.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(Core.Operations.AegirPlanStep))]
public sealed class RemoveAegirPlatformCommand : PlatformTargetCmdlet
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessPlatform() => ForItem(Target, () =>
    {
        var platform = ReadPlatform();
        Store.CheckRemovable(platform.Name);
        var parameters = new DeletePlatform.Parameters(platform.Name);
        if (!Approve(parameters, platform.ToString(), "Remove platform (its codebase folder stays)", Force)) return;
        Emit(RunOperation(parameters).Task, passThru: false);
    });
}
