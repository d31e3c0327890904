using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Site;

/// <summary>What Enable-AegirSite and Disable-AegirSite share: the site, -PassThru, and the task.</summary>
public abstract class SiteStateCmdlet(bool enable) : TaskCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(SiteNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public AegirSite? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool ReloadsOncePerPipeline => true;

    protected override void ProcessRecord() => ForItem(InputObject ?? (object?)Uri, () =>
    {
        var site = Store.GetFresh<AegirSite>(InputObject?.Name ?? ContextNames.Canonical("Uri", Uri, ContextType.Site), "Uri");
        if (!ShouldProcess(site.ToString(), enable ? "Enable site" : "Disable site")) return;
        Emit(Hosting.SetSiteEnabled(site, enable), PassThru, () => Store.ReadFresh(site.Name));
    });
}
