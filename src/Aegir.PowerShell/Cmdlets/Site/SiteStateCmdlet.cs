using System.Management.Automation;
using Aegir.Core.Operations.Site;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>What Enable-AegirSite and Disable-AegirSite share: the site, -PassThru, and the task.</summary>
public abstract class SiteStateCmdlet(bool enable) : SiteTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessSite() => ForItem(Target, () =>
    {
        var site = ReadSite();
        object parameters = enable ? new EnableSite.Parameters(site.Name) : new DisableSite.Parameters(site.Name);
        if (!Approve(parameters, site.ToString(), enable ? "Enable site" : "Disable site")) return;
        Emit(RunOperation(parameters).Task, PassThru, () => Store.ReadFresh(site.Name));
    });
}
