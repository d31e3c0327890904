using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Gives a site a new uri; its aliases and redirection follow. Returns the task.</summary>
[Cmdlet(VerbsCommon.Rename, "AegirSite", HelpUri = HelpLinks.Docs + "Rename-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(AegirSite), typeof(Core.Operations.AegirPlanStep))]
public sealed class RenameAegirSiteCommand : SiteTargetCmdlet
{
    /// <summary>The site's new uri.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? NewUri { get; set; }

    /// <summary>Renames without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the renamed site instead of the task.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var newUri = Validate.SiteHost("NewUri", NewUri);
        var parameters = new RenameSite.Parameters(site.Name, newUri);
        if (!Approve(parameters, site.ToString(), $"Rename site to {newUri}: backup, deploy under the new name, then remove the old one", Force)) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.GetFresh<AegirSite>(newUri, "NewUri"));
    });
}
