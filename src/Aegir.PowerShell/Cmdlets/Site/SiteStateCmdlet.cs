using System.Management.Automation;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>What Enable-AegirSite and Disable-AegirSite share: the site, -PassThru, and the task.</summary>
public abstract class SiteStateCmdlet(bool enable) : SiteTargetCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessRecord() => ForItem(Target, () =>
    {
        var site = ReadSite();
        if (!ShouldProcess(site.ToString(), enable ? "Enable site" : "Disable site")) return;
        Emit(Hosting.SetSiteEnabled(site, enable), PassThru, () => Store.ReadFresh(site.Name));
    });
}
