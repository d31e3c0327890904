using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>Deletes a site: its vhost, database and user, folders, and context. Returns the task.</summary>
[Cmdlet(VerbsCommon.Remove, "AegirSite", HelpUri = HelpLinks.Docs + "Remove-AegirSite.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "ByName")]
[OutputType(typeof(Core.Tasks.AegirTask), typeof(Core.Operations.AegirPlanStep))]
public sealed class RemoveAegirSiteCommand : SiteTargetCmdlet
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Removes the site without taking a backup of it first.</summary>
    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        var what = site.Status == SiteStatus.NotInstalled ? "Remove site context"
            : NoBackup ? "Delete site without a backup: vhost, database and user, files, context" : "Delete site after a backup: vhost, database and user, files, context";
        var parameters = new DeleteSite.Parameters(site.Name, Backup: !NoBackup);
        if (!Approve(parameters, site.ToString(), what, Force)) return;
        Emit(RunOperation(parameters).Task, passThru: false);
    });
}
